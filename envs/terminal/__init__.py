"""The terminal env family: bash in a real pty (pexpect), emulated by pyte, rendered to pixels.

`register_terminal_envs()` adds one gymnasium id per task, `handeye/terminal-<task>-v0`.
"""

from __future__ import annotations

ENTRY_POINT = "envs.terminal.env:TerminalEnv"
MAX_EPISODE_STEPS = 20


def terminal_env_ids() -> list[str]:
    """The gymnasium ids of every terminal task."""
    from envs.registration import family_env_id
    from envs.terminal.tasks import TASKS

    return [family_env_id("terminal", name) for name in TASKS]


def register_terminal_envs() -> list[str]:
    """Register every terminal task with gymnasium (idempotent) and return their ids."""
    from envs.registration import register_task_family
    from envs.terminal.tasks import TASKS

    return register_task_family("terminal", TASKS, ENTRY_POINT, MAX_EPISODE_STEPS)
