"""Pixel geometry for reading skills: text lines, words, ruled grids and icons, found with numpy.

The screen detector finds elements but often merges a paragraph into one box or splits a table
oddly; these helpers measure ink and rules directly on the (H, W, 3) uint8 RGB frame, then read
the small regions they find again, upscaled, with the OCR reader. No DOM, no page script.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from perception.screen.ocr import TextReader

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive
INK_CONTRAST = 70  # grey levels between ink and its background
READ_MARGIN = 0.3  # of a box's height: the room left around it for the recogniser
STEM_CHARS = "ilI"  # letters drawn as one thin upright stroke
STEM_CONTRAST = 60  # grey levels below the line's background that count as ink of a stem
STEM_WIDTH = 0.18  # of the line's height: the widest a stem glyph is (at least 2 px)
BG_PERCENTILE = 90  # a text line's background is among its lightest pixels (ink may be most)
INK_PEAK = 90  # percentile of a line's inked columns' contrast: its ink's full strength
GAP_INK = 0.5  # of that strength: a column paler than this lies between glyphs
PALE_NOISE = 12  # grey levels: a column this faint is blank (anti-aliasing fringe, noise)
DOT_SHARE = 0.35  # of the line's height: the tallest an i's dot is
MARK_CONTRAST = 50  # summed channel distance from the bar's colour of an icon's pixels
MARK_MAX_CONTRAST = 150  # ... raised for a noisy fill up to this (white icons on red are ~400)
NOISE_PERCENTILE = 75  # icons cover less of a bar than this: the rest shows its noise
NOISE_FACTOR = 3
EDGE_ROW_SHARE = 0.5  # a bar row this much unlike the bar is its edge (icons are narrower)
EDGE_COL_SHARE = 0.7  # a bar column this much unlike the bar is its edge (icons are shorter)
FILL_SHARE = 0.5  # a band this much unlike the page is a filled bar, not a line of ink
BANNER_SAMPLE = 3  # rows at the top of the frame that show the banner's colour
BANNER_TOL = 16  # summed channel distance of a banner pixel from its colour, JPEG noise aside
BLEND_ROWS = 2  # rows between banner and page that resizing or JPEG ringing blends
BLEND_TOL = 40  # summed channel distance of a blended row from the page row below it
RULE_MIN_LEN = 40  # px: a table or card rule is at least this long (text runs are shorter)
RULE_REACH = 3  # px: a rule is darker than the lightest pixel this close on either side
RULE_CONTRAST = 8  # grey levels: how much darker (faded or JPEG-blurred rules are pale)
CROSS_SHARE = 0.5  # share of a row (column) on a line where a rule crosses it
TONE_TOL = 40  # grey levels: a blurred rule's pixels are at most this darker than its grey
RULE_GAP = 12  # px: letters touching a rule, or JPEG noise, break its run by up to this much
RULE_FILL = 0.8  # share of a rule's run that is dark (noise, not letters, breaks it)


def default_reader() -> TextReader:
    """The parser's own OCR reader (one per process, see `perception.screen.ocr.shared_reader`)."""
    from perception.screen.ocr import shared_reader

    return shared_reader()


def grey(frame: np.ndarray) -> np.ndarray:
    """(H, W) float grey levels 0-255 of an RGB frame."""
    return frame[..., :3].astype(np.float32).mean(axis=2)


def off_background_mask(frame: np.ndarray, box: Box, contrast: float = INK_CONTRAST) -> np.ndarray:
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
    mask = off_background_mask(frame, box)
    x0, y0 = box[0], box[1]
    out = []
    for a, b in runs(mask.any(axis=1), min_gap=1):
        if b - a < min_height:
            continue
        cols = np.flatnonzero(mask[a:b].any(axis=0))
        out.append((x0 + int(cols[0]), y0 + a, x0 + int(cols[-1]) + 1, y0 + b))
    return out


