"""Lines of text found by their drawing: glyph edges merged into words, words into lines.

The learned detector was trained on small frames; on a 1280x720 page it breaks a paragraph
into word pieces and runs of letters, so OCR reads "ombobox" and a link's name is never seen
whole. Printed text has one look everywhere: short, dense strokes in a row, a line's words a
space apart. This numpy/OpenCV pass finds those rows in the frame's edges, so the parser can
read each line once and a phrase can match a run of words inside it. Pixels only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.errors import missing_extra
from perception.screen.runs import longest_run, true_runs
from perception.screen.styled_runs import INK, ink_mask, styled_runs, word_runs

EDGE = 48  # a luminance step inside a 3x3 window that counts as a glyph's edge
LINE_H = (7, 60)  # a line's height, pixels (small print to a page title)
GLUE = 7  # pixels: letters of a word (and words of body text) are closer than this
WORD_GAP = 0.9  # pieces on one row join into a line when the gap is under this x their height
MIN_DENSITY = 0.3  # share of a piece's box its (glued) strokes fill: outlines and rules are thin


@dataclass(frozen=True)
class TextLine:
    """A row of words: box (x0, y0, x1, y1, frame pixels)."""

    box: tuple[int, int, int, int]


def find_text_lines(frame: np.ndarray) -> list[TextLine]:
    """Lines of text drawn on an (H, W, 3) uint8 frame, top to bottom."""
    try:
        import cv2
    except ImportError:
        raise missing_extra("opencv-python (via rapidocr-onnxruntime)", "house") from None
    gray = cv2.cvtColor(np.ascontiguousarray(frame[..., :3]), cv2.COLOR_RGB2GRAY)
    kernel = np.ones((3, 3), np.uint8)
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, kernel)
    ink = (grad > EDGE).astype(np.uint8)
    glued = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, GLUE), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(glued, connectivity=8)
    pieces = []
    walls: list[tuple[int, int, int]] = []  # (x, y0, y1): a framed box's side words stand by
    for x, y, w, h, area in stats[1:n]:
        if h < LINE_H[0] or w < 4 or h > 3 * LINE_H[1]:
            continue
        if area < MIN_DENSITY * w * h:  # a frame, a rule, a box's outline
            continue
        spans = _beside_frame(glued[y : y + h, x : x + w])
        if len(spans) > 1:
            side = spans[0][1] if spans[1][0] >= spans[0][1] else spans[0][0]
            walls.append((int(x + side), int(y), int(y + h)))
        for a, b in spans:
            if _framed(glued[y : y + h, x + a : x + b]):
                continue  # a button's or a tab row's frame, not words
            for y0, y1 in _rows_of(ink[y : y + h, x + a : x + b]):
                if LINE_H[0] <= y1 - y0 <= LINE_H[1]:
                    pieces.append([int(x + a), int(y + y0), int(x + b), int(y + y1)])
    lines = _join_rows(pieces, walls)
    # a lone glyph-sized mark (a list bullet, a dot) is no line to read; a lone character (a
    # page number) is
    return [TextLine(b) for b in lines if b[2] - b[0] >= max(10, 0.9 * (b[3] - b[1])) or _char(b)]


CHAR_H = 11  # px: a lone mark this tall or taller may be one character (a bullet is smaller)
CHAR_W = 0.35  # ... when at least this share of its height wide (a rule or a bar "|" is thinner)


def _char(box: tuple[int, ...]) -> bool:
    """Whether a lone narrow mark is shaped like one printed character: a page number, "1"."""
    w, h = box[2] - box[0], box[3] - box[1]
    return CHAR_H <= h <= LINE_H[1] and CHAR_W * h <= w < h


def _beside_frame(piece: np.ndarray) -> list[tuple[int, int]]:
    """Column spans of a glued piece: a framed box at one end (a button drawn across its top
    and bottom) apart from the words glued to its side (a link just after a button), else
    the whole piece. Left whole, the button's sides make every row of the pair ink and the
    words beside it are read as one tall line with the button."""
    h, w = piece.shape
    whole = [(0, w)]
    if h < 10:
        return whole
    a, b = longest_run(piece[:2].any(axis=0) & piece[-2:].any(axis=0))
    if b - a < 2 * h or b - a > w - GLUE or (a > 2 and b < w - 2):
        return whole
    rest = (b, w) if a <= 2 else (0, a)
    if not piece[:, rest[0] : rest[1]].any():
        return whole
    return [(a, b), rest]


def _framed(piece: np.ndarray) -> bool:
    """Whether a piece is drawn across its top and its bottom with little just inside them:
    the border of a button (or of a row of them), where words fill rows below their tops."""
    if piece.shape[0] < 10:
        return False
    rows = piece.mean(axis=1)
    top, bottom = rows[:2].max(), rows[-2:].max()
    return bool(
        top >= 0.5 and bottom >= 0.5 and rows[2:5].min() < 0.25 * top
        and rows[-5:-2].min() < 0.25 * bottom
    )  # fmt: skip


def _rows_of(ink: np.ndarray) -> list[tuple[int, int]]:
    """The bands of rows that hold strokes: two lines glued by a framed word (a `code` box)
    touch only through that frame's sides, so the rows between them are nearly empty."""
    return true_runs(ink.sum(axis=1) > max(2, 0.02 * ink.shape[1]))


