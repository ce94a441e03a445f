"""Reordering a list by dragging: "drag Kati to the top", "... to the 3rd position", "... down
by one position", "... to the bottom". The list is the column of like boxes the named item is
in (same left edge, same height, one under another), read from the parse; the item is dropped
past the middle of the item whose place it takes, so a sortable list moves it there.
"""

from __future__ import annotations

import difflib
import re

from perception.screen.parser import UIElement, norm_text
from policies.house.web.plan_targets import NUMBER_WORDS
from policies.house.web.view import View

_TO_END = re.compile(r"\bto\s+the\s+(top|bottom|start|end|beginning|first|last)\b", re.I)
_TO_PLACE = re.compile(r"\bto\s+(?:the\s+)?(\d+)(?:st|nd|rd|th)?\s+(?:position|place|spot)", re.I)
_GRID_PLACE = re.compile(
    r"\bto\s+the\s+(top|center|centre|middle|bottom|left|right)(?:[\s-]+(left|center|centre|"
    r"middle|right))?\b",
    re.I,
)
_GRID_BY = re.compile(r"\b(up|down|left|right)\s+by\s+(\w+)\b(?!\s+(?:positions?|places?))", re.I)
_BY = re.compile(r"\b(up|down)\s+by\s+(\w+)\s+(?:positions?|places?|spots?)", re.I)


def wanted_place(instruction: str, count: int, index: int) -> int | None:
    """The 0-based place the instruction moves item `index` of `count` to, or None."""
    if (m := _TO_PLACE.search(instruction)) is not None:
        return min(count, max(1, int(m.group(1)))) - 1
    if (m := _BY.search(instruction)) is not None:
        word = m.group(2).lower()
        steps = (
            int(word) if word.isdigit() else NUMBER_WORDS.index(word) if word in NUMBER_WORDS else 1
        )
        return min(count - 1, max(0, index + (steps if m.group(1).lower() == "down" else -steps)))
    if (m := _TO_END.search(instruction)) is not None:
        first = m.group(1).lower() in ("top", "start", "beginning", "first")
        return 0 if first else count - 1
    return None


def column(view: View, item: UIElement) -> list[UIElement]:
    """The boxes stacked with `item`: same left edge and height, top to bottom."""
    x0, y0, x1, y1 = item.box
    h = y1 - y0
    like = [
        e
        for e in view.content()
        if abs(e.box[0] - x0) <= max(4, h // 3) and abs((e.box[3] - e.box[1]) - h) <= max(3, h // 4)
    ]
    return sorted(like, key=lambda e: e.box[1])


def find_item(view: View, words: str) -> UIElement | None:
    """The element whose words are the first word of `words` ("Kati up" names "Kati")."""
    first = norm_text(words.split()[0]) if words.split() else ""
    if not first:
        return None
    words = [e for e in view.content() if e.text]
    for e in words:
        if norm_text(e.text).endswith(first):  # OCR reads the grip as a letter
            return e
    # OCR drops or changes a letter ("Barb" for "Barbi"): the closest word, if close.
    score = {e.id: difflib.SequenceMatcher(None, norm_text(e.text), first).ratio() for e in words}
    best = max(words, key=lambda e: score[e.id], default=None)
    return best if best is not None and score[best.id] >= 0.8 else None


def _clusters(values: list[float], tol: float) -> list[float]:
    """The distinct positions among `values` (those within `tol` are one), ascending."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _nearest(values: list[float], v: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - v))


def grid_drag(view: View, item: UIElement) -> tuple[int, int, int, int] | None:
    """The drag that moves `item` to the cell of a grid ("to the top left", "to the center",
    "up by one") the instruction names, or None when the words are not in a grid of 2 x 2 or
    more, or name no cell."""
    h = item.box[3] - item.box[1]
    words = [e for e in view.content() if e.text and e.kind in ("text", "link", "button")]
    cols = _clusters([e.box[0] for e in words], max(4, h))
    rows = _clusters([(e.box[1] + e.box[3]) / 2 for e in words], max(4, h))
    if len(cols) < 2 or len(rows) < 2 or len(words) < 4:
        return None
    r, c = _nearest(rows, (item.box[1] + item.box[3]) / 2), _nearest(cols, item.box[0])
    last_r, last_c = len(rows) - 1, len(cols) - 1
    middle = {"center": 0.5, "centre": 0.5, "middle": 0.5}
    if (m := _GRID_BY.search(view.instruction)) is not None:
        word = m.group(2).lower()
        n = int(word) if word.isdigit() else NUMBER_WORDS.index(word) if word in NUMBER_WORDS else 1
        way = m.group(1).lower()
        tr = r + (n if way == "down" else -n if way == "up" else 0)
        tc = c + (n if way == "right" else -n if way == "left" else 0)
    elif (m := _GRID_PLACE.search(view.instruction)) is not None:
        first, second = m.group(1).lower(), (m.group(2) or "").lower()
        if first in ("left", "right"):
            first, second = "center", first
        tr = {"top": 0, "bottom": last_r}.get(first, round(middle.get(first, 0.5) * last_r))
        tc = {"left": 0, "right": last_c}.get(second, round(0.5 * last_c))
    else:
        return None
    if not (0 <= tr <= last_r and 0 <= tc <= last_c) or (tr, tc) == (r, c):
        return None
    x, y = item.center
    dx, dy = cols[tc] - cols[c], rows[tr] - rows[r]
    # Onto the cell it takes, a little past it along a row or a column (a sortable grid moves
    # an item there once it is past half of it); a diagonal move lands on it exactly.
    nudge_x = (h if dx > 0 else -h if dx < 0 else 0) // 2 if dy == 0 else 0
    nudge_y = (h if dy > 0 else -h if dy < 0 else 0) // 2 if dx == 0 else 0
    w_, h_ = view.frame.shape[1], view.frame.shape[0]
    x1 = int(min(w_ - 2, max(1, x + dx + nudge_x)))
    y1 = int(min(h_ - 2, max(1, y + dy + nudge_y)))
    return x, y, x1, y1


def list_drag(view: View, target_words: str) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the drag that moves the named item where the instruction says, or
    None when the item, its list or the place is not found (or it is there already)."""
    item = find_item(view, target_words)
    if item is None:
        return None
    if _GRID_PLACE.search(view.instruction) or _GRID_BY.search(view.instruction):
        move = grid_drag(view, item)
        if move is not None:
            return move
    items = column(view, item)
    if len(items) < 2 or item not in items:
        return None
    index = items.index(item)
    place = wanted_place(view.instruction, len(items), index)
    if place is None or place == index:
        return None
    there = items[place]
    h = there.box[3] - there.box[1]
    x, y = item.center
    # Past the middle of the item it replaces: a sortable list swaps at the half.
    y1 = there.box[1] + h // 5 if place < index else there.box[3] - h // 5
    return x, y, x, y1
