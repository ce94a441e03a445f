"""Open the submenus of an open menu by pointing at its items: a target the page does not show
may sit in a submenu that opens on hover ("Media > Stop"), and a word that shows only inside a
longer item ("Play" in "Playback") may be the item's submenu's own entry.

A menu is a framed box below the banner with two or more rows of words; its rows are pointed
at top to bottom, once each, and the step looks for its target again on each next frame.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Hover, Wait
from perception.screen.shapes import find_shapes
from policies.house.web.plan_state import SETTLE_S, StepState
from policies.house.web.view import View

Box = tuple[int, int, int, int]
MIN_ROWS = 2  # rows of words a framed box shows to be a menu
MIN_WIDTH = 24  # pixels across a menu is, at least
MAX_HOVERS = 6  # items pointed at while one step looks for its target


def menu_rows(view: View) -> list[tuple[int, int]]:
    """Points on the rows of words of the framed boxes below the banner (an open menu), top to
    bottom: one point per row, on the row's first words."""
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    panels = [
        s.box
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.kind == "rectangle" and s.box[2] - s.box[0] >= MIN_WIDTH
    ]
    points: list[tuple[int, int]] = []
    for x0, y0, x1, y1 in panels:
        inside = [
            e
            for e in view.content()
            if e.text.strip() and x0 <= e.center[0] < x1 and y0 <= e.center[1] < y1
        ]
        rows: list[list[Any]] = []
        for e in sorted(inside, key=lambda e: e.center[1]):
            if rows and e.center[1] < rows[-1][0].box[3]:  # on the row above's line
                rows[-1].append(e)
            else:
                rows.append([e])
        if len(rows) < MIN_ROWS:
            continue
        for row in rows:
            first = min(row, key=lambda e: e.box[0])
            points.append(first.center)
    return sorted(points, key=lambda p: (p[1], p[0]))


def submenu_hover(
    view: View, state: StepState, notes: dict[str, Any], first: tuple[int, int] | None = None
) -> Any:
    """Point at the next menu row not pointed at yet (the row holding `first` before the
    others), then wait once for its submenu to open (menus open one after a short delay), as
    a search step's action; None when no menu is open or every row was pointed at, and for
    steps other than a click on an item named by its words."""
    step = state.step
    if step.verb != "click" or step.target is None or not step.target.text:
        return None  # a menu item is named by its words, and clicked
    hovered: list[tuple[int, int]] = state.memo.setdefault("hovered", [])
    if hovered and not state.memo.get("hover_settled"):
        state.memo["hover_settled"] = True
        return Wait(SETTLE_S), None, "none"
    if len(hovered) >= MAX_HOVERS:
        return None
    rows = menu_rows(view)
    if first is not None:
        rows.sort(key=lambda p: abs(p[1] - first[1]) > 3)
    for x, y in rows:
        if any(abs(y - hy) <= 3 for _, hy in hovered):
            continue
        hovered.append((x, y))
        state.memo["hover_settled"] = False
        notes["hover"] = (x, y)
        return Hover(x, y), None, "none"
    return None
