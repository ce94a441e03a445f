"""Seeded episodes on a gymnasium VectorEnv: N episodes in flight, one policy per sub-env.

The sequential loop (`session.run_episode`) runs one episode at a time; here each sub-env of a
VectorEnv (autoreset disabled) plays one seed at a time with its own policy instance, and
every vector step advances all episodes in flight. Each episode follows the sequential
loop's rules (same reset seed, same step budget, the policy's errors counted the same way,
success read the same way), so a deterministic policy gets the same `EpisodeResult` per seed;
only durations and timings differ (`act` is the vector step's wall time, shared by the pages).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.session import MAX_POLICY_FAILURES, EpisodeResult, visible_info
from contracts.actions import Action
from contracts.errors import HandeyeError
from policies.base import Policy

log = logging.getLogger(__name__)


@dataclass
class _Episode:
    """One episode in flight on one sub-env: what `run_episode` keeps in its locals."""

    seed: int | None
    instruction: str
    started: float
    steps: int = 0
    total_reward: float = 0.0
    success: bool = False
    failures: int = 0
    last_error: str | None = None
    totals: dict[str, float] = field(
        default_factory=lambda: {"capture": 0.0, "policy": 0.0, "act": 0.0}
    )

    def result(self, env_id: str, policy: str) -> EpisodeResult:
        means = {k: v / max(self.steps, 1) for k, v in self.totals.items()}
        duration = time.perf_counter() - self.started
        return EpisodeResult(
            env_id,
            policy,
            self.seed,
            self.instruction,
            self.success,
            self.total_reward,
            self.steps,
            duration,
            means,
            None,
            True,
            self.last_error,
        )


def run_vector_episodes(
    vec: Any,
    policies: list[Policy],
    seeds: list[int | None],
    *,
    env_id: str = "",
    max_steps: int = 30,
    on_episode: Callable[[EpisodeResult], None] | None = None,
) -> tuple[list[EpisodeResult], bool]:
    """Run one episode per seed over the sub-envs of `vec`; returns (results in seed order,
    interrupted). `vec` must not autoreset (gymnasium's AutoresetMode.DISABLED) and must take
    None as "leave this sub-env alone" (handeye's browser VectorEnv does)."""
    from envs.vector import sub_info, sub_obs

    n = vec.num_envs
    if len(policies) != n:
        raise HandeyeError(f"{len(policies)} policies for {n} sub-envs; give one per sub-env")
    queue = list(enumerate(seeds))
    running: dict[int, tuple[int, _Episode]] = {}  # sub-env -> (seed index, episode)
    views: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}  # sub-env -> its obs, info
    done: dict[int, EpisodeResult] = {}

    def finish(i: int) -> None:
        index, episode = running.pop(i)
        done[index] = result = episode.result(env_id, policies[i].name)
        if on_episode:
            on_episode(result)

    try:
        while queue or running:
            idle = [i for i in range(n) if i not in running][: len(queue)]
            if idle:
                obs, info = _start(vec, policies, idle, queue, running)
                views.update({i: (sub_obs(obs, i), sub_info(info, i)) for i in idle})
            actions: list[Action | None] = [None] * n
            for i, (_, episode) in list(running.items()):
                t0 = time.perf_counter()
                seen, seen_info = views[i]
                try:
                    actions[i] = policies[i].act(seen, visible_info(policies[i], seen_info))
                except HandeyeError as exc:
                    episode.last_error = f"policy: {exc}"
                    episode.failures += 1
                episode.totals["policy"] += time.perf_counter() - t0
                if actions[i] is None:
                    episode.steps += 1
                    if episode.failures >= MAX_POLICY_FAILURES or episode.steps >= max_steps:
                        finish(i)
                else:
                    episode.failures = 0
            if not any(a is not None for a in actions):
                continue
            t1 = time.perf_counter()
            obs, rewards, terminated, truncated, info = vec.step(actions)
            wall = time.perf_counter() - t1
            for i, action in enumerate(actions):
                if action is None:
                    continue
                episode = running[i][1]
                episode.totals["act"] += wall
                episode.steps += 1
                episode.total_reward += float(rewards[i])
                views[i] = sub_obs(obs, i), sub_info(info, i)
                mine = views[i][1]
                episode.last_error = mine.get("error")
                if terminated[i] or truncated[i]:
                    episode.success = bool(mine.get("success", rewards[i] > 0))
                    finish(i)
                elif episode.steps >= max_steps:
                    finish(i)
    except KeyboardInterrupt:
        log.warning("interrupted after %d episodes; recorded data is kept", len(done))
        return [done[k] for k in sorted(done)], True
    return [done[k] for k in sorted(done)], False


def _start(
    vec: Any,
    policies: list[Policy],
    idle: list[int],
    queue: list[tuple[int, int | None]],
    running: dict[int, tuple[int, _Episode]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reset the idle sub-envs with the next seeds; their policies read the new instructions."""
    n = vec.num_envs
    seeds: list[int | None] = [None] * n
    mask = np.zeros(n, dtype=np.bool_)
    for i in idle:
        index, seed = queue.pop(0)
        seeds[i], mask[i] = seed, True
        running[i] = (index, _Episode(seed, "", time.perf_counter()))
    obs, info = vec.reset(seed=seeds, options={"reset_mask": mask})
    for i in idle:
        instruction = str(obs["instruction"][i]) if "instruction" in obs else ""
        running[i][1].instruction = instruction
        policies[i].reset(instruction)
    return obs, info
