"""MiniWoB++ envs registered as `handeye/miniwob-<task>-v0`, one per task page shipped."""

from __future__ import annotations

from envs.miniwob.env import MiniWoBConfig, MiniWoBEnv
from envs.miniwob.tasks import NONDETERMINISTIC, all_tasks, get_task
from envs.registration import register_task_family

ENTRY_POINT = "envs.miniwob.env:MiniWoBEnv"
VECTOR_ENTRY_POINT = "envs.miniwob.vector:MiniWoBVectorEnv"  # N pages of one Chromium
MAX_EPISODE_STEPS = 30

__all__ = ["MiniWoBConfig", "MiniWoBEnv", "all_tasks", "get_task", "register_miniwob_envs"]


def register_miniwob_envs() -> list[str]:
    """Register every shipped task (idempotent); returns the ids."""
    return register_task_family(
        "miniwob",
        all_tasks(),
        ENTRY_POINT,
        MAX_EPISODE_STEPS,
        NONDETERMINISTIC,
        vector_entry_point=VECTOR_ENTRY_POINT,
    )
