"""Sort a list by dragging (a drag step with manner "ascending" / "descending"): the list is the
column of like boxes (same left edge and height, one under another) that each show a number;
the item that belongs highest among those out of place is dragged onto the first wrong place,
and the list is read again after every drag until it is in order.

Pixels only: the numbers are the parse's words in each box, a leading dash read as a minus.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Click, Drag
from policies.house.web.page_cues import submit_button
from policies.house.web.sliders import read_number
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.text_styles import ink_words
from policies.house.web.view import View

MAX_DRAGS = 12  # drags before the step leaves the list as it is
_NUMBER = re.compile(r"(?:^|[^\d])(-?\d+(?:\.\d+)?)\s*$")
Box = tuple[int, int, int, int]


def sort_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for the next drag, None when the list is in order (and sent,
    when the plan ends here), or NOT_MINE."""
    step = state.step
    if step.verb != "drag" or step.manner not in ("ascending", "descending"):
        return NOT_MINE
    memo = state.memo.setdefault("sort", {"drags": 0})
    if memo.get("sent"):
        return None
    items = numbered_column(view, getattr(getattr(policy, "parser", None), "reader", None))
    notes["sort"] = [v for _, v in items]
    if len(items) < 2:
        return None
    values = [v for _, v in items]
    goal = sorted(values, reverse=step.manner == "descending")
    wrong = next((i for i, (v, g) in enumerate(zip(values, goal, strict=True)) if v != g), None)
    if wrong is None or memo["drags"] >= MAX_DRAGS:
        last = getattr(policy, "_index", 0) >= len(getattr(policy.plan, "steps", ())) - 1
        button = submit_button(view, []) if last else None
        if button is None:
            return None
        memo["sent"] = True  # a plan that sorts and stops sends the list
        notes["target"] = button.describe()
        return Click(*button.center), None, "none"
    source = next(j for j in range(wrong + 1, len(items)) if values[j] == goal[wrong])
    (x0, y0, x1, y1), there = items[source][0], items[wrong][0]
    h = there[3] - there[1]
    x = (x0 + x1) // 2
    memo["drags"] += 1
    notes["target"] = f"drag {values[source]} to place {wrong + 1}"
    # past the upper part of the item it displaces: a sortable list swaps at the half
    return Drag(x, (y0 + y1) // 2, x, there[1] + h // 5), None, "none"


def numbered_column(view: View, reader: Any = None) -> list[tuple[Box, float]]:
    """(box, number) of the like boxes stacked one under another that each show one number,
    top to bottom; the longest such column. With `reader`, each number is read again from its
    own ink (the last word in its box), so a grip icon before it is not read as a digit."""
    top = view.banner_bottom()
    shown = []
    for e in view.content():
        m = _NUMBER.search(e.text.strip().replace("\u2212", "-"))
        if m is None or e.box[1] < top:
            continue
        outer = max(
            (o.box for o in view.content() if _holds(o.box, e.box) and o.kind != "text"),
            key=lambda b: (b[2] - b[0]) * (b[3] - b[1]),
            default=e.box,
        )
        shown.append((outer, float(m.group(1))))
    unique: dict[Box, float] = {}
    for box, value in shown:
        unique.setdefault(box, value)
    best: list[tuple[Box, float]] = []
    for box, _ in unique.items():
        h = box[3] - box[1]
        column = [
            (b, v)
            for b, v in unique.items()
            if abs(b[0] - box[0]) <= max(4, h // 3) and abs((b[3] - b[1]) - h) <= max(3, h // 4)
        ]
        if len(column) > len(best):
            best = column
    if reader is not None:
        best = [(box, _reread(view, box, reader, value)) for box, value in best]
    return sorted(best, key=lambda bv: bv[0][1])


def _reread(view: View, box: Box, reader: Any, parsed: float) -> float:
    """The number the last word in `box` shows read from its ink, else `parsed`."""
    words = ink_words(view.frame, box)
    value = read_number(view.frame, words[-1], reader) if words else None
    return parsed if value is None else float(value)


def _holds(outer: Box, inner: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and (inner[3] <= outer[3])
    )
