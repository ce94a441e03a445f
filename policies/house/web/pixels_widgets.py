"""Pixel finders for widgets the screen parse misses: check boxes, radios, tree expanders, bars.

The detector seldom finds small controls, so these read the frame directly. Cues are relative
so that they survive a dark theme (made light by `canon`), JPEG noise and a zoomed frame:
contrast to the page or to the local fill rather than exact greys, pixel sizes scaled by the
banner's text size (`text_scale`), and shape (an expander's unbroken square, a link's underline,
a list box's four sides) where fills vanish. All boxes are (x0, y0, x1, y1) in frame pixels,
x1/y1 exclusive. Text is read with the parser's own OCR recogniser (`pixels.read_text`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from policies.house.web.pixels import (
    Box,
    banner_bottom,
    components,
    mask_bands,
    merge_row,
    page_colour,
    read_text,
)
from policies.house.web.pixels_form import long_runs

BANNER_INK = 100  # grey levels text differs from the banner fill
MIN_GLYPHS = 8  # fewer banner glyphs than this give no reliable text size
TALL_GLYPH = 8  # px: caps and ascenders on a plain page (lower case is ~5)
TALL_VS_SMALL = 1.6  # caps are at most this many x-heights tall
MAX_TEXT, MIN_TEXT = 20, 5  # px: a line of text (descenders included) on a plain page
RULE_WIDTH = 40  # px: a run this wide and at most 2 px tall is a rule, not a glyph
LINE_BIN = 6  # px: words whose tops fall in one bin of this height share a line
EDGE_CONTRAST = 40  # grey levels a frame line is darker than the page (a shrunk one: ~70)
EDGE_SHARE = 0.8  # a box side is frame on this share of its rows
BG_RADIUS = 4  # px: a text stroke is thinner than this, so the window's lightest is its fill
INK_DELTA, INK_MAX = 60, 200  # grey levels text is below its fill; text is never lighter
INK_SATURATION = 60  # text is unsaturated (coloured icons and links are not words here)
INK_CONTRAST = 60  # grey levels text (or a link's underline) is darker than the page
UNDERLINE_THICK, MIN_UNDERLINE = 2, 6  # px: an underline's most rows, a short word's width
UNDERLINE_SHARE = 0.6  # a line wider than this share of the frame is a rule, not a link
TEXT_ABOVE, TEXT_COVER = 11, 0.5  # px of text over an underline; share of its columns inked
CLEAR = 0.3  # rows just over and under an underline are at most this share ink (descenders)
MIN_PREFIX = 4  # characters a cut-off word must show to match only a start of a label
EXP_SIZE, EXP_FAR, EXP_ROW = 9, 34, 3  # px: a tree expander's side; how far left of its label
# it may lie; how far off the label's middle row it may sit
EXP_EDGE, EXP_UNBROKEN = 15, 0.85  # grey levels off the page; share of each side that is
EXP_GAP = 2  # px (at side 9) from a side to the page pixels left between it and the glyph
EXP_ARM = 25  # grey levels the "+"'s vertical arm differs from the expander's inside
WORD_SPACE = 3  # px: a gap this wide between inked columns parts two words


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


def text_scale(frame: np.ndarray) -> float:
    """How large text is drawn compared with a plain page: the banner's tall glyphs (caps,
    ascenders) measured against their usual height, so sizes in pixels can follow a zoom."""
    top = banner_bottom(frame)
    if top < 2:
        return 1.0
    rgb = frame[:top, :, :3].astype(np.int16)
    ink = np.abs(rgb - np.median(rgb[1], axis=0)).max(axis=2) > BANNER_INK
    heights = [b[3] - b[1] for b in components(ink) if b[3] - b[1] >= 2]
    if len(heights) < MIN_GLYPHS:
        return 1.0
    small = float(np.median(heights))  # most glyphs are lower case: x-height
    tall = max(h for h in heights if h <= TALL_VS_SMALL * small)  # two glyphs fused are taller
    return float(np.clip(tall / TALL_GLYPH, 0.5, 3.0))


def text_stroke_mask(frame: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Dark, unsaturated pixels well below the lightest grey around them: text strokes on any
    fill (white page, grey menu, a dark theme turned light), faint ones of a shrunk frame too."""
    import cv2

    rgb = frame[..., :3].astype(np.int16)
    lum = rgb.mean(axis=2).astype(np.float32)
    size = 2 * max(2, round(BG_RADIUS * scale)) + 1
    background = cv2.dilate(lum, np.ones((size, size), np.uint8))
    neutral = (rgb.max(axis=2) - rgb.min(axis=2)) < INK_SATURATION
    return (lum < background - INK_DELTA) & (lum < INK_MAX) & neutral


