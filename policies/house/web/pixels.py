"""Pixel cues the screen parse does not give: underlined link words, ink, the text scale.

The parser's detector merges neighbouring words; these helpers read the frame directly with
shape cues of ordinary web pages (links are underlined, in any colour) and return boxes in frame
pixels. Ink is contrast against the local or page background and sizes are in text heights
(`text_height`), so a dark theme, JPEG noise or a zoomed frame keep the cues.
"""

from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive


def components(mask: np.ndarray) -> list[Box]:
    """Bounding boxes of the 8-connected True regions of a 2-D mask, top to bottom."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    boxes = [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:n].tolist()]
    return sorted(boxes, key=lambda b: (b[1], b[0]))


EDGE_CONTRAST = (
    60  # grey step (3x3 max - min) that marks a glyph or border edge, above JPEG ringing
)
INK_CONTRAST = 50  # how much darker than its light surroundings a pixel must be to count as ink
DEFAULT_TEXT_H = 11  # edge-blob height of body text at 100 % zoom, when a frame shows no text


def grey(frame: np.ndarray) -> np.ndarray:
    """Mean of the colour channels as uint8: blue link ink and blue fills stay far from white."""
    return frame[..., :3].astype(np.uint16).mean(axis=2).astype(np.uint8)


def edge_mask(frame: np.ndarray, contrast: int = EDGE_CONTRAST) -> np.ndarray:
    """Pixels on a strong grey edge of either polarity (dark text on light, light on blue)."""
    import cv2

    g = grey(frame)
    return cv2.morphologyEx(g, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) >= contrast


def darkness(frame: np.ndarray) -> np.ndarray:
    """How much darker (int16) each pixel is than the lightest pixel near it: ink contrast
    against the local background, whatever that background's grey."""
    import cv2

    g = grey(frame)
    return cv2.dilate(g, np.ones((7, 7), np.uint8)).astype(np.int16) - g


def text_height(frame: np.ndarray) -> int:
    """Typical height of a word's edge blob in the frame: its text scale, which replaces fixed
    pixel sizes (the frame may be shown zoomed). Words are wide, dense blobs (not the rings of
    frames and tick boxes); the commonest height wins, not the median, since blurred paragraph
    lines fuse into taller blobs while banner and label words stay apart."""
    import cv2

    mask = edge_mask(frame).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    hs = [
        int(h)
        for _, _, w, h, px in stats[1:n].tolist()
        if 5 <= h <= 40 and w >= WORD_ASPECT * h and px >= WORD_FILL * w * h
    ]
    if len(hs) < MIN_WORDS:
        return DEFAULT_TEXT_H
    counts = np.bincount(hs).astype(float)
    counts[1:-1] += 0.5 * (counts[:-2] + counts[2:])  # a height and its neighbours vote together
    return int(np.argmax(counts))


def same_pixels(before: np.ndarray | None, now: np.ndarray) -> bool:
    """Whether an image kept from an earlier frame (None: none kept) shows exactly `now`."""
    return before is not None and before.shape == now.shape and bool(np.array_equal(before, now))


