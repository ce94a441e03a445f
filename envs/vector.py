"""Many envs stepped as one: `make_vec` for every handeye id, and reading one sub-env back.

Browser ids carry a vector entry point (`MiniWoBVectorEnv`: N pages of one Chromium), so
`make_vec` is `gymnasium.make_vec` for them. Ids without one (tabletop MuJoCo, terminal,
desktop) get gymnasium's `AsyncVectorEnv`, one worker process per env, started from a fork
server (a parent holding a GL context or browser threads must not be forked; scripts need
the usual `if __name__ == "__main__":` guard); benchmarks/bench_vector_robot.py measures
it beside a SyncVectorEnv and Pusher-v5. `sub_obs` and
`sub_info` take sub-env i's observation and info out of the batched ones, for per-env
consumers such as a policy or the evaluation loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def make_vec(env_id: str, num_envs: int = 1, **kwargs: Any) -> Any:
    """A gymnasium VectorEnv of `num_envs` copies of `env_id`; `kwargs` go to each env.

    `vectorization_mode` ("vector_entry_point", "async", "sync") overrides the choice above.
    """
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids

    spec = gym.spec(env_id)
    mode = kwargs.pop("vectorization_mode", None)
    if mode is None:
        mode = "vector_entry_point" if spec.vector_entry_point is not None else "async"
    if mode == "async":
        if env_id.startswith("handeye/tabletop-"):
            from envs.tabletop.rendering import choose_gl_backend

            choose_gl_backend()  # exported to the workers before any of them imports mujoco
        vector = {"context": "forkserver", **kwargs.pop("vector_kwargs", {})}
        kwargs["vector_kwargs"] = vector
    return gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=mode, **kwargs)


def sub_obs(obs: dict[str, Any], i: int) -> dict[str, Any]:
    """Sub-env i's observation out of a batched dict observation (arrays and text tuples)."""
    return {key: value[i] for key, value in obs.items()}


def sub_info(info: dict[str, Any], i: int) -> dict[str, Any]:
    """Sub-env i's info out of gymnasium's batched info (values plus `_key` masks)."""
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key.startswith("_"):
            continue
        mask = info.get(f"_{key}")
        if mask is not None and not mask[i]:
            continue
        if isinstance(value, dict):
            out[key] = sub_info(value, i)
        else:
            item = value[i]
            out[key] = item.item() if isinstance(item, np.generic) else item
    return out