def words(frame: np.ndarray, line: Box, space: float | None = None) -> list[Box]:
    """Boxes of the words of one text line, left to right, split where the ink gap is a space.

    A gap is a run of pale columns (darkest pixel under GAP_INK of the line's ink contrast); its
    width counts each column by how pale it is, so the grey columns that blur (a downscale, JPEG)
    leaves between letters weigh little. A space is at least `space` such columns; without it, a
    third of the line's height (at least 3 px, MiniWoB's unzoomed size).
    """
    x0, y0, x1, y1 = line
    g = grey(frame)[max(0, y0 - 1) : y1 + 1, x0:x1]
    if g.size == 0:
        return []
    background = float(np.percentile(g, BG_PERCENTILE))
    column = np.clip(background - g, 0, None).max(axis=0)
    ink = column > INK_CONTRAST
    if not ink.any():
        return []
    peak = max(float(np.percentile(column[ink], INK_PEAK)), 1.0)
    pale = np.clip(1 - (column - PALE_NOISE) / max(peak - PALE_NOISE, 1.0), 0, 1)
    need = space if space is not None else max(3, round((y1 - y0) / 3))
    out: list[Box] = []
    start: int | None = None
    for a, b in runs(column < GAP_INK * peak):
        if a == 0 or b == len(column):
            continue  # the line's box is cropped to its ink: an edge run is a letter's fringe
        if float(pale[a:b].sum()) >= need:
            out.append((x0 + (start if start is not None else 0), y0, x0 + a, y1))
            start = b
    out.append((x0 + (start if start is not None else 0), y0, x1, y1))
    return out


def read_boxes(
    frame: np.ndarray,
    boxes: Sequence[Box],
    scale: int = 3,
    margin: int = 2,
    reader: TextReader | None = None,
) -> list[str]:
    """Text of each box, read from its crop upscaled `scale` times (small glyphs read better),
    with a margin of at least `margin` px or a third of the box's height (the recogniser wants
    some room around the glyphs). Bilinear upscaling: sharper kernels turn the ringing of a
    JPEG or a resize into strokes. An "l" whose stem shows a dot is corrected to "i"."""
    from PIL import Image

    reader = reader or default_reader()
    h, w = frame.shape[:2]
    out = []
    for x0, y0, x1, y1 in boxes:
        m = max(margin, round(READ_MARGIN * (y1 - y0)))
        xa, ya = max(0, x0 - m), max(0, y0 - m)
        xb, yb = min(w, x1 + m), min(h, y1 + m)
        if xb - xa < 2 or yb - ya < 2:
            out.append("")
            continue
        g = grey(frame[ya:yb, xa:xb]).astype(np.uint8)
        if np.median(g) < 160:  # light text on a dark or coloured fill (a hovered item)
            g = 255 - g
        crop = Image.fromarray(np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2)))
        up = np.asarray(crop.resize((crop.width * scale, crop.height * scale), Image.BILINEAR))
        text, _ = reader.read(up, [((0, 0, up.shape[1], up.shape[0]), "button")])[0]
        out.append(fix_stems(frame, (x0, y0, x1, y1), text.strip()))
    return out


def fix_stems(frame: np.ndarray, line: Box, text: str) -> str:
    """`text` read from `line` with its "l"s, "i"s and "I"s checked against the pixels: the
    recogniser takes a blurred "i" for an "l", so where the line's thin upright glyphs match
    those letters one to one, a glyph with a dot above its stem is an "i"; and a word cannot
    start with a small "l" before a consonant ("lslam"), so that one is a capital "I"."""
    stems = thin_glyphs(frame, line)
    slots = [i for i, c in enumerate(text) if c in STEM_CHARS]
    chars = list(text)
    if stems and len(stems) == len(slots):
        for i, dotted in zip(slots, stems, strict=True):
            if dotted and chars[i] in "lI":
                chars[i] = "i"
    for i, c in enumerate(chars[:-1]):
        start = i == 0 or not chars[i - 1].isalpha()
        if c == "l" and start and chars[i + 1].isalpha() and chars[i + 1] not in "aeiouyl":
            chars[i] = "I"
    return "".join(chars)


def thin_glyphs(frame: np.ndarray, line: Box) -> list[bool]:
    """For each thin upright glyph of a text line (i, l, I: ink columns no wider than a stem and
    at least half the line tall), left to right, whether it has a dot: a gap in its ink between
    a short top part and the stem."""
    x0, y0, x1, y1 = line
    lh = y1 - y0
    m = max(1, round(READ_MARGIN * lh))  # a line box cut on contrast may clip a faint dot
    g = grey(frame)[max(0, y0 - m) : y1 + m, x0:x1]
    if g.size == 0:
        return []
    bg = float(np.percentile(g, BG_PERCENTILE))
    ink = (bg - g) > STEM_CONTRAST
    out = []
    for a, b in runs(ink.any(axis=0)):
        rows = runs(ink[:, a:b].any(axis=1))
        tall = rows[-1][1] - rows[0][0] if rows else 0
        if b - a > max(2, round(STEM_WIDTH * lh)) or tall < lh / 2:
            continue
        out.append(len(rows) >= 2 and rows[0][1] - rows[0][0] <= DOT_SHARE * lh)
    return out