def _join_rows(
    pieces: list[list[int]], walls: list[tuple[int, int, int]] = ()
) -> list[tuple[int, int, int, int]]:
    """Pieces that share a row and stand a word-space apart, joined left to right; never
    across a framed box's side (`walls`: x, y0, y1): a button's words and a link beside it."""
    pieces.sort(key=lambda b: b[0])
    lines: list[list[int]] = []
    for b in pieces:
        h = b[3] - b[1]
        joined = False
        for line in reversed(lines[-40:]):
            lh = line[3] - line[1]
            overlap = min(line[3], b[3]) - max(line[1], b[1])
            if overlap < 0.6 * min(h, lh) or max(h, lh) > 1.8 * min(h, lh):
                continue
            gap = b[0] - line[2]
            if any(line[2] <= x <= b[0] and y0 <= b[1] and b[3] <= y1 for x, y0, y1 in walls):
                continue
            if -2 <= gap <= WORD_GAP * max(h, lh) or (gap < 0 and b[0] < line[2]):
                line[0], line[1] = min(line[0], b[0]), min(line[1], b[1])
                line[2], line[3] = max(line[2], b[2]), max(line[3], b[3])
                joined = True
                break
        if not joined:
            lines.append(list(b))
    out = [tuple(line) for line in lines]
    out.sort(key=lambda b: (b[1], b[0]))
    return out  # type: ignore[return-value]


