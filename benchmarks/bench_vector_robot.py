"""Many robot envs at once: handeye's tabletop `make_vec` (128x128 RGB-D in every observation)
against gymnasium's MuJoCo Pusher-v5 in AsyncVectorEnv, N = 1..8, in one interleaved run.

Sides, each stepped with random actions for a time slice in turn (the order rotating per
round): handeye tabletop push through `envs.make_vec` (AsyncVectorEnv, a worker process per
env) and the same in a SyncVectorEnv (one process: the choice make_vec did not take), and
Pusher-v5 in AsyncVectorEnv with its rgb_array frame added to every observation
(`AddRenderObservation`), at its default size (480x480, shadows) and at 128x128. One JSON
object goes to stdout, progress to stderr.

    python -m benchmarks.bench_vector_robot [--envs 1,2,4,8] [--seconds 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.bench_report import emit, machine

HANDEYE_ASYNC, HANDEYE_SYNC = "handeye_push_128_rgbd_async", "handeye_push_128_rgbd_sync"
PUSHER_DEFAULT, PUSHER_128 = "pusher_v5_rgb_async_default", "pusher_v5_rgb_async_128"
MAX_STEPS = 100
console = Console(stderr=True)


def _pusher(size: tuple[int, int] | None) -> Any:
    """A Pusher-v5 maker for a worker: its frame rendered into each observation."""

    def make() -> Any:
        import gymnasium as gym
        from gymnasium.wrappers import AddRenderObservation

        extra = {} if size is None else {"width": size[0], "height": size[1]}
        env = gym.make("Pusher-v5", render_mode="rgb_array", max_episode_steps=MAX_STEPS, **extra)
        return AddRenderObservation(env, render_only=False)

    return make


def make_side(kind: str, n: int) -> Any:
    import gymnasium as gym

    import envs

    if kind == HANDEYE_ASYNC:
        return envs.make_vec("handeye/tabletop-push-v0", n, max_episode_steps=MAX_STEPS)
    if kind == HANDEYE_SYNC:
        return envs.make_vec(
            "handeye/tabletop-push-v0", n, vectorization_mode="sync", max_episode_steps=MAX_STEPS
        )
    size = None if kind == PUSHER_DEFAULT else (128, 128)
    return gym.vector.AsyncVectorEnv([_pusher(size)] * n, context="forkserver")


def run_slice(vec: Any, seconds: float) -> tuple[int, float, float]:
    """(sub-env steps, seconds, mean of the last frame) of random actions for `seconds`."""
    t0 = time.perf_counter()
    steps, obs = 0, None
    while time.perf_counter() - t0 < seconds:
        obs, *_ = vec.step(vec.action_space.sample())
        steps += vec.num_envs
    frame = obs["rgb"] if "rgb" in obs else obs["pixels"]
    return steps, time.perf_counter() - t0, float(frame.mean())


def bench_n(n: int, kinds: list[str], seconds: float, rounds: int, seed: int) -> dict[str, Any]:
    vecs: dict[str, Any] = {}
    try:
        for kind in kinds:
            t0 = time.perf_counter()
            vecs[kind] = make_side(kind, n)
            vecs[kind].action_space.seed(seed)
            vecs[kind].reset(seed=seed)
            console.log(f"N={n}: {kind} up in {time.perf_counter() - t0:.1f} s")
        for vec in vecs.values():
            run_slice(vec, min(seconds, 0.5))  # warm-up: GL contexts, first frames
        rates: dict[str, list[float]] = {k: [] for k in kinds}
        frames: dict[str, float] = {}
        for r in range(rounds):
            for kind in kinds[r % len(kinds) :] + kinds[: r % len(kinds)]:
                steps, wall, frames[kind] = run_slice(vecs[kind], seconds)
                rates[kind].append(steps / wall)
    finally:
        for vec in vecs.values():
            vec.close()
    out: dict[str, Any] = {
        kind: {"steps_per_s": statistics.median(v), "rounds": v, "last_frame_mean": frames[kind]}
        for kind, v in rates.items()
    }
    ours = out[HANDEYE_ASYNC]["steps_per_s"]
    out["ratio"] = {k: ours / out[k]["steps_per_s"] for k in kinds if k != HANDEYE_ASYNC}
    console.log(f"N={n}: " + ", ".join(f"{k} {out[k]['steps_per_s']:.0f}/s" for k in kinds))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", default="1,2,4,8", help="comma-separated N values")
    parser.add_argument("--seconds", type=float, default=2.0, help="time slice per side")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    ns = sorted({int(v) for v in args.envs.split(",") if v.strip()})
    if not ns or ns[0] < 1 or args.seconds <= 0 or args.rounds < 1:
        parser.error("--envs must be positive, --seconds > 0 and --rounds >= 1")
    from envs.tabletop.rendering import choose_gl_backend

    choose_gl_backend()  # before anything imports mujoco; the workers inherit it
    started = time.perf_counter()
    kinds = [HANDEYE_ASYNC, HANDEYE_SYNC, PUSHER_DEFAULT, PUSHER_128]
    by_n = {str(n): bench_n(n, kinds, args.seconds, args.rounds, args.seed) for n in ns}
    report = {
        "benchmark": "vector_robot_throughput",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(
            ["python", "-m", "benchmarks.bench_vector_robot", *(argv or sys.argv[1:])]
        ),
        "machine": machine(mujoco_gl=os.environ.get("MUJOCO_GL")),
        "config": {
            "envs": ns,
            "seconds_per_slice": args.seconds,
            "rounds": args.rounds,
            "max_steps": MAX_STEPS,
            "actions": "random (action_space.sample)",
        },
        "by_envs": by_n,
        "notes": "steps/s count sub-env steps (vector steps x N); handeye renders RGB + depth "
        "of one 128x128 camera into every observation, Pusher its rgb_array frame "
        "(AddRenderObservation); last_frame_mean 0 would mean blank frames",
        "elapsed_s": time.perf_counter() - started,
    }
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