def dips(frame: np.ndarray, axis: int = 0) -> np.ndarray:
    """(H, W) float: how much darker each pixel is than the lighter side of it across a thin
    line, i.e. than the lightest pixel within `RULE_REACH` on each side (above/below for axis 0,
    left/right for axis 1). Relative, so pale, faded (over two rows), blurred or inverted rules
    show, and the edge between two flat fills, a step and not a dip, does not."""
    g = grey(frame)
    if axis == 1:
        g = g.T
    pad = np.pad(g, ((RULE_REACH, RULE_REACH), (0, 0)), mode="edge")
    n = g.shape[0]
    above = np.max([pad[RULE_REACH - k : RULE_REACH - k + n] for k in range(1, RULE_REACH + 1)], 0)
    below = np.max([pad[RULE_REACH + k : RULE_REACH + k + n] for k in range(1, RULE_REACH + 1)], 0)
    dip = np.minimum(above, below) - g
    return dip.T if axis == 1 else dip


def line_mask(frame: np.ndarray, axis: int = 0) -> np.ndarray:
    """(H, W) bool: pixels on a thin line across `axis` (see `dips`)."""
    return dips(frame, axis) > RULE_CONTRAST


def crossing_lines(
    frame: np.ndarray,
    box: Box,
    axis: int = 0,
    tone: float | None = None,
    min_gap: int = 6,
    relative: float = 0.0,
) -> list[int]:
    """Rows (axis 0) or columns (axis 1) of `box` that a rule crosses from side to side: where
    most pixels along it lie on a thin line no darker than grey `tone` (the table's rules' grey,
    when known; a faded copy is paler). Letters touching a rule or JPEG noise break it here and
    there; text never fills a row, and the stems of left-aligned capitals lining up down a
    column are ink-dark. Lines closer than `min_gap` are one blurred line (the fullest comes
    back); with `relative`, a line is also that share as full as the fullest (rules alike)."""
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return []
    on = line_mask(frame, axis)[y0:y1, x0:x1]
    if tone is not None:
        on &= grey(frame)[y0:y1, x0:x1] >= tone - TONE_TOL
    share = on.mean(axis=1 - axis)
    floor = max(CROSS_SHARE, relative * float(share.max(initial=0.0)))
    start = y0 if axis == 0 else x0
    return [
        start + a + int(np.argmax(share[a:b])) for a, b in runs(share >= floor, min_gap=min_gap)
    ]


def rule_tone(frame: np.ndarray, y: int, x0: int, x1: int) -> float:
    """The grey of the horizontal rule that `h_rules` reports at row `y` (the lowest of its
    rows) between columns `x0` and `x1`: its darkest row's."""
    rows = grey(frame[max(0, y - RULE_REACH + 1) : y + 1, x0:x1])
    return float(np.median(rows, axis=1).min())


def h_rules(frame: np.ndarray, box: Box, min_len: int = RULE_MIN_LEN) -> list[tuple[int, int, int]]:
    """(y, x0, x1) of horizontal rules in `box`: rows darker than the rows just above and below
    along a run long enough not to be text; the rows of one thick or blurred rule come back once
    (the lowest)."""
    x0, y0, x1, y1 = box
    mask = line_mask(frame, axis=0)[y0:y1, x0:x1]
    found: list[tuple[int, int, int]] = []
    for r in range(mask.shape[0]):
        for a, b in runs(mask[r], min_gap=RULE_GAP):
            if b - a < min_len or mask[r, a:b].mean() < RULE_FILL:
                continue
            y, xa, xb = y0 + r, x0 + a, x0 + b
            if found and found[-1][0] == y - 1 and _overlap(found[-1][1:], (xa, xb)) > 0.5:
                found[-1] = (y, min(found[-1][1], xa), max(found[-1][2], xb))
                continue
            found.append((y, xa, xb))
    return found


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of the shorter of two spans [a0, a1) and [b0, b1) that the other covers."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, inter) / max(1, min(a[1] - a[0], b[1] - b[0]))


