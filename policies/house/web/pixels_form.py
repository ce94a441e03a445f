"""Form parts found straight from pixels: framed boxes (text fields, buttons) and blue link text.

The learned detector misses or splits plain input boxes now and then; a browser draws them the
same way every time (a one-pixel grey frame with rounded corners around a white fill, a darker
two-pixel ring once focused), so a run-length scan finds them exactly. Links are the blue text
of a page (`rgb(0, 0, 238)` by default). Levels are relative to the page's and tolerate JPEG
bleeding, so a dark theme flipped to light (`canon`) and a compressed frame read the same.
Numpy only; frames are (H, W, 3) uint8 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.house.web.pixels import banner_bottom

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive

MIN_WIDTH, MIN_HEIGHT, MAX_HEIGHT = 14, 8, 64  # px: field and button sizes, small to x1.5 pages
FRAME_MAX = 200  # a frame line is darker than this (Chromium draws it at 118, a ring at 16)...
FRAME_CONTRAST = 25  # ...and this much darker than the page (a flipped dark page is ~221)
FRAME_SAT = 48  # channel spread a grey line keeps under JPEG chroma bleeding (links: ~238)
WHITE, GREY_LOW = 245, 225  # fill levels: a field's white, a button's light grey (239)
LIGHT_FILL = 170  # a control fill at least this light that is neither (a flipped dark theme)
FILL_TOL = 8  # levels this close to a fill's are that fill (anti-aliased or JPEG-noisy)
FLAT_SHARE = 0.5  # a control's inside is mostly its fill
INK_CONTRAST = 60  # text is this much darker than the fill it sits on
BLUE_MIN, BLUE_MARGIN = 90, 50  # a link's blue channel level and its lead over red/green
LEFT_MARGIN_SHARE = 16  # a line starting within 1/16 of the width starts at the margin
CLIP_EDGE = 0.33  # text this many box heights from a field's right edge is cut off
INK_MAX = 150  # text pixels are darker than this on any light fill
CENTRED_MARGIN = 0.25  # button text starts this share of the box height in (field text ~0.14)


@dataclass(frozen=True)
class FramedBox:
    """A rectangle drawn with a thin grey or dark frame; `fill` says what is inside it."""

    box: Box
    fill: str  # "white" (text field, select, date box) or "grey" (button) or "other"

    @property
    def center(self) -> tuple[int, int]:
        """The pixel in the middle of the box."""
        x0, y0, x1, y1 = self.box
        return (x0 + x1) // 2, (y0 + y1) // 2


def page_level(frame: np.ndarray) -> int:
    """The page's background level: the commonest brightest-channel value (255 on a light page,
    lower on a dark theme flipped to light)."""
    hi = frame[::2, ::2].max(axis=2)
    return int(np.bincount(hi.ravel(), minlength=256).argmax())


def _frame_mask(frame: np.ndarray, page: int) -> np.ndarray:
    """Pixels that may belong to a box's frame: near-neutral and clearly darker than the page.

    JPEG bleeds a coloured neighbour's chroma into a one-pixel grey line, so neutral allows some
    saturation; darker is relative to the page, whose level a flipped dark theme lowers.
    """
    f = frame.astype(np.int16)
    hi, lo = f.max(axis=2), f.min(axis=2)
    darkest = min(FRAME_MAX, page - FRAME_CONTRAST)
    return (hi - lo < FRAME_SAT) & (hi < darkest)


def long_runs(row: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """(start, end-exclusive) of True runs at least `min_len` long in a 1-D bool array."""
    padded = np.concatenate(([False], row, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [
        (int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_len
    ]


def _side(mask: np.ndarray, y0: int, y1: int, cols: range) -> int | None:
    """The column in `cols` that is frame on most rows y0..y1, if one is frame on >= 85% of them."""
    best, best_share = None, 0.85
    for c in cols:
        if 0 <= c < mask.shape[1] and y1 > y0:
            share = float(mask[y0:y1, c].mean())
            if share >= best_share:
                best, best_share = c, share
    return best


def framed_boxes(
    frame: np.ndarray, top: int | None = None, max_height: int = MAX_HEIGHT
) -> list[FramedBox]:
    """Framed rectangles below the banner (or below row `top`), in reading order."""
    page = page_level(frame)
    mask = _frame_mask(frame, page)
    top = banner_bottom(frame) if top is None else top
    h = mask.shape[0]
    runs = {y: long_runs(mask[y], MIN_WIDTH) for y in range(top, h)}
    found: list[FramedBox] = []
    for y, row_runs in runs.items():
        for a, b in row_runs:
            for y2 in range(y + MIN_HEIGHT, min(h, y + max_height)):
                if not any(abs(a - a2) <= 3 and abs(b - b2) <= 3 for a2, b2 in runs[y2]):
                    continue
                left = _side(mask, y + 2, y2 - 1, range(a - 3, a + 3))
                right = _side(mask, y + 2, y2 - 1, range(b + 2, b - 4, -1))
                if left is not None and right is not None and right - left >= MIN_WIDTH:
                    fill = _fill(frame, (left, y, right, y2), page)
                    found.append(FramedBox((left, y, right + 1, y2 + 1), fill))
                    break
    return _dedupe(found)


def _fill(frame: np.ndarray, frame_box: Box, page: int) -> str:
    """What the inside of a frame (its lines' x0, y0, x1, y1) is: white (a field), light grey (a
    button) or something else.

    The level is the commonest one inside (text covers much of a small box). A fill that is
    neither, but light and unlike the page (a dark theme flipped, where fields and buttons share
    one fill), is told by its text: a button centres a label, a field is blank or starts its
    text at the edge. A frame around plain page (a bordered div) is no control.
    """
    x0, y0, x1, y1 = frame_box
    inside = frame[y0 + 2 : y1 - 1, x0 + 2 : x1 - 1].min(axis=2)
    if inside.size == 0:
        return "other"
    level = int(np.bincount(inside.ravel(), minlength=256).argmax())
    if level >= WHITE:
        return "white"
    if level >= GREY_LOW:
        return "grey"
    flat = (np.abs(inside.astype(np.int16) - level) <= FILL_TOL).mean() >= FLAT_SHARE
    if level < LIGHT_FILL or abs(level - page) <= FILL_TOL or not flat:
        return "other"
    return "grey" if _centred_text(inside < level - INK_CONTRAST, y1 - y0) else "white"


def _centred_text(ink: np.ndarray, height: int) -> bool:
    """True when the ink in a box's inside is a label set in from both edges by about as much."""
    cols = np.flatnonzero(ink.any(axis=0))
    if not len(cols):
        return False
    left, right = int(cols[0]), ink.shape[1] - 1 - int(cols[-1])
    return min(left, right) >= CENTRED_MARGIN * height and abs(left - right) <= max(3, left)


