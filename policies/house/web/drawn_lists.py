"""A dropdown drawn by the page (not the browser's own list): once opened, its options show as
lines under it, so the asked option is clicked where it shows, and the list is scrolled a notch
at a time when the option is further down; typing would not reach such a list.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Action, Click, Scroll
from perception.screen.parser import UIElement
from perception.screen.runs import true_runs
from policies.house.web.page_cues import grow, overlaps
from policies.house.web.pixels import edge_mask, grey, text_height
from policies.house.web.plan_state import StepState
from policies.house.web.view import View

NEAR = 0.8  # letters a line shares with the option for OCR's reading to count as it
MAX_SCROLLS = 6  # notches an opened list is scrolled to bring its option into view
REACH = 8  # text heights either side of the opened box's centre where its list is read
SIDE_CONTRAST = 20  # grey levels a list's side is darker than beside it
PAD = 3  # columns inside a list's side that its edge still inks
START = 8  # rows under the opened box where its list's sides begin
SIDE_ROWS = 3  # text heights a list's side runs down at least


def list_lines(
    view: View, opened: UIElement, reader: Any, memo: dict[str, Any] | None = None
) -> list[UIElement]:
    """The text lines drawn under the opened box between the sides of its list, each read again
    as one band (the parse cuts an opened list's options into letters); `memo["list_framed"]`
    says whether such sides were found."""
    import numpy as np

    memo = {} if memo is None else memo
    _, _, _, y1 = opened.box
    h, w = view.frame.shape[:2]
    th = text_height(view.frame)
    cx = opened.center[0]  # the list is about as wide as its box, which the parse may cut
    x0, x1 = max(0, cx - REACH * th), min(w, cx + REACH * th)
    inner = edge_mask(view.frame)[y1 + 1 : h, x0:x1].copy()
    if inner.size == 0:
        return []
    sides = _sides(grey(view.frame)[y1 + 1 : h, x0:x1], th)  # the list's sides run down its rows
    left, right = sides[sides < cx - x0], sides[sides > cx - x0]
    lo = int(left[-1]) + PAD if len(left) else 0  # the edge of a side inks its neighbours too
    hi = int(right[0]) - PAD + 1 if len(right) else inner.shape[1]
    memo["list_framed"] = bool(len(left) and len(right))  # a box the page drew for its list
    inner[:, :lo] = False  # what lies beside the list is not in it
    inner[:, hi:] = False
    inner[:, sides] = False
    rows = inner.any(axis=1)
    out, start = [], None
    for i, ink in enumerate([*rows.tolist(), False]):
        if ink and start is None:
            start = i
        elif not ink and start is not None:
            whole = y1 + 1 + i < h - PAD  # a line the frame's edge cuts is not read
            if 0.5 * th <= i - start <= 2 * th and whole:
                band = inner[start:i]
                xs = np.nonzero(band.any(axis=0))[0]
                box = (
                    max(0, x0 + int(xs[0]) - 2),
                    y1 + 1 + start - 2,
                    x0 + int(xs[-1]) + 3,
                    y1 + 1 + i + 2,
                )
                text = reader.read(view.text_frame, [(box, "text")])[0][0]
                if text.strip():
                    out.append(UIElement(-1, box, "list_option", text.strip(), True, 1.0))
            start = None
    return out


def _sides(g: Any, th: int) -> Any:
    """Columns of a grey crop drawn as a faint vertical line from its top down (a list's border
    or shadow): darker than the columns two pixels either side for at least three text rows."""
    import numpy as np

    g = g.astype(np.int16)
    line = np.zeros(g.shape, bool)
    line[:, 2:-2] = (g[:, 2:-2] + SIDE_CONTRAST < g[:, :-4]) | (
        g[:, 2:-2] + SIDE_CONTRAST < g[:, 4:]
    )
    top = line[:START].any(axis=0)
    runs = np.argmin(np.vstack([line[START:], np.zeros((1, g.shape[1]), bool)]), axis=0)
    return np.nonzero(top & (runs >= SIDE_ROWS * th))[0]


def _ink_box(frame: Any, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The words at the left of a closed list's box, cropped to their ink (the list's arrow at
    the right end, apart from the words by a wide gap, left out), a few pixels round."""
    x0, y0, x1, y1 = (int(v) for v in box)
    mask = edge_mask(frame[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2])
    rows, cols = true_runs(mask.any(axis=1)), true_runs(mask.any(axis=0))
    if not rows or not cols:
        return None
    top, bottom = min(rows, key=lambda r: abs((r[0] + r[1]) / 2 - mask.shape[0] / 2))
    words = [cols[0]]
    for a, b in cols[1:]:  # letters and dots close together; the arrow far off
        if a - words[-1][1] > bottom - top:
            break
        words.append((a, b))
    left, right = words[0][0], words[-1][1]
    return (x0 + left, y0 + top, x0 + right + 4, y0 + bottom + 4)


def _cut_short(text: str) -> bool:
    """Whether a box's text ends in an ellipsis (two or more dots, or '…'): words cut short."""
    return re.search(r"(\.{2,}|…)\s*$", text) is not None


def _in_order(have: str, want: str) -> bool:
    """Whether the letters of `have` occur in `want` in the same order (letters dropped)."""
    rest = iter(want)
    return all(c in rest for c in have)


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).split()


