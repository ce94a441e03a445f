"""How large a frame draws its text, so a small frame can be read at the size the parser knows.

The screen detector, the OCR crops and the pixel finders (icons, dots, text lines) were tuned
on frames whose small print is a 10 px sans-serif: capitals and ascenders about 7.3 px tall.
A page shown smaller (zoomed out, a resized screenshot) draws the same words in fewer pixels;
OCR then garbles short words and link labels, and icons shrink below the finders' sizes.
`text_scale` measures the height of capitals and ascenders in the frame's first lines of text
(where a page's title, banner or instruction sits) from pixels alone, and `zoom_for` turns a
small measure into the factor that brings the text back to that size; `resample` applies it.
"""

from __future__ import annotations

import numpy as np

from contracts.errors import missing_extra

REF_CAP_PX = 7.3  # capital / ascender height of the 10 px sans-serif the parser was tuned on
TOP_BAND = 0.22  # share of the frame's height, from the top, where its first lines are read
INK_STEP = 60  # a pixel this much darker than its 9x9 surround's lightest is ink
MIN_CONTRAST = 100  # a glyph's darkest pixel is at least this far below its surround
GLYPH_H = (3, 40)  # px, heights of a single glyph (dots and rules are smaller or thinner)
MIN_GLYPHS = 5  # fewer glyphs measured (in the whole frame too): the scale is not known
CAP_PERCENTILE = 95  # the tall glyphs (capitals, ascenders; p90 read a one-line title 0.84 at 1x)
REF_PITCH_PX = 11.05  # baseline-to-baseline distance of wrapped lines in that print
PITCH_SLACK = 0.15  # the pitch is looked for this share around the glyphs' estimate of it
MIN_PERIODICITY = 0.2  # autocorrelation at the pitch, as a share of the rows' variance
UPSAMPLE_BELOW = 0.92  # text under this share of the reference size is read zoomed in
# Larger text is read as it is: a real page's own 14-16 px print measures 1.4-1.6, like a
# small page shown x1.5, and the finders tuned on real pages read it at that size.
MAX_ZOOM = 2.0  # never enlarge a frame more than this


def glyph_heights(frame: np.ndarray, band: float = TOP_BAND) -> np.ndarray:
    """Heights, in (fractional) pixels, of the dark glyphs in the top `band` of an (H, W, 3)
    uint8 light-page frame; antialiased rows count by their darkness, so a glyph shrunk to
    0.75x measures 0.75 of its full size rather than a whole pixel either way."""
    try:
        import cv2
    except ImportError:
        raise missing_extra("opencv-python (via rapidocr-onnxruntime)", "house") from None
    top = max(1, int(round(band * frame.shape[0])))
    gray = cv2.cvtColor(np.ascontiguousarray(frame[: top + GLYPH_H[1], :, :3]), cv2.COLOR_RGB2GRAY)
    dark = cv2.dilate(gray, np.ones((9, 9), np.uint8)).astype(np.float32) - gray
    ink = (dark > INK_STEP).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = []
    for x, y, w, h, area in stats[1:n]:
        if y + h > top or not GLYPH_H[0] <= h <= GLYPH_H[1] or w > 2 * h or area < 0.2 * w * h:
            continue
        patch = dark[max(0, y - 1) : y + h + 1, x : x + w]
        contrast = float(patch.max())
        if contrast < MIN_CONTRAST:
            continue
        heights.append(float(np.clip(patch.max(axis=1) / contrast, 0, 1).sum()))
    return np.array(heights, np.float32)


def text_scale(frame: np.ndarray) -> float | None:
    """How large the frame's first lines of text are against the parser's reference print
    (1.0: as tuned, 0.75: drawn at three quarters), or None when too few glyphs show. Glyph
    heights give the size to about a tenth; where those lines wrap, their pitch (a period of
    the rows' ink) sharpens it to a few hundredths."""
    heights = glyph_heights(frame)
    if len(heights) < MIN_GLYPHS:  # a short title: measure every line instead
        heights = glyph_heights(frame, band=1.0)
    if len(heights) < MIN_GLYPHS:
        return None
    scale = float(np.percentile(heights, CAP_PERCENTILE)) / REF_CAP_PX
    pitch = line_pitch(frame, scale * REF_PITCH_PX)
    return scale if pitch is None else pitch / REF_PITCH_PX


def line_pitch(frame: np.ndarray, near: float, band: float = TOP_BAND) -> float | None:
    """The distance in (fractional) pixels between the frame's first lines of text, searched
    within PITCH_SLACK of `near`: the autocorrelation peak of the top band's row ink, or None
    when those lines do not repeat (one line, or lines of mixed sizes)."""
    import cv2

    top = max(1, int(round(band * frame.shape[0])))
    gray = cv2.cvtColor(np.ascontiguousarray(frame[:top, :, :3]), cv2.COLOR_RGB2GRAY)
    dark = cv2.dilate(gray, np.ones((9, 9), np.uint8)).astype(np.float32) - gray
    rows = dark.sum(axis=1)
    rows -= rows.mean()
    ac = np.correlate(rows, rows, "full")[len(rows) - 1 :]
    lo, hi = int(near * (1 - PITCH_SLACK)), int(np.ceil(near * (1 + PITCH_SLACK)))
    if lo < 2 or hi + 1 >= len(ac) or ac[0] <= 0:
        return None
    lag = lo + int(np.argmax(ac[lo : hi + 1]))
    a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
    if not (b >= a and b >= c) or b < MIN_PERIODICITY * ac[0] or a - 2 * b + c >= 0:
        return None
    return float(lag + (a - c) / (2 * (a - 2 * b + c)))


def zoom_for(scale: float | None) -> float:
    """The factor to enlarge a frame by before parsing: 1.0 unless its text is small."""
    if scale is None or scale > UPSAMPLE_BELOW:
        return 1.0
    return min(MAX_ZOOM, 1.0 / max(scale, 1e-3))


def resample(frame: np.ndarray, zoom: float) -> np.ndarray:
    """An (H, W, 3) uint8 frame enlarged by `zoom` (bicubic), itself when `zoom` is 1."""
    if zoom == 1.0:
        return frame
    import cv2

    h, w = frame.shape[:2]
    size = (max(1, round(w * zoom)), max(1, round(h * zoom)))
    return cv2.resize(np.ascontiguousarray(frame), size, interpolation=cv2.INTER_CUBIC)
