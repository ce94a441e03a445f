"""The plan policy's read step: keep what the instruction asks to read or work out as the answer
later steps type or report: the n-th word or line of the page, the value beside a named key,
the solution of a formula shown on the page or in the instruction, or the text of a field or
text area, copied to the clipboard (select all, copy) so that a later "paste it" pastes the
very characters. A mixin of `PlanWebPolicy`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Action, Click, Key, Type
from perception.instructions.plan import ALL, Target
from perception.screen.parser import UIElement, norm_text
from perception.screen.phrase_grounding import text_score
from perception.screen.runs import true_runs
from policies.house.web.arithmetic import solve
from policies.house.web.framed import Box, covered_by, framed_boxes, holds_words
from policies.house.web.page_cues import grow, overlaps, page_text, value_beside, words
from policies.house.web.pixels import edge_mask, grey
from policies.house.web.plan_state import StepState
from policies.house.web.view import View

REREAD_SURE = 0.8  # OCR confidence a line read again as one band needs to replace the parse's
INK_STEP = 60  # grey levels from a text region's background that count as ink
TALL_ROW = 1.7  # a row of ink this many typical rows high is two rows touching
_NTH_UNIT = re.compile(r"(\d+)\w*\s+(word|line)")
COPY_KINDS = ("text_area", "text_field")  # a read of their "text" copies it
WORKED_OUT = frozenset(("solution", "sum", "product", "difference", "quotient"))  # computed
LABEL_MATCH = 0.6  # how well a field's label must match a key shown elsewhere
ROW_SLACK = 0.5  # pieces of one row: centres closer than this many line heights
KEY_SURE = 0.8  # a key read this well in the parse is the one named; else rows are read again
CELL_INK = 100  # grey levels off the page that are a word's ink (light borders: ~70 off white)
RULE_MIN = 20  # pixels: a level run of ink at least this long is a rule between rows
BORDER_STEP = 24  # grey levels off the page of a column that parts two cells top to bottom
MIN_CELL = 3  # pixels wide
CELL_GAP = 0.8  # a blank this many row heights wide parts two cells of a row (a word space: ~0.3)


class ReadSteps:
    """Read steps of the plan policy (mixed into `PlanWebPolicy`)."""

    _answer: str
    _copied: bool
    _filled: list[tuple[int, int, int, int]]
    _instruction: str
    parser: Any

    def _read(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Keep what the step asks to read as the answer later steps use."""
        step = state.step
        target = step.target
        if step.answer == "text" and target is not None and target.kind in COPY_KINDS:
            return self._copy(view, state, notes)
        nth = _NTH_UNIT.search(step.answer or "")
        solved = solve(step.answer or "")
        if solved is not None:  # "what is 7 x 8"
            self._answer = solved
        elif step.answer in WORKED_OUT and (
            target is None or not target.text or solve(target.text)
        ):
            self._answer = self._solution(view, target) or self._answer
        elif nth is not None:
            n, unit = int(nth.group(1)), nth.group(2)
            lines = self._lines_read_whole(view)
            items = lines if unit == "line" else [w for t in lines for w in words(t)]
            if 0 < n <= len(items):
                self._answer = items[n - 1]
        elif target is not None and target.text:
            key = self._find(view, target, state, limit=1)
            reader = getattr(self.parser, "reader", None)
            sure = key and text_score(target.text, key[0].element.text)[0] >= KEY_SURE
            if sure:  # the value's cell read again whole: the parse may cut a letter off
                self._answer = _value_right_of(view, key[0].element, reader)
            else:  # the parse missed the key's cell: the rows of ink read cell by cell
                inked = _value_in_ink_rows(view, target.text, reader)
                if inked or key:
                    self._answer = inked or _value_right_of(view, key[0].element, reader)
        notes["answer"] = self._answer
        return None

    def _lines_read_whole(self, view: View) -> list[str]:
        """The page's text lines, each read again as one band: the parse's OCR of a line's parts
        may garble it ("placerat pellentesque." read "Alaceratusenmsre"); a sure re-reading wins."""
        lines = page_text(view, self._instruction)
        reader = getattr(self.parser, "reader", None)
        if reader is None or not lines:
            return [e.text for e in lines]
        top = view.banner_bottom()  # boxes of text OCR read nothing in hold rows too
        blank = [e for e in view.content() if e.kind == "text" and not e.text.strip()]
        blank = [e for e in blank if e.box[1] >= top and e not in lines]
        rows = ink_rows(view.frame, sorted(lines + blank, key=lambda e: e.box[1]))
        if rows:  # each row of ink read on its own: a line box may hold two rows, or half one
            # read at two margins, the surer kept: a letter at a row's end reads either way
            loose = [(b[0] - 1, b[1] - 1, b[2] + 1, b[3] + 1) for b in rows]
            both = reader.read(view.text_frame, [(b, "text") for b in rows + loose])
            pairs = zip(both[: len(rows)], both[len(rows) :], strict=True)
            read = [max(p, q, key=lambda r: r[1]) for p, q in pairs]
            if all(text.strip() and sure >= REREAD_SURE for text, sure in read):
                return [text for text, _ in read]
        bands = [(_own_band(e, lines), "text") for e in lines]
        texts = reader.read(view.text_frame, bands + [(e.box, "text") for e in lines])
        cut, whole = texts[: len(lines)], texts[len(lines) :]
        # the band's reading wins only where it is surer than the line's own box read again
        # (a band may take in a letter of a neighbour on the row: "ullamcorper e")
        return [
            text if text.strip() and sure >= REREAD_SURE and sure > own else e.text
            for e, (text, sure), (_, own) in zip(lines, cut, whole, strict=True)
        ]

    def _solution(self, view: View, target: Target | None) -> str | None:
        """The solution of the formula the instruction names, else of the first one the page
        shows (a line, or the pieces of one row read apart: "3", "+", "4 =")."""
        if target is not None and target.text:
            solved = solve(target.text)
            if solved is not None:
                return solved
        lines = page_text(view, self._instruction)
        rows = _rows(lines)
        reader = getattr(self.parser, "reader", None)
        if reader is not None:  # a row read whole: large digits split into pieces read apart
            width = view.parse.width  # the whole band: the detector may cut a digit off
            bands = [_trim(view.frame, _band(r, width)) for r in rows]
            texts = reader.read(view.text_frame, [(b, "text") for b in bands])
            row_texts = [t for t, _ in texts]
        else:
            row_texts = [" ".join(e.text for e in r) for r in rows]
        pairs = [f"{a} {b}" for a, b in zip(row_texts, row_texts[1:], strict=False)]
        for text in row_texts + pairs + [e.text for e in lines]:  # a formula may wrap
            solved = solve(text)
            if solved is not None:
                return solved
        return None

    def _fill_by_labels(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Each empty field, top to bottom, takes the value the page shows for its label
        elsewhere (a table row "Religion | Sikhism" for the field labelled "Religion:")."""
        if state.phase == "focused" and state.element is not None:
            state.phase = "start"
            return Type(self._answer), grow(state.element.box, view.parse), "change"
        top = view.banner_bottom()
        fields = [
            b
            for b in framed_boxes(view.frame, top)
            if not holds_words(view.frame, b) and not any(overlaps(b, a) for a in state.acted)
        ]
        reader = getattr(self.parser, "reader", None)
        for box in fields:
            label = _label_left_of(view, box, reader)
            keys = [
                (text_score(label, e.text.rstrip(":"))[0], e)
                for e in page_text(view, self._instruction)
                if e.box[3] <= box[1] and label
            ]
            if not keys:
                continue
            score, key = max(keys, key=lambda k: k[0])
            if score < LABEL_MATCH:
                continue
            self._answer = _value_right_of(view, key, reader) or value_beside(view, key)
            state.acted.append(box)
            state.element = UIElement(-1, box, "text_input", "", True, 1.0)
            state.phase = "focused"
            notes["target"] = f"field {box} labelled {label!r}: {key.text!r} -> {self._answer!r}"
            return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"
        return None

    def _copy(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Click into the field, select all of it, copy it; its words (as read) are the answer."""
        if state.phase == "start":
            box = _source_box(view, state.step.target)
            if box is not None:
                inside = [e for e in view.content() if _holds(box, e.center) and e.text.strip()]
                text = " ".join(e.text.strip() for e in inside)
                state.element = UIElement(-1, box, "text_area", text, True, 1.0)
            else:
                hits = self._find(view, state.step.target, state, limit=1)
                if not hits:
                    return self._search(view, state, notes)
                state.element = hits[0].element
            notes["target"] = state.element.describe()
            state.phase = "focused"
            self._filled.append(state.element.box)  # a source, not a field to type into
            return Click(*state.element.center), None, "none"
        if state.phase == "focused":
            state.phase = "selected"
            return Key("ctrl+a"), None, "none"
        if state.phase == "selected":
            state.phase = "copied"
            self._copied = True
            self._answer = state.element.text.strip() if state.element is not None else ""
            notes["answer"] = self._answer
            return Key("ctrl+c"), None, "none"
        return None


def _label_left_of(view: View, box: Box, reader: object | None) -> str:
    """The words left of a field on its row (its label), read again as one band."""
    x0, y0, x1, y1 = box
    if reader is not None and x0 > 4:
        band = _trim(view.frame, (0, y0, x0, y1))
        text = reader.read(view.text_frame, [(band, "text")])[0][0]
        if text.strip():
            return text.strip().rstrip(":").strip()
    row = [
        e
        for e in view.content()
        if e.text.strip() and e.box[2] <= x0 + 4 and min(y1, e.box[3]) - max(y0, e.box[1]) > 0
    ]
    return " ".join(e.text for e in sorted(row, key=lambda e: e.box[0])).rstrip(":").strip()


def _value_right_of(view: View, key: UIElement, reader: object | None) -> str:
    """The value on the key's row right of it, read again as one band (a table's next cell)."""
    beside = value_beside(view, key)
    x0, y0, x1, y1 = key.box
    if reader is None or not beside:
        return beside
    band = (x1 + 2, y0, view.parse.width, y1)
    cells = [e for e in view.content() if e.text.strip() == beside and e.box[0] >= x1 - 2]
    if cells:  # the value's own cell, from its left border to the frame's right
        band = (max(x1 + 2, cells[0].box[0] - 4), y0, view.parse.width, y1)
    text = reader.read(view.text_frame, [(_trim(view.frame, band), "text")])[0][0].strip(" |")
    if not cells and any(ch.isalnum() for ch in text):
        return text  # the value's cell the parse missed: what it took is off the key's row
    # the band wins where it extends the parse's reading ("197" -> "1972"), not where its
    # borders garble it ("Orly" -> "Oordy") or only its case differs ("Smith", "smith")
    extends = norm_text(beside) in norm_text(text) and norm_text(beside) != norm_text(text)
    return text if extends else beside


def _value_in_ink_rows(view: View, key: str, reader: Any) -> str:
    """The cell right of the cell that reads `key`, on the rows of ink below the banner, each
    row cut into cells at wide blanks and every cell read on its own; "" when no cell reads
    the key well. For a table or list of pairs where the parse lost the key's cell."""
    import cv2

    if reader is None:
        return ""
    frame = view.frame
    top = view.banner_bottom()
    g = grey(frame[top:]).astype(np.int16)
    if g.size == 0:
        return ""
    ink = np.abs(g - int(np.median(g))) > CELL_INK
    # the rules between rows are no row of words: ink in a level run wider than any letter
    rule = max(RULE_MIN, g.shape[1] // 8)
    ruled = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, rule), np.uint8))
    ink &= ruled == 0
    rows = [(a, b) for a, b in true_runs(ink.any(axis=1)) if b - a >= 4]
    cells: list[list[Box]] = []
    for a, b in rows:
        gap = max(3, round(CELL_GAP * (b - a)))
        band = g[a:b]  # a cell's side, light as it may be, off the row's own ground
        off = np.abs(band - int(np.median(band)))
        inked = (off > CELL_INK).any(axis=0)  # a letter's faint stem has ink beside it
        beside = np.convolve(inked, np.ones(3), mode="same") > 0
        border = ((off > BORDER_STEP) & (off <= CELL_INK)).all(axis=0) & ~beside
        row: list[Box] = []
        for x0, x1 in true_runs(ink[a:b].any(axis=0)):
            if row and x0 - row[-1][2] < gap and not border[row[-1][2] : x0].any():
                row[-1] = (row[-1][0], top + a, x1, top + b)
            else:
                row.append((x0, top + a, x1, top + b))
        row = [c for c in row if c[2] - c[0] >= MIN_CELL]  # a dark rule parting two cells
        if len(row) >= 2:
            cells.append(row)
    flat = [c for row in cells for c in row]
    if not flat:
        return ""
    texts = iter(t.strip(" |") for t, _ in reader.read(frame, [(c, "text") for c in flat]))
    best, value = KEY_SURE, ""
    for row in cells:
        read = [next(texts) for _ in row]
        for i, text in enumerate(read[:-1]):
            score = text_score(key, text)[0]
            if score >= best and read[i + 1]:
                best, value = score, read[i + 1]
    return value


