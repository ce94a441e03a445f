"""Draw a curve by hand: "draw a circle centered at the dot", "draw a circle around the red
square" (a drag step whose manner is "circle").

The thing named is found among the drawn shapes below the instruction banner (`Target.look`:
colour, shape, size); the pointer is pressed on a circle around its centre and dragged once
round it through evenly spaced waypoints (`Drag.via`), a radius that keeps the stroke inside
the frame and clear of the thing itself.
"""

from __future__ import annotations

import math
from typing import Any

from contracts.actions import Drag, format_waypoints
from perception.screen.shape_queries import ShapeQuery, select
from perception.screen.shapes import Shape, find_shapes
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MANNER = "circle"
RADIUS = 18  # px: a circle this size reads as drawn round a small mark
CLEARANCE = 6  # px kept between the stroke and the thing it goes round
EDGE = 3  # px kept between the stroke and the frame's edge
WAYPOINTS = 32  # points on the way round: a smooth circle to the page's own sampling


def circle_path(
    centre: tuple[int, int], radius: float, count: int = WAYPOINTS
) -> list[tuple[int, int]]:
    """`count` + 1 points (pixels) once round a circle, starting and ending at its right side."""
    cx, cy = centre
    return [
        (round(cx + radius * math.cos(2 * math.pi * k / count)),
         round(cy + radius * math.sin(2 * math.pi * k / count)))
        for k in range(count + 1)
    ]  # fmt: skip


def _query(step: Any) -> ShapeQuery:
    look = step.target.look if step.target is not None else None
    if look is None:
        return ShapeQuery(noun="any")
    return ShapeQuery(look.size, look.colour, look.shape, look.char, look.place)


def _radius(shape: Shape, frame_size: tuple[int, int], top: int) -> float:
    """A radius clear of the shape, and inside the frame below row `top` where it fits."""
    h, w = frame_size
    x0, y0, x1, y1 = shape.box
    cx, cy = shape.center
    clear = max(x1 - x0, y1 - y0) / 2 + CLEARANCE
    room = min(cx - EDGE, w - 1 - EDGE - cx, cy - top - EDGE, h - 1 - EDGE - cy)
    return max(clear, min(max(RADIUS, clear), room))


def curve_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(the drag round the named thing, box, expectation), None once drawn, or NOT_MINE for a
    step that draws no circle or names nothing drawn."""
    step = state.step
    if step.manner != MANNER or step.verb != "drag":
        return NOT_MINE
    if state.memo.get("drawn"):
        return None
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    shapes = [s for s in find_shapes(view.frame, (0, top, w, h)) if s.size < 0.5 * w]
    hits = select(_query(step), shapes)
    if not hits:
        return NOT_MINE
    shape = hits[0]
    path = circle_path(shape.center, _radius(shape, (h, w), top))
    path = [(min(max(x, 0), w - 1), min(max(y, 0), h - 1)) for x, y in path]
    state.memo["drawn"] = True
    notes["target"] = f"circle round {shape.colour} {shape.kind} at {shape.center}"
    notes["interactive"] = "curve_drags"
    (x0, y0), (x1, y1) = path[0], path[-1]
    return Drag(x0, y0, x1, y1, via=format_waypoints(path[1:-1])), None, "none"
