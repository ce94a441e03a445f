"""Robot demo: the house policy (embedded grounder + planner) on tabletop episodes, as MP4s.

The policy sees only the camera (RGB-D + calibration) and the gripper's own state; it points at
the object and the target with the embedded CPU grounder, lifts the points to 3D and moves the
gripper. Every episode is recorded as a handeye trace and written as an annotated MP4.

    python demos/robot_demo.py --episodes 3 --out runs/robot_demo
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import gymnasium as gym

import envs  # noqa: F401 - registers the handeye/* env ids
from agent.replay import replay
from agent.session import run_episode
from agent.traces import TraceWriter
from policies.base import make_policy


@dataclass(frozen=True)
class Args:
    env_id: str = "handeye/tabletop-pick-place-v0"
    episodes: int = 3
    seed: int = 100
    randomize: bool = False
    out: str = "runs/robot_demo"


def parse_args() -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Args):
        flag = f"--{f.name.replace('_', '-')}"
        if f.type == "bool":
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default)
    return Args(**vars(parser.parse_args()))


if __name__ == "__main__":
    args = parse_args()
    out = Path(args.out)
    env = gym.make(args.env_id, randomize=args.randomize)
    policy = make_policy("house")
    with TraceWriter(out / "trace") as writer:
        for seed in range(args.seed, args.seed + args.episodes):
            result = run_episode(
                env,
                policy,
                env_id=args.env_id,
                seed=seed,
                max_steps=env.spec.max_episode_steps,
                writer=writer,
            )
            video = replay(
                out / "trace", result.episode_id, out / f"seed{seed}.mp4", "mp4", fps=10.0
            )
            verdict = "success" if result.success else "failure"
            print(
                f"seed {seed}: {result.instruction!r} -> {verdict} in {result.steps} steps, {video}"
            )
    env.close()
    policy.close()