def v_rules(frame: np.ndarray, box: Box, min_share: float = 0.9) -> list[int]:
    """x of vertical rules crossing `box`: columns darker than their neighbours left and right
    over `min_share` of the box's height."""
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return []
    mask = line_mask(frame[y0:y1], axis=1)[:, x0:x1]
    dark = mask.mean(axis=0) >= min_share
    return [x0 + (a + b) // 2 for a, b in runs(dark)]


def blobs(
    frame: np.ndarray, box: Box, min_gap: int = 3, contrast: float = INK_CONTRAST
) -> list[Box]:
    """Boxes of separate ink blobs (icons, words) in `box`, left to right; pale icons need a
    lower `contrast`."""
    x0, y0, x1, y1 = box
    mask = (
        off_background_mask(frame, box, contrast)
        if (x1 > x0 and y1 > y0)
        else np.zeros((0, 0), bool)
    )
    out = []
    for a, b in runs(mask.any(axis=0), min_gap=min_gap):
        rows = np.flatnonzero(mask[:, a:b].any(axis=1))
        out.append((x0 + a, y0 + int(rows[0]), x0 + b, y0 + int(rows[-1]) + 1))
    return out


def content_top(frame: np.ndarray, limit: int = 80) -> int:
    """First row below the instruction banner: where rows stop showing the banner's colour (its
    top rows' median; text covers up to two thirds of a banner row, so a tenth is the cut), past
    the one or two rows that a resized or compressed frame blends between banner and page. How
    near a pixel must be to the banner's colour scales with the banner's own noise (JPEG)."""
    h = min(limit, frame.shape[0])
    rgb = frame[:h, :, :3].astype(np.int16)
    banner = np.median(rgb[:BANNER_SAMPLE].reshape(-1, 3), axis=0)
    noise = np.percentile(np.abs(rgb[:BANNER_SAMPLE] - banner).sum(axis=2), 90)
    tol = max(BANNER_TOL, 2 * float(noise))
    near = (np.abs(rgb - banner).sum(axis=2) <= tol).mean(axis=1) >= 0.1
    y = next((y for y in range(h) if not near[y]), None)
    if not y:
        return 0
    rows = np.median(rgb, axis=1)  # a row's dominant colour
    for _ in range(BLEND_ROWS):  # a blended row is unlike the row under it
        if y + 1 < h and _far(rows[y], rows[y + 1]):
            y += 1
    return y


def _far(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two colours differ by more than JPEG ringing does (summed over channels)."""
    return float(np.abs(a - b).sum()) > BLEND_TOL


def bands(frame: np.ndarray, top: int | None = None) -> list[Box]:
    """Ink bands of the page below the banner: text lines (short) and framed widgets (tall)."""
    y0 = content_top(frame) if top is None else top
    return text_lines(frame, (0, y0, frame.shape[1], frame.shape[0]))


def near(frame: np.ndarray, box: Box, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    """(h, w) bool: pixels of `box` within `tol` (summed over channels) of colour `rgb`."""
    x0, y0, x1, y1 = box
    diff = np.abs(frame[y0:y1, x0:x1, :3].astype(np.int16) - np.array(rgb, np.int16))
    return diff.sum(axis=2) <= tol


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


def header_bar(frame: np.ndarray, top: int | None = None) -> tuple[int, int] | None:
    """(y0, y1) of the first band below the banner: a filled header bar (of any colour), or,
    where a dark theme dropped the fill, the band of its ink (title and icons), a little padded
    so that `marks_on_bar` sees the page colour around the icons."""
    y0 = content_top(frame) if top is None else top
    region = (0, y0, frame.shape[1], frame.shape[0])
    bands = text_lines(frame, region)
    if not bands:
        return None
    _, a, _, b = bands[0]
    if off_background_mask(frame, region)[a - y0 : b - y0].mean() >= FILL_SHARE:
        return a, b  # a fill: the bar is its rows
    pad = max(1, (b - a) // 4)
    return max(y0, a - pad), min(frame.shape[0], b + pad)


def marks_on_bar(frame: np.ndarray, bar: tuple[int, int], min_gap: int = 2) -> list[Box]:
    """Icons drawn on a coloured bar: blobs of pixels unlike the bar's colour (well above the
    fill's own JPEG noise), left to right. Rows mostly unlike it, and columns unlike it top to
    bottom, are the bar's blended edges (resize, JPEG), and specks of fewer pixels than half the
    bar's height JPEG noise: all are left out."""
    y0, y1 = bar
    if y1 <= y0 or frame[y0:y1].size == 0:
        return []
    bg = np.median(frame[y0:y1, :, :3].reshape(-1, 3), axis=0).astype(np.int16)
    dist = np.abs(frame[y0:y1, :, :3].astype(np.int16) - bg).sum(axis=2)
    noise = float(np.percentile(dist, NOISE_PERCENTILE))  # JPEG's speckle on the fill
    diff = dist > min(MARK_MAX_CONTRAST, max(MARK_CONTRAST, NOISE_FACTOR * noise))
    inside = np.flatnonzero(~diff.all(axis=0))  # columns off the bar are unlike it top to bottom
    if inside.size == 0:
        return []
    diff[:, : inside[0]] = diff[:, inside[-1] + 1 :] = False
    edge_rows = diff[:, inside[0] : inside[-1] + 1].mean(axis=1) > EDGE_ROW_SHARE
    diff[:, diff.mean(axis=0) > EDGE_COL_SHARE] = False  # icons leave room above and below
    diff[edge_rows] = False
    speck = max(2, (y1 - y0) // 2)  # px in a blob: fewer is JPEG noise
    out = []
    for a, b in runs(diff.any(axis=0), min_gap=min_gap):
        rows = np.flatnonzero(diff[:, a:b].any(axis=1))
        if diff[:, a:b].sum() >= speck:
            out.append((a, y0 + int(rows[0]), b, y0 + int(rows[-1]) + 1))
    return out


MENU_DROP = 1.0  # line heights below the clicked point where a menu's sides surely run
MENU_BAND = 3.0  # line heights below the clicked point searched for its sides
MENU_SIDE_SHARE = 0.7  # share of that band a side rule spans (letters touching it break it)
MENU_SIDE_SLACK = 1  # px a blurred side rule may wander left or right
MENU_GAP = 0.5  # line heights: the longest break in a side rule (letters touching it)


def menu_below(frame: np.ndarray, point: tuple[int, int], lh: int, top: int = 0) -> Box | None:
    """The pop-up menu hanging below the clicked `point` (lh: the page's text height): its left
    side is the nearest vertical rule left of the point, its right side the nearest right of it
    (else the frame's edge), its top and bottom where its left side's rule starts and stops.
    Relative contrast, so a pale, dark-themed, resized or JPEG-blurred outline shows. Rows
    above `top` (under a banner) are hidden: a menu scrolled up is cut there."""
    h, w = frame.shape[:2]
    cx, cy = point
    y0 = max(cy + round(MENU_DROP * lh), top)
    y1 = min(h, y0 + round((MENU_BAND - MENU_DROP) * lh))
    if y1 <= y0:
        return None
    sides = v_rules(frame, (0, y0, w, y1), MENU_SIDE_SHARE)
    left = max((x for x in sides if x < cx), default=None)
    if left is None:
        return None
    right = min((x for x in sides if x > cx), default=w)
    a = max(0, left - MENU_SIDE_SLACK - RULE_REACH)  # the rule with room to dip either side
    strip = line_mask(frame[:, a : left + MENU_SIDE_SLACK + RULE_REACH + 1], axis=1)
    column = strip[:, left - a - MENU_SIDE_SLACK : left - a + MENU_SIDE_SLACK + 1].any(axis=1)
    column[: max(cy, top)] = False
    gap = max(2, round(MENU_GAP * lh))
    span = next(((t, b) for t, b in runs(column, min_gap=gap) if t < y1 and b > y0), None)
    return (left, span[0], right, span[1]) if span else None


def scroll_shift(before: np.ndarray, after: np.ndarray, top: int = 0) -> int:
    """How many px the page below `top` moved up between two frames (a scroll): the offset that
    best lays the earlier frame's rows onto the later one's; 0 when the frames differ in size."""
    if before.shape != after.shape:
        return 0
    a, b = grey(before)[top:], grey(after)[top:]
    n = a.shape[0]
    costs = [float(np.abs(a[dy:] - b[: n - dy]).mean()) for dy in range(n // 2)]
    return int(np.argmin(costs)) if costs else 0
