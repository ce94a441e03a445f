"""Wrappers that change what a screen env's frames look like: resized, or JPEG-compressed.

They transform `obs["screen"]` and nothing else; point actions come back in the pixels of the
frame the policy saw and are mapped to the env's own pixels (`contracts.actions.scale_action`), so a
policy is tested on a different-looking screen with the same task, reward and DOM underneath.
`screen_scale` says how many observation pixels one env pixel became, for evaluation code
that compares privileged boxes (`info["privileged"]["dom"]`, in env pixels) with what a policy
found.
"""

from __future__ import annotations

import io
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from contracts.actions import Action, as_action, check_bounds, scale_action
from contracts.errors import ActionError, EnvError
from contracts.spaces import ActionSpace


def resized_size(width: int, height: int, factor: float) -> tuple[int, int]:
    """(width, height) of a frame resized by `factor`, at least 1x1 pixel."""
    if not factor > 0:
        raise EnvError(f"resize factor must be > 0, got {factor}")
    return max(1, round(width * factor)), max(1, round(height * factor))


def resize_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """An (H, W, 3) uint8 frame resized to (height, width, 3); bilinear, antialiased if shrunk."""
    from PIL import Image

    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    image = Image.fromarray(np.ascontiguousarray(frame))
    return np.asarray(image.resize((width, height), Image.BILINEAR))


def jpeg_frame(frame: np.ndarray, quality: int) -> np.ndarray:
    """An (H, W, 3) uint8 frame after a JPEG round trip at `quality` (1-95)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame)).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def to_env_action(action: Action, frame_size: tuple[int, int], env_size: tuple[int, int]) -> Action:
    """`action` in the pixels of a (width, height) frame, mapped to an env of `env_size` pixels.

    Pixel centres map onto pixel centres, so every point inside the frame lands inside the env.
    """
    sx, sy = env_size[0] / frame_size[0], env_size[1] / frame_size[1]
    return scale_action(action, sx, sy) if action.points() else action


def _screen_space(env: gym.Env) -> spaces.Box:
    space = env.observation_space
    if not isinstance(space, spaces.Dict) or "screen" not in space.spaces:
        raise EnvError(
            f"frame transforms need an env whose observations hold a 'screen'; got {space}"
        )
    return space["screen"]


class ResizeFrames(gym.ObservationWrapper):
    """Frames resized by `factor`; point actions read in the resized pixels.

    An action outside the resized frame is still passed on (the env reports it and does
    nothing), but its `info["error"]` is rewritten in the resized frame's pixels.
    """

    def __init__(self, env: gym.Env, factor: float) -> None:
        super().__init__(env)
        screen = _screen_space(env)
        self.env_height, self.env_width = int(screen.shape[0]), int(screen.shape[1])
        self.width, self.height = resized_size(self.env_width, self.env_height, factor)
        self.factor = float(factor)
        self.observation_space = spaces.Dict(
            {
                **env.observation_space.spaces,
                "screen": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
            }
        )
        kinds = getattr(env.action_space, "kinds", None)
        if kinds is not None:
            what = env.action_space.what
            self.action_space = ActionSpace(self.width, self.height, kinds, what=what)

    @property
    def screen_scale(self) -> tuple[float, float]:
        """Observation pixels per pixel of the innermost env, (x, y)."""
        inner = getattr(self.env, "screen_scale", (1.0, 1.0))
        return inner[0] * self.width / self.env_width, inner[1] * self.height / self.env_height

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {
            **observation,
            "screen": resize_frame(observation["screen"], self.width, self.height),
        }

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        try:
            typed = as_action(action)
        except ActionError:
            return super().step(action)  # the env reports the malformed action itself
        outside = None
        try:
            check_bounds(typed, self.width, self.height)
        except ActionError as exc:
            outside = str(exc)
        env_action = to_env_action(
            typed, (self.width, self.height), (self.env_width, self.env_height)
        )
        obs, reward, terminated, truncated, info = super().step(env_action)
        if outside is not None:
            info = {**info, "error": outside}
        return obs, reward, terminated, truncated, info


class JpegFrames(gym.ObservationWrapper):
    """Frames after a JPEG round trip at `quality`, as a compressed remote screen would arrive."""

    def __init__(self, env: gym.Env, quality: int = 30) -> None:
        super().__init__(env)
        _screen_space(env)
        if not 1 <= int(quality) <= 95:
            raise EnvError(f"JPEG quality must be in [1, 95], got {quality}")
        self.quality = int(quality)

    @property
    def screen_scale(self) -> tuple[float, float]:
        """Observation pixels per pixel of the innermost env, (x, y): JPEG keeps the size."""
        return getattr(self.env, "screen_scale", (1.0, 1.0))

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {**observation, "screen": jpeg_frame(observation["screen"], self.quality)}
