"""Form controls found by their drawing: a field's frame, a checkbox's square, a radio's ring.

The learned detector misses controls on pages unlike its training data (a 1280x720 form in a
design system it never saw). Most fields, checkboxes and radios share one look everywhere: a
closed outline (or a fill unlike the page) with little or no ink inside, left-aligned when there
is some. This numpy/OpenCV pass finds those outlines in the frame's edges, so the parser can add
what the detector missed. Pixels only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from contracts.errors import missing_extra
from perception.screen.runs import longest_run

EDGE = 12  # a luminance step between neighbours that draws a line (faint field borders: ~20)
# A fainter step that only joins a shape's sides: a fill barely unlike the page (a dark theme's
# field, 14 grey levels up) fades through its rounded corners in steps under EDGE, so the sides
# never close into one outline. Used on frames at least LARGE wide (real pages), sides still
# judged on EDGE.
FAINT_EDGE = 6
LARGE = 480
SIDE = 0.8  # share of a side's middle that must be drawn for the side to count
FIELD_H = (18, 96)  # a field's height, pixels
FIELD_MIN_W = 60
AREA_H = (FIELD_H[1], 420)  # a text area's height: a taller field that may hold lines of text
BOX = (12, 34)  # a checkbox's or radio's side, pixels
GRIP = 16  # pixels: the side of a text area's resize grip
INK = 40  # a channel difference from the fill that counts as ink inside a control
CENTRED_MARGIN = 0.05  # of a box's width clear of ink at each end, for words set in its middle
CENTRED_SKEW = 0.16  # of the box's width the ink's two margins may differ by, and still centred
RULED = 0.6  # a row or column of a box inked over this share of it is an outline, not words


@dataclass(frozen=True)
class DrawnControl:
    """An outline that looks like a control: box (x0, y0, x1, y1, frame pixels) and kind."""

    box: tuple[int, int, int, int]
    kind: str  # text_input | dropdown (a field with an arrow at its right end) | checkbox


def find_drawn_controls(frame: np.ndarray) -> list[DrawnControl]:
    """Fields and check/radio boxes drawn on an (H, W, 3) uint8 frame, largest first."""
    try:
        import cv2
    except ImportError:
        raise missing_extra("opencv-python (via rapidocr-onnxruntime)", "house") from None
    lum = cv2.cvtColor(np.ascontiguousarray(frame[..., :3]), cv2.COLOR_RGB2GRAY).astype(np.int16)
    edges = _edges(lum, EDGE)
    mode = (cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    rects = {cv2.boundingRect(c) for c in cv2.findContours(edges, *mode)[0]}
    if frame.shape[1] >= LARGE:  # fields only: a box's faint outline joins letters and icons
        faint = {cv2.boundingRect(c) for c in cv2.findContours(_edges(lum, FAINT_EDGE), *mode)[0]}
        rects |= {r for r in faint if _shape_kind(r[2], r[3]) == "text_input"}
    found: list[DrawnControl] = []
    for x, y, w, h in sorted(rects):
        kind = _shape_kind(w, h)
        if kind is None or not _outlined(edges, x, y, w, h, kind):
            continue
        if kind == "text_input":
            kind = _field_kind(frame, x, y, w, h)
            if kind is None:
                continue
        if kind == "checkbox" and not _box_inside(frame, x, y, w, h):
            continue
        # an edge marks the pixel after a step, so the outline ends one pixel before
        found.append(DrawnControl((x, y, x + w - 1, y + h - 1), kind))
    return _suppress(found)


def _edges(lum: np.ndarray, step: int) -> np.ndarray:
    """1 where a pixel differs from its left or upper neighbour by more than `step` levels."""
    edges = np.zeros(lum.shape, np.uint8)
    edges[:, 1:] |= (np.abs(np.diff(lum, axis=1)) > step).astype(np.uint8)
    edges[1:, :] |= (np.abs(np.diff(lum, axis=0)) > step).astype(np.uint8)
    return edges


def _shape_kind(w: int, h: int) -> str | None:
    if FIELD_H[0] <= h <= FIELD_H[1] and w >= max(FIELD_MIN_W, 2.2 * h):
        return "text_input"
    if AREA_H[0] < h <= AREA_H[1] and w >= 1.2 * h:
        return "text_input"
    if BOX[0] <= w <= BOX[1] and BOX[0] <= h <= BOX[1] and abs(w - h) <= max(2, 0.15 * w):
        return "checkbox"
    return None


def _outlined(edges: np.ndarray, x: int, y: int, w: int, h: int, kind: str) -> bool:
    """Whether the box's sides are drawn: top and bottom and both ends for a field (their
    middles: corners may be rounded), the four side middles for a square or a ring."""
    e = edges[max(0, y - 1) : y + h + 1, max(0, x - 1) : x + w + 1]
    if e.shape[0] < 4 or e.shape[1] < 4:
        return False
    # rings touch their box only near the middles; a pill-shaped field's ends are arcs too
    m = 0.25 if kind == "checkbox" else 0.1
    cols = slice(int(e.shape[1] * m), max(int(e.shape[1] * (1 - m)), int(e.shape[1] * m) + 1))
    rows = slice(int(e.shape[0] * 0.35), max(int(e.shape[0] * 0.65), int(e.shape[0] * 0.35) + 1))
    band = 3
    top = e[:band, cols].max(axis=0).mean()
    bottom = e[-band:, cols].max(axis=0).mean()
    left = e[rows, :band].max(axis=1).mean()
    right = e[rows, -band:].max(axis=1).mean()
    return min(top, bottom, left, right) >= SIDE


def _field_kind(frame: np.ndarray, x: int, y: int, w: int, h: int) -> str | None:
    """What a field-shaped outline holds: a field (nothing, or ink that starts at its left: a
    value or placeholder, on a fill with little colour), a dropdown (the same with a down arrow
    at its right end, its choice perhaps centred in a short box), or None (a button: words in
    its middle, often on a coloured fill)."""
    inner = frame[y + 3 : y + h - 3, x + 3 : x + w - 3].astype(np.int16)
    if inner.size == 0:
        return None
    fill = np.median(inner.reshape(-1, 3), axis=0)
    if fill.max() - fill.min() > 60:  # a saturated fill: a button or a badge
        return None
    fh, fw = frame.shape[:2]
    around = frame[max(0, y - 4) : min(fh, y + h + 4), max(0, x - 4) : min(fw, x + w + 4)]
    page = np.median(np.concatenate([around[0], around[-1]]).astype(np.int16), axis=0)
    if page.mean() > 128 and page.mean() - fill.mean() > 60:  # dark fill on a light page
        return None
    ink = np.abs(inner - fill).max(axis=-1) > INK
    if _pill(frame, x, y, w, h):  # its rounded ends are outline, not words
        ink[:, : h // 2] = False
    tall = h > FIELD_H[1]  # a text area may hold lines; a one-line field holds one
    if tall:  # a text area's resize grip sits in its bottom-right corner: not its words
        ink[-GRIP:, -GRIP:] = False
    if ink.mean() > 0.35:
        return None
    arrow = False
    if not tall:  # an arrow, a calendar or a clear button at the field's right end
        end = min(round(1.2 * h), inner.shape[1] // 4)
        arrow = _down_arrow(ink[:, -end:], h)
        ink[:, -end:] = False
    kind = "dropdown" if arrow else "text_input"
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(cols) == 0:
        return kind
    rows = np.nonzero(ink.any(axis=1))[0]
    if not tall and rows.max() - rows.min() > 0.6 * inner.shape[0]:  # a card, a list item
        return None
    iw = inner.shape[1]
    starts_left = cols.min() < 0.3 * iw
    # words set in the middle of the box, a button's (measured on the ink left of the arrow's
    # end, so unlike `centred_words`, which judges a whole box)
    centred = abs((cols.min() + cols.max()) / 2 - iw / 2) < 0.08 * iw and cols.min() > 0.08 * iw
    return kind if starts_left and (arrow or not centred) else None


def box_ink(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels inside `box` (x0, y0, x1, y1; 3 px in from its sides) INK away from its fill
    (the median colour there), as an (h, w) bool mask; empty when the box is too small."""
    x0, y0, x1, y1 = box
    inner = frame[y0 + 3 : y1 - 3, x0 + 3 : x1 - 3].astype(np.int16)
    if inner.size == 0:
        return np.zeros((0, 0), bool)
    fill = np.median(inner.reshape(-1, 3), axis=0)
    return np.abs(inner - fill).max(axis=-1) > INK


