"""Pixel finders for widgets the screen parse misses: check boxes, radios, tree expanders, bars.

The detector seldom finds small controls, so these read the frame directly with cues that hold on
ordinary web pages: a check box or radio is a ~13 px outlined square or circle with a light
inside; a tree expander is a ~9 px grey box with a dark "+" or "-"; an accordion header is a
wide saturated-blue bar; text is dark, unsaturated ink. All boxes are (x0, y0, x1, y1) in frame
pixels, x1/y1 exclusive. Text is read with the parser's own OCR recogniser (`pixels.read_text`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from policies.house_web.pixels import Box, components, mask_bands, merge_row, read_text


@dataclass(frozen=True)
class Word:
    """A run of text on one line: its box and what OCR read there."""

    box: Box
    text: str

    @property
    def center(self) -> tuple[int, int]:
        """The pixel to click: the middle of the box."""
        return (self.box[0] + self.box[2]) // 2, (self.box[1] + self.box[3]) // 2


def _lum(frame: np.ndarray) -> np.ndarray:
    return frame[..., :3].astype(np.int16).mean(axis=2)


def banner_bottom(frame: np.ndarray) -> int:
    """First row below the instruction banner (a band of saturated yellow at the top), else 0."""
    rgb = frame[..., :3].astype(np.int16)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 200) & (rgb[..., 2] < 80)
    rows = np.nonzero(yellow.mean(axis=1) > 0.5)[0]
    return int(rows.max()) + 1 if len(rows) and rows.min() < 10 else 0


def toggles(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Check boxes and radio buttons below row `top`: 10-17 px square outlines, top to bottom.

    An unchecked control is a ring with a light inside; a checked one may be filled, so a
    filled square counts too when its inside is saturated (a coloured tick) rather than ink.
    """
    rgb = frame[..., :3].astype(np.int16)
    lum = rgb.mean(axis=2)
    sat = rgb.max(axis=2) - rgb.min(axis=2)
    mask = (lum < 225) | (sat > 60)
    mask[:top] = False
    out = []
    for x0, y0, x1, y1 in components(mask):
        w, h = x1 - x0, y1 - y0
        if not (10 <= w <= 17 and 10 <= h <= 17 and abs(w - h) <= 2):
            continue
        inner = (slice(y0 + 3, y1 - 3), slice(x0 + 3, x1 - 3))
        ring = mask[y0:y1, x0:x1].mean() < 0.6 and lum[inner].mean() > 235
        filled = sat[inner].mean() > 60
        if ring or filled:
            out.append((x0, y0, x1, y1))
    return sorted(out, key=lambda b: (b[1], b[0]))


def ink_words(
    frame: np.ndarray, region: Box | None = None, gap: int = 4, max_lum: int = 150
) -> list[Box]:
    """Boxes of dark, unsaturated text runs inside `region`, words closer than `gap` joined.

    Icons are coloured and glyph runs split at wider gaps, so a tree's folder icon or a menu's
    neighbouring panel stays apart from the label next to it.
    """
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = region or (0, 0, w, h)
    rgb = frame[y0:y1, x0:x1, :3].astype(np.int16)
    mask = (rgb.mean(axis=2) < max_lum) & ((rgb.max(axis=2) - rgb.min(axis=2)) < 60)
    glyphs = [g for g in components(mask) if g[3] - g[1] >= 3 or g[2] - g[0] >= 2]
    glyphs = [
        g for g in glyphs if g[3] - g[1] <= 20 and not (g[2] - g[0] > 40 and g[3] - g[1] <= 2)
    ]
    words = [b for b in merge_row(glyphs, gap=gap) if 5 <= b[3] - b[1] <= 20]
    shifted = [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in words]
    return sorted(shifted, key=lambda b: (b[1] // 6, b[0]))


def read_words(frame: np.ndarray, boxes: Sequence[Box]) -> list[Word]:
    """OCR each box; the frame is first made dark-on-light grey so coloured rows read alike."""
    grey = _lum(frame)
    page = np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)
    texts = read_text(np.ascontiguousarray(page), list(boxes), "text")
    return [Word(b, t) for b, t in zip(boxes, texts, strict=True)]


def words(frame: np.ndarray, region: Box | None = None, gap: int = 4) -> list[Word]:
    """`ink_words` with their text."""
    return read_words(frame, ink_words(frame, region, gap))


def wrapped(found: Sequence[Word], gap: int = 4) -> list[Word]:
    """`found` plus each label that wraps onto a second line, joined ("Kara-" over "Lynn")."""
    out = list(found)
    for a in found:
        for b in found:
            if abs(a.box[0] - b.box[0]) <= 3 and 0 <= b.box[1] - a.box[3] <= gap:
                box = (min(a.box[0], b.box[0]), a.box[1], max(a.box[2], b.box[2]), b.box[3])
                out.append(Word(box, f"{a.text}{b.text}"))
    return out


def similarity(want: str, have: str) -> float:
    """0-1 likeness of two labels, ignoring case, spaces and punctuation (OCR confuses 1/l, 0/O)."""
    a, b = _norm(want), _norm(have)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _norm(s: str) -> str:
    table = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "8": "b"})
    return "".join(ch for ch in s.lower() if ch.isalnum() or ch == "|").translate(table)


