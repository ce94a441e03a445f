"""Click things while they move: "click as many moving circles as possible", "click the moving
red square" (a click step whose manner is "moving").

Each frame the drawn things the target's look names are found below the instruction banner
(whole ones only: a thing cut by the frame's edge has no true centre yet); each is matched to
the nearest one of the frame before, which gives its speed in pixels per second (a thing
seen once is looked at again first), and is clicked where that speed puts it when the click
lands (the parse's own time later). For every match ("as many as possible") the step goes
on clicking whatever shows, and waits between things; for one, it ends after its click.
"""

from __future__ import annotations

import math
import time
from typing import Any

from contracts.actions import Click, Wait
from perception.instructions.plan import ALL
from perception.screen.shape_queries import ShapeQuery, select
from perception.screen.shapes import Shape, find_shapes
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MANNER = "moving"
MATCH_PX = 20  # a thing this near where one was a frame ago is the same thing, moved,
MAX_SPEED = 150  # px/s: plus this far per second between the frames
EDGE = 2  # px: a thing touching the frame's edge is cut, its centre unknown
ACT_S = 0.05  # time from the decision to the click on top of the parse's own time
MEASURE_S = 0.1  # wait between the two looks that give a thing's speed
IDLE_S = 0.5  # wait when nothing to click shows (things come in over a few seconds)
ROUND = (0.75, 1.33)  # width / height of a whole round or square thing


def _query(step: Any) -> ShapeQuery:
    look = step.target.look if step.target is not None else None
    if look is None:
        return ShapeQuery(noun="any")
    return ShapeQuery(look.size, look.colour, look.shape, look.char, look.place)


def _whole(shape: Shape, w: int, h: int, top: int) -> bool:
    x0, y0, x1, y1 = shape.box
    inside = x0 > EDGE and y0 > top + EDGE and x1 < w - EDGE and y1 < h - EDGE
    ratio = (x1 - x0) / max(1, y1 - y0)
    return inside and ROUND[0] <= ratio <= ROUND[1] or inside and shape.kind != "circle"


def lead_point(
    centre: tuple[int, int],
    before: tuple[int, int] | None,
    dt: float,
    lag: float,
) -> tuple[int, int]:
    """Where a thing at `centre` (pixels) that was at `before` `dt` seconds ago will be `lag`
    seconds from now, moving on at the same speed."""
    if before is None or dt <= 0:
        return centre
    vx, vy = (centre[0] - before[0]) / dt, (centre[1] - before[1]) / dt
    return round(centre[0] + vx * lag), round(centre[1] + vy * lag)


def moving_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(a click ahead of a moving thing, or a wait, box, expectation), None once its one click
    is made, or NOT_MINE for a step that clicks nothing moving."""
    step = state.step
    if step.manner != MANNER or step.verb not in ("click", "double_click"):
        return NOT_MINE
    every = step.target is not None and step.target.ordinal == ALL
    memo = state.memo
    if memo.get("clicked") and not every:
        return None
    now = time.monotonic()
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    found = [
        s
        for s in select(_query(step), find_shapes(view.frame, (0, top, w, h)))
        if s.size < 0.5 * w and _whole(s, w, h, top)
    ]
    before: list[tuple[int, int]] = memo.get("seen", [])
    dt = now - memo.get("seen_at", now)
    memo["seen"], memo["seen_at"] = [s.center for s in found], now
    if not found:
        notes["target"] = "waiting for a moving thing"
        return Wait(IDLE_S), None, "none"
    lag = view.parse.timings.get("total", 0.0) + ACT_S

    def previous(s: Shape) -> tuple[int, int] | None:
        reach = MATCH_PX + MAX_SPEED * dt
        near = [b for b in before if math.dist(b, s.center) < reach]
        return min(near, key=lambda b: math.dist(b, s.center)) if near else None

    tracked = [(s, p) for s in found if (p := previous(s)) is not None]
    if not tracked:  # seen once: look again soon to learn how fast it goes
        notes["target"] = f"measuring the speed of {len(found)} moving thing(s)"
        return Wait(MEASURE_S), None, "none"
    # the one nearest the middle (the longest way to go before it leaves)
    shape, prev = min(tracked, key=lambda t: abs(t[0].center[0] - w / 2) + t[0].center[1] * 0.1)
    x, y = lead_point(shape.center, prev, dt, lag)
    x, y = min(max(x, 0), w - 1), min(max(y, top), h - 1)
    memo["clicked"] = True
    memo["seen"] = [s.center for s in found if s is not shape]  # the clicked one goes away
    notes["target"] = f"{shape.colour} {shape.kind} at {shape.center}, aimed at {(x, y)}"
    notes["interactive"] = "moving_targets"
    return Click(x, y), None, "none"
