"""An icon and the caption under it taken apart: a toolbar button drawn as a glyph over its word
("Reply" under an arrow) whose edges touch on a noisy frame (JPEG ringing, a resized frame's
blur) is one mark to the glyph finder, and the classifier reads the pair as no icon at all.

The cut is made where the mark's rows thin to a few pixels, with a part above that is about
square (the glyph) and below it a band a line of text tall, about as wide as the glyph or
wider, whose rows are mostly edges, as a word's letters are (a drawn shape's lower part, a
person icon's shoulders, has edges at its outline only). Pixels only; no icon set, page or
layout is known here. `above_line` parts a glyph in the same way from the top of a line of
text under it that the parse found (the next item's name line).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[int, int, int, int]
MIN_HEIGHT = 14  # marks shorter than this are one glyph or one word, never both
THIN = 2  # edge pixels a row may hold and still part the glyph from its caption
THIN_SHARE = 0.2  # ... or this share of the mark's fullest row
MAX_CAPTION = 13  # a caption line's height, in pixels, at most
MIN_CAPTION = 5  # ... and at least this tall
WIDE = 0.8  # a caption is at least this share of the glyph's width
DENSE = 0.45  # a word's rows are mostly edges (letters), a drawn shape's only at its outline


def without_caption(box: Box, edge: np.ndarray) -> Box:
    """`box` cut to the glyph above its caption when it holds both (see the module), else as
    it is; `edge` is the frame's (h, w) bool edge mask the box was found on."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    if h < MIN_HEIGHT:
        return box
    mask = edge[y0:y1, x0:x1]
    rows = mask.sum(axis=1)
    lo, hi = int(0.45 * h), h - 3
    thin = max(THIN, THIN_SHARE * float(rows.max()))  # JPEG ringing fills the gap a little
    for cut in sorted(range(lo, hi), key=lambda r: (rows[r], -r)):
        if rows[cut] > thin:
            break
        glyph = _extent(mask[:cut])
        lower = mask[cut + 1 :].copy()
        lower[lower.sum(axis=1) <= thin] = False  # a stray speck of noise is not the word
        caption = _extent(lower)
        if glyph is None or caption is None:
            continue
        gw, gh = glyph[2] - glyph[0], glyph[3] - glyph[1]
        cw, ch = caption[2] - caption[0], caption[3] - caption[1]
        squarish = gh >= 5 and max(gw, gh) <= 1.6 * min(gw, gh)
        band = lower[caption[1] : caption[3], caption[0] : caption[2]]
        dense = float(band.mean()) >= DENSE
        if squarish and MIN_CAPTION <= ch <= MAX_CAPTION and cw >= WIDE * gw and dense:
            return (x0 + glyph[0], y0 + glyph[1], x0 + glyph[2], y0 + glyph[3])
    return box


def above_line(box: Box, edge: np.ndarray, lines: Sequence[Box], min_height: int) -> Box:
    """`box` cut at its last edge-free row above a line of text (`lines`: the parse's word
    boxes) that its lower part runs into: on a lossy frame the ringing over the next line's
    letters joins a glyph to them (a heart over a name line read as no icon). A box that
    starts inside the line (an icon among its words) or less than `min_height` above it is
    left whole; `edge` is the frame's (h, w) bool edge mask."""
    x0, y0, x1, y1 = box
    tops = [a[1] for a in lines if y0 + min_height <= a[1] < y1 and a[0] < x1 and a[2] > x0]
    if not tops:
        return box
    empty = np.nonzero(~edge[y0 : min(tops), x0:x1].any(axis=1))[0]
    empty = empty[empty >= min_height]
    if len(empty) == 0:
        return box
    glyph = _extent(edge[y0 : y0 + int(empty[-1]), x0:x1])
    if glyph is None:
        return box
    return (x0 + glyph[0], y0 + glyph[1], x0 + glyph[2], y0 + glyph[3])


def _extent(mask: np.ndarray) -> Box | None:
    """The (x0, y0, x1, y1) span of a mask's set pixels, None when it has none."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
