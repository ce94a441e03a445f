"""A synthetic grounding task: "click the <colour> square" on small frames, as handeye traces.

Each frame has a few coloured squares on fixed slots over a textured grey background; the
instruction names one colour and the expert clicks the centre of that square. It is
recorded with the real TraceWriter, so `handeye dataset build` and `handeye train vlm`
take it like any recorded episode. Used by the fine-tuning test and as a smoke-sized
example of the whole loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


# Where squares may sit (centres in a 56 x 56 frame): no two share a row or a column, so the
# first digit of either coordinate names the slot, and a square of side 10 moved by a pixel
# never overlaps another slot's square.
SLOTS = ((15, 37), (26, 15), (37, 46), (46, 26))


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


def record_scenes(root: Path | str, items: list[SquareScene]) -> Path:
    """Write each scene as a one-step expert episode (a click on the target's centre)."""
    from agent.traces import StepRecord, TraceWriter
    from contracts.actions import Click, format_action

    with TraceWriter(root) as writer:
        for i, scene in enumerate(items):
            writer.start_episode(
                env_id="synthetic/click-square-v0",
                policy="expert",
                seed=i,
                instruction=scene.instruction,
            )
            writer.add_step(
                StepRecord(
                    step=0,
                    frame=scene.frame,
                    action=format_action(Click(*scene.centre)),
                    reward=1.0,
                    terminated=True,
                )
            )
            writer.end_episode(success=True)
    return Path(root)
