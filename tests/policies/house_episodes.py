"""Runs the browser house policy on real MiniWoB episodes for the skill tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def house_wins(policy: Any, task: str, seeds: Iterable[int], max_steps: int = 30) -> int:
    """Episodes of `task` the policy wins; the env keeps its DOM to itself (dom_in_info off)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the MiniWoB envs

    env = gym.make(f"handeye/miniwob-{task}-v0", dom_in_info=False)
    wins = 0
    try:
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            policy.reset(obs["instruction"])
            for _ in range(max_steps):
                action = policy.act(obs, {"error": info.get("error")})
                obs, _, terminated, truncated, info = env.step(action)
                if terminated or truncated:
                    break
            wins += bool(info.get("success"))
    finally:
        env.close()
    return wins
