"""Pixel finders for what the screen parse misses: link words, dialog close glyphs, control rows.

The parser's detector merges neighbouring words and drops small glyphs; these helpers read the
frame directly with fixed colour and shape cues of ordinary web pages (links are saturated blue,
a dialog's title bar is a flat light-grey band, form controls are framed boxes) and return boxes
in frame pixels. `read_text` runs the same OCR recogniser the parser uses on any boxes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from perception.ocr import TextReader

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive


def area(box: Box) -> int:
    """Pixels inside a box."""
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def components(mask: np.ndarray) -> list[Box]:
    """Bounding boxes of the 8-connected True regions of a 2-D mask."""
    seen = np.zeros_like(mask, dtype=bool)
    h, w = mask.shape
    boxes = []
    for y, x in zip(*np.nonzero(mask), strict=True):
        if seen[y, x]:
            continue
        seen[y, x] = True
        stack, x0, y0, x1, y1 = [(y, x)], x, y, x, y
        while stack:
            cy, cx = stack.pop()
            x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy)
            for ny in range(max(0, cy - 1), min(h, cy + 2)):
                for nx in range(max(0, cx - 1), min(w, cx + 2)):
                    if mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        boxes.append((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
    return boxes


def merge_row(boxes: Sequence[Box], gap: int = 2) -> list[Box]:
    """Boxes joined with same-line neighbours at most `gap` pixels apart (glyphs -> words)."""
    out = [list(b) for b in boxes]
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(out):
            for b in out[i + 1 :]:
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                apart = max(a[0], b[0]) - min(a[2], b[2])
                if overlap > 0.5 * min(a[3] - a[1], b[3] - b[1]) and apart <= gap:
                    a[:] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    out.remove(b)
                    merged = True
                    break
            if merged:
                break
    return [(a, b, c, d) for a, b, c, d in sorted(out, key=lambda o: (o[1], o[0]))]


def link_words(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Boxes of words drawn in link blue (about rgb(0, 0, 238)) below row `top`, reading order."""
    rgb = frame[..., :3].astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mask = (b >= 200) & (b - np.maximum(r, g) >= 60)
    mask[:top] = False
    glyphs = [bx for bx in components(mask) if area(bx) >= 3 and bx[3] - bx[1] <= 16]
    words = [w for w in merge_row(glyphs, gap=2) if w[3] - w[1] >= 5]
    return sorted(words, key=lambda w: (w[1] // 6, w[0]))


def title_bars(frame: np.ndarray, min_width: int = 30) -> list[Box]:
    """Flat light-grey horizontal bands (dialog title bars), top to bottom."""
    grey = frame[..., :3].astype(np.int16)
    flat = (np.abs(grey - 233).max(axis=2) <= 3) & (np.ptp(grey, axis=2) <= 2)
    return mask_bands(flat, min_width, 8)


def mask_bands(mask: np.ndarray, min_width: int, min_height: int) -> list[Box]:
    """Horizontal bands of a boolean mask: runs of rows with >= `min_width` set pixels, at
    least `min_height` tall, each boxed by the columns set inside it; top to bottom."""
    rows = mask.sum(axis=1) >= min_width
    bands, y = [], 0
    while y < len(rows):
        if not rows[y]:
            y += 1
            continue
        y0 = y
        while y < len(rows) and rows[y]:
            y += 1
        if y - y0 >= min_height:
            xs = np.nonzero(mask[y0:y].any(axis=0))[0]
            bands.append((int(xs.min()), y0, int(xs.max()) + 1, y))
    return bands


def close_glyph(frame: np.ndarray) -> tuple[int, int] | None:
    """Where to click a dialog's close "x": the dark glyph at the right end of its title bar."""
    bars = title_bars(frame)
    if not bars:
        return None
    x0, y0, x1, y1 = max(bars, key=lambda b: b[2] - b[0])
    y0, y1 = max(0, y0 - 2), min(frame.shape[0], y1 + 2)
    lum = frame[y0:y1, x0:x1, :3].mean(axis=2)
    dark = lum < 150
    dark[:, : max(0, (x1 - x0) - 40)] = False  # only the right end holds the close button
    glyphs = [g for g in components(dark) if g[2] - g[0] >= 4 and g[3] - g[1] >= 4]
    if not glyphs:
        return x1 - 12, (y0 + y1) // 2
    gx0, gy0, gx1, gy1 = max(glyphs, key=lambda g: g[2])
    return x0 + (gx0 + gx1) // 2, y0 + (gy0 + gy1) // 2


def widget_rows(frame: np.ndarray, top: int) -> list[tuple[str, Box]]:
    """Form controls stacked one per row below `top`, each as (kind, box of its row).

    kind is button (grey-filled frame), text (one-line field), textarea (taller field),
    checkbox (small square) or radio (small circle).
    """
    lum = frame[..., :3].astype(np.int16).mean(axis=2)
    ink = lum < 250
    ink[:top] = False
    out: list[tuple[str, Box]] = []
    for x0, y0, x1, y1 in mask_bands(ink, 1, 1):
        kind = _control_kind(lum[y0:y1], ink[y0:y1], x0)
        if kind:
            out.append((kind, (x0, y0, x1, y1)))
    return out


def _control_kind(lum: np.ndarray, band: np.ndarray, xl: int) -> str | None:
    """What control starts at column `xl` of a row band (grey levels `lum`, ink mask `band`)."""
    h = band.shape[0]
    ys = np.nonzero(band[:, xl : xl + 3].any(axis=1))[0]
    if len(ys) == 0:
        return None
    cy0, cy1 = int(ys.min()), int(ys.max()) + 1
    top_run = band[cy0, xl:]
    width = int(np.argmin(top_run)) if not top_run.all() else len(top_run)
    if cy1 - cy0 <= 16 and width <= 16 and h <= 20:
        part = band[:, xl : xl + 16]
        cx0, by0, cx1, by1 = next(b for b in components(part) if b[0] == 0)
        dark = lum[by0:by1, xl + cx0 : xl + cx1] < 200
        corners = (
            dark[:3, :3].sum() + dark[:3, -3:].sum() + dark[-3:, :3].sum() + dark[-3:, -3:].sum()
        )
        return "checkbox" if corners >= 10 else "radio"
    # a framed box: the row 4 px inside its top edge tells fill colour
    inside = lum[min(cy1 - 1, cy0 + 4), xl + 4 : xl + 12]
    if inside.size and abs(float(np.median(inside)) - 239) <= 6:
        return "button"
    if cy1 - cy0 >= 24:
        return "textarea"
    return "text"


def _reader() -> TextReader:
    """The parser's own OCR reader (one per process, see `perception.ocr.shared_reader`)."""
    from perception.ocr import shared_reader

    return shared_reader()


def read_text(frame: np.ndarray, boxes: Sequence[Box], kind: str = "link") -> list[str]:
    """OCR text of each box of `frame` (kind sets the crop margin, as in the parser)."""
    if not boxes:
        return []
    return [
        t
        for t, _ in _reader().read(np.ascontiguousarray(frame[..., :3]), [(b, kind) for b in boxes])
    ]


def banner_bottom(frame: np.ndarray) -> int:
    """First row below a coloured instruction banner at the top of the frame (0 when none)."""
    rgb = frame[..., :3].astype(np.int16)
    first = np.median(rgb[0], axis=0)
    if (first >= 245).all():
        return 0
    same = (np.abs(rgb - first).max(axis=2) <= 8).mean(axis=1) >= 0.15
    y = 0
    while y < len(same) and same[y]:
        y += 1
    return y


def filled_boxes(
    frame: np.ndarray, top: int = 0, level: int = 239, min_area: int = 80
) -> list[Box]:
    """Boxes of flat light-grey fills (`level` +- 4, as push buttons are painted) below `top`."""
    rgb = frame[..., :3].astype(np.int16)
    mask = (np.abs(rgb - level).max(axis=2) <= 4) & (np.ptp(rgb, axis=2) <= 3)
    mask[:top] = False
    found = []
    for x0, y0, x1, y1 in components(mask):
        if (x1 - x0) * (y1 - y0) >= min_area and y1 - y0 >= 8 and x1 - x0 >= 10:
            found.append((max(0, x0 - 1), max(0, y0 - 1), x1 + 1, y1 + 1))
    return found
