"""Plan steps decided item by item: "mark the numbers as odd or even" reads each number and
clicks the button of its row that names what it is, and "click Like on all posts by @ana" acts
on the icon of every item whose heading names the anchor, scrolling through the list.

Items are found on the pixels' parse at decision time: a number's row is the band of its line,
an item's actions are the first row of glyphs below its heading. Progress through a list that
scrolls is kept in page coordinates (the frame's shift after each scroll is measured), so an
item is never acted on twice. No task, layout or colour is known here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from contracts.actions import Click, Scroll
from perception.instructions.plan import Step
from perception.screen import icons
from perception.screen.parser import UIElement
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MAX_SCROLLS = 16  # scrolls through a list before its items are taken as all seen
GLYPH_FLOOR = 0.3  # the least class score of the glyph acted on in an item's row
SAME_SPOT = 6  # page pixels within which two acted-on points are the same item
MIN_SHIFT_ROWS = 20  # rows two frames must share for their vertical shift to be measured
SHIFT_ERROR = 0.6  # the most a shifted frame's dark pixels may disagree (share of them)
LOOSE_SHIFT_ERROR = 0.8  # ... or this much when no other shift comes near
DARK = 128  # grey level below which a pixel is ink
MIN_INK = 40  # dark pixels two frames must show for their shift to be measured

_NUMBER = re.compile(r"^[-−–+]?\d+(?:[.,]\d+)?$")
_ALNUM = re.compile(r"[^a-z0-9]")
SHORT_NAME = 4  # names this short must show as a whole word, letter for letter
NAME_RATIO = 0.85  # how alike a longer name and a word must read (one letter off in six)
# What a number is, by the words that name it: "mark each number as odd or even".
PREDICATES = {
    "odd": lambda n: n % 2 != 0,
    "even": lambda n: n % 2 == 0,
    "positive": lambda n: n > 0,
    "negative": lambda n: n < 0,
    "zero": lambda n: n == 0,
    "nonzero": lambda n: n != 0,
    "prime": lambda n: n > 1 and all(n % k for k in range(2, int(abs(n) ** 0.5) + 1)),
    "composite": lambda n: n > 3 and any(n % k == 0 for k in range(2, int(n**0.5) + 1)),
}


def number_of(text: str) -> float | None:
    """The number a short line shows ("-4", "−1", "12.5"), or None for any other text."""
    t = text.strip().strip(".:").replace("−", "-").replace("–", "-").replace(",", ".")
    if not _NUMBER.match(t):
        return None
    return float(t)


def category_of(value: float, names: list[str]) -> str | None:
    """The first of `names` that `value` is (an integer test on a whole number only)."""
    if value != int(value):
        return None
    for name in names:
        if PREDICATES[name](int(value)):
            return name
    return None


def wanted_count(step: Step) -> int | None:
    """How many items an "each" step acts on ("on 2 posts by X": its value), None: every one."""
    return int(step.value) if step.value and step.value.isdigit() else None


def vertical_shift(
    before: np.ndarray, after: np.ndarray, top: int = 0, down: bool = False
) -> int | None:
    """How far the content below row `top` moved up from `before` to `after` (pixels; negative:
    down): the shift under which the dark pixels (text, icons) of the rows both frames share
    agree best; light changes (a hovered row's tint, a scrollbar) do not count. None when no
    shift makes them agree. `down`: the page was scrolled down, so the content moved up (a
    list's repeating rows may also match a shift the other way)."""
    a = before[top:].astype(np.int16).mean(axis=2) < DARK
    b = after[top:].astype(np.int16).mean(axis=2) < DARK
    h = a.shape[0]
    errors: dict[int, float] = {}
    for dy in range(0 if down else -(h - MIN_SHIFT_ROWS), h - MIN_SHIFT_ROWS + 1):
        # content at row r of `before` shows at row r - dy of `after`
        pa, pb = (a[dy:], b[: h - dy]) if dy >= 0 else (a[: h + dy], b[-dy:])
        union = int((pa | pb).sum())
        if union >= MIN_INK:
            errors[dy] = int((pa ^ pb).sum()) / union + 1e-4 * abs(dy)  # ties: the shorter
    if not errors:
        return None
    best = min(errors, key=errors.__getitem__)
    others = [e for dy, e in errors.items() if abs(dy - best) > 3]
    # A short overlap (a long scroll) disagrees more, yet the true shift stands out.
    clear = bool(others) and errors[best] < LOOSE_SHIFT_ERROR and errors[best] < 0.8 * min(others)
    return best if errors[best] < SHIFT_ERROR or clear else None


@dataclass
class ItemProgress:
    """What an item-by-item step has done: acted-on points in page coordinates and the scroll
    offset of the current frame (rows scrolled since the step began)."""

    step: Step
    offset: int = 0
    done: list[tuple[int, int]] = field(default_factory=list)
    frame: np.ndarray | None = None  # the frame before the last scroll
    scrolls: int = 0
    stuck: int = 0  # scrolls that moved nothing (the list's end)

    def acted(self, x: int, y: int) -> bool:
        return any(abs(x - px) <= SAME_SPOT and abs(y + self.offset - py) <= SAME_SPOT
                   for px, py in self.done)  # fmt: skip

    def mark(self, x: int, y: int) -> None:
        self.done.append((x, y + self.offset))


def per_item_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for an item-by-item step (the grammar's manner "classify",
    its categories the value, or "each"), None when it is done, or NOT_MINE for a step this
    module does not take."""
    step: Step = state.step
    progress = policy.__dict__.get("_per_item")
    if progress is None or progress.step is not step:
        progress = policy.__dict__["_per_item"] = ItemProgress(step)
    names = [n for n in (step.value or "").replace(",", " ").split() if n in PREDICATES]
    if step.manner == "classify" and names and _first_doing(policy, step):
        return _classify_rows(view, state, names, progress, notes)
    target = step.target
    if (
        step.verb == "click"
        and target is not None
        and target.anchor is not None
        and target.anchor.text
        and step.manner == "each"
        and icons.meanings(target.text)
    ):
        return _each_anchor(policy, view, progress, notes)
    return NOT_MINE


def _first_doing(policy: Any, step: Step) -> bool:
    """Whether `step` is the plan's first step (the sorting; a "press submit" comes after)."""
    steps = policy.plan.steps
    return bool(steps) and steps[0] is step


def _below_banner(view: View) -> int:
    return view.banner_bottom()


def _classify_rows(
    view: View, state: Any, names: list[str], progress: ItemProgress, notes: dict[str, Any]
) -> Any:
    """Click, for each number on the page, the button of its row reading what the number is."""
    top = _below_banner(view)
    content = [e for e in view.content() if e.box[1] >= top - 2]
    numbers = [
        (e, v)
        for e in content
        if (v := number_of(e.text)) is not None and not _names_any(e.text, names)
    ]
    choices = [e for e in content if _names_any(e.text, names)]
    for el, value in sorted(numbers, key=lambda ev: (ev[0].box[1], ev[0].box[0])):
        x, y = el.center
        if progress.acted(x, y):
            continue
        progress.mark(x, y)
        name = category_of(value, names)
        row = [c for c in choices if _same_row(c.box, el.box) and _names(c.text, name)]
        if name is None or not row:
            notes.setdefault("unsorted", []).append(el.text)
            continue
        button = min(row, key=lambda c: abs(c.center[0] - x))
        notes["target"] = f"{button.describe()} for {el.text!r} ({name})"
        return Click(*button.center), None, "none"
    return None


def _names(text: str, name: str | None) -> bool:
    return name is not None and text.strip().strip(".").lower() == name


def _names_any(text: str, names: list[str]) -> bool:
    return any(_names(text, n) for n in names)


def _same_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes share a row: each one's vertical middle lies within the other."""
    ca, cb = (a[1] + a[3]) / 2, (b[1] + b[3]) / 2
    return b[1] <= ca <= b[3] and a[1] <= cb <= a[3]


def _each_anchor(policy: Any, view: View, progress: ItemProgress, notes: dict[str, Any]) -> Any:
    """Click the target's glyph in every item whose heading names the anchor (or in as many as
    the instruction counts), scrolling down the list until its end."""
    step = progress.step
    target = step.target
    top = _below_banner(view)
    if progress.frame is not None:  # the last action scrolled: how far did the page move?
        shift = vertical_shift(progress.frame, view.frame, top, down=True)
        progress.frame = None
        if shift is None or abs(shift) < 2:
            progress.stuck += 1
        else:
            progress.offset += shift
    want = wanted_count(progress.step)
    if want is not None and len(progress.done) >= want:
        return None
    wanted = icons.meanings(target.text)
    heads = _anchors(view, target.anchor.text, top)
    glyphs = icons.rank_glyphs(view.frame, wanted, avoid=icons.word_boxes(view.parse.elements))
    glyphs = [(g, s) for g, s in glyphs if g.box[1] >= top]
    rows = _glyph_rows([g for g, _ in glyphs])
    # An item's actions are a row of several glyphs; a lone one is likely a mark in its text.
    rows = [r for r in rows if _count_in(glyphs, r) >= 2] or rows
    pending = False  # an item's heading shows but not its actions
    for head in heads:
        row = next((r for r in rows if r[0] > head.box[3]), None)
        nxt = next((h for h in heads if h.box[1] > head.box[3]), None)
        if row is None or (nxt is not None and row[0] > nxt.box[1]):
            pending = True
            break  # this item's actions are below the frame: scroll on
        if row[1] >= view.frame.shape[0] - 2:
            pending = True
            break  # the row is cut by the frame's edge: scroll it into view first
        in_row = [(g, s) for g, s in glyphs if row[0] <= (g.box[1] + g.box[3]) / 2 <= row[1]]
        if not in_row or max(s for _, s in in_row) < GLYPH_FLOOR:
            continue
        glyph = max(in_row, key=lambda gs: gs[1])[0]
        x, y = (glyph.box[0] + glyph.box[2]) // 2, (glyph.box[1] + glyph.box[3]) // 2
        if progress.acted(x, y):
            continue
        progress.mark(x, y)
        notes["target"] = f"icon {glyph.label} at {(x, y)} of {head.text!r}"
        return Click(x, y), None, "none"
    if progress.stuck >= 1 or progress.scrolls >= MAX_SCROLLS:
        return None
    progress.scrolls += 1
    progress.frame = view.frame.copy()
    h, w = view.frame.shape[:2]
    notes["target"] = "scroll for more items"
    # Nothing half shown: a longer scroll (what leaves the top was all seen; a heading cut at
    # the bottom edge comes up whole). Else a short one keeps the pending item's heading.
    return Scroll(0, 1 if pending else 2, w // 2, (top + h) // 2), None, "none"


def _anchors(view: View, words: str, top: int) -> list[UIElement]:
    """Lines below `top` that show the anchor's words, in reading order."""
    heads = [e for e in view.content() if e.box[1] >= top and e.text and _has_word(e.text, words)]
    return sorted(heads, key=lambda e: (e.box[1], e.box[0]))


def _has_word(text: str, words: str) -> bool:
    """Whether a line shows `words` as whole words: a short name ("@vel") must be one of its
    words letter for letter, not the start of a longer one ("velit"); a longer one may have a
    letter misread or dropped ("@socis" for "@sociis")."""
    want = _ALNUM.sub("", words.lower())
    have = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]
    if not want:
        return False
    if len(want) <= SHORT_NAME:
        return want in have
    if want in _ALNUM.sub("", text.lower()):
        return True
    return any(difflib.SequenceMatcher(None, want, w).ratio() >= NAME_RATIO for w in have)


def _count_in(glyphs: list[tuple[Any, float]], row: tuple[int, int]) -> int:
    return sum(row[0] <= (g.box[1] + g.box[3]) / 2 <= row[1] for g, _ in glyphs)


def _glyph_rows(glyphs: list[Any]) -> list[tuple[int, int]]:
    """Vertical spans of the rows that glyphs form, top first."""
    rows: list[list[int]] = []
    for g in sorted(glyphs, key=lambda g: g.box[1]):
        y0, y1 = g.box[1], g.box[3]
        if rows and y0 <= rows[-1][1]:
            rows[-1][1] = max(rows[-1][1], y1)
        else:
            rows.append([y0, y1])
    return [(a, b) for a, b in rows]
