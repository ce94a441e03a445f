"""Registering a family of task envs with gymnasium under `handeye/<family>-<task>-v0` ids."""

from __future__ import annotations

from collections.abc import Iterable


def register_task_family(
    family: str, tasks: Iterable[str], entry_point: str, max_episode_steps: int
) -> list[str]:
    """Register one id per task (idempotent) and return the ids, in the order given."""
    import gymnasium

    ids = []
    for name in tasks:
        env_id = f"handeye/{family}-{name}-v0"
        if env_id not in gymnasium.registry:
            gymnasium.register(
                id=env_id,
                entry_point=entry_point,
                kwargs={"task": name},
                max_episode_steps=max_episode_steps,
            )
        ids.append(env_id)
    return ids