def _dedupe(boxes: list[FramedBox]) -> list[FramedBox]:
    """One box per frame (a focus ring is two pixels thick, so it is found twice); outer kept."""
    boxes = sorted(boxes, key=lambda b: -_area(b.box))
    kept: list[FramedBox] = []
    for b in boxes:
        if all(_iou(b.box, k.box) < 0.5 for k in kept):
            kept.append(b)
    return sorted(kept, key=lambda b: (b.box[1], b.box[0]))


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _iou(a: Box, b: Box) -> float:
    inter = _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    return inter / max(1, _area(a) + _area(b) - inter)


def text_fields(frame: np.ndarray) -> list[Box]:
    """Boxes of white framed rectangles (text fields, date boxes, selects), top to bottom."""
    return [b.box for b in framed_boxes(frame) if b.fill == "white"]


def blue_mask(frame: np.ndarray) -> np.ndarray:
    """Pixels of link-blue text: blue well above red and green. A flipped dark theme's links are
    a deep navy (7, 49, 117) and JPEG greys thin blue strokes, so the margin is relative."""
    f = frame.astype(np.int16)
    b = f[..., 2]
    return (b >= BLUE_MIN) & (b - np.maximum(f[..., 0], f[..., 1]) >= BLUE_MARGIN)


def row_bands(rows: np.ndarray, gap: int = 2) -> list[tuple[int, int]]:
    """Group sorted row indices into (first, last-exclusive) bands split at gaps of >= `gap`."""
    if not len(rows):
        return []
    cuts = np.flatnonzero(np.diff(rows) >= gap)
    starts = np.concatenate(([rows[0]], rows[cuts + 1]))
    ends = np.concatenate((rows[cuts] + 1, [rows[-1] + 1]))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def link_lines(frame: np.ndarray, top: int, max_left: int | None = None) -> list[Box]:
    """Blue text lines below row `top` that start at the left margin (result titles), in order.

    Only columns left of a third of the width are scanned for rows, so links further right
    (page numbers) never merge into a title's band.
    """
    max_left = frame.shape[1] // LEFT_MARGIN_SHARE if max_left is None else max_left
    blue = blue_mask(frame)
    blue[:top] = False
    left_part = blue[:, : frame.shape[1] // 3]
    out = []
    for y0, y1 in row_bands(np.flatnonzero(left_part.any(axis=1))):
        if y1 - y0 < 4:
            continue
        cols = np.flatnonzero(blue[y0:y1].any(axis=0))
        if len(cols) and cols[0] <= max_left:
            out.append((int(cols[0]), y0, int(_line_end(cols)), y1))
    return out


def _line_end(cols: np.ndarray, gap: int = 8) -> int:
    """Where a line of text that starts at cols[0] ends (the first gap of >= `gap` columns)."""
    cuts = np.flatnonzero(np.diff(cols) >= gap)
    return int(cols[cuts[0]] + 1 if len(cuts) else cols[-1] + 1)


def glyph_groups(frame: np.ndarray, band: tuple[int, int], min_x: int = 0) -> list[Box]:
    """Blue glyph clusters (separate links such as page numbers) in rows `band`, left to right."""
    y0, y1 = band
    blue = blue_mask(frame)[y0:y1, min_x:]
    cols = np.flatnonzero(blue.any(axis=0))
    out = []
    for a, b in row_bands(cols, gap=3):
        rows = np.flatnonzero(blue[:, a:b].any(axis=1))
        out.append((a + min_x, y0 + int(rows[0]), b + min_x, y0 + int(rows[-1]) + 1))
    return out


def menu_rows(frame: np.ndarray, anchor: Box) -> list[Box] | None:
    """Rows of text in a framed list that opens right under `anchor` (a suggestion menu under
    its field), top to bottom; None when no such list is on screen."""
    ax0, _, ax1, ay1 = anchor
    for fb in framed_boxes(frame, top=max(0, ay1 - 4), max_height=frame.shape[0]):
        x0, y0, x1, y1 = fb.box
        if abs(y0 - ay1) <= 4 and x0 < ax1 and x1 > ax0 and y1 - y0 > 8:
            inside = frame[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1].astype(np.int16)
            ink = inside.min(axis=2) < INK_MAX
            # lines of one wrapped suggestion sit closer than two suggestions do
            bands = row_bands(np.flatnonzero(ink.any(axis=1)), gap=6)
            return [(x0, y0 + 1 + a, x1, y0 + 1 + b) for a, b in bands if b - a >= 4]
    return None


def text_clipped(frame: np.ndarray, box: Box, edge: float = CLIP_EDGE) -> bool:
    """True when the text in a framed field runs into its right edge (the value is longer than
    the field shows, so its ending is hidden); `edge` is in box heights."""
    x0, y0, x1, y1 = box
    strip = frame[y0 + 3 : y1 - 3, max(x0, x1 - round(edge * (y1 - y0))) : x1 - 3].astype(np.int16)
    return bool(strip.size) and bool((strip.min(axis=2) < INK_MAX).any())
