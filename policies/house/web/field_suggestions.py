"""A typed value confirmed from the suggestion list its field opens: after typing a name into a
field that completes it (a city, an airport, a product), the list drawn under the field is read
and the line holding the typed words (or the code in brackets the value is) is clicked, so the
field takes the page's own spelling of the entry ("Boston" -> "Boston, MA (BOS)").

A plan step asks for it with `Step.condition == SUGGESTED` (it waits for the list and reads it
again closely); any other typed value is confirmed the same way when a list holding it already
shows right under its field (`offered_pick`), whatever the instruction's wording. The
suggestions are read from the pixels under the field, never from the page's list of entries.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from contracts.actions import Click, Wait
from perception.instructions.search_forms import SUGGESTED
from policies.house.web.page_cues import Box, grow
from policies.house.web.pixels import line_bands, text_height
from policies.house.web.view import View

__all__ = ["SUGGESTED", "holds_value", "offered_pick", "suggestion_pick"]

WAITS = 6  # looks, 0.3 s apart, for a list that shows after the page's typing delay
WAIT_S = 0.3
REREADS = 6  # lines under the field read again across its width
WRAP = 2  # further lines a wrapped suggestion may take
MIN_INSIDE = 5  # letters a value needs to be matched inside a word
CLOSE = 0.8  # letters a line's words and the value share, for OCR's reading to count
LIST_GAP = 1.5  # text heights between a field and its list's first line, or between two lines


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def holds_value(line: str, value: str, level: int = 0) -> bool:
    """Whether a suggestion line is the entry for `value`: at level 0 it holds the value's
    words whole ("BOS" in "Boston, MA (BOS)"), at 1 as letters inside its words, at 2 as OCR
    may read them, letters dropped or swapped ("Boston, MA (OS)" for "BOS")."""
    a, b = _norm(line), _norm(value)
    if not a or not b:
        return False
    if level == 0:  # a wrapped entry read in overlapping bands holds every word, not in order
        words = b.split()
        return f" {b} " in f" {a} " or (len(words) > 1 and set(words) <= set(a.split()))
    if level == 1:  # a short code inside a longer word is another entry's letters
        return len(b) >= MIN_INSIDE and b in a
    if len(b.split()) == 1:
        return any(_close(w, b) for w in a.split())
    return _close(a[: len(b)], b)


def _close(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= CLOSE


def _under(view: View, field: Box) -> list[Any]:
    """Lines with words below the field, within its columns, top first."""
    out = []
    for e in view.content():
        inside = field[0] <= e.center[0] <= field[2] and field[1] <= e.center[1] <= field[3]
        if not e.text.strip() or inside:  # the field itself; a list may touch its edge
            continue
        if e.center[1] > field[3] and field[0] - 4 <= e.center[0] <= field[2] + 4:
            out.append(e)
    return sorted(out, key=lambda e: e.box[1])


def _holding(
    lines: list[Any], texts: list[str], value: str, levels: tuple[int, ...] = (0, 1, 2)
) -> Any:
    """The line that starts the suggestion holding `value` (exact readings before near ones); a
    long entry wraps onto the next lines, so each line is also read joined with those under it."""
    for level in levels:
        for span in range(WRAP + 1):
            for i, line in enumerate(lines):
                joined = " ".join(texts[i : i + span + 1])
                if i + span < len(texts) and holds_value(joined, value, level):
                    return line
    return None


def _read_across(view: View, reader: Any, band: Box) -> list[tuple[Box, str]]:
    """(band, words) read across the field; a band the parse took two lines tall (a wrapped
    entry, or two entries as one) is read in bands a line and a half tall, half a line apart."""
    th = text_height(view.frame)
    bands = line_bands(band, th) if band[3] - band[1] > 1.8 * th else [band]
    return [
        (b, t)
        for b, (t, _) in zip(
            bands, reader.read(view.text_frame, [(b, "text") for b in bands]), strict=True
        )
    ]


def suggestion_pick(
    policy: Any, view: View, state: Any, value: str, notes: dict[str, Any]
) -> tuple[Any, Any, str] | None:
    """(click on the suggestion holding `value`, its box, "change"), a short wait while no such
    line shows yet, or None when the list never showed one (the typed value stays)."""
    if state.phase == "picked":
        return None
    field = state.element.box if state.element is not None else None
    if field is None:
        return None
    lines = _under(view, field)
    parsed = [e.text for e in lines]
    pick = _holding(lines, parsed, value, levels=(0,))
    reader = getattr(policy.parser, "reader", None)
    if pick is None and lines and reader is not None:  # a line cut short by the parse
        bands = [
            read
            for e in lines[:REREADS]
            for read in _read_across(view, reader, (field[0], e.box[1], field[2], e.box[3]))
        ]
        box = _holding([b for b, _ in bands], [t for _, t in bands], value)
        if box is not None:  # the band that reads the entry, not the middle of a merged box
            notes["target"] = f"suggestion read again at {box}"
            state.phase = "picked"
            return (
                Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2),
                grow(box, view.parse),
                "change",
            )
    if pick is None:
        pick = _holding(lines, parsed, value, levels=(1, 2))
    if pick is not None:
        notes["target"] = f"suggestion {pick.describe()}"
        state.phase = "picked"
        return Click(*pick.center), grow(pick.box, view.parse), "change"
    waits = state.memo.get("suggestion_waits", 0)
    if waits >= WAITS:
        return None
    state.memo["suggestion_waits"] = waits + 1
    notes["target"] = f"waiting for suggestions of {value!r}"
    return Wait(WAIT_S), None, "none"


def offered_pick(view: View, state: Any, value: str, notes: dict[str, Any]) -> tuple | None:
    """(click on the line holding `value` whole, its box, "change") when the field just typed
    into shows a list of lines right under it (a completion list it opened) and one holds the
    typed value; None otherwise, without waiting: most fields offer nothing."""
    field = state.element.box if state.element is not None else None
    if field is None or state.phase != "typed" or not value.strip():
        return None
    th = text_height(view.frame)
    field = _with_field_below(view, field, th)
    run, bottom = [], field[3]
    for line in _under(view, field):  # only the lines touching one another under the field
        if line.box[1] - bottom > LIST_GAP * th:
            break
        bottom = max(bottom, line.box[3])
        if _norm(line.text) != _norm(value):  # the field's own echo (its label was clicked)
            run.append(line)
    pick = _holding(run, [e.text for e in run], value, levels=(0,))
    if pick is None:
        return None
    notes["target"] = f"offered suggestion {pick.describe()}"
    state.phase = "picked"
    return Click(*pick.center), grow(pick.box, view.parse), "change"


def _with_field_below(view: View, box: Box, th: int) -> Box:
    """`box` joined with the field drawn right under it, when `box` is a field's label (the
    label focused the field): the list opens under the field, across the field's width."""
    below = [
        e.box
        for e in view.content()
        if e.kind in ("text_input", "dropdown")
        and 0 <= e.box[1] - box[3] <= 2 * th
        and box[0] < e.box[2]
        and e.box[0] - box[0] <= 6 * th  # its typed text may stand apart, left in the field
    ]
    if not below:
        return box
    f = min(below, key=lambda b: b[1])
    return (min(box[0], f[0]), box[1], max(box[2], f[2]), max(box[3], f[3]))
