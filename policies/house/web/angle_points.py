"""Points placed by geometry on a drawing of dots and lines: "add a third point to create a right
angle" clicks where a line from the corner dot would stand square to the drawn one; "create a
line that bisects the angle" clicks along the halving direction of the angle two lines make.

The corner (vertex) is the dot the lines meet at, else the dot of a colour the others lack.
The point is kept inside the drawing: below the banner, above the widgets under the drawing.
"""

from __future__ import annotations

import math
from typing import Any

from contracts.actions import Click
from perception.screen.dots import Dot, find_dots, ink, joined
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

REACH = (40, 30, 22, 15, 10)  # lengths (pixels) tried for the new line, longest first
MARGIN = 6  # pixels kept clear of the drawing's edges


def _drawing(view: View) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): below the banner, above the first widget under the drawing."""
    h, w = view.frame.shape[:2]
    top = band_bottom(view.frame, view.banner_bottom())
    below = [
        e.box[1] for e in view.content() if e.kind in ("button", "text_input") and e.box[1] > top
    ]
    return 0, top, w, min(below, default=h)


def band_bottom(frame: Any, top: int) -> int:
    """The first row at or below `top` past the banner's own colour band: its text may end
    rows above the band's edge, and a point on the band is no point of the drawing."""
    h = frame.shape[0]
    if top <= 0 or top >= h:
        return top
    band = frame[top - 1, :4].reshape(-1, 3)[0]
    page = frame[h - 1, :4].reshape(-1, 3)[0]
    if (band == page).all():
        return top
    y = top
    while y < h and (frame[y, ::8] == band).all(axis=-1).mean() > 0.9:
        y += 1
    return y


def vertex(frame: Any, dots: list[Dot]) -> Dot | None:
    """The corner dot: joined by lines to every other dot, else the one of a colour no other
    dot has."""
    drawn = ink(frame)
    for d in dots:
        others = [o for o in dots if o is not d]
        if len(others) >= 2 and all(joined(frame, d, o, drawn) for o in others):
            return d
    lone = [d for d in dots if sum(o.colour == d.colour for o in dots) == 1]
    # Black and grey are the ink; a dot of its own hue among them is the one marked out.
    marked = [d for d in lone if d.colour not in ("black", "grey", "silver", "white")]
    return (marked or lone or [None])[0]


def _inside(p: tuple[float, float], area: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = area
    return x0 + MARGIN <= p[0] <= x1 - MARGIN and y0 + MARGIN <= p[1] <= y1 - MARGIN


def _along(
    v: tuple[int, int], ways: list[tuple[float, float]], area: tuple[int, int, int, int]
) -> tuple[int, int] | None:
    """The farthest point from `v` along one of the unit directions `ways` inside `area`."""
    for reach in REACH:
        for dx, dy in ways:
            p = (v[0] + reach * dx, v[1] + reach * dy)
            if _inside(p, area):
                return int(round(p[0])), int(round(p[1]))
    return None


def _unit(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def right_angle_point(v: Dot, a: Dot, area: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """A point P with the angle a-v-P square (either side, whichever fits inside `area`)."""
    ux, uy = _unit(v.center, a.center)
    return _along(v.center, [(-uy, ux), (uy, -ux)], area)


def bisector_point(
    v: Dot, a: Dot, b: Dot, area: tuple[int, int, int, int]
) -> tuple[int, int] | None:
    """A point on the line that halves the angle a-v-b."""
    (ax, ay), (bx, by) = _unit(v.center, a.center), _unit(v.center, b.center)
    sx, sy = ax + bx, ay + by
    n = math.hypot(sx, sy)
    if n < 1e-6:  # a straight angle: its bisector stands square to it
        return right_angle_point(v, a, area)
    return _along(v.center, [(sx / n, sy / n)], area)


def angle_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Click the point that makes the right angle or halves the angle (the grammar's manner
    "right_angle" / "bisect"); None once clicked; NOT_MINE for any other step."""
    step = state.step
    if step.manner not in ("right_angle", "bisect"):
        return NOT_MINE
    half = step.manner == "bisect"
    placed = state.memo.get("placed")
    if placed is not None:
        return _check_corner(view, state, placed, half, notes)
    area = _drawing(view)
    dots = find_dots(view.frame, area)
    corner = vertex(view.frame, dots)
    ends = [d for d in dots if d is not corner]
    if corner is None or not ends:
        return NOT_MINE
    state.memo["dots"] = dots
    return _place(view, state, corner, ends, half, notes) or NOT_MINE


def _place(
    view: View, state: Any, corner: Dot, ends: list[Dot], half: bool, notes: dict[str, Any]
) -> Any:
    """Click the point for `corner`; the next frame tells whether the page took it as such."""
    area = _drawing(view)
    if half and len(ends) >= 2:
        point = bisector_point(corner, ends[0], ends[1], area)
    else:
        point = right_angle_point(corner, ends[0], area)
    if point is None:
        return None
    state.memo["placed"], state.memo["corner"] = point, corner
    notes["target"] = f"{'bisector' if half else 'right angle'} point {point} from {corner.center}"
    return Click(*point), None, "none"


def _check_corner(
    view: View, state: Any, placed: tuple[int, int], half: bool, notes: dict[str, Any]
) -> Any:
    """After the click: the page drew its line from the new point to the corner it uses; when
    that is another dot than assumed, place the point again for that corner (once)."""
    if state.memo.get("rechecked"):
        return None
    state.memo["rechecked"] = True
    dots = find_dots(view.frame, _drawing(view))
    new = min(dots, key=lambda d: math.dist(d.center, placed), default=None)
    if new is None or math.dist(new.center, placed) > MARGIN:
        return None  # the page drew no point: nothing to tell by
    old = [d for d in state.memo.get("dots", []) if math.dist(d.center, placed) > MARGIN]
    drawn = ink(view.frame)
    linked = [d for d in old if joined(view.frame, new, d, drawn)]
    corner = state.memo["corner"]
    if len(linked) != 1 or math.dist(linked[0].center, corner.center) <= 2:
        return None
    notes["corner"] = f"the page joined the point to {linked[0].center}, not {corner.center}"
    ends = [d for d in old if d is not linked[0]]
    return _place(view, state, linked[0], ends, half, notes) if ends else None