def best(want: str, found: Sequence[Word], floor: float = 0.6) -> Word | None:
    """The word most like `want`, if any is at least `floor` alike."""
    scored = [(similarity(want, w.text), _exact(want, w.text), w) for w in found]
    top = max(scored, key=lambda p: p[:2], default=(0.0, 0.0, None))
    return top[2] if top[0] >= floor else None


def _exact(want: str, have: str) -> float:
    """Case- and punctuation-true likeness: breaks ties between "amet" and "Amet."."""
    return difflib.SequenceMatcher(None, want.strip(), have.strip()).ratio()


def label_of(toggle: Box, found: Sequence[Box]) -> Box | None:
    """The text run right of a check box or radio on its line, nearest first."""
    x0, y0, x1, y1 = toggle
    cy = (y0 + y1) / 2
    beside = [b for b in found if b[0] >= x1 and b[1] <= cy <= b[3] + 2 and b[0] - x1 <= 30]
    return min(beside, key=lambda b: b[0], default=None)


def expanders(frame: np.ndarray, top: int = 0) -> list[tuple[Box, bool]]:
    """Tree expander boxes (~9 px grey squares) below `top`, each with True when it shows "+"."""
    lum = _lum(frame)
    mask = (lum > 100) & (lum < 160)
    mask[:top] = False
    out = []
    for x0, y0, x1, y1 in components(mask):
        if not (7 <= x1 - x0 <= 13 and 7 <= y1 - y0 <= 13 and abs((x1 - x0) - (y1 - y0)) <= 1):
            continue
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        if lum[cy, cx] > 80:
            continue
        plus = lum[cy - 2, cx] < 80 and lum[cy + 2, cx] < 80
        out.append(((x0, y0, x1, y1), bool(plus)))
    return sorted(out, key=lambda e: (e[0][1], e[0][0]))


def blue_bars(frame: np.ndarray, top: int = 0, min_width: int = 40) -> list[Box]:
    """Wide bands of saturated mid blue (accordion headers), top to bottom."""
    rgb = frame[..., :3].astype(np.int16)
    blue = (rgb[..., 2] > 200) & (rgb[..., 0] < 80) & (rgb[..., 1] > 80) & (rgb[..., 1] < 170)
    blue[:top] = False
    return mask_bands(blue, min_width, 6)


def grey_buttons(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Framed buttons with the default light-grey fill (about 239), top to bottom."""
    lum = _lum(frame)
    rgb = frame[..., :3].astype(np.int16)
    fill = (np.abs(lum - 239) <= 3) & ((rgb.max(axis=2) - rgb.min(axis=2)) <= 4)
    fill[:top] = False
    out = []
    for x0, y0, x1, y1 in components(fill):
        if x1 - x0 >= 30 and y1 - y0 >= 12 and fill[y0:y1, x0:x1].mean() > 0.6:
            out.append((x0, y0, x1, y1))
    return sorted(out, key=lambda b: (b[1], b[0]))


def list_box(frame: np.ndarray, top: int = 0, min_run: int = 60) -> Box | None:
    """The first framed box below `top` at least 20 px tall: top and bottom edges of one width."""
    dark = _lum(frame) < 170
    dark[:top] = False
    edges = []
    for y in range(dark.shape[0]):
        xs = np.nonzero(dark[y])[0]
        if len(xs) >= min_run and xs.max() - xs.min() + 1 <= 1.1 * len(xs):
            if edges and y - edges[-1][1] <= 1:
                continue  # a 2 px edge: keep its first row
            edges.append((int(xs.min()), y, int(xs.max()) + 1))
    for i, (ax, ay, ax1) in enumerate(edges):
        for bx, by, bx1 in edges[i + 1 :]:
            if abs(ax - bx) <= 3 and abs(ax1 - bx1) <= 3 and by - ay >= 20:
                return ax, ay, ax1, by + 1
    return None
