"""Reordering a list by dragging: "drag Kati to the top", "... to the 3rd position", "... down
by one position", "... to the bottom", read by the grammar into the drag step's value ("top",
"3", "down 1", "bottom left"). The list is the column of like boxes the named item is in (same
left edge, same height, one under another), read from the parse; the item is dropped past the
middle of the item whose place it takes, so a sortable list moves it there.
"""

from __future__ import annotations

import difflib

from perception.screen.parser import UIElement, norm_text
from policies.house.web.view import View


def wanted_place(place: str | None, count: int, index: int) -> int | None:
    """The 0-based place a drag's place ("top", "3", "down 1"; `Step.value`) moves item `index`
    of a list of `count` to, or None when it names no place in a list."""
    words = (place or "").split()
    if len(words) == 1 and words[0].lstrip("-").isdigit():
        rank = int(words[0])
        return min(count, max(1, rank if rank > 0 else count + 1 + rank)) - 1
    if len(words) == 2 and words[0] in ("up", "down") and words[1].isdigit():
        steps = int(words[1])
        return min(count - 1, max(0, index + (steps if words[0] == "down" else -steps)))
    if words == ["top"]:
        return 0
    if words == ["bottom"]:
        return count - 1
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


def grid_drag(view: View, item: UIElement, place: str) -> tuple[int, int, int, int] | None:
    """The drag that moves `item` to the cell of a grid a drag's place names ("top left",
    "center", "up 1"), or None when the words are not in a grid of 2 x 2 or more, or the place
    names no cell."""
    h = item.box[3] - item.box[1]
    words = [e for e in view.content() if e.text and e.kind in ("text", "link", "button")]
    cols = _clusters([e.box[0] for e in words], max(4, h))
    rows = _clusters([(e.box[1] + e.box[3]) / 2 for e in words], max(4, h))
    if len(cols) < 2 or len(rows) < 2 or len(words) < 4:
        return None
    r, c = _nearest(rows, (item.box[1] + item.box[3]) / 2), _nearest(cols, item.box[0])
    last_r, last_c = len(rows) - 1, len(cols) - 1
    words = place.split()
    if len(words) == 2 and words[0] in ("up", "down", "left", "right") and words[1].isdigit():
        way, n = words[0], int(words[1])
        tr = r + (n if way == "down" else -n if way == "up" else 0)
        tc = c + (n if way == "right" else -n if way == "left" else 0)
    elif words and all(w in ("top", "center", "bottom", "left", "right") for w in words):
        first, second = words[0], (words[1] if len(words) > 1 else "")
        if first in ("left", "right"):
            first, second = "center", first
        tr = {"top": 0, "bottom": last_r}.get(first, round(0.5 * last_r))
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


def list_drag(view: View, target_words: str, place: str | None) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the drag that moves the named item to `place` (a drag step's value:
    "top", "bottom left", "3", "down 1"), or None when the item, its list or the place is not
    found (or it is there already)."""
    item = find_item(view, target_words)
    if item is None or not place:
        return None
    if not place.lstrip("-").isdigit():  # a rank is a place in a list, not in a grid
        move = grid_drag(view, item, place)
        if move is not None:
            return move
    items = column(view, item)
    if len(items) < 2 or item not in items:
        return None
    index = items.index(item)
    at = wanted_place(place, len(items), index)
    if at is None or at == index:
        return None
    there = items[at]
    h = there.box[3] - there.box[1]
    x, y = item.center
    # Past the middle of the item it replaces: a sortable list swaps at the half.
    y1 = there.box[1] + h // 5 if at < index else there.box[3] - h // 5
    return x, y, x, y1
