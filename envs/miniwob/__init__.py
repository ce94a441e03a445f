"""MiniWoB++ envs registered as `handeye/miniwob-<task>-v0`, one per task page shipped."""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

from envs.miniwob.env import MiniWoBConfig, MiniWoBEnv
from envs.miniwob.tasks import all_tasks, get_task

MAX_EPISODE_STEPS = 30

__all__ = ["MiniWoBConfig", "MiniWoBEnv", "all_tasks", "get_task", "register_miniwob_envs"]


def register_miniwob_envs() -> list[str]:
    """Register every shipped task (idempotent); returns the ids."""
    ids = []
    for task in all_tasks().values():
        if task.env_id not in registry:
            register(
                id=task.env_id,
                entry_point="envs.miniwob.env:MiniWoBEnv",
                kwargs={"task": task.name},
                max_episode_steps=MAX_EPISODE_STEPS,
                nondeterministic=task.nondeterministic,
            )
        ids.append(task.env_id)
    return ids