def same_option(value: str, text: str) -> bool:
    """The line reads as the option: the same digits and nearly the same letters (OCR drops a
    letter, "6f" for "6 ft"), spaces aside; "5ft 9in" is never "5ft 10in"."""
    import difflib

    want, have = "".join(_words(value)), "".join(_words(text))
    if len(want) == len(have):  # a '1' read as the letter like it ("lin" for "1in")
        pairs = zip(want, have, strict=True)
        have = "".join(w if w == "1" and h in "lI|" else h for w, h in pairs)
    if want == have:
        return True
    digits = re.sub(r"\D", "", want) == re.sub(r"\D", "", have)
    return digits and difflib.SequenceMatcher(None, want, have).ratio() >= NEAR


def _like(value: str, text: str) -> bool:
    """A line of the same list: it shares a word with the option ("5ft 9in" for "5ft 10in")."""
    return bool(set(_words(value)) & set(_words(text)))


def drawn_list_step(
    policy: Any, view: View, state: StepState, value: str, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None:
    """After the list was opened: when it is drawn under its box, click the option where it
    shows, or scroll the list down a notch; None when no list is drawn or nothing is left (the
    list then takes typed letters)."""
    opened = state.element
    reader = getattr(policy.parser, "reader", None)
    if opened is None or reader is None or state.memo.get("typing"):
        return None
    lines = list_lines(view, opened, reader, state.memo)
    if not state.memo.get("list_framed") or not lines:
        return None
    option = next((e for e in lines if same_option(value, e.text)), None)
    if option is not None:
        notes["target"] = f"option {option.describe()}"
        state.memo["list_box"] = opened.box
        state.phase = "drawn"
        return Click(*option.center), grow(option.box, view.parse), "change"
    done = state.memo.get("list_scrolls", 0)
    like = [e for e in lines if _like(value, e.text)] or lines[-1:]
    texts = [e.text for e in lines]
    if done >= MAX_SCROLLS or (done and texts == state.memo.get("list_texts")):
        return None  # scrolled as far as it goes, or the last scroll left it where it was
    state.memo["list_texts"] = texts
    state.memo["list_scrolls"] = done + 1
    notes["scroll_list"] = [e.text for e in lines]
    x0, _, x1, _ = opened.box
    return Scroll(0, 1, (x0 + x1) // 2, like[-1].center[1]), None, "none"


def drawn_list_check(view: View, state: StepState, value: str, reader: Any = None) -> bool | None:
    """None when the list's box now shows the option clicked (its words begin the option's:
    a narrow box cuts "5ft 10in" to "5ft..."); False when it does not, and typing is next.
    A box the parse read nothing in is read again on its words' ink alone."""
    box = state.memo.get("list_box")
    shown = [
        e.text
        for e in view.content()
        if box is not None and e.text.strip() and overlaps(e.box, box)
    ]
    if not shown and box is not None and reader is not None:
        ink = _ink_box(view.frame, box)
        if ink is not None:
            shown = [reader.read(view.text_frame, [(ink, "text")])[0][0]]
    want = "".join(_words(value))
    for text in shown:
        have = "".join(_words(text.replace("...", " ").replace("…", " ")))
        if have and (want.startswith(have) or same_option(value, text)):
            return None
        if _cut_short(text) and have and _in_order(have, want[: len(have) + 2]):
            return None  # "Lage.." for "Large...": the OCR lost a letter of the few shown
    state.memo["typing"] = True  # a browser's own list: clicks on its drawn rows do not take
    return False