def ink_words(
    frame: np.ndarray,
    region: Box | None = None,
    gap: int = 4,
    scale: float = 1.0,
) -> list[Box]:
    """Boxes of dark, unsaturated text runs inside `region`, words closer than `gap` joined.

    Icons are coloured and glyph runs split at wider gaps, so a tree's folder icon or a menu's
    neighbouring panel stays apart from the label next to it. Pixel sizes are for plain pages
    and grow with `scale` (see `text_scale`).
    """
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = region or (0, 0, w, h)
    mask = text_stroke_mask(frame[y0:y1, x0:x1], scale)
    tallest, rule = MAX_TEXT * scale, RULE_WIDTH * scale
    glyphs = [g for g in components(mask) if g[3] - g[1] >= 3 or g[2] - g[0] >= 2]
    glyphs = [
        g
        for g in glyphs
        if g[3] - g[1] <= tallest and not (g[2] - g[0] > rule and g[3] - g[1] <= 2)
    ]
    low = MIN_TEXT * min(1.0, scale)
    words = [b for b in merge_row(glyphs, gap=round(gap * scale)) if low <= b[3] - b[1] <= tallest]
    shifted = [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in words]
    line = max(1, round(LINE_BIN * scale))
    return sorted(shifted, key=lambda b: (b[1] // line, b[0]))


def read_words(frame: np.ndarray, boxes: Sequence[Box]) -> list[Word]:
    """OCR each box; the frame is first made dark-on-light grey so coloured rows read alike."""
    grey = _lum(frame)
    page = np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)
    texts = read_text(np.ascontiguousarray(page), list(boxes), "text")
    return [Word(b, t) for b, t in zip(boxes, texts, strict=True)]


def words(
    frame: np.ndarray, region: Box | None = None, gap: int = 4, scale: float = 1.0
) -> list[Word]:
    """`ink_words` with their text."""
    return read_words(frame, ink_words(frame, region, gap, scale=scale))


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


def prefix_similarity(want: str, have: str) -> float:
    """Likeness of `have` to the best-matching start of `want` (text cut off at an edge)."""
    a, b = _norm(want), _norm(have)
    if len(b) < min(len(a), MIN_PREFIX):
        return similarity(want, have)
    lengths = range(max(1, len(b) - 1), min(len(a), len(b) + 2) + 1)
    return max((similarity(a[:n], b) for n in lengths), default=similarity(a, b))


def _norm(s: str) -> str:
    table = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "8": "b"})
    return "".join(ch for ch in s.lower() if ch.isalnum() or ch == "|").translate(table)


def best(
    want: str, found: Sequence[Word], floor: float = 0.6, clip_x: int | None = None
) -> Word | None:
    """The word most like `want`, if any is at least `floor` alike; a word reaching column
    `clip_x` (the frame's edge) is cut off there, so it need only match a start of `want`."""
    scored = [
        (
            prefix_similarity(want, w.text)
            if clip_x is not None and w.box[2] >= clip_x
            else similarity(want, w.text),
            _exact(want, w.text),
            w,
        )
        for w in found
    ]
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


def list_box(frame: np.ndarray, top: int = 0, min_share: float = 0.35) -> Box | None:
    """The first framed box below `top` at least 20 px tall: top and bottom edges (unbroken
    dark runs at least `min_share` of the frame wide) of one extent joined by two sides.

    "Dark" is relative to the page, so a border softened by resizing or a dark theme counts.
    """
    rgb = frame[..., :3].astype(np.int16)
    lum = rgb.mean(axis=2)
    page = float(page_colour(rgb).mean())
    dark = lum < page - EDGE_CONTRAST
    dark[:top] = False
    min_run = max(20, int(min_share * frame.shape[1]))
    edges: list[tuple[int, int, int]] = []
    for y in range(top, dark.shape[0]):
        for a, b in long_runs(dark[y], min_run):
            if any(ey == y - 1 and abs(ea - a) <= 3 and abs(eb - b) <= 3 for ea, ey, eb in edges):
                continue  # a 2 px edge: keep its first row
            edges.append((a, y, b))
    for i, (ax, ay, ax1) in enumerate(edges):
        for bx, by, bx1 in edges[i + 1 :]:
            if abs(ax - bx) > 3 or abs(ax1 - bx1) > 3 or by - ay < 20:
                continue
            sides = dark[ay + 2 : by - 1]
            left = max(sides[:, c].mean() for c in range(max(0, ax - 2), ax + 3))
            right = max(sides[:, c].mean() for c in range(ax1 - 3, min(dark.shape[1], ax1 + 2)))
            if left >= EDGE_SHARE and right >= EDGE_SHARE:
                return ax, ay, ax1, by + 1
    return None


