"""Moves of the plan policy for items and their actions: open an item's "more" menu to find an
action it hides ("Mute" under a post's ellipsis), and find a field drawn without a frame (the
"To:" line of a mail form, the empty body under it) so typing has somewhere to go.

Pixels only: the glyphs come from `perception.screen.icons`, the lines from the parse.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from contracts.actions import Scroll
from perception.instructions.plan import Target
from perception.screen import icons
from perception.screen.ocr import TextReader
from perception.screen.parser import UIElement
from perception.screen.phrase_grounding import Match, PhraseGrounder, Query
from policies.house.web.view import View

MIN_SCORE = 0.5  # a glyph or label must match at least this well
ANCHOR_SURE = 0.75  # an item's name must show this well before its menu is opened
BLANK_ROWS = 24  # an empty band this tall (pixels) under a form is its body
SURE_LABEL = 0.8  # a field's label must show this well
LINE_MIN = 6  # a run of inked rows at least this tall (pixels) is a line of text
PANEL_MIN = 40  # px: a textless box this wide may be a panel of lines (an opened menu)
# a narrower textless box this many times wider than tall is one line (a menu item with its
# arrow, which the detector took for an icon on a small frame read enlarged)
WORD_ASPECT = 2.4


def more_menu(
    view: View, target: Target | None, grounder: PhraseGrounder, exclude: Collection[int]
) -> tuple[int, int] | None:
    """Where to click to open the "more" menu of the item a missing target names: the ellipsis
    (or kebab) glyph nearest the target's anchor ("Mute" for the post by @ana), or None."""
    if target is None or not target.text or target.anchor is None or not target.anchor.text:
        return None
    found = grounder.rank(view.parse, Query(text=target.anchor.text), exclude=exclude, limit=1)
    if not found or found[0].score < ANCHOR_SURE:
        return None
    x, y = found[0].point
    box = found[0].element.box
    avoid = icons.word_boxes(view.parse.elements)
    banner = [e.box for e in view.parse.elements if e.id in exclude]
    ranked = icons.rank_glyphs(
        view.frame, {"more": 1.0}, avoid=avoid, anchor=(x - 2, box[1], x + 2, box[3])
    )
    ranked = [
        (g, order)
        for g, order in ranked
        if g.score({"more": 1.0}) >= MIN_SCORE
        and not any(icons.covered(g.box, b) > 0.5 for b in banner)
    ]
    if not ranked:
        return None
    x0, y0, x1, y1 = ranked[0][0].box
    return (x0 + x1) // 2, (y0 + y1) // 2


def blank_field(
    view: View, target: Target, grounder: PhraseGrounder, exclude: Collection[int]
) -> list[Match]:
    """A field the detector could not see because nothing frames it, as a match to type into:
    the space right of its label ("To:" -> the rest of that line) when the target names one,
    else (a text area) the tallest empty band under the page's last line. [] when neither."""
    h, w = view.frame.shape[:2]
    if target.text:
        found = grounder.rank(view.parse, Query(text=target.text), exclude=exclude, limit=1)
        if not found or found[0].score < SURE_LABEL:
            return []
        label = found[0].element
        x0, y0, x1, y1 = label.box
        if x1 >= w - 8:
            return []
        box = (x1 + 2, y0, w - 2, y1)
        return [_match(box, f"the line right of the label {label.text!r}", found[0].score)]
    if target.kind not in ("text_area", "any"):
        return []
    band = _blank_band(view, exclude)
    if band is None:
        return []
    top, bottom = band
    box = (4, top, w - 4, min(bottom, top + 2 * BLANK_ROWS))
    return [_match(box, f"the empty band at y {top}-{bottom}", 0.6)]


def _blank_band(view: View, exclude: Collection[int]) -> tuple[int, int] | None:
    """The tallest run of rows (top, bottom) with nothing drawn in them, below the page's
    content lines, at least BLANK_ROWS tall, or None."""
    frame = view.frame.astype(np.int16)
    lines = [e.box[3] for e in view.parse.elements if e.text.strip() and e.id not in exclude]
    start = max(lines, default=0)
    page = np.median(frame.reshape(-1, 3), axis=0)
    ink = (np.abs(frame - page).max(axis=-1) > 40).mean(axis=1) > 0.01
    best: tuple[int, int] | None = None
    run = None
    for y in range(start, len(ink) + 1):
        if y < len(ink) and not ink[y]:
            run = y if run is None else run
            continue
        tall = run is not None and y - run >= BLANK_ROWS
        if tall and run is not None and (best is None or y - run > best[1] - best[0]):
            best = (run, y)
        run = None
    return best


