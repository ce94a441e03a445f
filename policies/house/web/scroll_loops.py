"""Scroll a box with words to its end and look again until it stops moving: "scroll the text
area to the bottom", and "find the last word in the text area" (its end scrolled into view,
then its last line's last word read).

The box is the largest framed box that holds words below the banner; a scroll counts as done
when the box's pixels no longer change from one frame to the next.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Scroll
from perception.screen.dots import ink
from policies.house.web.framed import holds_words
from policies.house.web.pixels import same_pixels
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

BOXES = ("text_area", "text_field", "dropdown")  # kinds a scroll step names a box by
NOTCHES = 40  # wheel notches a scroll moves the box by: far, as the step wants its end
MAX_SCROLLS = 12  # scrolls before the box is taken to be at its end
GRIP = 14  # pixels at a box's right edge kept out of the line profile (a resize grip)


def words_box(view: View) -> tuple[int, int, int, int] | None:
    """The largest box below the banner whose inside shows words: an outlined box, or a field
    the parse found (a disabled text area's border is too faint to be traced as a shape)."""
    fields = [tuple(int(v) for v in e.box) for e in view.content() if e.kind == "text_input"]
    boxes = [b for b in view.outlined_boxes() + fields if holds_words(view.frame, b)]
    return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=None)


def _scrolled_to_end(view: View, state: Any, box: tuple[int, int, int, int], down: bool) -> Any:
    """A scroll over `box`, or None once its pixels stop changing."""
    x0, y0, x1, y1 = box
    crop = view.frame[y0:y1, x0:x1].copy()
    before = state.memo.get("crop")
    state.memo["crop"] = crop
    scrolls = state.memo.get("scrolls", 0)
    if same_pixels(before, crop) or scrolls >= MAX_SCROLLS:
        return None
    state.memo["scrolls"] = scrolls + 1
    return Scroll(0, NOTCHES if down else -NOTCHES, (x0 + x1) // 2, (y0 + y1) // 2), None, "none"


def last_in_box(view: View, box: tuple[int, int, int, int], unit: str, reader: Any) -> str:
    """The last whole line of text inside `box` (or its last word), read by the OCR: the rows
    of ink are cut into lines and the lowest one that ends above the box's edge is read."""
    x0, y0, x1, y1 = box
    inside = ink(view.frame)[y0 + 2 : y1 - 2, x0 + 2 : x1 - GRIP]  # not the resize grip
    rows = inside.mean(axis=1) > 0
    bands, start = [], None
    for i, on in enumerate([*rows.tolist(), False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= 4 and i < len(rows):  # a line cut by the edge is not whole
                bands.append((start, i))
            start = None
    if not bands or reader is None:
        return ""
    a, b = bands[-1]
    line = (x0 + 2, y0 + 2 + a - 1, x1 - 2, y0 + 2 + b + 1)
    text = reader.read(np.ascontiguousarray(view.text_frame), [(line, "text")])[0][0]
    if unit == "line":
        return text.strip()
    found = re.findall(r"[A-Za-z0-9'-]+", text)
    return found[-1] if found else ""


def scroll_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Scroll a words box to its top or bottom (a scroll step), or to its bottom before reading
    its last word or line (a read step); NOT_MINE for other steps. The grammar keeps the box
    the sentence names as the step's target kind (`perception.instructions.routines`)."""
    step = state.step
    ends = ("last word", "last line")
    last = step.answer.split()[-1] if step.verb == "read" and step.answer in ends else None
    to_end = step.verb == "scroll" and (step.value or "") in ("top", "bottom")
    if not (last or to_end) or step.target is None or step.target.text:
        return NOT_MINE  # no target: the page itself, not a box in it
    if step.target.kind not in BOXES:
        return NOT_MINE
    box = state.memo.get("box") or words_box(view)
    if box is None:
        return NOT_MINE
    state.memo["box"] = box
    out = _scrolled_to_end(view, state, box, down=last is not None or step.value == "bottom")
    if out is not None:
        notes["target"] = f"scroll the box {box} to its end"
        return out
    if last is not None:
        policy._answer = last_in_box(view, box, last, getattr(policy.parser, "reader", None))
        notes["answer"] = policy._answer
        # The box read from is a source, not the field the answer goes into next.
        policy._filled.append(box)
    return None
