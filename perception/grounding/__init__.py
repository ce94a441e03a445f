"""What a grounded model said about an image: points, boxes, a tool call, as observation pixels.

`Grounding` is the one result every grounder backend returns and every format parser
builds; the `Grounder` protocol is the contract the policies depend on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from contracts.errors import GroundingError

if TYPE_CHECKING:
    import numpy as np


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise GroundingError(f"{name} must be a finite number of pixels, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Point:
    """A location in observation pixels (x right, y down), with the label the model gave it."""

    x: float
    y: float
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", _finite("point x", self.x))
        object.__setattr__(self, "y", _finite("point y", self.y))


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in observation pixels, x0 <= x1 and y0 <= y1, with an optional label."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str | None = None

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            object.__setattr__(self, name, _finite(f"box {name}", getattr(self, name)))
        if self.x1 < self.x0 or self.y1 < self.y0:
            raise GroundingError(
                f"box corners are out of order: ({self.x0}, {self.y0}) - ({self.x1}, {self.y1}); "
                "build it with Box.from_corners to accept either order"
            )

    @classmethod
    def from_corners(
        cls, xa: float, ya: float, xb: float, yb: float, label: str | None = None
    ) -> Box:
        """The box spanned by two opposite corners given in any order (models swap them)."""
        return cls(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb), label)

    @property
    def center(self) -> Point:
        """The box's centre, carrying its label: where a click on this box goes."""
        return Point((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2, self.label)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Grounding:
    """One parsed model reply, every coordinate already in observation pixels.

    action: the canonical handeye action string (`click(34, 120)`) when the reply named
    an action; None for a bare point or box, which the planner turns into an action.
    tool_call: the decoded tool/function call, arguments as the model wrote them (model
    coordinates). format: the name of the parser that matched. clamped: a coordinate
    lay slightly outside the frame and was pulled onto its edge. repaired: the reply
    was broken (truncated, unclosed, single-quoted) and parsed only after repair.
    timings: seconds per phase (e.g. "generate", "parse"), filled by whoever measures.
    """

    points: tuple[Point, ...] = ()
    boxes: tuple[Box, ...] = ()
    action: str | None = None
    tool_call: dict[str, Any] | None = field(default=None, hash=False)
    raw_text: str = ""
    format: str = ""
    latency_s: float = 0.0
    timings: dict[str, float] = field(default_factory=dict, hash=False)
    clamped: bool = False
    repaired: bool = False

    @property
    def target(self) -> Point | None:
        """Where to act: the first point, else the centre of the first box, else None."""
        if self.points:
            return self.points[0]
        if self.boxes:
            return self.boxes[0].center
        return None


@runtime_checkable
class Grounder(Protocol):
    """A model backend that locates what an instruction refers to in an image."""

    def ground(self, image: np.ndarray, instruction: str, history: Sequence[str] = ()) -> Grounding:
        """Ground `instruction` in `image` (H x W x 3 uint8); coordinates in its pixels."""
        ...

    def close(self) -> None:
        """Release the model, server connection or process the backend holds."""
        ...
