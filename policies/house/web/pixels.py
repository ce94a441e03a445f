"""Pixel finders for what the screen parse misses: link words, dialog close glyphs, control rows.

The parser's detector merges neighbouring words and drops small glyphs; these helpers read the
frame directly with shape cues of ordinary web pages (links are underlined, often blue; a dialog's
title bar is a grey or framed band; form controls are framed boxes) and return boxes in frame
pixels. Ink is contrast against the local or page background and sizes are in text heights
(`text_height`), so a dark theme, JPEG noise or a zoomed frame keep the cues. `read_text` runs
the same OCR recogniser the parser uses on any boxes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from perception.screen.ocr import TextReader

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive


def area(box: Box) -> int:
    """Pixels inside a box."""
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def components(mask: np.ndarray) -> list[Box]:
    """Bounding boxes of the 8-connected True regions of a 2-D mask, top to bottom."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    boxes = [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:n].tolist()]
    return sorted(boxes, key=lambda b: (b[1], b[0]))


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
    """Boxes of link words below row `top`, reading order: words drawn in link blue (about
    rgb(0, 0, 238)) and underlined words of any colour (a dark theme recolours links, JPEG
    bleeds thin blue text, but the underline stays)."""
    rgb = frame[..., :3].astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mask = (b >= 200) & (b - np.maximum(r, g) >= 60)
    mask[:top] = False
    glyphs = [bx for bx in components(mask) if area(bx) >= 3 and bx[3] - bx[1] <= 16]
    blue = [w for w in merge_row(glyphs, gap=2) if w[3] - w[1] >= 5]
    words = underlined_words(frame, top)
    words += [w for w in blue if not any(_overlaps(u, w) for u in words)]
    return sorted(words, key=lambda w: (w[1] // 6, w[0]))


def _overlaps(a: Box, b: Box) -> bool:
    """True when two boxes share pixels."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


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
    """Where to click a dialog's close "x": the dark glyph at the right end of its title bar
    (a flat grey band, or under a theme that paints it like the page, a framed band)."""
    bars = title_bars(frame)
    if not bars:
        return framed_close(frame)
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


def framed_close(frame: np.ndarray) -> tuple[int, int] | None:
    """The close glyph of a dialog whose title bar is only outlined: the topmost wide frame
    about two text heights tall, and the glyph-sized mark inside its right end."""
    g = grey(frame).astype(np.int16)
    top = banner_bottom(frame)
    ink = np.abs(g - page_grey(g[top:])) > WIDGET_INK
    ink[:top] = False
    th = text_height(frame)
    bars = [
        b
        for b in components(ink)
        if BAR_H[0] * th <= b[3] - b[1] <= BAR_H[1] * th and b[2] - b[0] >= BAR_WIDE * (b[3] - b[1])
    ]
    if not bars:
        return None
    x0, y0, x1, y1 = min(bars, key=lambda b: b[1])
    h = y1 - y0
    end = max(x0, x1 - 2 * h)
    part = ink[y0 + 2 : y1 - 2, end : x1 - 2]
    glyphs = [
        c
        for c in components(part)
        if GLYPH[0] * th <= min(c[2] - c[0], c[3] - c[1])
        and max(c[2] - c[0], c[3] - c[1]) <= GLYPH[1] * th
    ]
    if not glyphs:
        return x1 - round(CLOSE_INSET * h), (y0 + y1) // 2
    cx0, cy0, cx1, cy1 = max(glyphs, key=lambda c: c[2])
    return end + (cx0 + cx1) // 2, y0 + 2 + (cy0 + cy1) // 2


BAR_H = (1.5, 3.5)  # a title bar's height range in text heights
BAR_WIDE = 4  # a title bar is at least this many times wider than tall
GLYPH = (0.4, 1.4)  # a close glyph's smaller and larger side, in text heights
CLOSE_INSET = 0.6  # share of the bar's height from its right end to the close button centre


def widget_rows(frame: np.ndarray, top: int) -> list[tuple[str, Box]]:
    """Form controls stacked one per row below `top`, each as (kind, box of its row).

    kind is checkbox (small square, framed or filled), radio (small circle), textarea (a frame
    over two text heights tall), button (a frame its label sits centred in, or an unlabelled
    frame filled unlike the page) or text (a one-line field). Ink is what differs from the
    page's own grey and sizes are in text heights, so a dark theme or a zoom does not matter.
    """
    g = grey(frame).astype(np.int16)
    bg = page_grey(g[top:])
    ink = np.abs(g - bg) > WIDGET_INK
    ink[:top] = False
    th = text_height(frame)
    out: list[tuple[str, Box]] = []
    for x0, y0, x1, y1 in mask_bands(ink, 1, 1):
        if y1 - y0 < MIN_ROW * th:
            continue  # a speck, not a control
        kind = _control_kind(g[y0:y1], ink[y0:y1], x0, bg, th)
        if kind:
            out.append((kind, (x0, y0, x1, y1)))
    return out


WIDGET_INK = 24  # grey difference from the page that marks a border, fill or glyph
MIN_ROW = 0.5  # a control row is at least this many text heights tall
SMALL_CONTROL = 1.7  # a checkbox or radio is at most this many text heights wide and tall
TEXTAREA_H = 2.6  # a frame at least this many text heights tall holds several lines
HIGH_TEXT = 0.4  # text heights more room under a frame's text than over it: a textarea's
CORNER = 0.15  # a small control's corner window, as a share of its size
CORNER_INK = 0.3  # share of ink in a small control's corners: square above, circle below


def page_grey(g: np.ndarray) -> int:
    """The commonest grey level of `g`: the page background."""
    return int(np.argmax(np.bincount(g.ravel().clip(0, 255).astype(np.int64), minlength=256)))


def _control_kind(g: np.ndarray, band: np.ndarray, xl: int, bg: int, th: int) -> str | None:
    """What control starts at column `xl` of a row band (greys `g`, ink mask `band`, page grey
    `bg`, text height `th`)."""
    boxes = [b for b in components(band) if b[0] <= xl + 1]
    if not boxes:
        return None
    bx0, by0, bx1, by1 = max(boxes, key=area)
    w, h = bx1 - bx0, by1 - by0
    if w <= SMALL_CONTROL * th and h <= SMALL_CONTROL * th:
        k = max(1, round(CORNER * min(w, h)))
        part = band[by0:by1, bx0:bx1]
        corners = [part[:k, :k], part[:k, -k:], part[-k:, :k], part[-k:, -k:]]
        share = sum(int(c.sum()) for c in corners) / (4 * k * k)
        return "checkbox" if share >= CORNER_INK else "radio"
    edge = max(2, round(0.15 * min(w, h)))  # the frame and its padding
    inner = band[by0 + edge : by1 - edge, bx0 + edge : bx1 - edge]
    # rows of text, read left of a textarea's resize grip in the bottom-right corner
    rows = np.nonzero(inner[:, : max(1, inner.shape[1] - h // 2)].any(axis=1))[0]
    cols = np.nonzero(inner.any(axis=0))[0]
    if len(cols) == 0:
        if h >= TEXTAREA_H * th:
            return "textarea"
        fill = float(np.median(g[by0 + edge : by1 - edge, bx0 + edge : bx1 - edge]))
        return "button" if abs(fill - bg) > WIDGET_INK / 2 else "text"
    above, below = (int(rows[0]), inner.shape[0] - 1 - int(rows[-1])) if len(rows) else (0, 0)
    if below >= above + HIGH_TEXT * th or h >= TEXTAREA_H * th or _grip(inner, w, h):
        return "textarea"  # its text starts at the top, a field's sits in the middle
    left, right = int(cols[0]), inner.shape[1] - 1 - int(cols[-1])
    return "button" if right <= 2 * left + 0.5 * th else "text"


def _grip(inner: np.ndarray, w: int, h: int) -> bool:
    """True when a wide frame's inside has ink in its bottom-right corner but none above it
    there: a textarea's resize grip (a button's centred label fills both or neither)."""
    if w < GRIP_WIDE * h:
        return False
    side = max(2, h // 2)
    corner = inner[-side:, -side:]
    over = inner[: max(1, inner.shape[0] - side), -side:]
    return bool(corner.any() and not over.any())


GRIP_WIDE = 3  # only a frame this many times wider than tall can be a textarea with a grip


def _reader() -> TextReader:
    """The parser's own OCR reader (one per process, see `perception.screen.ocr.shared_reader`)."""
    from perception.screen.ocr import shared_reader

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
    """First row below the instruction banner at the top, else 0.

    The banner is whatever flat fill the first row has (yellow on plain pages, a grey a shade
    off the page under a dark theme), so it is followed down until rows stop being that fill.
    """
    rgb = frame[..., :3].astype(np.int16)
    fill = np.median(rgb[1], axis=0)
    page = page_colour(rgb)
    if np.abs(fill - page).max() <= BANNER_TOL:
        return 0
    to_fill = np.abs(rgb - fill).max(axis=2)
    share = ((to_fill < np.abs(rgb - page).max(axis=2)) & (to_fill <= BANNER_NOISE)).mean(axis=1)
    y = 1
    while y < len(share) and share[y] >= BANNER_SHARE:
        y += 1
    return y


def page_colour(rgb: np.ndarray) -> np.ndarray:
    """The page background of an (H, W, 3) int16 frame: the commonest colour of its side and
    bottom edges below the banner's reach (boxes and banners seldom touch those)."""
    h = rgb.shape[0]
    rim = np.concatenate([rgb[h // 4 :, 0], rgb[h // 4 :, -1], rgb[-1]])
    c = rim.astype(np.int32)
    keys = (c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    k = int(values[counts.argmax()])
    return np.array([(k >> 16) & 255, (k >> 8) & 255, k & 255], np.int16)


BANNER_TOL = 8  # max channel step between the banner's fill and the page's (dark: ~15)
BANNER_NOISE = 40  # JPEG shifts a saturated fill this far (a pixel nearer the page is page)
BANNER_SHARE = 0.05  # a banner row shows some banner fill (text lines leave ~15 %)


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


WORD_ASPECT = 1.2  # a word blob is at least this much wider than tall
WORD_FILL = 0.35  # share of its box a word's edge blob covers (a frame's ring covers less)
MIN_WORDS = 3  # fewer word blobs than this do not set the scale


def text_lines(frame: np.ndarray, top: int = 0, gap: float = 0.7) -> list[list[Box]]:
    """Word groups of each text line below `top`, top to bottom: edge blobs of glyph height
    joined with same-line neighbours closer than `gap` text heights."""
    th = text_height(frame)
    mask = edge_mask(frame)
    mask[:top] = False
    blobs = [
        b for b in components(mask) if 0.5 * th <= b[3] - b[1] <= 1.6 * th and b[2] - b[0] <= 8 * th
    ]
    lines: list[list[Box]] = []
    for b in sorted(blobs, key=lambda b: b[1]):
        for line in lines:
            y0, y1 = min(o[1] for o in line), max(o[3] for o in line)
            if min(y1, b[3]) - max(y0, b[1]) > 0.5 * (b[3] - b[1]):
                line.append(b)
                break
        else:
            lines.append([b])
    return [
        sorted(merge_row(line, gap=max(2, round(gap * th))), key=lambda b: b[0]) for line in lines
    ]


def tab_labels(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Word groups of the first full text line below `top`, left to right: a tab strip's labels
    when a tab widget opens the page (OCR them: a label may merge with its neighbour)."""
    th = text_height(frame)
    for line in text_lines(frame, top):
        if line[-1][2] - line[0][0] >= MIN_LINE_WIDTH * th:
            return line
    return []


MIN_LINE_WIDTH = 3  # a text line spans at least this many text heights (not a stray blob)


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
    pieces = [
        b
        for b in components(opened > 0)
        if b[3] - b[1] <= max(2, round(UNDERLINE_MAX_THICK * th))
        and _even(contrast[b[1] : b[3], b[0] : b[2]])
    ]
    h = ink.shape[0]
    words = []
    lines = [
        line
        for line in _join_skips(ink, pieces, max(2, round(SKIP_INK_GAP * th)))
        if line[2] - line[0] >= UNDERLINE_MIN * th
        and line[4] >= UNDERLINE_COVER * (line[2] - line[0])
    ]
    for x0, y0, x1, y1, _ in lines:
        if y0 - th < top:
            continue
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
        word_top = _glyph_top(above)
        if word_top is None or len(above) - word_top < 0.5 * th:
            continue
        word = (x0, y0 - len(above) + word_top, x1, y1)
        if not _inside_word(ink, word, th):
            words.append(word)
    return words


UNDERLINE_PIECE = 0.6  # shortest unbroken underline piece (skip-ink gaps cut it at descenders)
SKIP_INK_GAP = 0.8  # widest gap, in text heights, between pieces of one underline
UNDERLINE_COVER = 0.7  # share of an underline's span its pieces draw
UNDERLINE_MIN = 0.8  # an underline spans at least this many text heights (two letters)
UNDERLINE_MAX_THICK = 0.2  # text heights an underline may take after blur (2 rows at least)
UNDERLINE_EVEN = 0.6  # an underline column keeps this share of the piece's median contrast
UNEVEN_SHARE = 0.25  # share of its columns a piece may have weaker than that
BELOW_INK = 0.3  # share of ink in the two rows under an underline (descenders only)


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


def _framed(ink: np.ndarray, line: Box, th: int) -> bool:
    """True when a horizontal ink line is the edge of a box: an unbroken vertical line meets
    its end that rises higher than a letter does, or goes down as far as a text height."""
    x0, y0, x1, y1 = line
    h, w = ink.shape
    rise = round(BOX_SIDE * th)
    for x in (x0 - 1, x0, x0 + 1, x1 - 2, x1 - 1, x1):
        col = ink[:, min(max(0, x), w - 1)]
        up, down = col[max(0, y0 - rise) : y0], col[y1 : min(h, y1 + th)]
        if (up.size and up.mean() >= 0.9) or (down.size and down.mean() >= 0.9):
            return True
    return False


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
    right = band[:, x1 : x1 + side]
    if right.size and right.any(axis=0).mean() > 0.5:
        return True
    left = slice(max(0, x0 - side), x0)
    glyph = band[:, left].any(axis=0)
    descends = ink[max(0, y0 - 2) : y1, left].any(axis=0)
    return bool(glyph.size and (glyph & ~descends).mean() > 0.5)


WORD_SPACE = 0.25  # a space between words is about this many text heights wide


def _glyph_top(band: np.ndarray) -> int | None:
    """Index of the top row of the glyph band that ends just above an underline (`band`: ink
    over the line's columns, bottom row last); None when no glyphs sit there. The band stops
    at a blank row or at the underline of the line above (a row nearly all ink)."""
    rows = band.sum(axis=1) >= GLYPH_ROW_INK
    y = len(rows) - 1
    skipped = 0
    while y >= 0 and not rows[y] and skipped < 2:
        y, skipped = y - 1, skipped + 1
    if y < 0 or not rows[y]:
        return None
    while y > 0 and rows[y - 1] and band[y - 1].mean() < FULL_ROW:
        y -= 1
    return y


FULL_ROW = 0.8  # share of ink that makes a row above a word another underline, not glyphs
GLYPH_ROW_INK = 1  # ink pixels that make a row part of a word
LINE_PITCH = 0.85  # text lines lie at least this many text heights apart
LINK_HEIGHT = 1.25  # a link word with its underline is at most this many text heights tall
