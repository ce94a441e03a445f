"""The desktop env family: a real X display (Xvfb or $DISPLAY), mss capture, pyautogui input.

`register_desktop_envs()` adds one gymnasium id per task, `handeye/desktop-<task>-v0`.
"""

from __future__ import annotations

ENTRY_POINT = "envs.desktop.env:DesktopEnv"
MAX_EPISODE_STEPS = 20


def desktop_env_ids() -> list[str]:
    """The gymnasium ids of every desktop task."""
    from envs.desktop.tasks import TASKS

    return [f"handeye/desktop-{name}-v0" for name in TASKS]


def register_desktop_envs() -> list[str]:
    """Register every desktop task with gymnasium (idempotent) and return their ids."""
    import gymnasium

    from envs.desktop.tasks import TASKS

    ids = []
    for name in TASKS:
        env_id = f"handeye/desktop-{name}-v0"
        if env_id not in gymnasium.registry:
            gymnasium.register(
                id=env_id,
                entry_point=ENTRY_POINT,
                kwargs={"task": name},
                max_episode_steps=MAX_EPISODE_STEPS,
            )
        ids.append(env_id)
    return ids