def count_words(frame: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """How many words a one-row region of `frame` shows: runs of ink columns a word space
    apart (a cheap look at a line's shape before reading it; 0 when it holds no ink)."""
    return len(word_spans(frame, box))


def word_spans(frame: np.ndarray, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Column spans (x0, x1, frame pixels) of the words a one-row region of `frame` shows."""
    x0, y0, x1, y1 = box
    region = frame[y0:y1, x0:x1, :3].astype(np.int16)
    if region.shape[0] < 4 or region.shape[1] < 4:
        return []
    return [(x0 + a, x0 + b) for a, b in word_runs(ink_mask(region))]


# Detector kinds whose box is read inside its frame: a line inside one is that control's text.
_FRAMED = ("button", "tab", "dropdown")  # a field's words (value, placeholder) stay lines
# Control kinds the detector puts on words in running text (a checkbox on a heading's "o").
_WORDLIKE = ("button", "text_input", "checkbox", "tab", "dropdown", "link", "text")


def with_text_lines(frame: np.ndarray, detections: list[Any], lines: list[TextLine]) -> list[Any]:
    """`detections` with the detector's text pieces replaced by whole `lines`.

    A text or link detection mostly on lines is dropped, and so is a control the detector put
    on words (it lies inside one line). Each line not inside a framed control becomes a text
    detection, or takes the kind of a control that spans most of it (a borderless button) or
    "link" when the detector saw a link in it: one element per line, read once by OCR. A
    line with underlined or coloured words in it (`styled_runs`) is cut there: those words are
    a link of their own, the rest text.
    """
    from perception.screen.detector import Detection

    if not lines:
        return detections
    boxes = [line.box for line in lines]
    kept, absorbed = [], []
    cuts: dict[int, list[tuple[int, ...]]] = {}
    for d in detections:
        area = max(1, _area(d.box))
        best = max(range(len(boxes)), key=lambda i: _inter(d.box, boxes[i]))
        share = _inter(d.box, boxes[best]) / area
        loose = d.kind in ("text", "link") and _covered(d.box, boxes) >= 0.3
        if d.kind == "checkbox" and share >= 0.7 and _apart(frame, d.box):
            kept.append(d)  # a box with its label on one row: the line is cut round it below
            cuts.setdefault(best, []).append(d.box)
        elif loose or (d.kind in _WORDLIKE and share >= 0.7):
            absorbed.append((best, d))
        else:
            kept.append(d)
    rows = _button_rows(boxes, absorbed)
    for i, row in rows.items():
        kept.extend(row)  # buttons side by side whose frames glued into one "line": keep them
        absorbed = [(j, d) for j, d in absorbed if not (j == i and d in row)]
    framed = [d.box for d in kept if d.kind in _FRAMED]
    out = list(kept)
    # a row of boxes with their labels ("o A  o B  o C") leaves one piece per label
    pieces = [(i, p) for i, box in enumerate(boxes) for p in _cut(box, cuts.get(i, []))]
    for i, box in pieces:
        if i in rows:
            continue  # its words are read inside each of its controls
        if box[2] - box[0] < 10 and not (box == boxes[i] and _char(box)):
            continue
        if any(_inter(box, f) >= 0.6 * _area(box) for f in framed):
            continue
        mine = [d for j, d in absorbed if j == i and _inter(d.box, box) > 0]
        width = max(1, box[2] - box[0])
        spanning = [
            d for d in mine if d.kind not in ("text", "link") and d.box[2] - d.box[0] >= 0.6 * width
        ]
        if spanning:
            kind = max(spanning, key=lambda d: d.score).kind
        elif any(d.kind == "link" for d in mine):
            kind = "link"
        else:
            kind = "text"
        score = max((d.score for d in mine), default=0.5)
        runs = styled_runs(frame, box)
        if len(runs) == 1:
            out.append(Detection(box, kind, score))
            continue
        for a, b, styled in runs:
            out.append(Detection((a, box[1], b, box[3]), "link" if styled else "text", score))
    return out


ROW_COVER = 0.6  # share of a "line" two or more framed controls in it span: a row of buttons


def _button_rows(
    boxes: list[tuple[int, int, int, int]], absorbed: list[tuple[int, Any]]
) -> dict[int, list[Any]]:
    """Lines (by index) that are a row of framed controls side by side, with those controls:
    buttons a few pixels apart glue into one mark as tall as their frames, which reads as one
    line of words and would swallow each button and its name."""
    out = {}
    for i, box in enumerate(boxes):
        row = [d for j, d in absorbed if j == i and d.kind in (*_FRAMED, "text_input")]
        row.sort(key=lambda d: d.box[0])
        if len(row) < 2 or any(a.box[2] > b.box[0] + 4 for a, b in itertools.pairwise(row)):
            continue
        if sum(d.box[2] - d.box[0] for d in row) >= ROW_COVER * (box[2] - box[0]):
            out[i] = row
    return out


def words_in(detections: list[Any], lines: list[TextLine]) -> dict[tuple, tuple]:
    """For each framed control (button, tab, select) that holds one row of found words, that
    row's box: read tight round the words, a crop inside the frame clips a letter ("ign in")."""
    out = {}
    for d in detections:
        if d.kind not in _FRAMED:
            continue
        inside = [ln.box for ln in lines if _inter(ln.box, d.box) >= 0.8 * _area(ln.box)]
        if not inside:
            continue
        top = min(b[1] for b in inside)
        if all(b[1] - top < 0.5 * (b[3] - b[1]) for b in inside):  # one row
            out[tuple(d.box)] = (
                min(b[0] for b in inside), top,
                max(b[2] for b in inside), max(b[3] for b in inside),
            )  # fmt: skip
    return out


def _apart(frame: np.ndarray, box: tuple[int, ...]) -> bool:
    """Whether the strip just left and just right of `box` is bare: a check box stands apart
    from its label, a letter the detector took for a box touches its neighbours."""
    x0, y0, x1, y1 = (int(v) for v in box)
    fh, fw = frame.shape[:2]
    for a, b in ((x0 - 3, x0 - 1), (x1 + 1, x1 + 3)):
        side = frame[max(0, y0 + 2) : min(fh, y1 - 2), max(0, a) : min(fw, b)].astype(np.int16)
        if side.size == 0:
            continue
        page = np.median(side.reshape(-1, 3), axis=0)
        if float((np.abs(side - page).max(axis=-1) > INK).mean()) > 0.15:
            return False
    return True


def _cut(
    line: tuple[int, int, int, int], boxes: list[tuple[int, ...]]
) -> list[tuple[int, int, int, int]]:
    """The pieces of a line left and right of the boxes inside it."""
    out, x = [], line[0]
    for b in sorted(boxes):
        out.append((x, line[1], int(b[0]) - 2, line[3]))
        x = max(x, int(b[2]) + 2)
    out.append((x, line[1], line[2], line[3]))
    return [p for p in out if p[2] > p[0]]


def _area(b: tuple[int, ...]) -> int:
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])


def _inter(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy


def _covered(box: tuple[int, ...], lines: list[tuple[int, int, int, int]]) -> float:
    """Share of `box` that lines cover (lines do not overlap one another much)."""
    return min(1.0, sum(_inter(box, b) for b in lines) / max(1, _area(box)))


__all__ = [
    "TextLine",
    "count_words",
    "find_text_lines",
    "with_text_lines",
    "word_spans",
    "words_in",
]
