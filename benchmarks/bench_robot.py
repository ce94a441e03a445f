"""Robot episodes: success of the expert and the house policy, and env speed against Pusher-v5.

Success: `tabletop-expert` (privileged) and `house` (embedded grounder + planner, pixels only)
run seeded episodes of pick-and-place and push with 3-5 objects, with and without domain
randomization, through the same session loop users run (`gymnasium.make` + `make_policy`).
Speed: env steps/s of `handeye/tabletop-push-v0` at 128x128 RGB-D (as shipped, shadows off;
and with shadows on) against gymnasium's MuJoCo `Pusher-v5` rendering rgb_array every step
(its default 480x480, and at 128x128), random actions, in interleaved rounds so machine load
hits every side alike. One JSON object goes to stdout.

    python -m benchmarks.bench_robot [--episodes 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

from benchmarks.bench_report import emit, machine

TASKS = ("pick-place", "push")
POLICIES = ("tabletop-expert", "house")
TARGETS = {"tabletop-expert": 0.98, "house": 0.90, "house+randomize": 0.80}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def success_runs(
    episodes: int, seed: int, robots: tuple[str, ...] = ("gripper",)
) -> list[dict[str, Any]]:
    """Success rate, steps and policy time per (robot, policy, task, randomize)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids
    from agent.session import run_episodes
    from policies.base import make_policy

    rows = []
    cells = [(r, p, t, z) for r in robots for p in POLICIES for t in TASKS for z in (False, True)]
    policies = {name: make_policy(name) for name in POLICIES}
    for robot, policy_name, task, randomize in cells:
        env_id = f"handeye/tabletop-{task}{'-arm' if robot == 'arm' else ''}-v0"
        env = gym.make(env_id, randomize=randomize)
        t0 = time.perf_counter()
        try:
            results, _ = run_episodes(
                env,
                policies[policy_name],
                list(range(seed, seed + episodes)),
                env_id=env_id,
                max_steps=env.spec.max_episode_steps,
            )
        finally:
            env.close()
        wall = time.perf_counter() - t0
        ok = [r for r in results if r.success]
        row = {
            "robot": robot,
            "policy": policy_name,
            "env_id": env_id,
            "randomize": randomize,
            "episodes": len(results),
            "success_rate": len(ok) / max(len(results), 1),
            "mean_steps_success": statistics.fmean(r.steps for r in ok) if ok else None,
            "policy_ms_per_step": 1000
            * statistics.fmean(r.timings.get("policy", 0.0) for r in results),
            "wall_s": round(wall, 1),
            "failed_seeds": [r.seed for r in results if not r.success][:20],
        }
        key = policy_name + ("+randomize" if randomize and policy_name == "house" else "")
        row["target"] = TARGETS[key]
        row["meets_target"] = row["success_rate"] >= row["target"]
        rows.append(row)
        log(
            f"{policy_name:16s} {env_id:36s} randomize={randomize!s:5s}"
            f" success {100 * row['success_rate']:.0f}% ({wall:.0f} s)"
        )
    for policy in policies.values():
        policy.close()
    return rows


def _pusher_frame(env: Any) -> Any:
    """Pusher's rgb_array frame, its GL context made current first.

    gymnasium makes its offscreen context current only when it holds several viewers; with
    the tabletop renderer's context in the same process it would otherwise read back a blank
    frame from the wrong context (handeye's renderer makes its own current every frame).
    """
    renderer = env.unwrapped.mujoco_renderer
    renderer._get_viewer("rgb_array").make_context_current()
    return env.render()


def _steps_per_s(env: Any, steps: int, seed: int, render: bool) -> tuple[float, float]:
    """Env steps/s with random actions (resets when an episode ends), and the last frame's mean."""
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    frame = obs["rgb"] if isinstance(obs, dict) else None
    t0 = time.perf_counter()
    for _ in range(steps):
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        frame = _pusher_frame(env) if render else obs["rgb"]
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - t0), float(frame.mean())


