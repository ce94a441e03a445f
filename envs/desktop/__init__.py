"""The desktop env family: a real X display (Xvfb or $DISPLAY), mss capture, pyautogui input.

`register_desktop_envs()` adds one gymnasium id per task, `handeye/desktop-<task>-v0`.
"""

from __future__ import annotations

ENTRY_POINT = "envs.desktop.env:DesktopEnv"
MAX_EPISODE_STEPS = 20


def desktop_env_ids() -> list[str]:
    """The gymnasium ids of every desktop task."""
    from envs.desktop.tasks import TASKS
    from envs.registration import family_env_id

    return [family_env_id("desktop", name) for name in TASKS]


def register_desktop_envs() -> list[str]:
    """Register every desktop task with gymnasium (idempotent) and return their ids."""
    from envs.desktop.tasks import TASKS
    from envs.registration import register_task_family

    return register_task_family("desktop", TASKS, ENTRY_POINT, MAX_EPISODE_STEPS)