def centred_words(ink: np.ndarray) -> bool:
    """Whether `ink` (an (h, w) bool mask of the inside of a field-shaped box) is words set in
    the box's middle, clear of both ends: a button's label, where a field's value or placeholder
    starts at its left and a dropdown's choice has an arrow at its right. Rows and columns
    inked over RULED of their length are the box's own outline (a loose box holds it); the
    words are the tallest run of inked rows."""
    if ink.shape[0] < 4 or ink.shape[1] < 8:
        return False
    lines = ink.mean(axis=1) < RULED
    if not lines.any():
        return False
    ink = ink & lines[:, None] & (ink[lines].mean(axis=0) < RULED)[None, :]
    top, bottom = longest_run(ink.any(axis=1))
    if bottom == top:
        return False
    cols = np.flatnonzero(ink[top:bottom].any(axis=0))
    w = ink.shape[1]
    left, right = cols[0], w - 1 - cols[-1]
    return bool(min(left, right) > CENTRED_MARGIN * w and abs(left - right) < CENTRED_SKEW * w)


def _down_arrow(ink: np.ndarray, h: int) -> bool:
    """Whether a field's right end holds one small down-pointing arrow or chevron: a glyph
    wider than tall, under 0.4 of the field's height, its rows narrowing downwards (a calendar
    or a clear button is as tall as wide)."""
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(rows) < 3 or len(cols) < 5:
        return False
    gh, gw = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    if gh > 0.4 * h or gw < 1.2 * gh or gw > 1.2 * h or len(cols) < 0.8 * gw:
        return False
    widths = [np.ptp(np.nonzero(ink[r])[0]) + 1 if ink[r].any() else 0 for r in rows]
    return widths[0] >= gw * 0.7 and widths[-1] <= max(3, 0.5 * widths[0])


