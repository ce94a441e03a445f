"""Reordering a list by dragging: "drag Kati to the top", "... to the 3rd position", "... down
by one position", "... to the bottom". The list is the column of like boxes the named item is
in (same left edge, same height, one under another), read from the parse; the item is dropped
past the middle of the item whose place it takes, so a sortable list moves it there.
"""

from __future__ import annotations

import re

from perception.screen.parser import UIElement, norm_text
from policies.house.web.plan_targets import NUMBER_WORDS
from policies.house.web.view import View

_TO_END = re.compile(r"\bto\s+the\s+(top|bottom|start|end|beginning|first|last)\b", re.I)
_TO_PLACE = re.compile(r"\bto\s+(?:the\s+)?(\d+)(?:st|nd|rd|th)?\s+(?:position|place|spot)", re.I)
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
    for e in view.content():
        if e.text and norm_text(e.text).endswith(first):  # OCR reads the grip as a letter
            return e
    return None


def list_drag(view: View, target_words: str) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the drag that moves the named item where the instruction says, or
    None when the item, its list or the place is not found (or it is there already)."""
    item = find_item(view, target_words)
    if item is None:
        return None
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
