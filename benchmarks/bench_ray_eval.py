"""Episodes/s of `handeye eval --ray local` with N actors against the local `--workers N` path.

Both sides play the same tasks and seeds in the same run, side by side in interleaved rounds
(the peer is the local path: N pages of one browser for browser envs, N processes otherwise).
Per side it reports wall episodes/s from the first episode submitted to the last result
(actor and browser start included, `ray.init` apart), the steady rate between the first and
the last result, and whether every episode's outcome matched the local one-worker run.
Prints JSON; never asserts on time.

    nice -n 10 .venv/bin/python -m benchmarks.bench_ray_eval --workers 1,2,4 --episodes 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.evaluation import evaluate, select_envs
from agent.ray_eval import RayConfig, evaluate_ray, ray_session

TASKS = "miniwob-click-button,miniwob-click-link,miniwob-focus-text,miniwob-enter-text"


@dataclass
class BenchConfig:
    """What to run: tasks, policy, episodes per task, widths and rounds."""

    tasks: str = TASKS
    policy: str = "expert"
    episodes: int = 10  # per task
    workers: str = "1,2,4"
    rounds: int = 2
    seed: int = 0
    json: str | None = None


@dataclass
class Side:
    """One side's timings over the rounds."""

    name: str
    wall_eps: list[float] = field(default_factory=list)
    steady_eps: list[float] = field(default_factory=list)
    same_outcomes: list[bool] = field(default_factory=list)
    reruns: int = 0


def outcome(r: dict) -> tuple:
    return (r["env_id"], r["seed"], r["success"], r["steps"], round(r["total_reward"], 9))


def timed(run) -> tuple[float, float, list[dict]]:
    """Run `run(on_episode)`; returns (wall episodes/s, steady episodes/s, results)."""
    got: list[dict] = []
    stamps: list[float] = []

    def on_episode(r: dict) -> None:
        got.append(r)
        stamps.append(time.perf_counter())

    t0 = time.perf_counter()
    run(on_episode)
    wall = len(got) / (stamps[-1] - t0)
    steady = (len(got) - 1) / (stamps[-1] - stamps[0]) if len(got) > 1 else float("nan")
    return wall, steady, got


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default=TASKS, help="env globs, comma-separated")
    p.add_argument("--policy", default="expert")
    p.add_argument("--episodes", type=int, default=10, help="per task")
    p.add_argument("--workers", default="1,2,4", help="widths: local workers and Ray actors")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the JSON here")
    cfg = BenchConfig(**vars(p.parse_args(argv)))
    env_ids = select_envs(cfg.tasks)
    widths = [int(w) for w in cfg.workers.split(",")]
    common = {"episodes": cfg.episodes, "seed": cfg.seed}
    _, _, ref = timed(lambda cb: evaluate(env_ids, cfg.policy, on_episode=cb, **common))
    reference = sorted(map(outcome, ref))
    sides = {f"local-{n}": Side(f"local-{n}") for n in widths}
    sides |= {f"ray-{n}": Side(f"ray-{n}") for n in widths}
    with ray_session(RayConfig(actors=max(widths))) as connect_s:
        for _ in range(cfg.rounds):
            for n in widths:
                for kind in ("local", "ray"):
                    side = sides[f"{kind}-{n}"]
                    if kind == "local":
                        wall, steady, got = timed(
                            lambda cb, n=n: evaluate(
                                env_ids, cfg.policy, workers=n, on_episode=cb, **common
                            )
                        )
                    else:
                        reruns: list = []

                        def go(cb, n=n, reruns=reruns):
                            run = evaluate_ray(
                                env_ids,
                                cfg.policy,
                                on_episode=cb,
                                config=RayConfig(actors=n),
                                **common,
                            )
                            reruns += run.reruns

                        wall, steady, got = timed(go)
                        side.reruns += len(reruns)
                    side.wall_eps.append(wall)
                    side.steady_eps.append(steady)
                    side.same_outcomes.append(sorted(map(outcome, got)) == reference)
    out = {
        "config": asdict(cfg),
        "envs": env_ids,
        "episodes_per_run": len(env_ids) * cfg.episodes,
        "ray_init_s": round(connect_s, 2),
        "load_avg_end": os.getloadavg(),
        "cpus": os.cpu_count(),
        "success_rate": sum(o[2] for o in reference) / len(reference),
        "sides": {
            name: {
                "wall_episodes_per_s_median": round(statistics.median(s.wall_eps), 2),
                "steady_episodes_per_s_median": round(statistics.median(s.steady_eps), 2),
                "wall_episodes_per_s": [round(x, 2) for x in s.wall_eps],
                "same_outcomes_as_local_1": all(s.same_outcomes),
                "reruns": s.reruns,
            }
            for name, s in sides.items()
        },
    }
    out["ray_over_local"] = {
        n: round(
            out["sides"][f"ray-{n}"]["wall_episodes_per_s_median"]
            / out["sides"][f"local-{n}"]["wall_episodes_per_s_median"],
            2,
        )
        for n in widths
    }
    text = json.dumps(out, indent=2)
    print(text)
    if cfg.json:
        Path(cfg.json).parent.mkdir(parents=True, exist_ok=True)
        Path(cfg.json).write_text(text)


if __name__ == "__main__":
    main()
