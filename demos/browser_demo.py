"""Watch a policy solve MiniWoB++ browser tasks in real Chromium; writes traces, HTML and video.

Run with `make demo` (sets everything up first) or `.venv/bin/python demos/browser_demo.py`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import gymnasium as gym
from rich.console import Console
from rich.table import Table

import envs  # noqa: F401 - registers handeye/... env ids
from agent.replay import replay
from agent.session import run_episodes
from agent.traces import TraceWriter
from contracts.errors import SetupError
from policies.base import make_policy, warm_up


@dataclass
class Args:
    tasks: list[str] = field(
        default_factory=lambda: [
            "click-button",
            "click-link",
            "click-checkboxes",
            "enter-text",
            "login-user",
            "click-tab-2",
            "choose-list",
            "navigate-tree",
        ]
    )
    episodes: int = 3  # seeded episodes per task
    policy: str = "house"  # the embedded pixel policy (no GPU, no weights); "expert" reads the DOM
    out: Path = Path("runs/demo")
    seed: int = 0


def parse_args() -> Args:
    defaults = Args()
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", nargs="+", default=defaults.tasks)
    p.add_argument("--episodes", type=int, default=defaults.episodes)
    p.add_argument("--policy", default=defaults.policy)
    p.add_argument("--out", type=Path, default=defaults.out)
    p.add_argument("--seed", type=int, default=defaults.seed)
    return Args(**vars(p.parse_args()))


def main() -> int:
    args = parse_args()
    console = Console()
    try:
        solve(args, console)
    except SetupError as exc:  # the machine lacks something: say what, not a traceback
        console.print(f"[red]set-up problem:[/red] {exc}")
        return 2
    return 0


def solve(args: Args, console: Console) -> None:
    policy = make_policy(args.policy)
    with console.status(f"loading policy {args.policy!r} ..."):
        warm_up(policy)
    table = Table(title=f"policy {args.policy!r} on MiniWoB++ (real Chromium)")
    for col in ("task", "success", "instruction (last episode)"):
        table.add_column(col)
    with TraceWriter(args.out / "traces") as writer:
        for task in args.tasks:
            env = gym.make(f"handeye/miniwob-{task}-v0")
            seeds = list(range(args.seed, args.seed + args.episodes))
            with console.status(f"solving {task} ..."):
                results, interrupted = run_episodes(env, policy, seeds, env_id=task, writer=writer)
            env.close()
            wins = sum(r.success for r in results)
            last = results[-1].instruction if results else ""
            table.add_row(task, f"{wins}/{len(results)}", last)
            if interrupted:
                break
    console.print(table)
    html = replay(args.out / "traces", out=args.out / "report.html", fmt="html")
    video = replay(args.out / "traces", out=args.out / "episode.mp4", fmt="mp4")
    console.print(f"report: {html}\nvideo:  {video}\ntraces: {args.out / 'traces'}")


if __name__ == "__main__":
    sys.exit(main())