def _match(box: tuple[int, int, int, int], why: str, score: float) -> Match:
    el = UIElement(-1, box, "text_input", "", True, score)
    x = box[0] + min(12, (box[2] - box[0]) // 2)
    return Match(el, score, (why,), (x, (box[1] + box[3]) // 2))


def panel_lines(view: View, reader: TextReader | None, read_all: bool = False) -> list[UIElement]:
    """The text lines of panels the parse read no text in (an opened menu the detector took
    for one box), each read by OCR, as elements: a menu's items become targets like any
    text. With `read_all`, panels the parse read words in too (a menu drawn over the page,
    parsed merged with what it covers). Ids follow the parse's."""
    if reader is None:
        return []
    frame = view.frame.astype(np.int16)
    boxes = []
    for el in view.parse.elements:
        x0, y0, x1, y1 = el.box
        if (el.text.strip() and not read_all) or y1 - y0 < 2 * LINE_MIN:
            continue
        if x1 - x0 < min(PANEL_MIN, WORD_ASPECT * (y1 - y0)):
            continue  # narrower than a panel and than a word: a glyph
        region = frame[y0:y1, x0:x1]
        ink = np.abs(region - np.median(region.reshape(-1, 3), axis=0)).max(axis=-1) > 60
        # A long vertical line is a panel's side (a menu drawn over the page): text is read
        # between such lines, never across them; long rules across are not text either.
        sides = ink.mean(axis=0) > 0.5
        ink[:, sides] = False
        ink[ink.mean(axis=1) > 0.8, :] = False
        cuts = [0, *np.nonzero(sides)[0].tolist(), ink.shape[1]]
        columns = [
            (a + left, a + right)
            for a, b in zip(cuts, cuts[1:], strict=False)
            for left, right in _runs(ink[:, a:b].any(axis=0), LINE_MIN, gap=LINE_MIN)
        ]
        for left, right in columns:
            for top, bottom in _runs(ink[:, left:right].any(axis=1), LINE_MIN):
                xs = np.nonzero(ink[top:bottom, left:right].any(axis=0))[0]
                box = (x0 + left + int(xs[0]) - 1, y0 + top - 1, x0 + left + int(xs[-1]) + 2)
                boxes.append((*box, y0 + bottom + 1))
    if not boxes:
        return []
    boxes = [(b[0], b[1], b[2], b[3]) for b in boxes]
    texts = reader.read(view.text_frame, [(b, "text") for b in boxes])
    first = max((e.id for e in view.parse.elements), default=0) + 1
    return [
        UIElement(first + i, b, "text", text, True, score)
        for i, (b, (text, score)) in enumerate(zip(boxes, texts, strict=True))
        if text.strip()
    ]


def _runs(marks: np.ndarray, least: int, gap: int = 1) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in `marks` at least `least` long, runs closer than
    `gap` joined (the letters of a line, the words of a column)."""
    runs: list[list[int]] = []
    for i in np.nonzero(marks)[0]:
        if runs and i - runs[-1][1] < gap:
            runs[-1][1] = int(i) + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [(a, b) for a, b in runs if b - a >= least]


def find_in_panels(
    view: View,
    target: Target | None,
    grounder: PhraseGrounder,
    reader: TextReader | None,
    exclude: Collection[int],
    read_all: bool = False,
) -> list[Match]:
    """`target` among the lines of textless panels (`panel_lines`; every panel's with
    `read_all`), best first."""
    from dataclasses import replace

    from perception.screen.step_grounding import find_target

    if target is None or not target.text:
        return []
    # lines read in the excluded elements (the task's banner) are no panel's
    banner = [e.box for e in view.parse.elements if e.id in exclude]
    lines = [
        e
        for e in panel_lines(view, reader, read_all)
        if not any(icons.covered(e.box, b) > 0.5 for b in banner)
    ]
    if not lines:
        return []
    parse = replace(view.parse, elements=(*view.parse.elements, *lines))
    ids = {e.id for e in lines}
    plain = replace(target, relation=None, anchor=None)  # the menu is the item's own
    hits = [
        m
        for m in find_target(parse, view.frame, plain, grounder, exclude=exclude)
        if m.element.id in ids
    ]
    # The line's element is only the words' spot: the panel's other detections overlap the
    # line, and a click must land on the words, not beside them.
    return [replace(m, element=replace(m.element, box=_spot(m.point))) for m in hits]


def _spot(point: tuple[int, int]) -> tuple[int, int, int, int]:
    x, y = point
    return (x - 3, y - 3, x + 4, y + 4)


def anchor_nudge(
    view: View, target: Target | None, grounder: PhraseGrounder, exclude: Collection[int]
) -> Scroll | None:
    """A small scroll down when the item a missing target belongs to shows in the lower half
    of the frame: its actions (and the menu its "more" glyph opens) are below it, likely off
    screen, and a full scroll would carry the item itself away."""
    if target is None or target.anchor is None or not target.anchor.text:
        return None
    found = grounder.rank(view.parse, Query(text=target.anchor.text), exclude=exclude, limit=1)
    if not found or found[0].score < ANCHOR_SURE:
        return None
    h, w = view.frame.shape[:2]
    if found[0].element.box[1] < h // 2:
        return None
    return Scroll(0, 1, w // 2, h // 2)
