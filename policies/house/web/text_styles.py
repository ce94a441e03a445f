"""Format text in an editor (a plan step with manner "format"): select the words named (a drag
across their ink, punctuation included) or all the text (a click in it, then ctrl+a), then
apply the style with the editor's shortcut (ctrl+b / ctrl+i / ctrl+u), or a colour by opening
the toolbar's palette and clicking the swatch nearest the named colour.

Pixels only: words are found as ink between gaps on the text lines below the banner and read
one by one; the palette is the many small solid swatches a toolbar control opens.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import numpy as np

from contracts.actions import Click, Drag, Key
from perception.instructions.plan import ALL
from perception.screen.shapes import find_shapes
from policies.house.web.colour_picker import named_colour
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

SHORTCUTS = {"bold": "ctrl+b", "italic": "ctrl+i", "underline": "ctrl+u"}
INK = 120  # a grey level darker than this is a word's ink
MIN_SWATCHES = 8  # solid squares of several colours that make a palette
MAX_CONTROLS = 4  # toolbar controls tried for a palette
Box = tuple[int, int, int, int]


def style_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for the next move, None when the text is formatted, or
    NOT_MINE for a step that formats nothing."""
    step = state.step
    if step.manner != "format" or step.target is None or not step.value:
        return NOT_MINE
    memo = state.memo.setdefault("style", {"phase": "select"})
    reader = getattr(getattr(policy, "parser", None), "reader", None)
    phase = memo["phase"]
    notes["style"] = f"{step.value} {phase}"
    if phase == "select":
        words = text_words(view, reader)
        if not words:
            return None
        if step.target.ordinal == ALL or not step.target.text:
            memo["phase"] = "all"
            box = words[-1][0]
            return Click(box[2] - 1, (box[1] + box[3]) // 2), None, "none"
        span = _span(words, step.target.text)
        if span is None:
            notes["style"] += f": {step.target.text!r} not among {[w for _, w in words]}"
            return None
        (x0, y0, _, y1), (_, _, x1, _) = span
        memo["phase"] = "apply"
        notes["target"] = f"words {span}"
        return Drag(max(0, x0 - 1), (y0 + y1) // 2, x1 + 1, (y0 + y1) // 2), None, "none"
    if phase == "all":
        memo["phase"] = "apply"
        return Key("ctrl+a"), None, "none"
    if phase == "apply" and step.value in SHORTCUTS:
        memo["phase"] = "done"
        return Key(SHORTCUTS[step.value]), None, "none"
    if phase == "done":
        return None
    return _colour(view, memo, step.value, notes)


def _colour(view: View, memo: dict[str, Any], colour: str, notes: dict[str, Any]) -> Any:
    """Open the toolbar's palette (its controls left to right until swatches show), then click
    the swatch nearest the named colour."""
    goal = named_colour(colour)
    if goal is None:
        return None
    swatches = palette(view.frame, view.banner_bottom())
    if len(swatches) >= MIN_SWATCHES:
        box, _ = min(swatches, key=lambda s: _distance(s[1], goal))
        memo["phase"] = "done"
        notes["target"] = f"swatch {box}"
        return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"
    tried = memo.setdefault("tried", 0)
    controls = toolbar(view)
    if tried >= min(MAX_CONTROLS, len(controls)):
        return None
    memo["tried"] = tried + 1
    box = controls[tried]
    notes["target"] = f"toolbar control {box}"
    return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(sum((int(p) - int(q)) ** 2 for p, q in zip(a, b, strict=True)))


def text_words(view: View, reader: Any) -> list[tuple[Box, str]]:
    """(box, text) of each word on the text lines below the banner, in reading order: ink
    split at gaps wider than half its line's height, each word read on its own."""
    top = view.banner_bottom()
    lines = [
        e.box for e in view.content() if e.kind == "text" and e.text.strip() and e.box[1] >= top
    ]
    editors = [e.box for e in view.content() if e.kind in ("text_input", "text_area")]
    inside = [b for b in lines if any(_holds(f, b) for f in editors)]
    lines = inside or lines  # an editor's words, when the text sits in an editable box
    boxes: list[Box] = []
    w = view.frame.shape[1]
    for x0, y0, x1, y1 in _rows(lines):
        grow = y1 - y0  # the parse's box may cut a thin first or last letter off
        boxes.extend(ink_words(view.frame, (max(0, x0 - grow), y0, min(w, x1 + grow), y1)))
    if not boxes or reader is None:
        return []
    read = reader.read(view.text_frame, [(b, "text") for b in boxes])
    return [(b, t.strip()) for b, (t, _) in zip(boxes, read, strict=True) if t.strip()]


def _rows(boxes: list[Box]) -> list[Box]:
    """Boxes on one row (overlapping mostly in height) joined, top to bottom."""
    rows: list[Box] = []
    for b in sorted(boxes, key=lambda b: (b[1], b[0])):
        for i, r in enumerate(rows):
            overlap = min(r[3], b[3]) - max(r[1], b[1])
            if overlap >= 0.6 * min(r[3] - r[1], b[3] - b[1]):
                rows[i] = (min(r[0], b[0]), min(r[1], b[1]), max(r[2], b[2]), max(r[3], b[3]))
                break
        else:
            rows.append(b)
    return sorted(rows, key=lambda r: (r[1], r[0]))


def ink_words(frame: np.ndarray, row: Box) -> list[Box]:
    """The words' ink boxes on one text row."""
    x0, y0, x1, y1 = row
    ink = frame[y0:y1, x0:x1, :3].min(axis=2) < INK
    cols = np.nonzero(ink.any(axis=0))[0]
    if cols.size == 0:
        return []
    rows = np.nonzero(ink.any(axis=1))[0]
    gap = max(4, round(0.5 * (int(rows[-1]) - int(rows[0]) + 1)))  # a space, not a letter's
    out, start, prev = [], int(cols[0]), int(cols[0])
    for c in cols[1:]:
        if c - prev > gap:
            out.append((x0 + start, y0 + int(rows[0]), x0 + prev + 1, y0 + int(rows[-1]) + 1))
            start = int(c)
        prev = int(c)
    out.append((x0 + start, y0 + int(rows[0]), x0 + prev + 1, y0 + int(rows[-1]) + 1))
    return out


def _holds(outer: Box, inner: Box) -> bool:
    cx, cy = (inner[0] + inner[2]) // 2, (inner[1] + inner[3]) // 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def _bare(word: str) -> str:
    return re.sub(r"[^\w]", "", word).lower()


def _span(words: list[tuple[Box, str]], said: str) -> tuple[Box, Box] | None:
    """The first and last word boxes of the run of words that reads `said` best (each word
    within OCR's slips), or None."""
    goal = [_bare(w) for w in said.split() if _bare(w)]
    if not goal:
        return None
    best, where = 0.0, None
    for i in range(len(words) - len(goal) + 1):
        run = [_bare(t) for _, t in words[i : i + len(goal)]]
        score = min(
            difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(run, goal, strict=True)
        )
        if score > best:
            best, where = score, (words[i][0], words[i + len(goal) - 1][0])
    return where if best >= 0.75 else None


def toolbar(view: View) -> list[Box]:
    """The small drawn controls of the row nearest above the text (an editor's toolbar), left
    to right: marks as tall as a line of text, side by side."""
    top = view.banner_bottom()
    h, w = view.frame.shape[:2]
    marks = [
        s.box
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.kind in ("glyph", "line") and 6 <= s.box[3] - s.box[1] <= 20
    ]
    rows = _rows(marks)
    if not rows:
        return []
    first = rows[0]
    return sorted(
        (m for m in marks if m[1] < first[3] and first[1] < m[3] and m[3] - m[1] >= 6),
        key=lambda m: m[0],
    )


def palette(frame: np.ndarray, top: int) -> list[tuple[Box, tuple[int, int, int]]]:
    """The solid squares of like size shown below `top` (a colour palette's swatches) with
    their colours; fewer than MIN_SWATCHES or all of one colour: none."""
    h, w = frame.shape[:2]
    squares = [
        s
        for s in find_shapes(frame, (0, top, w, h))
        if s.filled
        and s.kind in ("rectangle", "polygon", "glyph")
        and 5 <= s.box[2] - s.box[0] <= 24
        and abs((s.box[2] - s.box[0]) - (s.box[3] - s.box[1])) <= 2
    ]
    if len(squares) < MIN_SWATCHES or len({s.colour for s in squares}) < 4:
        return []
    return [(s.box, tuple(int(c) for c in s.rgb)) for s in squares]  # type: ignore[misc]
