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
from policies.house.web.colour_picker import NOT_PICKER
from policies.house.web.framed import holds_words
from policies.house.web.view import View

NOT_SCROLL = NOT_PICKER
_LAST = re.compile(r"\blast\s+(word|line)\b", re.I)
_BOX_WORDS = re.compile(r"\btext\s*area|\btext\s*box|\bbox\b|\bpanel\b|\bpane\b|\blist\b", re.I)
NOTCHES = 10  # wheel notches a scroll moves the box by
MAX_SCROLLS = 12  # scrolls before the box is taken to be at its end
GRIP = 14  # pixels at a box's right edge kept out of the line profile (a resize grip)


def words_box(view: View) -> tuple[int, int, int, int] | None:
    """The largest outlined box below the banner whose inside shows words."""
    boxes = [b for b in view.outlined_boxes() if holds_words(view.frame, b)]
    return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=None)


def _scrolled_to_end(view: View, state: Any, box: tuple[int, int, int, int], down: bool) -> Any:
    """A scroll over `box`, or None once its pixels stop changing."""
    x0, y0, x1, y1 = box
    crop = view.frame[y0:y1, x0:x1].copy()
    before = state.memo.get("crop")
    state.memo["crop"] = crop
    scrolls = state.memo.get("scrolls", 0)
    if (before is not None and before.shape == crop.shape and np.array_equal(before, crop)) or (
        scrolls >= MAX_SCROLLS
    ):
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
    text = reader.read(np.ascontiguousarray(view.frame), [(line, "text")])[0][0]
    if unit == "line":
        return text.strip()
    found = re.findall(r"[A-Za-z0-9'-]+", text)
    return found[-1] if found else ""


def scroll_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Scroll a words box to its top or bottom (a scroll step), or to its bottom before reading
    its last word or line (a read step); NOT_SCROLL for other steps."""
    step = state.step
    last = _LAST.search(step.answer or "") if step.verb == "read" else None
    to_end = step.verb == "scroll" and (step.value or "") in ("top", "bottom")
    if not (last or to_end) or (step.target is not None and step.target.text):
        return NOT_SCROLL
    named = step.target is not None and step.target.kind in ("text_area", "text_field")
    if not named and not _BOX_WORDS.search(view.instruction):
        return NOT_SCROLL  # the page itself, not a box in it
    box = state.memo.get("box") or words_box(view)
    if box is None:
        return NOT_SCROLL
    state.memo["box"] = box
    out = _scrolled_to_end(view, state, box, down=last is not None or step.value == "bottom")
    if out is not None:
        notes["target"] = f"scroll the box {box} to its end"
        return out
    if last is not None:
        policy._answer = last_in_box(
            view, box, last.group(1).lower(), getattr(policy.parser, "reader", None)
        )
        notes["answer"] = policy._answer
        # The box read from is a source, not the field the answer goes into next.
        policy._filled.append(box)
    return None
