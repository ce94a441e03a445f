"""Stable-Baselines3 PPO on handeye envs, with gymnasium's own wrappers as the only adapters.

The tabletop env already speaks SB3's language (a Box EE-delta action, a dict observation):
`FilterObservation` keeps the image and the proprio vector (the instruction is text, which
SB3 does not take) and `MultiInputPolicy` puts a CNN on `rgb` and an MLP on `proprio`.
MiniWoB takes typed actions, so `TransformAction` turns a continuous point in [0, 1]^2 into
`click(x, y)` on the screen. Nothing reads privileged state: rewards come from the env.

    python -m training.ppo_sb3 --env handeye/tabletop-reach-v0 --steps 20000
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym
import numpy as np


@dataclass(frozen=True)
class PPOConfig:
    """One PPO run: the env, its image size, and SB3's main knobs."""

    env: str = "handeye/tabletop-reach-v0"
    steps: int = 4096
    size: int = 16  # camera image side in pixels (tabletop); < 36: a flat vector, else a CNN
    objects: int = 1  # tabletop objects on the table (1: the target alone)
    n_steps: int = 256
    batch_size: int = 64
    n_epochs: int = 4
    lr: float = 3e-4
    seed: int = 0
    eval_episodes: int = 8


def make_tabletop(env_id: str, size: int = 16, objects: int = 1, seed: int = 0) -> gym.Env:
    """A tabletop env for SB3: shaped reward, `rgb` + `proprio` observations, Box action.

    From 36 pixels up SB3 puts its NatureCNN on `rgb`; below that (the fast setting) the
    image becomes a float vector in [0, 1] that the MLP reads, as SB3's CNN cannot shrink
    that far.
    """
    from envs.tabletop import register_tabletop_envs

    register_tabletop_envs()
    env = gym.make(
        env_id,
        width=size,
        height=size,
        reward="shaped",
        min_objects=objects,
        max_objects=objects,
    )
    env = gym.wrappers.FilterObservation(env, ["rgb", "proprio"])
    if size < 36:
        space = gym.spaces.Dict(
            {
                "rgb": gym.spaces.Box(0.0, 1.0, (size * size * 3,), np.float32),
                "proprio": env.observation_space["proprio"],
            }
        )

        def flat(obs: dict[str, Any]) -> dict[str, Any]:
            rgb = np.asarray(obs["rgb"], np.float32).reshape(-1) / 255.0
            return {"rgb": rgb, "proprio": obs["proprio"]}

        env = gym.wrappers.TransformObservation(env, flat, space)
    env.action_space.seed(seed)
    return env


def make_miniwob_point(env_id: str) -> gym.Env:
    """A MiniWoB env for SB3: the action is a point in [0, 1]^2 clicked on the screen."""
    from contracts.actions import Click, format_action
    from envs import register_all

    register_all()
    env = gym.make(env_id)
    h, w = env.observation_space["screen"].shape[:2]

    def click(point: np.ndarray) -> str:
        x, y = np.clip(np.asarray(point, np.float64), 0.0, 1.0)
        return format_action(Click(int(round(x * (w - 1))), int(round(y * (h - 1)))))

    env = gym.wrappers.TransformAction(env, click, gym.spaces.Box(0.0, 1.0, (2,), np.float32))
    return gym.wrappers.FilterObservation(env, ["screen"])


def episode_returns(env: gym.Env, act: Any, episodes: int, seed: int = 1000) -> list[float]:
    """Undiscounted returns of `act(obs) -> action` over seeded episodes."""
    returns = []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return returns


def train_ppo(config: PPOConfig, env: gym.Env | None = None) -> tuple[Any, gym.Env]:
    """Train SB3 PPO with MultiInputPolicy on `config.env`; returns (model, env)."""
    from stable_baselines3 import PPO

    if env is None:
        env = (
            make_miniwob_point(config.env)
            if "miniwob" in config.env
            else make_tabletop(config.env, config.size, config.objects, config.seed)
        )
    model = PPO(
        "MultiInputPolicy",
        env,
        n_steps=config.n_steps,
        batch_size=config.batch_size,
        n_epochs=config.n_epochs,
        learning_rate=config.lr,
        seed=config.seed,
        device="cpu",
        verbose=0,
    )
    model.learn(total_timesteps=config.steps)
    return model, env


def main(argv: list[str] | None = None) -> int:
    """Train, then print the mean return of PPO and of random actions as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in asdict(PPOConfig()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    config = PPOConfig(**vars(parser.parse_args(argv)))
    model, env = train_ppo(config)
    try:
        trained = episode_returns(
            env, lambda o: model.predict(o, deterministic=True)[0], config.eval_episodes
        )
        rand = episode_returns(env, lambda o: env.action_space.sample(), config.eval_episodes)
    finally:
        env.close()
    result = {
        "config": asdict(config),
        "ppo": float(np.mean(trained)),
        "random": float(np.mean(rand)),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
