"""A one-click grounding env: "click the <colour> square" on a small textured frame.

Each reset draws a frame with a few coloured squares on fixed slots over a grey background
whose quarters have their own texture; the instruction names one colour. The episode is one
click: reward 1.0 and success when it lands inside the named square. The target box and the
expert's click (its centre) are privileged: `info["privileged"]["target_box"]` and
`info["privileged"]["oracle"]`, for evaluation and the `oracle` expert only. It is small
enough for a tiny VLM to learn on CPU, so fine-tuning can be checked end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from contracts.actions import Action, Click, DoubleClick, format_action
from contracts.errors import ActionError, EnvError
from contracts.keys import PRIVILEGED
from contracts.spaces import ActionSpace, text_space

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (40, 70, 220),
    "yellow": (230, 210, 40),
}
# Each quarter of the frame is a grey panel with its own texture, as a screen's layout gives
# every region its look (a small model's normalised patch features cannot tell plain greys
# apart, so position cues must be patterns).
PANEL_TEXTURES = ("plain", "rows", "columns", "checks")
# Where squares may sit (centres in a 56 x 56 frame): no two share a row or a column, so the
# first digit of either coordinate names the slot, and a square of side 10 moved by a pixel
# never overlaps another slot's square.
SLOTS = ((15, 37), (26, 15), (37, 46), (46, 26))


@dataclass(frozen=True)
class SquareScene:
    """One frame: the image, the instruction and the target square (x0, y0, x1, y1) pixels."""

    frame: np.ndarray  # H x W x 3 uint8
    instruction: str
    colour: str
    box: tuple[int, int, int, int]  # exclusive right/bottom edges

    @property
    def centre(self) -> tuple[int, int]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) // 2, (y0 + y1) // 2

    def contains(self, x: float, y: float) -> bool:
        """Whether an observation-pixel point lies inside the target square."""
        x0, y0, x1, y1 = self.box
        return x0 <= x < x1 and y0 <= y < y1


def panels(size: int, grid: int) -> np.ndarray:
    """A size x size grey background, each grid cell in its own texture (period 4 pixels)."""
    yy, xx = np.mgrid[0:size, 0:size]
    patterns = {
        "plain": np.zeros((size, size), bool),
        "rows": (yy // 2) % 2 == 0,
        "columns": (xx // 2) % 2 == 0,
        "checks": ((yy // 2) + (xx // 2)) % 2 == 0,
    }
    cell = size // grid
    cells = np.minimum(yy // cell, grid - 1) * grid + np.minimum(xx // cell, grid - 1)
    dark = np.zeros((size, size), bool)
    for c in range(grid * grid):
        dark |= (cells == c) & patterns[PANEL_TEXTURES[c % len(PANEL_TEXTURES)]]
    frame = np.full((size, size, 3), 200, np.uint8)
    frame[dark] = 40
    return frame


def make_scene(
    rng: np.random.Generator,
    size: int = 56,
    squares: int = 2,
    side: int = 10,
    jitter: int = 1,
    slots: tuple[tuple[int, int], ...] = SLOTS,
) -> SquareScene:
    """A size x size frame with `squares` distinct colours on distinct slots.

    side: the squares' side in pixels; each is centred on its slot, moved by up to
    `jitter` pixels along each axis. The background is `panels(size, 2)`.
    """
    if not 1 <= squares <= min(len(slots), len(COLOURS)):
        raise EnvError(f"squares must be 1 to {min(len(slots), len(COLOURS))}, got {squares}")
    frame = panels(size, 2)
    chosen = rng.choice(len(slots), squares, replace=False)
    names = rng.choice(list(COLOURS), squares, replace=False)
    boxes = []
    for s, name in zip(chosen, names, strict=True):
        dx, dy = (int(v) for v in rng.integers(-jitter, jitter + 1, 2))
        x0 = slots[int(s)][0] - side // 2 + dx
        y0 = slots[int(s)][1] - side // 2 + dy
        frame[y0 : y0 + side, x0 : x0 + side] = COLOURS[str(name)]
        boxes.append((x0, y0, x0 + side, y0 + side))
    pick = int(rng.integers(squares))
    colour = str(names[pick])
    return SquareScene(frame, f"click the {colour} square", colour, boxes[pick])


def scenes(n: int, seed: int, **shape: int) -> list[SquareScene]:
    """`n` scenes from one seed (train and held-out sets use different seeds)."""
    rng = np.random.default_rng(seed)
    return [make_scene(rng, **shape) for _ in range(n)]


class ClickSquareEnv(gym.Env):
    """One frame, one click: success when the click lands inside the named square."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, squares: int = 1, jitter: int = 1, render_mode: str | None = None) -> None:
        if render_mode not in (None, "rgb_array"):
            raise EnvError(f"render_mode {render_mode!r} is not supported; use 'rgb_array' or None")
        self.render_mode = render_mode
        self.squares, self.jitter, self.size = squares, jitter, 56
        make_scene(np.random.default_rng(0), squares=squares, jitter=jitter)  # check the shape
        self.observation_space = spaces.Dict(
            {
                "screen": spaces.Box(0, 255, (self.size, self.size, 3), np.uint8),
                "instruction": text_space(),
            }
        )
        self.action_space = ActionSpace(
            self.size, self.size, ("click", "double_click"), what="a click on the frame"
        )
        self._scene: SquareScene | None = None

    def _obs(self) -> dict[str, Any]:
        scene = self._require_scene()
        return {"screen": scene.frame.copy(), "instruction": scene.instruction}

    def _info(self) -> dict[str, Any]:
        scene = self._require_scene()
        oracle = [format_action(Click(*scene.centre))]
        return {PRIVILEGED: {"target_box": list(scene.box), "oracle": oracle}}

    def _require_scene(self) -> SquareScene:
        if self._scene is None:
            raise EnvError("call reset() before step() or render()")
        return self._scene

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Draw a new frame and instruction from the env's seeded generator."""
        super().reset(seed=seed)
        self._scene = make_scene(self.np_random, squares=self.squares, jitter=self.jitter)
        return self._obs(), self._info()

    def step(self, action: Action | str) -> tuple[dict[str, Any], float, bool, bool, dict]:
        """Score one click; a malformed action is reported in `info["error"]` and ends nothing."""
        scene = self._require_scene()
        info = self._info()
        try:
            act = self.action_space.parse(action)
        except ActionError as exc:
            info["error"] = str(exc)
            return self._obs(), 0.0, False, False, info
        hit = isinstance(act, Click | DoubleClick) and scene.contains(act.x, act.y)
        info["success"] = hit
        return self._obs(), float(hit), True, False, info

    def render(self) -> np.ndarray | None:
        """The current frame (rgb_array mode)."""
        return self._require_scene().frame.copy() if self.render_mode == "rgb_array" else None
