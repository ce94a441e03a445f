"""Async robot inference against sync: control-loop rate and success with a slow chunk policy.

A policy server process (`policies.action_chunks`) runs the tabletop expert as an action-chunk
policy (chunks of --horizon actions, planned open-loop on a forward model of the gripper),
made to take --latency-s per inference (a slow model's 300 ms). The robot client steps
`handeye/tabletop-<task>-v0` with a control loop at --fps: sync waits for each chunk with the
robot idle; async (LeRobot's) keeps executing its queue and asks for the next chunk when the
queue falls to --threshold x horizon. Both sides play the same seeds, interleaved per seed so
machine load hits both alike. Reported per task and side: success, env steps/s (the
control-loop rate achieved), idle ticks per step, env steps executed during each inference.

    python -m benchmarks.bench_async_robot [--tasks reach,push,pick-place] [--episodes 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

from benchmarks.bench_report import emit, machine


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def summary(rows: list[Any]) -> dict[str, Any]:
    """Success rate and rates over a side's episodes (EpisodeStats)."""
    steps = sum(r.steps for r in rows)
    wall = sum(r.wall_s for r in rows)
    during = [n for r in rows for n in r.steps_during_inference[1:]]
    return {
        "episodes": len(rows),
        "success_rate": sum(r.success for r in rows) / len(rows),
        "steps_per_s": steps / wall if wall else 0.0,
        "mean_steps": steps / len(rows),
        "mean_episode_s": wall / len(rows),
        "idle_ticks_per_step": sum(r.idle_ticks for r in rows) / max(1, steps),
        "requests_per_episode": sum(r.requests for r in rows) / len(rows),
        "inference_s_mean": statistics.fmean([s for r in rows for s in r.inference_s] or [0.0]),
        "steps_during_inference_mean": statistics.fmean(during) if during else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="reach,push,pick-place")
    ap.add_argument("--episodes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--latency-s", type=float, default=0.3)
    ap.add_argument("--horizon", type=int, default=10)
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--aggregate", default="weighted_average")
    ap.add_argument("--max-steps", type=int, default=80)
    ap.add_argument("--json", help="also write the report here")
    args = ap.parse_args(argv)

    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids
    from agent.async_inference import (
        AsyncConfig,
        RemoteChunkPolicy,
        run_async_episode,
        run_sync_episode,
    )
    from policies.action_chunks import PolicyServerConfig, policy_server

    config = AsyncConfig(args.fps, args.threshold, args.aggregate, args.max_steps)
    server = PolicyServerConfig("tabletop-expert", args.horizon, args.latency_s)
    results: dict[str, Any] = {}
    with policy_server(server) as (address, key), RemoteChunkPolicy(address, key) as remote:
        for task in args.tasks.split(","):
            env = gym.make(f"handeye/tabletop-{task}-v0")
            sides: dict[str, list[Any]] = {"sync": [], "async": []}
            for seed in range(args.seed, args.seed + args.episodes):
                sides["sync"].append(run_sync_episode(env, remote, seed, config))
                sides["async"].append(run_async_episode(env, remote, seed, config))
            env.close()
            results[task] = {side: summary(rows) for side, rows in sides.items()}
            results[task]["async_vs_sync_steps_per_s"] = results[task]["async"][
                "steps_per_s"
            ] / max(results[task]["sync"]["steps_per_s"], 1e-9)
            log(
                f"{task}: sync {results[task]['sync']['steps_per_s']:.2f} steps/s "
                f"{results[task]['sync']['success_rate']:.0%}, async "
                f"{results[task]['async']['steps_per_s']:.2f} steps/s "
                f"{results[task]['async']['success_rate']:.0%}"
            )
    emit(
        {
            "benchmark": "async vs sync robot inference, slow action-chunk policy",
            "policy": f"tabletop expert, chunks of {args.horizon}, {args.latency_s} s each",
            "fps_target": args.fps,
            "chunk_threshold": args.threshold,
            "aggregate": args.aggregate,
            "max_steps": args.max_steps,
            "seeds": [args.seed, args.seed + args.episodes - 1],
            "tasks": results,
            "machine": machine(),
        },
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
