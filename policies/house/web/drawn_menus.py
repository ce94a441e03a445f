"""Open a drawn menu: "expand the pie menu" when the page shows no element with those words but
one drawn control (a filled disc or box with a mark on it) that opens on a click."""

from __future__ import annotations

from typing import Any

import numpy as np

from contracts.actions import Click
from perception.screen.shapes import find_shapes
from policies.house.web.angle_points import band_bottom
from policies.house.web.page_cues import same_words
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MIN_SIDE = 12  # pixels across a drawn control must be, at least


def expand_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Click the one drawn control when the named menu shows no words; None once clicked;
    NOT_MINE when the step is no expand or the page names its menu in words."""
    step = state.step
    if step.verb != "expand" or step.target is None:
        return NOT_MINE
    if state.memo.get("opened"):
        return None
    words = step.target.text
    if words and any(same_words(words, e.text) for e in view.content() if e.text):
        return NOT_MINE
    h, w = view.frame.shape[:2]
    top = band_bottom(view.frame, view.banner_bottom())
    drawn = [
        s
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.filled
        and s.kind not in ("glyph", "line")
        and min(s.box[2] - s.box[0], s.box[3] - s.box[1]) >= MIN_SIDE
        and s.box[2] - s.box[0] < 0.9 * w  # a band across the page is no control
    ]
    outer = [
        s
        for s in drawn
        if not any(o is not s and o.box_area > s.box_area and _inside(s.box, o.box) for o in drawn)
    ]
    if len(outer) != 1 or any(e.text.strip() for e in view.content() if e.kind == "button"):
        return NOT_MINE
    state.memo["opened"] = True
    notes["target"] = f"drawn control {outer[0].kind} at {outer[0].center}"
    return Click(*outer[0].center), None, "none"


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1


STROKE_DELTA = 40  # a glyph's stroke differs from its fill's local median by this much
BIG_SIDE = 40  # pixels across a filled shape must be for labels to be drawn inside it
SHORT = 3  # labels this short are looked for inside drawn shapes


def labels_inside(
    frame: np.ndarray, box: tuple[int, int, int, int], reader: Any
) -> list[tuple[str, tuple[int, int]]]:
    """(text, middle) of the glyphs drawn inside a filled shape (a pie's slice labels): strokes
    stand out from the fill's local median colour; each stroke group is read by the OCR."""
    import cv2

    x0, y0, x1, y1 = box
    crop = np.ascontiguousarray(frame[y0:y1, x0:x1])
    med = cv2.medianBlur(crop, 7)
    strokes = np.abs(crop.astype(np.int16) - med.astype(np.int16)).max(axis=-1) > STROKE_DELTA
    grown = cv2.dilate(strokes.astype(np.uint8), np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if 5 <= h <= 30 and w <= 30 and area >= 10:
            boxes.append((x + x0 - 1, y + y0 - 1, x + x0 + w + 1, y + y0 + h + 1))
    if not boxes:
        return []
    read = reader.read(frame, [(b, "text") for b in boxes])
    return [
        (text.strip(), (int(b[0] + b[2]) // 2, int(b[1] + b[3]) // 2))
        for b, (text, _) in zip(boxes, read, strict=True)
        if text.strip()
    ]


def label_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Click a short label the parse did not read when it is drawn inside a big filled shape
    (a pie menu's slice); NOT_MINE when the parse shows the words or none is drawn."""
    step = state.step
    reader = getattr(policy.parser, "reader", None)
    if step.verb != "click" or step.target is None or reader is None:
        return NOT_MINE
    want = step.target.text.strip()
    if not want or len(want) > SHORT or state.memo.get("label_clicked"):
        return None if state.memo.get("label_clicked") else NOT_MINE
    if not any(s.verb == "expand" for s in policy.plan.steps[: policy._index]):
        return NOT_MINE  # only the items of a menu the plan opened are looked for so
    if any(e.text.strip().lower() == want.lower() for e in view.content()):
        return NOT_MINE
    h, w = view.frame.shape[:2]
    top = band_bottom(view.frame, view.banner_bottom())
    big = [
        s
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.filled and min(s.box[2] - s.box[0], s.box[3] - s.box[1]) >= BIG_SIDE
    ]
    found = [lab for s in big for lab in labels_inside(view.frame, s.box, reader)]
    fold = {"O": "0", "o": "0"}
    exact = [p for t, p in found if t == want]
    loose = [
        p
        for t, p in found
        if t.lower().translate(str.maketrans(fold)) == want.lower().translate(str.maketrans(fold))
    ]
    hits = exact or loose
    if not hits:
        return NOT_MINE
    state.memo["label_clicked"] = True
    notes["target"] = f"label {want!r} drawn inside a shape at {hits[0]}"
    return Click(*hits[0]), None, "none"
