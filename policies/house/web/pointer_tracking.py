"""Keep the pointer on a drawn thing that moves or changes: "keep your mouse inside the circle
as it moves", "keep the cursor over the colored square", "follow the dot with the mouse".

The grammar reads such a sentence into a hover step of manner "track" whose target is the
thing to stay on (`perception.instructions.routines`). Each frame the shape it describes is
found again (`shape_queries`) and the pointer is moved onto its middle; while the pointer is
still inside it the step waits instead, so the page's time, not the step budget, runs out
first. The step ends when the shape is gone.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Hover, Wait
from perception.screen.colours import hue_of
from perception.screen.shape_queries import ShapeQuery, describe, select
from perception.screen.shapes import Shape, find_shapes
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

# Words that ask for the most colourful match ("the colored square").
COLOURED = frozenset({"colored", "coloured", "highlighted", "lit", "bright"})
WAIT_S = 0.5  # how long the pointer rests on the shape before it looks again
MAX_MISSES = 8  # frames the shape may be missing (mid-move, covered) before the step ends
BAND_SHARE = 0.9  # a shape this share of the frame wide is a band (a banner), not a thing
INSIDE_MARGIN = 0.25  # share of the shape's size kept clear of its edge when resting


def _target(view: View, query: ShapeQuery, coloured: bool) -> Shape | None:
    """The shape to stay on: the biggest match, the most colourful when the phrase says so."""
    h, w = view.frame.shape[:2]
    found = find_shapes(view.frame, (0, view.banner_bottom(), w, h))
    shapes = [s for s in found if s.box[2] - s.box[0] < BAND_SHARE * w]  # no page-wide band
    hits = [s for s in select(query, shapes) if s.kind != "glyph"]
    if not hits:
        return None
    if coloured:
        return max(hits, key=lambda s: (hue_of(s.rgb)[1] * hue_of(s.rgb)[2], s.box_area))
    return max(hits, key=lambda s: s.box_area)


def tracking_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) that keeps the pointer on the shape, None once it is gone, or
    NOT_MINE for a step that is no tracking."""
    if state.memo.get("tracking") is False:
        return NOT_MINE
    step = state.step
    phrase = step.target.text if step.manner == "track" and step.target is not None else ""
    query = describe(phrase) if phrase else None
    if query is None:
        state.memo["tracking"] = False
        return NOT_MINE
    shape = _target(view, query, bool(COLOURED & set(phrase.lower().split())))
    if shape is None:
        if not state.memo.get("tracking"):
            return NOT_MINE
        state.memo["misses"] = state.memo.get("misses", 0) + 1
        if state.memo["misses"] > MAX_MISSES:
            return None
        notes["target"] = "waiting for the tracked shape to show again"
        return Wait(WAIT_S / 2), None, "none"
    state.memo["misses"] = 0
    state.memo["tracking"] = True
    x0, y0, x1, y1 = shape.box
    mx, my = int(INSIDE_MARGIN * (x1 - x0)), int(INSIDE_MARGIN * (y1 - y0))
    at = state.memo.get("at")
    if at is not None and x0 + mx <= at[0] <= x1 - mx and y0 + my <= at[1] <= y1 - my:
        notes["target"] = f"resting inside {shape.kind} {shape.box}"
        return Wait(WAIT_S), None, "none"
    state.memo["at"] = shape.center
    notes["target"] = f"pointer onto {shape.colour} {shape.kind} at {shape.center}"
    return Hover(*shape.center), None, "none"
