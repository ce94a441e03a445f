"""Pixel geometry for reading skills: text lines, words, ruled grids and icons, found with numpy.

The screen detector finds elements but often merges a paragraph into one box or splits a table
oddly; these helpers measure ink and rules directly on the (H, W, 3) uint8 RGB frame, then read
the small regions they find again, upscaled, with the OCR reader. No DOM, no page script.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from perception.ocr import TextReader

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive
INK_CONTRAST = 70  # grey levels between ink and its background
RULE_GREY = 215  # a table or card rule is darker than this and at least RULE_MIN_LEN long
RULE_MIN_LEN = 40


def default_reader() -> TextReader:
    """The parser's own OCR reader (one per process, see `perception.ocr.shared_reader`)."""
    from perception.ocr import shared_reader

    return shared_reader()


def grey(frame: np.ndarray) -> np.ndarray:
    """(H, W) float grey levels 0-255 of an RGB frame."""
    return frame[..., :3].astype(np.float32).mean(axis=2)


def ink_mask(frame: np.ndarray, box: Box, contrast: float = INK_CONTRAST) -> np.ndarray:
    """(h, w) bool: pixels of `box` that differ from the region's dominant (background) grey."""
    x0, y0, x1, y1 = box
    g = grey(frame)[y0:y1, x0:x1]
    if g.size == 0:
        return np.zeros((max(0, y1 - y0), max(0, x1 - x0)), bool)
    background = float(np.median(g))
    return np.abs(g - background) > contrast


def runs(flags: np.ndarray, min_gap: int = 1) -> list[tuple[int, int]]:
    """(start, end) of runs of True in a 1-D array, joining runs split by gaps < `min_gap`."""
    out: list[tuple[int, int]] = []
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return out
    start = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev - 1 >= min_gap:
            out.append((start, prev + 1))
            start = i
        prev = i
    out.append((start, prev + 1))
    return out


def text_lines(frame: np.ndarray, box: Box, min_height: int = 4) -> list[Box]:
    """Boxes of the text lines inside `box`, top to bottom, each tight around its ink."""
    mask = ink_mask(frame, box)
    x0, y0 = box[0], box[1]
    out = []
    for a, b in runs(mask.any(axis=1), min_gap=1):
        if b - a < min_height:
            continue
        cols = np.flatnonzero(mask[a:b].any(axis=0))
        out.append((x0 + int(cols[0]), y0 + a, x0 + int(cols[-1]) + 1, y0 + b))
    return out


def words(frame: np.ndarray, line: Box, space: int | None = None) -> list[Box]:
    """Boxes of the words of one text line, left to right, split where the ink gap is a space.

    Letter gaps are 0-2 px at MiniWoB's sizes; a space is wider. Without `space`, the threshold
    is a third of the line's height, at least 3 px.
    """
    x0, y0, x1, y1 = line
    mask = ink_mask(frame, (x0, y0 - 1, x1, y1 + 1))
    gap = space if space is not None else max(3, round((y1 - y0) / 3))
    return [(x0 + a, y0, x0 + b, y1) for a, b in runs(mask.any(axis=0), min_gap=gap)]


def read_boxes(
    frame: np.ndarray,
    boxes: Sequence[Box],
    scale: int = 3,
    margin: int = 2,
    reader: TextReader | None = None,
) -> list[str]:
    """Text of each box, read from its crop upscaled `scale` times (small glyphs read better)."""
    from PIL import Image

    reader = reader or default_reader()
    h, w = frame.shape[:2]
    out = []
    for x0, y0, x1, y1 in boxes:
        xa, ya = max(0, x0 - margin), max(0, y0 - margin)
        xb, yb = min(w, x1 + margin), min(h, y1 + margin)
        if xb - xa < 2 or yb - ya < 2:
            out.append("")
            continue
        g = grey(frame[ya:yb, xa:xb]).astype(np.uint8)
        if np.median(g) < 160:  # light text on a dark or coloured fill (a hovered item)
            g = 255 - g
        crop = Image.fromarray(np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2)))
        up = np.asarray(crop.resize((crop.width * scale, crop.height * scale), Image.LANCZOS))
        text, _ = reader.read(up, [((0, 0, up.shape[1], up.shape[0]), "button")])[0]
        out.append(text.strip())
    return out


def h_rules(frame: np.ndarray, box: Box, min_len: int = RULE_MIN_LEN) -> list[tuple[int, int, int]]:
    """(y, x0, x1) of horizontal rules in `box`: runs of one row darker than the page, long
    enough not to be text; adjacent rows of one thick rule come back once."""
    x0, y0, x1, y1 = box
    g = grey(frame)[y0:y1, x0:x1]
    found: list[tuple[int, int, int]] = []
    for r in range(g.shape[0]):
        row = g[r]
        for a, b in runs(row < RULE_GREY):
            if b - a >= min_len and float(np.ptp(row[a:b])) < 40:
                if found and found[-1][0] == y0 + r - 1 and abs(found[-1][1] - (x0 + a)) <= 2:
                    found[-1] = (y0 + r, x0 + a, x0 + b)
                    continue
                found.append((y0 + r, x0 + a, x0 + b))
    return found


