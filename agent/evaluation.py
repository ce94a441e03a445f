"""Evaluate a policy on many envs, in one process or a pool of worker processes.

Each (env, episodes) job builds its env and policy the way users do (`gymnasium.make`,
`make_policy`), so evaluation exercises the public path. With `workers` N > 1, an env whose
id has a vector entry point (the browser envs) plays N episodes at once on N pages of one
browser in this process (`gymnasium.make_vec`, one policy per page), with the same results
per seed as the sequential run; other envs (and traced runs, whose writer records one
episode at a time) go to a pool of N worker processes. Results are plain dataclasses,
written as JSON and markdown by the CLI.
"""

from __future__ import annotations

import fnmatch
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.session import EpisodeResult, run_episodes
from contracts.errors import EnvError, HandeyeError

log = logging.getLogger(__name__)

DEFAULT_MAX_STEPS = 100  # for an env registered without an episode limit


def registered_envs() -> list[str]:
    """All handeye env ids known to gymnasium (importing `envs` registers them)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids

    return sorted(i for i in gym.registry if i.startswith("handeye/"))


def select_envs(patterns: list[str] | str) -> list[str]:
    """Env ids matching glob patterns; a bare task name also matches `handeye/*<name>-v0`."""
    if isinstance(patterns, str):
        patterns = [p for p in patterns.split(",") if p]
    ids = registered_envs()
    chosen: list[str] = []
    for pat in patterns:
        full = pat if "/" in pat else f"handeye/{pat}"
        hits = [i for i in ids if fnmatch.fnmatchcase(i, full) or i == f"{full}-v0"]
        if not hits:
            raise EnvError(
                f"no registered env matches {pat!r}; try `handeye list-envs` "
                "(patterns are globs like 'handeye/miniwob-click-*')"
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen


@dataclass(frozen=True)
class EvalJob:
    """Episodes of one env for one worker."""

    env_id: str
    policy: str
    seeds: tuple[int, ...]
    max_steps: int | None = None  # None: the env's own registered episode limit
    trace_dir: str | None = None
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    env_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class EnvReport:
    """Success statistics of one env."""

    env_id: str
    episodes: int
    successes: int
    mean_reward: float
    mean_steps: float
    mean_step_ms: dict[str, float]
    errors: list[str] = field(default_factory=list)

    @property
    def success_rate(self) -> float:
        return self.successes / self.episodes if self.episodes else 0.0


def make_eval_env(
    env_id: str, max_steps: int | None, env_kwargs: dict[str, Any]
) -> tuple[Any, int]:
    """The env an evaluation plays and its step limit: `max_steps`, the spec's, or the default."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids

    limit = {} if max_steps is None else {"max_episode_steps": max_steps}
    env = gym.make(env_id, **limit, **env_kwargs)
    return env, max_steps or (env.spec and env.spec.max_episode_steps) or DEFAULT_MAX_STEPS


def run_job(job: EvalJob, on_episode: Callable[[EpisodeResult], None] | None = None) -> list[dict]:
    """Run one job in this process; returns EpisodeResults as dicts (picklable, JSON-able)."""
    from agent.traces import TraceWriter
    from policies.base import make_policy, warm_up

    policy = make_policy(job.policy, **job.policy_kwargs)
    warm_up(policy)
    writer = TraceWriter(Path(job.trace_dir)) if job.trace_dir else None
    env, max_steps = make_eval_env(job.env_id, job.max_steps, job.env_kwargs)
    try:
        results, interrupted = run_episodes(
            env,
            policy,
            list(job.seeds),
            env_id=job.env_id,
            max_steps=max_steps,
            writer=writer,
            on_episode=on_episode,
        )
    finally:
        env.close()
        policy.close()
        if writer:
            writer.close()
    if interrupted:
        raise KeyboardInterrupt
    return [asdict(r) for r in results]


