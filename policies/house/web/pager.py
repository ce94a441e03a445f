"""A target on a later page of a paged list ("Find Ada in the contact book" where each page
shows one contact): when the target is missing and the page shows a pager's next control
(">", "›", "»", "Next"), it is clicked, a page at a time, before the page is scrolled; a turn
that leaves the frame as it was ends the turning (the control is disabled or is no pager's).
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Action, Click
from perception.screen.parser import UIElement, norm_text
from policies.house.web.page_cues import grow
from policies.house.web.pixels import same_pixels, text_height, underlined_words
from policies.house.web.plan_state import StepState
from policies.house.web.view import View

NEXT_MARKS = (">", "›", "»", ">>", "next", "next page", "next >")
SHORT = 1.5  # text heights a pager's mark is wide at most
PAGER_WORDS = frozenset({"first", "prev", "previous", "next", "last", "page", "of"})
MAX_PAGES = 8  # pages turned while one step looks for its target


def next_control(view: View) -> UIElement | None:
    """The lowest element that reads as a pager's "next" control, None when none does."""
    marks = {m if not m.isalpha() else norm_text(m) for m in NEXT_MARKS}
    found = [
        e
        for e in view.content()
        if e.text.strip() in marks or (norm_text(e.text) and norm_text(e.text) in marks)
    ]
    if found:
        return max(found, key=lambda e: e.box[1])
    return _underlined_mark(view)


def _underlined_mark(view: View) -> UIElement | None:
    """The rightmost short underlined mark on the lowest row of links in the frame's bottom
    third (a pager's "1 >" that OCR read as one word): links one glyph wide are page controls."""
    th = text_height(view.frame)
    h = view.parse.height
    marks = [
        b for b in underlined_words(view.frame) if b[2] - b[0] <= SHORT * th and b[1] > h * 2 / 3
    ]
    if not marks:
        return None
    low = max(b[1] for b in marks)
    x0, y0, x1, y1 = max((b for b in marks if b[1] >= low - th), key=lambda b: b[0])
    if _among_words(view, y0, y1):
        return None  # a short link inside a line of text is a word, not a page control
    return UIElement(-1, (x0, y0, x1, y1), "link", ">", True, 0.5)


def _among_words(view: View, y0: int, y1: int) -> bool:
    """Whether the row from y0 to y1 reads words other than a pager's (digits, marks, "First",
    "Prev", "Next", "Last", "page", "of")."""
    for e in view.content():
        ey = (e.box[1] + e.box[3]) / 2
        if not y0 - 2 <= ey <= y1 + 2:
            continue
        words = [w for w in norm_text(e.text).split() if w.isalpha() and len(w) > 1]
        if any(w not in PAGER_WORDS for w in words):
            return True
    return False


def next_page_step(
    view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None:
    """Click the pager's next control while the step's target is missing; None when there is
    none or enough pages were turned."""
    turned = state.memo.get("pages", 0)
    last = state.memo.get("turned_from")
    if same_pixels(last, view.frame):
        turned = state.memo["pages"] = MAX_PAGES  # the last turn did nothing: no more pages
    control = next_control(view) if turned < MAX_PAGES else None
    if control is None:
        return None
    state.memo["pages"] = turned + 1
    state.memo["turned_from"] = view.frame.copy()
    state.tried.clear()  # another page: what failed on this one says nothing there
    state.failures = 0
    notes["next_page"] = control.describe()
    return Click(*control.center), grow(control.box, view.parse), "change"