def v_rules(frame: np.ndarray, box: Box, min_share: float = 0.9) -> list[int]:
    """x of vertical rules crossing `box`: columns darker than the page over `min_share` of it."""
    x0, y0, x1, y1 = box
    g = grey(frame)[y0:y1, x0:x1]
    if g.size == 0:
        return []
    dark = (g < RULE_GREY).mean(axis=0) >= min_share
    return [x0 + (a + b) // 2 for a, b in runs(dark)]


def blobs(
    frame: np.ndarray, box: Box, min_gap: int = 3, contrast: float = INK_CONTRAST
) -> list[Box]:
    """Boxes of separate ink blobs (icons, words) in `box`, left to right; pale icons need a
    lower `contrast`."""
    x0, y0, x1, y1 = box
    mask = ink_mask(frame, box, contrast) if (x1 > x0 and y1 > y0) else np.zeros((0, 0), bool)
    out = []
    for a, b in runs(mask.any(axis=0), min_gap=min_gap):
        rows = np.flatnonzero(mask[:, a:b].any(axis=1))
        out.append((x0 + a, y0 + int(rows[0]), x0 + b, y0 + int(rows[-1]) + 1))
    return out


def content_top(frame: np.ndarray, limit: int = 80) -> int:
    """First row below the instruction banner: where rows stop showing the top-left corner's colour
    (text in the banner covers up to two thirds of a row, so a tenth is the cut)."""
    corner = frame[1, 1, :3].astype(np.int16)
    for y in range(min(limit, frame.shape[0])):
        row = frame[y, :, :3].astype(np.int16)
        if (np.abs(row - corner).sum(axis=1) < 30).mean() < 0.1:
            return y
    return 0


def bands(frame: np.ndarray, top: int | None = None) -> list[Box]:
    """Ink bands of the page below the banner: text lines (short) and framed widgets (tall)."""
    y0 = content_top(frame) if top is None else top
    return text_lines(frame, (0, y0, frame.shape[1], frame.shape[0]))


def near(frame: np.ndarray, box: Box, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    """(h, w) bool: pixels of `box` within `tol` (summed over channels) of colour `rgb`."""
    x0, y0, x1, y1 = box
    diff = np.abs(frame[y0:y1, x0:x1, :3].astype(np.int16) - np.array(rgb, np.int16))
    return diff.sum(axis=2) <= tol


def colour_bars(
    frame: np.ndarray, rgb: tuple[int, int, int], share: float = 0.6, top: int = 0
) -> list[tuple[int, int]]:
    """(y0, y1) of row runs below `top` mostly (`share`) filled with colour `rgb` (header bars)."""
    h, w = frame.shape[:2]
    rows = near(frame, (0, top, w, h), rgb).mean(axis=1) >= share
    return [(top + a, top + b) for a, b in runs(rows, min_gap=2)]


def patches(frame: np.ndarray, box: Box, rgb: tuple[int, int, int], min_px: int = 6) -> list[Box]:
    """Boxes of spots of colour `rgb` in `box` (highlights, marks), top to bottom, left to right."""
    x0, y0, x1, y1 = box
    mask = near(frame, box, rgb, tol=30)
    out = []
    for a, b in runs(mask.any(axis=1), min_gap=2):
        for c, d in runs(mask[a:b].any(axis=0), min_gap=3):
            if mask[a:b, c:d].sum() >= min_px:
                out.append((x0 + c, y0 + a, x0 + d, y0 + b))
    return out


def marks_on_bar(frame: np.ndarray, bar: tuple[int, int], min_gap: int = 2) -> list[Box]:
    """Icons drawn on a coloured bar: blobs of pixels unlike the bar's colour, left to right."""
    y0, y1 = bar
    if y1 <= y0 or frame[y0:y1].size == 0:
        return []
    bg = np.median(frame[y0:y1, :, :3].reshape(-1, 3), axis=0).astype(np.int16)
    diff = np.abs(frame[y0:y1, :, :3].astype(np.int16) - bg).sum(axis=2) > 50
    inside = np.flatnonzero(~diff.all(axis=0))  # columns off the bar are unlike it top to bottom
    if inside.size == 0:
        return []
    diff[:, : inside[0]] = diff[:, inside[-1] + 1 :] = False
    out = []
    for a, b in runs(diff.any(axis=0), min_gap=min_gap):
        rows = np.flatnonzero(diff[:, a:b].any(axis=1))
        out.append((a, y0 + int(rows[0]), b, y0 + int(rows[-1]) + 1))
    return out


def outlined_box(frame: np.ndarray, top: int = 0, min_height: int = 30) -> Box | None:
    """The box drawn with a mid-grey outline (a pop-up menu): its two tallest grey columns."""
    h, w = frame.shape[:2]
    g = grey(frame)[top:]
    sat = np.ptp(frame[top:, :, :3].astype(np.int16), axis=2)
    edge = (g < 200) & (g > 100) & (sat < 20)
    best: list[tuple[int, int, int]] = []  # (x, y0, y1) of long vertical runs
    for x in range(w):
        for a, b in runs(edge[:, x]):
            if b - a >= min_height:
                best.append((x, top + a, top + b))
    if len(best) < 2:
        return None
    left, right = best[0], best[-1]
    if right[0] - left[0] < 30 or abs(left[1] - right[1]) > 3:
        return None
    return left[0], max(left[1], right[1]), right[0] + 1, min(left[2], right[2])