def _source_box(view: View, target: Target | None) -> Box | None:
    """The framed box a copy reads: the n-th of the outlined boxes below the banner that show
    words and are not buttons (a field or text area holding text), by the target's ordinal."""
    top = view.banner_bottom()
    buttons = [e.box for e in view.content() if e.kind in ("button", "icon_button")]
    boxes = [
        b
        for b in framed_boxes(view.frame, top)
        if holds_words(view.frame, b) and not covered_by(b, buttons)
    ]
    n = target.ordinal if target is not None and target.ordinal not in (None, ALL) else 1
    index = n - 1 if n > 0 else len(boxes) + n
    return boxes[index] if 0 <= index < len(boxes) else None


def _holds(box: Box, point: tuple[int, int]) -> bool:
    return box[0] <= point[0] < box[2] and box[1] <= point[1] < box[3]


def _rows(lines: list[UIElement]) -> list[list[UIElement]]:
    """The page's text pieces grouped in rows, top to bottom, each row left to right."""
    rows: list[list[UIElement]] = []
    for e in sorted(lines, key=lambda e: (e.box[1] + e.box[3]) / 2):
        mid, h = (e.box[1] + e.box[3]) / 2, e.box[3] - e.box[1]
        if rows:
            last = rows[-1][-1]
            if abs((last.box[1] + last.box[3]) / 2 - mid) <= ROW_SLACK * max(h, 1):
                rows[-1].append(e)
                continue
        rows.append([e])
    return [sorted(r, key=lambda e: e.box[0]) for r in rows]


