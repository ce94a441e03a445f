"""The session loop: any policy stepping any env, phase by phase, recorded as it goes.

Each step reads as named phases — perceive (the env's frame capture), ground+plan (the
policy), act (the env executing the action) — each timed. A failed action is data in
`info["error"]` that the policy sees next step (pixel policies see only that key of
`info`); Ctrl-C ends the session cleanly and what was recorded so far stays on disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.traces import StepRecord, TraceWriter
from contracts.actions import Action, format_action
from contracts.errors import HandeyeError
from contracts.keys import PUBLIC_INFO_KEYS
from contracts.timing import env_timings
from policies.base import Policy

log = logging.getLogger(__name__)

REDACT = "redact"  # info key of the boxes to hide in stored frames (agent.safety_redaction)
MAX_POLICY_FAILURES = 3  # consecutive policy errors before an episode is abandoned


def visible_info(policy: Policy, info: dict[str, Any]) -> dict[str, Any]:
    """`info` as `policy` may see it: all of it for privileged experts, feedback otherwise."""
    if policy.privileged:
        return info
    return {k: info[k] for k in PUBLIC_INFO_KEYS if info.get(k) is not None}


@dataclass(frozen=True)
class StepOutcome:
    """What one step did, for live display and statistics."""

    step: int
    action: str
    reward: float
    terminated: bool
    truncated: bool
    error: str | None
    timings: dict[str, float]


@dataclass(frozen=True)
class EpisodeResult:
    """Summary of one episode; `complete` is False when it was interrupted."""

    env_id: str
    policy: str
    seed: int | None
    instruction: str
    success: bool
    total_reward: float
    steps: int
    duration_s: float
    timings: dict[str, float] = field(default_factory=dict)  # mean seconds per phase per step
    episode_id: str | None = None
    complete: bool = True
    error: str | None = None


StepCallback = Callable[[StepOutcome], None]


def run_episode(
    env: Any,
    policy: Policy,
    *,
    env_id: str = "",
    seed: int | None = None,
    max_steps: int = 30,
    writer: TraceWriter | None = None,
    on_step: StepCallback | None = None,
) -> EpisodeResult:
    """Run one episode of `policy` on `env`; KeyboardInterrupt propagates after recording."""
    started = time.perf_counter()
    obs, info = env.reset(seed=seed)
    instruction = str(obs.get("instruction", info.get("instruction", "")))
    policy.reset(instruction)
    episode_id = writer.start_episode(env_id, policy.name, seed, instruction) if writer else None
    capture = env_timings(env).get("capture", 0.0)
    totals: dict[str, float] = {"capture": 0.0, "policy": 0.0, "act": 0.0}
    total_reward, success, steps, failures = 0.0, False, 0, 0
    last_error: str | None = None
    complete = False
    try:
        for step in range(max_steps):
            t0 = time.perf_counter()
            action: Action | None = None
            try:
                action = policy.act(obs, visible_info(policy, info))
            except HandeyeError as exc:
                last_error = f"policy: {exc}"
                failures += 1
            t_policy = time.perf_counter() - t0
            if action is None:
                outcome = StepOutcome(
                    step,
                    "",
                    0.0,
                    False,
                    False,
                    last_error,
                    {"capture": capture, "policy": t_policy},
                )
                _record(writer, outcome, obs, {}, redact=info.get(REDACT))
                if on_step:
                    on_step(outcome)
                steps += 1
                if failures >= MAX_POLICY_FAILURES:
                    break
                continue
            failures = 0
            frame = obs.get("screen", obs.get("rgb"))
            frame_redact = info.get(REDACT)
            t1 = time.perf_counter()
            obs, reward, terminated, truncated, info = env.step(action)
            t_step = time.perf_counter() - t1
            env_t = env_timings(env)
            next_capture = env_t.get("capture", 0.0)
            timings = {
                "capture": capture,
                "policy": t_policy,
                "act": max(t_step - next_capture, 0.0),
            }
            capture = next_capture
            for k, v in timings.items():
                totals[k] += v
            steps += 1
            total_reward += float(reward)
            last_error = info.get("error")
            outcome = StepOutcome(
                step,
                format_action(action),
                float(reward),
                terminated,
                truncated,
                last_error,
                timings,
            )
            final = obs.get("screen") if terminated or truncated else None
            _record(
                writer,
                outcome,
                {"screen": frame},
                policy.last_extra,
                final,
                redact=frame_redact,
                final_redact=info.get(REDACT) if final is not None else None,
            )
            if on_step:
                on_step(outcome)
            if terminated or truncated:
                success = bool(info.get("success", reward > 0))
                break
        complete = True
    finally:
        duration = time.perf_counter() - started
        if writer and episode_id is not None:
            writer.end_episode(success=success if complete else None, complete=complete)
    means = {k: v / max(steps, 1) for k, v in totals.items()}
    return EpisodeResult(
        env_id,
        policy.name,
        seed,
        instruction,
        success,
        total_reward,
        steps,
        duration,
        means,
        episode_id,
        complete,
        last_error,
    )


def _record(
    writer: TraceWriter | None,
    outcome: StepOutcome,
    obs: dict[str, Any],
    extra: dict[str, Any],
    final_frame: np.ndarray | None = None,
    *,
    redact: Any = None,
    final_redact: Any = None,
) -> None:
    """Record a step; `redact`/`final_redact`: boxes the env said to hide in the stored frames."""
    if writer is None:
        return
    frame = obs.get("screen")
    if frame is None:
        frame = np.zeros((1, 1, 3), np.uint8)
    writer.add_step(
        StepRecord(
            step=outcome.step,
            frame=frame,
            action=outcome.action,
            reward=outcome.reward,
            terminated=outcome.terminated,
            truncated=outcome.truncated,
            error=outcome.error,
            timings=outcome.timings,
            extra=extra,
            final_frame=final_frame,
            redact=tuple(tuple(b) for b in redact or ()),
            final_redact=tuple(tuple(b) for b in final_redact or ()),
        )
    )


def run_episodes(
    env: Any,
    policy: Policy,
    seeds: list[int | None],
    *,
    env_id: str = "",
    max_steps: int = 30,
    writer: TraceWriter | None = None,
    on_episode: Callable[[EpisodeResult], None] | None = None,
    on_step: StepCallback | None = None,
) -> tuple[list[EpisodeResult], bool]:
    """Run one episode per seed; returns (results, interrupted). Ctrl-C stops cleanly."""
    results: list[EpisodeResult] = []
    try:
        for seed in seeds:
            result = run_episode(
                env,
                policy,
                env_id=env_id,
                seed=seed,
                max_steps=max_steps,
                writer=writer,
                on_step=on_step,
            )
            results.append(result)
            if on_episode:
                on_episode(result)
    except KeyboardInterrupt:
        log.warning("interrupted after %d episodes; recorded data is kept", len(results))
        return results, True
    return results, False
