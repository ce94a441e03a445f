"""Runs the browser house policy on real MiniWoB episodes for its task tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def house_wins(
    policy: Any, task: str, seeds: Iterable[int], max_steps: int = 30, variant: str = "plain"
) -> int:
    """Episodes of `task` the policy wins; the env keeps its DOM to itself (dom_in_info off).
    `variant` shows the pages as the robustness benchmark does: plain, x<factor> (frames
    resized), jpeg<quality> or dark (the env's dark theme)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the MiniWoB envs
    from envs.wrappers.frame_transforms import JpegFrames, ResizeFrames

    env = gym.make(f"handeye/miniwob-{task}-v0", dom_in_info=False, dark_theme=variant == "dark")
    if variant.startswith("x"):
        env = ResizeFrames(env, float(variant[1:]))
    elif variant.startswith("jpeg"):
        env = JpegFrames(env, int(variant[4:]))
    wins = 0
    try:
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            policy.reset(obs["instruction"])
            for _ in range(max_steps):
                action = policy.act(obs, {"error": info.get("error")})
                obs, _, terminated, truncated, info = env.step(action)
                if terminated or truncated:
                    break
            wins += bool(info.get("success"))
    finally:
        env.close()
    return wins


def run_on_page(
    policy: Any, page: Any, html: str, task: str, max_steps: int = 10
) -> tuple[list, dict]:
    """Write `html` to the path `page`, run the policy on it in the web env (480x320) until it
    says done or the page ends the episode; return its actions and the last info."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the web env
    from contracts.actions import Done

    page.write_text(html)
    env = gym.make("handeye/web-v0", url=page.as_uri(), viewport=(480, 320))
    actions: list = []
    try:
        obs, info = env.reset(seed=0, options={"instruction": task})
        policy.reset(task)
        for _ in range(max_steps):
            actions.append(policy.act(obs, {"error": info.get("error")}))
            obs, _, terminated, truncated, info = env.step(actions[-1])
            if policy.finished or isinstance(actions[-1], Done) or terminated or truncated:
                break
    finally:
        env.close()
    return actions, info


def data_frame(name: str) -> Any:
    """A saved frame of tests/policies/data as an (H, W, 3) uint8 RGB array."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    image = Image.open(Path(__file__).parent / "data" / name)
    return np.ascontiguousarray(np.asarray(image.convert("RGB")))