def ink_rows(frame: np.ndarray, lines: list[UIElement]) -> list[Box]:
    """Rows of ink across the text lines' boxes, top to bottom, each cut to its own ink: the
    parse's line boxes may take two rows of a paragraph as one, or one row in pieces. Empty
    when some line lies on no row (the boxes hold more than rows of text)."""
    h, w = frame.shape[:2]
    y0, y1 = max(0, min(e.box[1] for e in lines)), min(h, max(e.box[3] for e in lines))
    pad = int(np.median([e.box[3] - e.box[1] for e in lines]))  # a line box may cut a letter
    x0, x1 = max(0, min(e.box[0] for e in lines) - pad), min(w, max(e.box[2] for e in lines) + pad)
    g = grey(frame[y0:y1, x0:x1]).astype(np.int16)
    if g.size == 0:
        return []
    ink = np.abs(g - int(np.median(g))) > INK_STEP
    runs = true_runs(ink.any(axis=1))
    if not runs:
        return []
    typical = float(np.median([b - a for a, b in runs]))
    split: list[tuple[int, int]] = []
    for a, b in runs:  # rows touching (a descender on the next row's ascender) are cut apart
        if b - a > TALL_ROW * typical:
            counts = ink[a:b].sum(axis=1)
            third = (b - a) // 3
            cut = a + third + int(np.argmin(counts[third : b - a - third]))
            split += [(a, cut), (cut, b)]
        else:
            split.append((a, b))
    rows: list[Box] = []
    for a, b in split:
        mid = y0 + (a + b) / 2
        near = [e for e in lines if e.box[1] <= mid <= e.box[3]]
        if not near:
            continue
        ra = max(0, min(e.box[0] for e in near) - x0 - pad)
        rb = max(e.box[2] for e in near) - x0 + pad
        cols = np.nonzero(ink[a:b, ra:rb].any(axis=0))[0]
        if len(cols):
            left = x0 + ra + int(cols[0])
            rows.append((left, y0 + a, left + int(cols[-1]) + 1, y0 + b))  # the reader pads
    covered = all(any(r[1] <= (e.box[1] + e.box[3]) / 2 <= r[3] for r in rows) for e in lines)
    return rows if covered else []