def line_bands(box: Box, th: int) -> list[Box]:
    """Bands across `box` a line and a half tall, half a line apart (`th`: the text height), so
    each line of a box holding several shows whole in one of them."""
    x0, y0, x1, y1 = box
    return [(x0, t, x1, t + int(1.6 * th)) for t in range(y0, y1 - th, max(1, th // 2))]


WORD_ASPECT = 1.2  # a word blob is at least this much wider than tall
WORD_FILL = 0.35  # share of its box a word's edge blob covers (a frame's ring covers less)
MIN_WORDS = 3  # fewer word blobs than this do not set the scale


def underlined_words(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Boxes of underlined words below `top` (links keep their underline under any colour
    scheme): an even, thin ink line about a text height or longer with glyphs just above."""
    import cv2

    th = text_height(frame)
    contrast = darkness(frame)
    ink = contrast >= INK_CONTRAST
    ink[:top] = False
    run = max(3, round(UNDERLINE_PIECE * th))
    opened = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    found = components(opened > 0)
    pieces = [
        b
        for b in (_bottom_rule(ink, contrast, b, th) for b in found)
        if b is not None and _even(contrast[b[1] : b[3], b[0] : b[2]])
    ]
    cut = [b for b in pieces if b not in found]  # underlines cut from the glyphs they touch
    h = ink.shape[0]
    words = []
    lines = [
        line
        for line in _join_skips(ink, pieces, max(2, round(SKIP_INK_GAP * th)))
        if line[2] - line[0] >= UNDERLINE_SHORT * th
        and line[4] >= UNDERLINE_COVER * (line[2] - line[0])
    ]
    for x0, y0, x1, y1, _ in lines:
        if y0 - th < top:
            continue
        x0, x1 = _off_rules(ink, (x0, y0, x1, y1), th)
        below = ink[y1 : min(h, y1 + 2), x0:x1]
        if below.size and below.mean() > BELOW_INK:
            continue  # a stroke inside a glyph or a filled bar, not a line under text
        if _framed(ink, (x0, y0, x1, y1), th):
            continue
        ceiling = max(
            [top, y0 - round(LINK_HEIGHT * th)]
            + [
                b[3]
                for b in lines
                if b[3] <= y0 - LINE_PITCH * th and min(b[2], x1) > max(b[0], x0)
            ]
        )  # the word's glyphs end at the underline of the line above
        above = ink[ceiling:y0, x0:x1]
        touching = any(x0 <= b[0] and b[2] <= x1 and y0 <= b[1] < y1 for b in cut)
        rules = None  # a drawn underline under a word, evenly dark: even full rows end it
        if x1 - x0 >= RULED_WORD * th and _even_rule(contrast[y0:y1, x0:x1].max(axis=0)):
            rules = [_is_rule(ink[y, x0:x1], contrast[y, x0:x1]) for y in range(ceiling, y0)]
        word_top = _glyph_top(above, round(LINE_PITCH * th), touching, rules)
        if word_top is None or len(above) - word_top < 0.5 * th:
            continue
        word = (x0, y0 - len(above) + word_top, x1, y1)
        if x1 - x0 < UNDERLINE_MIN * th and not _set_off(ink, word):
            continue  # a one-letter link's underline stands apart; a glyph's foot ("z") not
        if not _inside_word(ink, word, th):
            words.append(word)
    return words


UNDERLINE_PIECE = 0.6  # shortest unbroken underline piece (skip-ink gaps cut it at descenders)
SKIP_INK_GAP = 0.8  # widest gap, in text heights, between pieces of one underline
UNDERLINE_COVER = 0.7  # share of an underline's span its pieces draw
UNDERLINE_MIN = 0.8  # an underline spans at least this many text heights (two letters)
UNDERLINE_SHORT = 0.6  # ... or this many under one letter, parted from it by a blank row
UNDERLINE_MAX_THICK = 0.2  # text heights an underline may take after blur (2 rows at least)
UNDERLINE_EVEN = 0.6  # an underline column keeps this share of the piece's median contrast
UNEVEN_SHARE = 0.25  # share of its columns a piece may have weaker than that
BELOW_INK = 0.3  # share of ink in the two rows under an underline (descenders only)


FULL_RULE = 0.95  # share of a piece's columns an underline's row draws
RULED_WORD = 2.0  # text heights a word's underline spans (a box's edge or a glyph's bar less)
RULE_EVEN = 0.7  # a rule's weakest column keeps this share of its median contrast


def _bottom_rule(ink: np.ndarray, contrast: np.ndarray, piece: Box, th: int) -> Box | None:
    """`piece` when it is thin enough for an underline; else the rows at its bottom that are
    ink all across it, thin and evenly dark (on a small frame read enlarged, bold letters blur
    into one another and into their underline, one piece with it; fused glyph feet are as
    full a row but uneven), else None."""
    x0, y0, x1, y1 = piece
    thick = max(2, round(UNDERLINE_MAX_THICK * th))
    if y1 - y0 <= thick:
        return piece
    bottom = y1
    while bottom > y0 and ink[bottom - 1, x0:x1].mean() >= FULL_RULE:
        bottom -= 1
    if bottom == y1 or y1 - bottom > thick or x1 - x0 < UNDERLINE_MIN * th:
        return None
    if y1 - y0 > LINK_HEIGHT * th:
        return None  # taller than a line of letters with its underline: a filled shape
    if not _even_rule(contrast[bottom:y1, x0:x1].max(axis=0)):
        return None
    return (x0, bottom, x1, y1)


def _join_skips(
    ink: np.ndarray, pieces: list[Box], gap: int
) -> list[tuple[int, int, int, int, int]]:
    """Underline pieces on one row joined across the gaps a skip-ink underline leaves around
    descenders (a one-pixel gap, or a stroke just above the gap), not across the space between
    two links; each as (x0, y0, x1, y1, pixels drawn)."""
    out: list[list[int]] = []
    for x0, y0, x1, y1 in sorted(pieces, key=lambda b: (b[1], b[0])):
        for o in out:
            same_row = min(o[3], y1) > max(o[1], y0)
            apart = x0 - o[2]
            stroke = ink[max(0, y0 - 3) : y0, o[2] : x0].sum(axis=0) >= 2
            if same_row and 0 <= apart <= gap and (apart <= 1 or stroke.any()):
                o[2], o[1], o[3], o[4] = x1, min(o[1], y0), max(o[3], y1), o[4] + x1 - x0
                break
        else:
            out.append([x0, y0, x1, y1, x1 - x0])
    return [(a, b, c, d, e) for a, b, c, d, e in out]


def _even(contrast: np.ndarray) -> bool:
    """True when a line piece is evenly dark along its length (a drawn line, not glyph feet
    that blur fused: those have lighter gaps between letters)."""
    profile = contrast.max(axis=0)
    return bool((profile < UNDERLINE_EVEN * np.median(profile)).mean() <= UNEVEN_SHARE)


def _even_rule(profile: np.ndarray) -> bool:
    """Whether a row's contrast (its ends left out) is a drawn line's: no column much
    weaker than the median; a row of blurred glyph feet has its lighter gaps."""
    inner = profile[1:-1]
    return bool(inner.size >= 2 and inner.min() >= RULE_EVEN * np.median(inner))


def _is_rule(ink_row: np.ndarray, contrast_row: np.ndarray) -> bool:
    """Whether one row of a word's columns is a drawn line (another line's underline): ink
    nearly all across and evenly dark; blurred glyphs fused into as full a row are uneven."""
    return bool(ink_row.mean() >= FULL_ROW and _even_rule(contrast_row))


def _off_rules(ink: np.ndarray, line: Box, th: int) -> tuple[int, int]:
    """(x0, x1) of a horizontal ink line without the columns at one end where a vertical
    rule crosses it (a panel's side that an underline touches at its first letter): ink from
    a text height above the line to a text height below it. A line crossed at both ends is
    left whole (a panel's own rule)."""
    x0, y0, x1, y1 = line
    h = ink.shape[0]

    def crossed(x: int) -> bool:
        up, down = ink[max(0, y0 - th) : y0, x], ink[y1 : min(h, y1 + th), x]
        return bool(up.size and down.size and up.all() and down.all())

    if crossed(x0) and crossed(x1 - 1):
        return x0, x1  # a rule across a panel from side to side: its edge or a separator
    while x1 - x0 > 2 and crossed(x0):
        x0 += 1
    while x1 - x0 > 2 and crossed(x1 - 1):
        x1 -= 1
    return x0, x1


def _framed(ink: np.ndarray, line: Box, th: int) -> bool:
    """True when a horizontal ink line is the edge of a box: an unbroken vertical line meets
    its end that rises higher than a letter does, or goes down as far as a text height at both
    ends (at one end only, that can be the ascender of a letter in the next line, which a
    blurred, resized frame joins to the underline above it)."""
    x0, y0, x1, y1 = line
    h, w = ink.shape
    rise = round(BOX_SIDE * th)
    sides = []
    for end in ((x0 - 1, x0, x0 + 1), (x1 - 2, x1 - 1, x1)):
        down_here = False
        for x in end:
            col = ink[:, min(max(0, x), w - 1)]
            up, down = col[max(0, y0 - rise) : y0], col[y1 : min(h, y1 + th)]
            if up.size and up.mean() >= 0.9:
                return True
            down_here |= bool(down.size and down.mean() >= 0.9)
        sides.append(down_here)
    return all(sides)


BOX_SIDE = 1.5  # a box's side rises past an underline's end over this many text heights


def _inside_word(ink: np.ndarray, word: Box, th: int) -> bool:
    """True when glyphs go on just past an end of an underlined `word` (its glyph rows down to
    its line): the feet of letters fused by blur inside a longer word, not an underline (that
    spans its word, and a space follows). On the left a descender that the underline skips
    around (it reaches the line's row) is allowed."""
    x0, top, x1, y1 = word
    y0 = y1 - 1
    band = ink[top : max(top, y0 - 1)]
    side = max(2, round(WORD_SPACE * th))
    right = band[:, x1 : x1 + side].any(axis=0)
    if _set_off(ink, word):  # a last letter's descender ('Riley') cuts the line's tail off
        right &= ~ink[max(0, y0 - 2) : y1, x1 : x1 + side].any(axis=0)
    if right.size and right.mean() > 0.5:
        return True
    left = slice(max(0, x0 - side), x0)
    glyph = band[:, left].any(axis=0)
    descends = ink[max(0, y0 - 2) : y1, left].any(axis=0)
    return bool(glyph.size and (glyph & ~descends).mean() > 0.5)


WORD_SPACE = 0.25  # a space between words is about this many text heights wide


def _set_off(ink: np.ndarray, word: Box) -> bool:
    """True when a nearly blank row parts the underline from the glyphs above it (an
    underline drawn below the baseline; fused glyph feet have letter bodies right above)."""
    x0, top, x1, y1 = word
    rows = [ink[y, x0:x1].mean() for y in range(max(top, y1 - 4), y1 - 1)]
    return bool(rows) and min(rows) <= GAP_ROW_INK


GAP_ROW_INK = 0.2  # share of ink in the row between a baseline and its underline (descenders)


def _glyph_top(
    band: np.ndarray, pitch: int, touching: bool = False, rules: list[bool] | None = None
) -> int | None:
    """Index of the top row of the glyph band that ends just above an underline (`band`: ink
    over the line's columns, bottom row last); None when no glyphs sit there. The band stops
    at a blank row or at the underline of the line above (a row nearly all ink at least a
    line `pitch` above: nearer, over a gap row the descenders alone cross, a full row is the
    fused feet of a short bold word's letters; a drawn shape has no such gap)."""
    rows = band.sum(axis=1) >= GLYPH_ROW_INK
    y = len(rows) - 1
    skipped = 0
    while y >= 0 and not rows[y] and skipped < 2:
        y, skipped = y - 1, skipped + 1
    if y < 0 or not rows[y]:
        return None
    # glyphs over a gap row, or touching an underline cut from them: not a shape's own edge
    fused = touching or band[-1].mean() <= GAP_ROW_INK
    while (
        y > 0
        and rows[y - 1]
        and (
            band[y - 1].mean() < FULL_ROW
            or (rules is not None and not rules[y - 1])
            or fused
            and len(band) - y < pitch
        )
    ):
        y -= 1
    return y


FULL_ROW = 0.8  # share of ink that makes a row above a word another underline, not glyphs
GLYPH_ROW_INK = 1  # ink pixels that make a row part of a word
LINE_PITCH = 0.85  # text lines lie at least this many text heights apart
LINK_HEIGHT = 1.25  # a link word with its underline is at most this many text heights tall
