"""Success rate of the privileged MiniWoB expert on each task it claims, in real Chromium.

Runs seeded episodes (seeds 0..N-1) of every task under the env's 30-step limit and prints
one JSON object to stdout: {task: success rate, ..., "mean": mean rate}. Progress and a table
of steps per episode and failure reasons go to stderr. `--policy random` runs the same sweep
with the random policy, the floor to compare against.

    python -m benchmarks.expert_success [--tasks click-button,enter-text] [--episodes 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks.bench_report import emit

console = Console(stderr=True)


@dataclass
class TaskResult:
    """Outcome counts of one task's episodes."""

    episodes: int = 0
    successes: int = 0
    steps: int = 0
    seconds: float = 0.0
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.successes / self.episodes if self.episodes else 0.0


def failure_reason(info: dict[str, Any], truncated: bool) -> str:
    """Why an episode failed, in a few words for the table."""
    if truncated:
        return "browser lost" if info.get("browser_lost") else "step limit"
    if "success" not in info:
        return "policy gave up"  # Done() before the page judged anything
    return str(info.get("reason") or "wrong answer")


def run_task(
    task: str, policy_name: str, episodes: int, progress: Progress, bar: Any
) -> TaskResult:
    """Run `episodes` seeded episodes of one task with a fresh env, advancing the bar."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye/* ids
    from policies.base import make_policy

    result = TaskResult()
    env = gym.make(f"handeye/miniwob-{task}-v0")
    kwargs = {"action_space": env.action_space} if policy_name == "random" else {}
    policy = make_policy(policy_name, **kwargs)
    try:
        for seed in range(episodes):
            t0 = time.perf_counter()
            obs, info = env.reset(seed=seed)
            policy.reset(obs["instruction"])
            while True:
                action = policy.act(obs, info if policy.privileged else None)
                obs, _, terminated, truncated, info = env.step(action)
                result.steps += 1
                if terminated or truncated:
                    break
            result.seconds += time.perf_counter() - t0
            result.episodes += 1
            if info.get("success"):
                result.successes += 1
            else:
                result.failures[failure_reason(info, truncated)] += 1
            progress.advance(bar)
    finally:
        policy.close()
        env.close()
    return result


def main(argv: list[str] | None = None) -> dict[str, float]:
    from policies.experts.miniwob import SOLVED_TASKS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", help="comma-separated task names (default: all the expert solves)"
    )
    parser.add_argument("--episodes", type=int, default=50, help="seeded episodes per task")
    parser.add_argument("--policy", default="expert", help="policy registry name (expert, random)")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",") if args.tasks else list(SOLVED_TASKS)

    results: dict[str, TaskResult] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        bar = progress.add_task("", total=len(tasks) * args.episodes)
        for task in tasks:
            progress.update(bar, description=task)
            results[task] = run_task(task, args.policy, args.episodes, progress, bar)

    table = Table(title=f"{args.policy} on MiniWoB ({args.episodes} episodes per task)")
    for column in ("task", "success", "steps/episode", "s/episode", "failures"):
        table.add_column(column)
    for task, r in results.items():
        failures = ", ".join(f"{why} x{n}" for why, n in r.failures.most_common(3))
        style = "red" if r.rate < 0.95 else None
        table.add_row(
            task,
            f"{r.rate:.0%}",
            f"{r.steps / max(r.episodes, 1):.1f}",
            f"{r.seconds / max(r.episodes, 1):.2f}",
            failures,
            style=style,
        )
    console.print(table)

    report = {task: round(r.rate, 4) for task, r in results.items()}
    report["mean"] = round(statistics.fmean(r.rate for r in results.values()), 4)
    emit(report, args.json)
    return report


if __name__ == "__main__":
    main()