def _own_band(line: UIElement, lines: list[UIElement]) -> Box:
    """`line`'s box cut where it overlaps the lines above and below it (halfway into each
    overlap), so a re-reading sees no half letters of its neighbours."""
    x0, y0, x1, y1 = line.box
    top, bottom = y0, y1
    for e in lines:
        ex0, ey0, ex1, ey1 = e.box
        if e is line or ex1 <= x0 or ex0 >= x1:
            continue
        if ey0 < y0 < ey1 <= y1:  # the line above reaches into this one
            top = max(top, (y0 + ey1) // 2)
        elif y0 <= ey0 < y1 < ey1:  # the line below starts inside this one
            bottom = min(bottom, (ey0 + y1 + 1) // 2)
    return (x0, top, x1, bottom) if bottom - top >= 6 else line.box


def _band(row: list[UIElement], width: int) -> Box:
    """The row's band across the whole frame."""
    return 0, min(e.box[1] for e in row), width, max(e.box[3] for e in row)


def _trim(frame: np.ndarray, box: Box) -> Box:
    """`box` shrunk to the ink inside it (OCR misses a digit in a box much taller than it)."""
    x0, y0, x1, y1 = box
    ink = edge_mask(frame)[y0:y1, x0:x1]
    ys, xs = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if not len(ys):
        return box
    return (
        max(0, x0 + int(xs[0]) - 2),
        max(0, y0 + int(ys[0]) - 2),
        x0 + int(xs[-1]) + 3,
        y0 + int(ys[-1]) + 3,
    )