def _pill(frame: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """Whether a field's ends are half circles: its top outline is drawn above its middle
    but not above its left corner (a square or slightly rounded corner is drawn there)."""
    if h < 24 or w < 3 * h:
        return False
    top = frame[y : y + 2].astype(np.int16)
    page = frame[max(0, y - 3)].astype(np.int16)  # the row above the outline
    drawn = np.abs(top - page).max(axis=-1).max(axis=0) > EDGE
    return bool(drawn[x + h : x + w - h].mean() > SIDE and not drawn[x + 2 : x + h // 5].any())


def _box_inside(frame: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """A check or radio box is mostly one fill inside its outline (a tick or dot at most) and
    stands apart from its label; a letter touches its neighbours in a word, an icon is ink."""
    inner = frame[y + 2 : y + h - 2, x + 2 : x + w - 2].astype(np.int16)
    if inner.size == 0:
        return False
    fill = np.median(inner.reshape(-1, 3), axis=0)
    if float((np.abs(inner - fill).max(axis=-1) > INK).mean()) >= 0.5:
        return False
    fh, fw = frame.shape[:2]
    y0, y1 = max(0, y + 2), min(fh, y + h - 2)
    sides = [frame[y0:y1, max(0, x - 3) : max(0, x - 1)], frame[y0:y1, x + w + 1 : x + w + 3]]
    for side in sides:
        if side.size == 0:
            continue
        side = side.astype(np.int16)
        page = np.median(side.reshape(-1, 3), axis=0)
        if float((np.abs(side - page).max(axis=-1) > INK).mean()) > 0.15:
            return False
    return _words_beside(frame, x, y, w, h)


def _words_beside(frame: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """Whether words follow the box on its row (or lead it, for a switch): a box with a label,
    not an outlined icon in a row of icons."""
    fw = frame.shape[1]
    for x0, x1 in ((x + w + 3, x + w + 3 + 4 * h), (x - 3 - 4 * h, x - 3)):
        x0, x1 = max(0, x0), min(fw, x1)
        if x1 - x0 < h:
            continue
        strip = frame[y : y + h, x0:x1].astype(np.int16)
        page = np.median(strip.reshape(-1, 3), axis=0)
        ink = np.abs(strip - page).max(axis=-1) > INK
        cols = ink.any(axis=0)
        # words: several separate strokes, not one glyph the size of the box
        if cols.mean() > 0.25 and np.count_nonzero(np.diff(cols.astype(np.int8)) == 1) >= 3:
            return True
    return False


def resize_grips(frame: np.ndarray, region: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The bottom-right ends (x, y, frame pixels) of text areas' resize grips in `region`, top
    first: two short parallel strokes rising to the right at 45 degrees, the longer one left,
    with nothing else drawn round them. A text area whose fill and border are the page's (a
    re-themed page) shows nothing else."""
    h, w = frame.shape[:2]
    x0, y0 = max(0, region[0]), max(0, region[1])
    x1, y1 = min(w, region[2]), min(h, region[3])
    area = frame[y0:y1, x0:x1, :3].astype(np.int16)
    if area.shape[0] < 12 or area.shape[1] < 12:
        return []
    ink = np.abs(area - np.median(area.reshape(-1, 3), axis=0)).max(axis=-1) > 3 * EDGE
    rows, cols = ink.shape
    # a grip's lower-left pixel (y, x): the long stroke up-right from it, the short one 4 right
    at = ink[8 : rows - 3, 2 : cols - 9].copy()
    for dy, dx in ((1, 1), (2, 2), (3, 3), (4, 4), (0, 4), (1, 5)):
        at &= ink[8 - dy : rows - 3 - dy, 2 + dx : cols - 9 + dx]
    at &= ~ink[8 : rows - 3, 4 : cols - 7]
    found = []
    for y, x in zip(*(np.nonzero(at)[0] + 8, np.nonzero(at)[1] + 2), strict=True):
        window = ink[y - 8 : y + 3, x - 2 : x + 9]
        if window.sum() <= 14 and not window[-2:].any():  # the grip alone, nothing below it
            end = int(np.nonzero(ink[y - 8 : y + 1, x + 5 : x + 9].any(axis=0))[0].max())
            found.append((int(x0 + x + 5 + end + 1), int(y0 + y + 1)))
    return found


def nothing_drawn(frame: np.ndarray, box: tuple[int, ...], pad: int = 2) -> bool:
    """Whether a box of an (H, W, 3) frame (with `pad` pixels round it) is one even colour:
    no outline, fill or ink, so no control (a detection on a blank stretch of page)."""
    h, w = frame.shape[:2]
    x0, y0 = max(0, int(box[0]) - pad), max(0, int(box[1]) - pad)
    x1, y1 = min(w, int(box[2]) + pad), min(h, int(box[3]) + pad)
    region = frame[y0:y1, x0:x1, :3].astype(np.int16)
    if region.size == 0:
        return True
    fill = np.median(region.reshape(-1, 3), axis=0)
    return bool((np.abs(region - fill).max(axis=-1) > EDGE).mean() < 0.005)


def _suppress(found: list[DrawnControl]) -> list[DrawnControl]:
    """One control per outline: a border's inner and outer edges give two nested boxes."""
    kept: list[DrawnControl] = []
    for c in sorted(found, key=lambda c: -_area(c.box)):
        if all(_iou(c.box, k.box) < 0.6 for k in kept):
            kept.append(c)
    # A frame around a field (a card, an input group) is not a field itself.
    fields = ("text_input", "dropdown")
    return [
        c
        for c in kept
        if c.kind not in fields
        or not any(o is not c and o.kind in fields and _inside(o.box, c.box) for o in kept)
    ]


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether box a lies within box b."""
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1


def _area(b: tuple[int, int, int, int]) -> int:
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, _area(a) + _area(b) - inter)


def with_drawn_controls(frame: np.ndarray, detections: list[Any]) -> list[Any]:
    """`detections` completed by the fields, dropdowns and check/radio boxes drawn on `frame`
    (`drawn_controls`). Control detections that are pieces of one drawn field (as tall as it
    and inside it: the detector split a wide field it took for buttons or tabs) become that
    field (a dropdown when it or a piece is one); a drawn control no detection stands for
    (IoU > 0.4) is added, scored 0.5, and a check box detection takes the drawn box it stands
    for (the outline is where the box is, to the pixel). Text inside a field (its value or
    placeholder) stays as it is. A button detection over a drawn field and a button joined
    to its side is parted into the two."""
    from perception.screen.detector import Detection

    out = list(detections)
    for c in find_drawn_controls(frame):
        controls = [d for d in out if d.kind != "text"]
        if c.kind in ("text_input", "dropdown"):
            pieces = [
                d for d in controls if d.kind in _FIELD_LOOKALIKES and _piece_of(d.box, c.box)
            ]
            if pieces:
                dropdown = c.kind == "dropdown" or any(d.kind == "dropdown" for d in pieces)
                score = max(d.score for d in pieces)
                out = [d for d in out if not any(d is p for p in pieces)]
                out.append(Detection(c.box, "dropdown" if dropdown else "text_input", score))
                continue
            joined = [d for d in controls if d.kind == "button" and _rest_of(c.box, d.box)]
            if joined:  # one "button" over a field and the button joined to its side
                d = joined[0]
                out = [o for o in out if o is not d]
                out += [Detection(c.box, c.kind, d.score), replace(d, box=_rest_of(c.box, d.box))]
                continue
        same = [d for d in controls if _iou(c.box, d.box) > 0.4]
        if not same:
            out.append(Detection(c.box, c.kind, 0.5))
        elif c.kind == "checkbox":
            out = [replace(d, box=c.box) if d in same and d.kind == "checkbox" else d for d in out]
    return out


def _rest_of(field: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The part of detection `b` beside the drawn `field` it holds, when `b` is about as tall
    as the field and reaches past only one of its sides by a button's width (a search field
    and its button, seen as one): that part is the button."""
    fh = max(1, field[3] - field[1])
    inside = b[1] - 4 <= field[1] and field[3] <= b[3] + 4 and b[3] - b[1] <= 1.4 * fh
    left, right = field[0] - b[0], b[2] - field[2]
    if not inside or min(left, right) > 4 or max(left, right) < 0.8 * fh:
        return None
    if max(left, right) > 4 * fh:
        return None
    return (field[2] + 1, b[1], b[2], b[3]) if right > left else (b[0], b[1], field[0] - 1, b[3])


def _piece_of(a: tuple[int, ...], field: tuple[int, ...]) -> bool:
    """Whether box `a` is a piece of `field`: mostly inside it and at least half as tall."""
    ix = max(0, min(a[2], field[2]) - max(a[0], field[0]))
    iy = max(0, min(a[3], field[3]) - max(a[1], field[1]))
    area = max(1, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy >= 0.7 * area and (a[3] - a[1]) >= 0.5 * (field[3] - field[1])


# Detector kinds a drawn field (an outline with left-aligned words or none) is mistaken for.
_FIELD_LOOKALIKES = ("button", "link", "tab", "text_input", "dropdown")


__all__ = [
    "DrawnControl",
    "box_ink",
    "centred_words",
    "find_drawn_controls",
    "nothing_drawn",
    "resize_grips",
    "with_drawn_controls",
]