def underlined_words(frame: np.ndarray, top: int = 0, scale: float = 1.0) -> list[Box]:
    """Boxes of underlined links below `top`, and each word of a link apart, reading order.

    The underline is the cue that survives every theme: a dark theme greys the link colour and
    compression smears it, but a thin line with text right above it stays. Ink is anything well
    darker than the page, so blue and grey links both count.
    """
    rgb = frame[..., :3].astype(np.int16)
    lum = rgb.mean(axis=2)
    ink = lum < float(page_colour(rgb).mean()) - INK_CONTRAST
    ink[:top] = False
    thick, text_h = max(2, round(UNDERLINE_THICK * scale)), max(4, round(TEXT_ABOVE * scale))
    min_len, space = max(4, round(MIN_UNDERLINE * scale)), max(2, round(WORD_SPACE * scale))
    out: list[Box] = []
    for y in range(top + text_h, ink.shape[0] - 1):
        for a, b in long_runs(ink[y], min_len):
            if b - a > UNDERLINE_SHARE * ink.shape[1] or ink[y - 1, a:b].mean() > CLEAR:
                continue  # a rule or a box edge, or a glyph's foot (its body sits right on it)
            below = y + 1
            while below < ink.shape[0] and ink[below, a:b].mean() > CLEAR:
                below += 1
            if below - y > thick:
                continue  # a filled bar, not a line
            above = ink[y - text_h : y - 1, a:b]
            if above.any(axis=0).mean() < TEXT_COVER:
                continue
            rows = np.flatnonzero(above.any(axis=1))
            y0 = y - text_h + int(rows.min())
            out.append((a, y0, b, y + 1))  # the whole link, and each of its words apart
            spans = _spans(above.any(axis=0), space)
            out += [(a + c0, y0, a + c1, y + 1) for c0, c1 in spans if len(spans) > 1]
    return sorted(set(out), key=lambda w: (w[1] // max(1, round(LINE_BIN * scale)), w[0]))


def _spans(cols: np.ndarray, space: int) -> list[tuple[int, int]]:
    """(start, end-exclusive) of inked column runs, runs less than `space` apart joined."""
    runs = long_runs(cols, 1)
    out: list[list[int]] = []
    for a, b in runs:
        if out and a - out[-1][1] < space:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def expander_left_of(frame: np.ndarray, label: Box, scale: float = 1.0) -> bool | None:
    """The tree expander on the row of `label` (left of it, or inside its box when an icon
    joined the label): None when the row has none (a file), else True when it shows "+".

    The expander is matched by shape: a ~9 px square whose four sides stand out from the page
    without a break, whichever way (a dark theme draws it lighter, a shrunk frame fainter), with
    page showing between its sides and its glyph (an icon is filled, a letter has no corners);
    its vertical arm, differing from the inside either way, tells "+" from "-".
    """
    lum = _lum(frame)
    c = np.abs(lum - float(page_colour(frame[..., :3].astype(np.int16)).mean()))
    x0, y0, x1, y1 = label
    cy = (y0 + y1) // 2
    left, reach, base = (
        max(0, round(x0 - EXP_FAR * scale)),
        round(EXP_ROW * scale),
        round(EXP_SIZE * scale),
    )
    best: tuple[float, int, int, int, int] | None = None
    sizes = range(max(5, base - 1), base + 3)
    for n, m in ((n, m) for n in sizes for m in sizes if abs(n - m) <= 1):  # width n, height m
        for y in range(max(0, cy - reach - m // 2), min(len(c) - m, cy + reach - m // 2) + 1):
            for x in range(left, min(x1, c.shape[1]) - n + 1):
                score = _ring_score(c, x, y, n, m)
                if score is not None and (best is None or score > best[0]):
                    best = (score, x, y, n, m)
    if best is None:
        return None
    _, x, y, n, m = best
    ref = float(np.median(lum[y + 1 : y + m - 1, x + 1 : x + n - 1]))
    mid, arm = y + m // 2, max(2, m // 4)
    rows = [mid - arm, mid + arm]  # the "+"'s arm, clear of the bar's smear
    cols = range(x + n // 2 - 1, x + n // 2 + 2)
    stroke = max(float(np.abs(lum[rows, col] - ref).mean()) for col in cols)
    return stroke >= EXP_ARM


def _ring_score(c: np.ndarray, x: int, y: int, n: int, m: int) -> float | None:
    """How well the n-by-m rectangle at (x, y) of contrast map `c` is an expander's outline:
    None unless its sides are unbroken and page shows just inside its corners."""
    x1, y1 = x + n - 1, y + m - 1
    sides = (c[y, x : x1 + 1], c[y1, x : x1 + 1], c[y : y1 + 1, x], c[y : y1 + 1, x1])
    unbroken = min(float((s >= EXP_EDGE).mean()) for s in sides)
    if unbroken < EXP_UNBROKEN:
        return None
    q = max(1, round(EXP_GAP * min(n, m) / EXP_SIZE))  # side to the page inside it
    corners = c[[y + q, y + q, y1 - q, y1 - q], [x + q, x1 - q, x + q, x1 - q]]
    if (corners >= 2 * EXP_EDGE).sum() > 1:
        return None  # filled (an icon) or a letter's body
    return unbroken + min(float(s.mean()) for s in sides) / 255
