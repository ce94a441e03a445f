"""Where a plan step's target is when the phrase grounder alone does not say: a label with the
kind and number an ordinal names ("Step 3", "Section No. 3"), the results of a page apart from
its pager, the field whose shape fits the kind named, and the numbers a label says. Layout and
text cues only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

import numpy as np

from perception.instructions.plan import Target
from perception.screen.drawn_controls import box_ink, centred_words
from perception.screen.parser import UIElement, norm_text
from perception.screen.phrase_grounding import Match
from perception.screen.text_match import glyphs
from policies.house.web.marks import mark_in, multiline
from policies.house.web.page_cues import SUBMIT_WORDS, Box
from policies.house.web.pixels import text_height
from policies.house.web.view import View

CENTRED_SCORE = 0.85  # a box drawing words in its middle, for a button named by kind alone


def holds(box: Box, point: tuple[int, int]) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= point[0] < x1 and y0 - 2 <= point[1] < y1 + 2


NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def number(text: str) -> int | None:
    """The number a short label says ("3", "three", "THREE"), or None."""
    t = text.strip().strip(".:#").lower()
    if t.isdigit() and len(t) <= 6:
        return int(t)
    return NUMBER_WORDS.index(t) if t in NUMBER_WORDS else None


def numbered(view: View, target: Target | None) -> tuple[UIElement, tuple[int, int]] | None:
    """The element labelled with the kind and the ordinal's number ("Step 3", "Section No. 3")
    for a target "the 3rd step" / "step 3", and the point of that label inside it (OCR may merge it
    with a neighbour's), or None."""
    if target is None or target.text or not target.ordinal or target.ordinal < 1:
        return None
    word = target.kind.replace("_", " ")
    if word in ("any", "text"):
        return None
    label = re.compile(rf"\b{re.escape(word)}\s*(?:#|no\.?|number)?\s*{target.ordinal}\b", re.I)
    for e in view.content():
        found = label.search(e.text)
        if found is None:
            continue
        if e.kind == "text" and found.end() - found.start() < 0.6 * len(e.text.strip()):
            continue  # a sentence that mentions "tab 3" (the task's own words) is no tab
        x0, y0, x1, y1 = e.box
        middle = (found.start() + found.end()) / 2 / max(1, len(e.text))
        return e, (int(x0 + middle * (x1 - x0)), (y0 + y1) // 2)
    return None


def split_pager(links: list[Box]) -> tuple[list[Box], list[Box]]:
    """(links, pager): the last row of links is a pager when it holds two or more short ones
    ("1 2 3 >") side by side; each other link is one of the page's results. Links that are
    all in that row (the results' underlines were not found) are no pager: nothing to page."""
    if len(links) < 3:
        return links, []
    last = links[-1]
    h = max(1, last[3] - last[1])
    row = [b for b in links if abs((b[1] + b[3]) - (last[1] + last[3])) <= h]
    short = all(b[2] - b[0] <= 3 * max(1, b[3] - b[1]) for b in row)
    if len(row) < 2 or not short or len(row) == len(links):
        return links, []
    return [b for b in links if b not in row], sorted(row, key=lambda b: b[0])


def by_shape(view: View, hits: list[Match], target: Target | None) -> list[Match]:
    """Fields first whose shape fits the kind named: one line for a text field, several for a
    text area (the detector calls both text inputs); a "field" reading a sending word right of
    an empty field is that field's button (a search bar's "Search"). A checkbox or radio
    named by its kind alone is a mark of that shape (a square or a ring)."""
    if target is not None and target.kind in MARK_KINDS and not target.text:
        return _marks_first(view, hits, target) if target.ordinal is None else hits
    if target is not None and target.kind == "button" and not target.text:
        if any(m.element.kind == "button" for m in hits):
            return hits
        # a button the detector called a field: a box with its words in the middle, before
        # elements matched for their kind's likeness alone (a checkbox's label)
        boxed = [
            Match(e, CENTRED_SCORE, ("words centred in a box: a button",), e.center)
            for e in view.content()
            if e.kind in ("dropdown", "text_input") and centred_words(box_ink(view.frame, e.box))
        ]
        return boxed + hits
    if target is None or target.kind not in ("text_field", "text_area") or len(hits) < 2:
        return hits
    want = target.kind == "text_area"
    fits = [m for m in hits if multiline(view.frame, m.element.box) == want]
    hits = fits + [m for m in hits if m not in fits]
    for k, m in enumerate(hits):
        field = _field_of_button(m.element, hits)
        if field is not None and hits.index(field) > k:
            return [*hits[:k], field, *[h for h in hits[k:] if h is not field]]
    return hits


def _marks_first(view: View, hits: list[Match], target: Target) -> list[Match]:
    """Hits whose box draws a mark of the kind asked first, the other kind's last; when none
    draws one, the first element that starts with such a mark (the detector ran it into its
    label, or called a ring a checkbox), aimed at the mark."""
    marks = [mark_in(view.frame, m.element.box) for m in hits]
    good = [
        _on_mark(m, k[0]) for m, k in zip(hits, marks, strict=True) if k and k[1] == target.kind
    ]
    if good:
        bad = [m for m, k in zip(hits, marks, strict=True) if k and k[1] != target.kind]
        return good + [m for m, k in zip(hits, marks, strict=True) if not k] + bad
    for el in view.content():
        found = mark_in(view.frame, el.box)
        if found is not None and found[1] == target.kind:
            return [_on_mark(Match(el, MARK_SCORE, (), el.center), found[0]), *hits]
    for el in view.content():  # a mark the detector missed, left of the words it labels
        found = _mark_before(view.frame, el)
        if found is not None and found[1] == target.kind:
            return [_on_mark(Match(el, MARK_SCORE, (), el.center), found[0]), *hits]
    return hits


def _mark_before(frame: np.ndarray, el: UIElement) -> tuple[Box, str] | None:
    """The check box or radio drawn just left of a text `el` (its label), maybe overlapping
    the text's box a little; None when the first shape there is no mark or one of its letters."""
    if el.kind != "text" or not el.text.strip():
        return None
    x0, y0, x1, y1 = el.box
    h = y1 - y0
    span = (max(0, x0 - 2 * h), max(0, y0 - h // 3), min(x1, x0 + h // 2), y1 + h // 3)
    found = mark_in(frame, span)
    if found is None or (found[0][0] + found[0][2]) / 2 >= x0:
        return None
    return found


def _on_mark(match: Match, mark: Box) -> Match:
    """`match` aimed at the mark drawn in its box, sure enough to click without waiting."""
    x0, y0, x1, y1 = mark
    why = (*match.reasons, f"a drawn mark of that kind at {mark}")
    return replace(
        match,
        score=max(match.score, MARK_SCORE),
        reasons=why,
        point=((x0 + x1) // 2, (y0 + y1) // 2),
    )


MARK_KINDS = ("checkbox", "radio")
MARK_SCORE = 0.9  # a mark of the very shape asked for: sure enough to click without waiting


def _field_of_button(el: UIElement, hits: list[Match]) -> Match | None:
    """The empty field just left of `el` on its row when `el` reads as a sending button."""
    if norm_text(el.text) not in {norm_text(w) for w in SUBMIT_WORDS}:
        return None
    x0, y0, x1, y1 = el.box
    h = y1 - y0
    for m in hits:
        b = m.element.box
        beside = 0 <= x0 - b[2] <= h and abs((b[1] + b[3]) - (y0 + y1)) <= h
        if m.element is not el and not m.element.text.strip() and beside:
            return m
    return None


LINK_LETTERS = 0.7  # share of a link's letters a window of the line must match (OCR slips)
SAME_READING = 0.02  # readings of a word this close in letters are the same word
EXACT_READING = 0.99  # a window of the line that reads the link's letters exactly
LINK_OVERLAP = 0.5  # share of a reading's span (placed by its letters' count) over its link


def on_link(match: Match, text: str, links: list[Box]) -> Match | None:
    """`match` moved onto the underlined word of its line where the line's letters read `text`
    (OCR reads a link's "quisque" as "guisque", or runs it into its neighbours), or None when
    no underlined word sits there."""
    want = glyphs(re.sub(r"[^a-z0-9]", "", text.lower()))  # "turn" read "tum" is the same
    have = match.element.text.lower()
    if not want or not have:
        return None
    x0, y0, x1, y1 = match.element.box
    row = [b for b in links if y0 <= (b[1] + b[3]) / 2 <= y1 and b[0] < x1 and b[2] > x0]
    if not row:
        return None
    places: list[tuple[float, float, float]] = []  # (score, start, end) as shares of the line
    for size in range(max(1, len(want) - 2), len(want) + 3):
        for start in range(0, max(1, len(have) - size + 1)):
            piece = glyphs(re.sub(r"[^a-z0-9]", "", have[start : start + size]))
            score = difflib.SequenceMatcher(None, want, piece, autojunk=False).ratio()
            places.append((score, start / len(have), (start + size) / len(have)))
    best = max(p[0] for p in places)
    if best < LINK_LETTERS:
        return None
    # the word may show twice ("diam diam sed"), once underlined: the best reading on a link,
    # most of whose letters' span lies over the link's underline
    readings = sorted((p for p in places if p[0] >= best - SAME_READING), reverse=True)
    for _, a, b in readings:
        xa, xb = x0 + a * (x1 - x0), x0 + b * (x1 - x0)
        box = max(row, key=lambda u: min(xb, u[2]) - max(xa, u[0]))
        if min(xb, box[2]) - max(xa, box[0]) >= LINK_OVERLAP * (xb - xa):
            break
    else:
        # a reading placed by its letters' count lands off a short link (narrow letters before
        # it): the link within a text height of an exact reading
        near = [
            (abs((u[0] + u[2]) / 2 - (x0 + (a + b) / 2 * (x1 - x0))), u)
            for _, a, b in readings
            for u in row
            if best >= EXACT_READING
        ]
        if not near or min(near)[0] > y1 - y0:
            return None
        box = min(near)[1]
    point = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    return replace(match, point=point, reasons=(*match.reasons, f"underlined word at {box}"))


def split_tabs(
    frame: np.ndarray, strip: list[UIElement], border_step: int | None = None
) -> list[UIElement]:
    """The strip's elements cut where a vertical border runs down most of a box's height
    inside it: tabs the detector took as one box ("Tab#1Tab#2"), each a piece of it."""
    g = frame[..., :3].astype(np.int16).mean(axis=2)
    th = text_height(frame)
    out: list[UIElement] = []
    for el in strip:
        x0, y0, x1, y1 = el.box
        if x1 - x0 < 3 * th or x0 < 1 or x1 + 1 > g.shape[1]:
            out.append(el)
            continue
        step = np.abs(g[y0:y1, x0 + 1 : x1 + 1] - g[y0:y1, x0 - 1 : x1 - 1]) >= (
            border_step or BORDER_STEP
        )
        cols = [x0 + i for i, v in enumerate(step.mean(axis=0)) if v >= BORDER_RUN]
        inner = [x for x in cols if x0 + th <= x < x1 - th]
        groups: list[list[int]] = []
        for x in inner:
            if groups and x - groups[-1][-1] <= BORDER_GAP:
                groups[-1].append(x)
            else:
                groups.append([x])
        edges = [x0, *(round(sum(gr) / len(gr)) for gr in groups), x1]
        pieces = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a >= 1.5 * th]
        if len(pieces) < 2:
            out.append(el)
            continue
        out += [replace(el, box=(a, y0, b, y1), text="") for a, b in pieces]
    return out


def merged_tabs(view: View) -> list[UIElement]:
    """Tabs the detector took as one box when it found no strip of them: the top-most tab,
    link or button box that borders cut into two or more tab-sized pieces, those pieces; [].
    The borders may be faint (a resized frame blurs a light grey line between two tabs)."""
    th = text_height(view.frame)
    boxes = [
        e
        for e in view.content()
        if e.kind in ("tab", "link", "button") and e.box[2] - e.box[0] >= 3 * th
    ]
    for el in sorted(boxes, key=lambda e: e.box[1]):
        pieces = split_tabs(view.frame, [el], FAINT_BORDER_STEP)
        if len(pieces) >= 2:
            return pieces
    return []


BORDER_STEP = 40  # grey step across a drawn border between two tabs
FAINT_BORDER_STEP = 20  # the same, blurred: a light border resized down and read enlarged
BORDER_RUN = 0.7  # share of a box's rows a border between two tabs runs down
BORDER_GAP = 4  # columns apart that are one border (a tab's edge and its neighbour's)
