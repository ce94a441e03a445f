"""Registering a family of task envs with gymnasium under `handeye/<family>-<task>-v0` ids."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any


def family_env_id(family: str, task: str = "") -> str:
    """`handeye/<family>-<task>-v0`, or `handeye/<family>-v0` for a family of one env."""
    return f"handeye/{family}-{task}-v0" if task else f"handeye/{family}-v0"


def register_task_family(
    family: str,
    tasks: Iterable[str],
    entry_point: str,
    max_episode_steps: int | Mapping[str, int],
    nondeterministic: bool | Collection[str] = False,
    kwargs: Mapping[str, Mapping[str, Any]] | None = None,
    vector_entry_point: str | None = None,
) -> list[str]:
    """Register one id per task name (idempotent) and return the ids, in the order given.

    Each task is made with `kwargs[name]` (default `task=name`); `max_episode_steps` and
    `nondeterministic` hold for the whole family, or per task name. `vector_entry_point`
    builds `gymnasium.make_vec(id, num_envs=N)` (called with num_envs, max_episode_steps and
    the task's keywords); without it make_vec steps N copies in a SyncVectorEnv.
    """
    import gymnasium

    ids = []
    for name in tasks:
        env_id = family_env_id(family, name)
        if env_id not in gymnasium.registry:
            steps, flaky = max_episode_steps, nondeterministic
            gymnasium.register(
                id=env_id,
                entry_point=entry_point,
                kwargs=dict(kwargs[name]) if kwargs is not None else {"task": name},
                max_episode_steps=steps if isinstance(steps, int) else steps[name],
                nondeterministic=flaky if isinstance(flaky, bool) else name in flaky,
                vector_entry_point=vector_entry_point,
            )
        ids.append(env_id)
    return ids
