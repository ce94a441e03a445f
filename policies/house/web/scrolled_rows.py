"""The best row of a results list taller than its view ("reserve the quickest trip" when one or
two results show at a time): the list is scrolled a notch at a time to its end, each row's
action and quantity noted as it passes (`result_rows.quantity`), then scrolled back to the
notch where the best row showed and its action clicked.

It takes the step only where fewer rows show than `result_rows` needs to choose among; a list
that shows whole is chosen from at once there.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Click, Scroll
from policies.house.web.page_cues import same_words
from policies.house.web.pixels import line_bands, same_pixels, text_height
from policies.house.web.result_rows import MIN_ROWS, page_text_and_controls, quantity, rows
from policies.house.web.result_rows import superlative as asked_superlative
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

__all__ = ["best_row", "row_scan_step"]

NOTCHES = 2  # wheel notches a scroll moves: less than the view, so each line shows whole once
MAX_SCROLLS = 12  # scrolls down a list before its end is taken as reached
ACTION_KINDS = ("button", "link", "icon_button")
STEM = 3  # first letters that tell the list's repeated action from other buttons
_WORD = re.compile(r"[A-Za-z]{2}")
_DIGIT = re.compile(r"\d")
_WHOLE_DURATION = re.compile(r"\d+\s*h\w*\s*\d+\s*m|\d+\s*min", re.I)


def _within(point: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _sure(text: str, kind: str) -> float | None:
    """The quantity a whole line shows: a duration needs its hours and minutes, so a line the
    view cuts ("59m") is not read as a short one."""
    if kind == "duration" and not _WHOLE_DURATION.search(text):
        return None
    return quantity(text, kind)


def _agreed(values: list[float | None]) -> float | None:
    """The quantity most readings give (the first of equals); None when none gives one."""
    read = [v for v in values if v is not None]
    return max(read, key=read.count) if read else None


def _rows_of(elements: list[Any]) -> list[tuple[int, int, int, int]]:
    """Bands of the elements that share a line (overlapping in height), bottom first."""
    bands: list[list[int]] = []
    for e in sorted(elements, key=lambda e: e.box[1]):
        x0, y0, x1, y1 = e.box
        if bands and y0 < bands[-1][3] - 2:
            b = bands[-1]
            b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)
        else:
            bands.append([x0, y0, x1, y1])
    return [(b[0] - 2, b[1] - 1, b[2] + 2, b[3] + 1) for b in reversed(bands)]


def _seen_here(view: View, policy: Any, kind: str) -> list[tuple[float, tuple[int, int], str]]:
    """(quantity, action's centre, action text) of each row whose action shows in this frame
    with its quantity in the action's words (wrapped lines included) or on the nearest line
    between it and the action above; a line the parse cut into pieces ("6" "15m") is read
    again whole across its band."""
    reader = getattr(policy.parser, "reader", None)
    elements = page_text_and_controls(view, policy)
    actions = sorted(
        (e for e in elements if e.kind in ACTION_KINDS and _WORD.match(e.text.strip())),
        key=lambda e: e.box[1],
    )
    out, top = [], view.banner_bottom()
    for action in actions:
        x0, y0, x1, y1 = action.box
        inside = [e for e in elements if e is not action and _within(e.center, action.box)]
        texts = [action.text, " ".join(e.text for e in inside)]
        if reader is not None and kind == "price" and _sure(" ".join(texts), kind) is None:
            # A wrapped label ("Reserve for" over "$120") is read a line at a time: bands
            # a line and a half tall, half a line apart (the box may hold a line above too).
            bands = line_bands(action.box, text_height(view.frame))
            texts += [t for t, _ in reader.read(view.text_frame, [(b, "text") for b in bands])]
        value = _agreed([_sure(t, kind) for t in [" ".join(texts[:2]), *texts[2:]]])
        if value is None:
            block = [
                e
                for e in elements
                if top <= e.center[1] <= y0 + 2 and e is not action and e not in actions
            ]
            left = min((e.box[0] for e in block), default=0) - 2  # the block's text margin
            for band in _rows_of(block):  # the nearest line above first
                on = [e for e in block if _within(e.center, band)]
                value = _sure(" ".join(e.text for e in on), kind)
                if value is None and reader is not None and any(_DIGIT.search(e.text) for e in on):
                    # Read again whole from the block's margin: a piece may have lost its
                    # first digits ("h 56m" of "12h 56m").
                    whole = (max(0, min(left, band[0])), *band[1:])
                    value = _sure(reader.read(view.text_frame, [(whole, "text")])[0][0], kind)
                if value is not None:
                    break
        if value is not None:
            out.append((float(value), action.center, action.text.strip()))
        top = y1
    return out


def best_row(seen: list[tuple[float, int, tuple[int, int], str]], end: str) -> Any:
    """The noted row with the least or most quantity among the actions sharing the commonest
    first letters (the list's repeated action, "Reserve ...", as OCR varies it: "Reserv e"); None
    when fewer than two rows."""
    by_word: dict[str, list[Any]] = {}
    for row in seen:
        by_word.setdefault(re.sub(r"[^a-z]", "", row[3].lower())[:STEM], []).append(row)
    group = max(by_word.values(), key=len, default=[])
    if len({r[0] for r in group}) < MIN_ROWS:
        return None
    return (min if end == "min" else max)(group, key=lambda r: r[0])


def row_scan_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Scroll down the list noting rows, back to the best one, and click its action; None once
    clicked; NOT_MINE for a step naming no superlative, or a list `result_rows` sees whole."""
    step = state.step
    if step.verb != "click" or step.target is None:
        return NOT_MINE
    want = asked_superlative(step)
    if want is None or state.memo.get("rows_none"):
        return NOT_MINE
    kind, end = want
    memo = state.memo
    if state.phase == "clicked":
        return None
    if state.phase == "start":
        if len(rows(page_text_and_controls(view, policy), kind)) >= MIN_ROWS:
            return NOT_MINE  # the list shows whole: result_rows chooses
        state.phase, memo["notch"], memo["seen"] = "scan", 0, []
    seen: list[Any] = memo["seen"]
    for value, point, text in _seen_here(view, policy, kind):
        if not any(r[0] == value and same_words(r[3], text) for r in seen):
            seen.append((value, memo["notch"], point, text))
    x, y = view.parse.width // 2, (view.banner_bottom() + view.parse.height) // 2
    if state.phase == "scan":
        still = same_pixels(memo.get("frame"), view.frame)
        if not still and memo["notch"] < MAX_SCROLLS * NOTCHES:
            memo["frame"] = view.frame.copy()
            memo["notch"] += NOTCHES
            notes["target"] = f"scanning rows ({len(seen)} noted)"
            return Scroll(0, NOTCHES, x, y), None, "none"
        best = best_row(seen, end)
        notes["rows"] = [f"{t!r}: {v:g} @{n}" for v, n, _, t in seen]
        if best is None:
            memo["rows_none"] = True
            return NOT_MINE
        # Back to the top, then down as many notches as when the row showed: the forward
        # scrolls from the top moved a whole notch each until the end, so this lands the same.
        memo["best"], state.phase = best, "down"
        notes["target"] = f"back to the top for {best[3]!r} ({kind} {best[0]:g})"
        return Scroll(0, -(memo["notch"] + 2), x, y), None, "none"
    value, notch, point, text = memo["best"]
    if state.phase == "down":
        state.phase = "seek"
        if notch:
            return Scroll(0, notch, x, y), None, "none"
    notes["target"] = f"best row at {point}: {text!r} ({kind} {value:g})"
    state.phase = "clicked"
    return Click(*point), None, "none"