def has_vector_env(env_id: str) -> bool:
    """Whether `env_id` has its own VectorEnv (many pages of one browser) behind make_vec."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids

    return gym.spec(env_id).vector_entry_point is not None


def run_vector_job(
    job: EvalJob, workers: int, on_episode: Callable[[EpisodeResult], None] | None = None
) -> list[dict]:
    """Run one job's episodes `workers` at a time on the env's VectorEnv, in this process."""
    import gymnasium as gym

    from agent.vector_episodes import run_vector_episodes
    from envs.vector import make_vec
    from policies.base import make_policy, warm_up

    n = min(workers, len(job.seeds))
    spec = gym.spec(job.env_id)
    max_steps = job.max_steps or spec.max_episode_steps or DEFAULT_MAX_STEPS
    limit = {} if job.max_steps is None else {"max_episode_steps": job.max_steps}
    policies = []
    vec = make_vec(job.env_id, n, autoreset_mode="Disabled", **limit, **job.env_kwargs)
    try:
        policies = [make_policy(job.policy, **job.policy_kwargs) for _ in range(n)]
        for policy in policies:
            warm_up(policy)
        results, interrupted = run_vector_episodes(
            vec,
            policies,
            list(job.seeds),
            env_id=job.env_id,
            max_steps=max_steps,
            on_episode=on_episode,
        )
    finally:
        vec.close()
        for policy in policies:
            policy.close()
    if interrupted:
        raise KeyboardInterrupt
    return [asdict(r) for r in results]


def summarize(env_id: str, episodes: list[dict]) -> EnvReport:
    """Aggregate episode dicts of one env."""
    n = len(episodes)
    phases = ("capture", "policy", "act")
    return EnvReport(
        env_id=env_id,
        episodes=n,
        successes=sum(bool(e["success"]) for e in episodes),
        mean_reward=sum(e["total_reward"] for e in episodes) / max(n, 1),
        mean_steps=sum(e["steps"] for e in episodes) / max(n, 1),
        mean_step_ms={
            p: 1000 * sum(e["timings"].get(p, 0.0) for e in episodes) / max(n, 1) for p in phases
        },
        errors=sorted({e["error"] for e in episodes if e.get("error")})[:5],
    )


def evaluate(
    env_ids: list[str],
    policy: str,
    *,
    episodes: int,
    workers: int = 1,
    seed: int = 0,
    max_steps: int | None = None,
    trace_dir: Path | None = None,
    policy_kwargs: dict[str, Any] | None = None,
    env_kwargs: dict[str, Any] | None = None,
    on_episode: Callable[[dict], None] | None = None,
) -> tuple[list[EnvReport], bool]:
    """Run `episodes` seeded episodes per env; returns (reports, interrupted)."""
    if episodes < 1:
        raise HandeyeError(f"episodes must be >= 1, got {episodes}")
    if workers < 1:
        raise HandeyeError(f"workers must be >= 1, got {workers}")
    seeds = tuple(range(seed, seed + episodes))
    jobs = [
        EvalJob(
            env_id,
            policy,
            seeds,
            max_steps,
            str(trace_dir) if trace_dir else None,
            policy_kwargs or {},
            env_kwargs or {},
        )
        for env_id in env_ids
    ]
    by_env: dict[str, list[dict]] = {e: [] for e in env_ids}
    interrupted = False

    def collect(result: dict) -> None:
        by_env[result["env_id"]].append(result)
        if on_episode:
            on_episode(result)

    try:
        if workers == 1:
            for job in jobs:
                run_job(job, on_episode=lambda r: collect(asdict(r)))
        else:
            paged = [j for j in jobs if trace_dir is None and has_vector_env(j.env_id)]
            for job in paged:
                run_vector_job(job, workers, on_episode=lambda r: collect(asdict(r)))
            forked = [j for j in jobs if j not in paged]
            if forked:
                ctx = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                    futures = [pool.submit(run_job, job) for job in _split(forked, workers)]
                    for fut in as_completed(futures):
                        for result in fut.result():
                            collect(result)
    except KeyboardInterrupt:
        interrupted = True
    return [summarize(e, by_env[e]) for e in env_ids if by_env[e]], interrupted


def _split(jobs: list[EvalJob], workers: int) -> list[EvalJob]:
    """Split each env's seeds into chunks so that a few envs still use every worker."""
    if len(jobs) >= workers:
        return jobs
    per = -(-workers // len(jobs))
    out = []
    for job in jobs:
        size = -(-len(job.seeds) // per)
        for i in range(0, len(job.seeds), size):
            out.append(EvalJob(**{**asdict(job), "seeds": job.seeds[i : i + size]}))
    return out


def markdown_table(reports: list[EnvReport]) -> str:
    """The success table as markdown, with a mean row."""
    lines = [
        "| env | episodes | success | mean reward | mean steps | ms/step (capture/policy/act) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        ms = r.mean_step_ms
        lines.append(
            f"| {r.env_id} | {r.episodes} | {100 * r.success_rate:.1f}% | {r.mean_reward:.2f} | "
            f"{r.mean_steps:.1f} | {ms['capture']:.0f}/{ms['policy']:.0f}/{ms['act']:.0f} |"
        )
    if reports:
        mean = sum(r.success_rate for r in reports) / len(reports)
        lines.append(f"| **mean** | {sum(r.episodes for r in reports)} | {100 * mean:.1f}% | | | |")
    return "\n".join(lines) + "\n"


def reports_json(reports: list[EnvReport], **meta: Any) -> dict[str, Any]:
    """JSON-able results: each env's success rate, plus the mean and run metadata."""
    return {
        **meta,
        "mean_success": sum(r.success_rate for r in reports) / max(len(reports), 1),
        "envs": {r.env_id: {**asdict(r), "success_rate": r.success_rate} for r in reports},
    }