def speed_runs(steps: int, rounds: int, seed: int) -> dict[str, Any]:
    """handeye tabletop (128x128 RGB-D in every observation) vs Pusher-v5 rgb_array."""
    import gymnasium as gym

    from envs.tabletop import register_tabletop_envs
    from envs.tabletop.rendering import choose_gl_backend

    choose_gl_backend()  # before gymnasium's MuJoCo envs import mujoco
    register_tabletop_envs()
    sides = {
        "handeye_tabletop_push_128_rgbd": (
            gym.make("handeye/tabletop-push-v0", max_episode_steps=100),
            False,
        ),
        "handeye_tabletop_push_arm_128_rgbd": (
            gym.make("handeye/tabletop-push-arm-v0", max_episode_steps=100),
            False,
        ),
        "handeye_tabletop_push_128_rgbd_shadows": (
            gym.make("handeye/tabletop-push-v0", max_episode_steps=100, shadows=True),
            False,
        ),
        "pusher_v5_rgb_array_default": (gym.make("Pusher-v5", render_mode="rgb_array"), True),
        "pusher_v5_rgb_array_128": (
            gym.make("Pusher-v5", render_mode="rgb_array", width=128, height=128),
            True,
        ),
    }
    rates: dict[str, list[float]] = {k: [] for k in sides}
    brightness: dict[str, float] = {}
    try:
        for env, render in sides.values():  # warm-up: contexts, first frames
            _steps_per_s(env, 10, seed, render)
        for r in range(rounds):
            for name, (env, render) in sides.items():
                rate, brightness[name] = _steps_per_s(env, steps, seed + r, render)
                rates[name].append(rate)
    finally:
        for env, _ in sides.values():
            env.close()
    pusher = sides["pusher_v5_rgb_array_default"][0].unwrapped
    med = {k: statistics.median(v) for k, v in rates.items()}
    ours = med["handeye_tabletop_push_128_rgbd"]
    return {
        "steps_per_round": steps,
        "rounds": rounds,
        "steps_per_s_median": {k: round(v, 1) for k, v in med.items()},
        "steps_per_s_rounds": {k: [round(x, 1) for x in v] for k, v in rates.items()},
        "ratio_vs_pusher_default": round(ours / med["pusher_v5_rgb_array_default"], 2),
        "ratio_vs_pusher_128": round(ours / med["pusher_v5_rgb_array_128"], 2),
        "ratio_arm_vs_pusher_default": round(
            med["handeye_tabletop_push_arm_128_rgbd"] / med["pusher_v5_rgb_array_default"], 2
        ),
        "ratio_with_shadows_vs_pusher_default": round(
            med["handeye_tabletop_push_128_rgbd_shadows"] / med["pusher_v5_rgb_array_default"], 2
        ),
        "pusher_default_size": [pusher.mujoco_renderer.width, pusher.mujoco_renderer.height],
        "last_frame_mean": {k: round(v, 1) for k, v in brightness.items()},  # 0 = blank frames
        "notes": "handeye renders RGB + depth of one camera into every observation (one GL"
        " pass); Pusher renders RGB when render() is called each step; both step physics"
        " (handeye 50 substeps/step at 10 Hz control, Pusher frame_skip 5)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100, help="seeded episodes per cell")
    parser.add_argument("--seed", type=int, default=0, help="first episode seed")
    parser.add_argument("--speed-steps", type=int, default=150, help="env steps per speed round")
    parser.add_argument("--speed-rounds", type=int, default=3)
    parser.add_argument("--skip-success", action="store_true", help="speed comparison only")
    parser.add_argument(
        "--robot",
        choices=("gripper", "arm", "both"),
        default="gripper",
        help="success runs on the floating gripper, the 7-DoF arm, or both",
    )
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    speed = speed_runs(args.speed_steps, args.speed_rounds, args.seed)
    log(f"speed: {json.dumps(speed['steps_per_s_median'])}")
    robots = ("gripper", "arm") if args.robot == "both" else (args.robot,)
    success = [] if args.skip_success else success_runs(args.episodes, args.seed, robots)
    result = {
        "benchmark": "bench_robot",
        "episodes_per_cell": args.episodes,
        "seed": args.seed,
        "success": success,
        "speed": speed,
        "machine": machine(mujoco_gl=os.environ.get("MUJOCO_GL")),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
