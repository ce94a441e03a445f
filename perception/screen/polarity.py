"""A dark page redrawn dark on light, with the dark ink it carries kept visible.

Flipping lightness turns light text on a dark page into dark text on a light one. Pictures
made for light pages (outline icons drawn in translucent dark ink) sit on a dark page a few
grey levels below its background, almost unseen; flipped, they turn a few levels lighter than
the flipped page and vanish for every finder. `flip_dark_page` flips the whole frame and draws
such ink as it would show on the flipped page: by its opacity (its step below the background
around it over that background's grey) over the light page. Controls a dark scheme leaves
unstyled (native check boxes and radio buttons: small white squares and discs) are kept as
drawn, light with their grey rim, as they show on a light page; flipped they turned into
filled black squares, which read as neither state.
"""

from __future__ import annotations

import numpy as np

DARK_SURROUND = 100  # grey: a pixel whose surround is darker than this is on a dark region
WINDOW = 15  # px, the median window that sees past strokes and small glyphs to their background
MIN_INK_STEP = 3  # grey levels below a dark surround that count as ink drawn on it
MIN_BACKGROUND = 0.01  # share of a frame's flat pixels a grey must fill to be a background
WHITE = 235  # grey: a control's blank face, unstyled (a light icon's fill is greyer)
CONTROL_SIDE = (7, 26)  # px, sides of a check box or radio button's face
MIN_PAGE = 160  # grey: a flipped page lighter than this is not stretched to white
MIN_FILL = 0.6  # share of its box a face fills (a small disc 0.67, a check mark 0.3)


def surround(lum: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The background grey around each pixel of an (H, W) uint8 grey image: the median of the
    `window` x `window` square around it (strokes and glyphs thinner than half of it vanish)."""
    import cv2

    return cv2.medianBlur(np.ascontiguousarray(lum), window)


def invert_lightness(rgb: np.ndarray) -> np.ndarray:
    """HSL lightness flipped, hue and saturation kept: light text on dark turns dark on light
    and a pale link blue turns a deep blue."""
    import cv2

    channels = cv2.split(np.ascontiguousarray(rgb))
    low, high = channels[0], channels[0]
    for c in channels[1:]:
        low, high = cv2.min(low, c), cv2.max(high, c)
    room = cv2.subtract(255, high)  # (c - low) + room stays within 0..255
    return cv2.merge([cv2.add(cv2.subtract(c, low), room) for c in channels])


def backgrounds(lum: np.ndarray) -> np.ndarray:
    """The greys (uint8 values) that fill flat areas of an (H, W) uint8 grey image widely
    enough to be a background: each covers at least `MIN_BACKGROUND` of its flat pixels."""
    import cv2

    kernel = np.ones((3, 3), np.uint8)
    flat = (cv2.dilate(lum, kernel) - cv2.erode(lum, kernel)) <= 1
    counts = np.bincount(lum[flat].ravel(), minlength=256)
    return np.flatnonzero(counts >= max(1, MIN_BACKGROUND * counts.sum())).astype(np.uint8)


def dark_ink(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask, opacity) of the pixels of `raw` (H, W, 3) uint8 drawn darker than the dark
    background around them: opacity (float32, one per masked pixel) is their step below it
    over its grey. A surround that is no background grey of the frame (a window over a mix of
    text, fills and borders) counts for nothing, and so does a pixel of a background grey."""
    import cv2

    grey = cv2.cvtColor(np.ascontiguousarray(raw[..., :3]), cv2.COLOR_RGB2GRAY)
    around = surround(grey)
    near = np.zeros(256, bool)
    for d in (-1, 0, 1):
        near[np.clip(backgrounds(grey).astype(int) + d, 0, 255)] = True
    near[DARK_SURROUND:] = False
    step = around.astype(np.int16) - grey
    # a pixel of a background grey is no ink: a thin strip of the page between two lighter
    # fills has their median around it
    mask = near[around] & ~near[grey] & (step >= MIN_INK_STEP)
    back = np.maximum(around[mask].astype(np.float32), 1.0)
    return mask, np.clip(step[mask] / back, 0.0, 1.0)


def light_controls(raw: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the small, about square, filled white faces on a dark
    surround in `raw` (H, W, 3) uint8: check boxes and radio buttons a dark scheme left as
    they are drawn on light pages."""
    import cv2

    grey = cv2.cvtColor(np.ascontiguousarray(raw[..., :3]), cv2.COLOR_RGB2GRAY)
    white = (grey >= WHITE).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(white, connectivity=4)
    lo, hi = CONTROL_SIDE
    boxes = []
    for x, y, w, h, area in stats[1:n]:
        if not (lo <= w <= hi and lo <= h <= hi and 0.75 <= w / h <= 1.33):
            continue
        if area < MIN_FILL * w * h:
            continue
        ring = grey[max(0, y - 3) : y + h + 3, max(0, x - 3) : x + w + 3]
        edge = np.concatenate([ring[0], ring[-1], ring[:, 0], ring[:, -1]])
        if np.median(edge) < DARK_SURROUND:
            boxes.append((int(x), int(y), int(x + w), int(y + h)))
    return boxes


def stretched(rgb: np.ndarray) -> np.ndarray:
    """`rgb` (H, W, 3) uint8 scaled so its commonest grey (the page) is white: a flipped dark
    page is a light grey (its background was not black) and its ink not quite black, while
    the finders and the detector know pages drawn black on white."""
    import cv2

    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    page = int(np.bincount(grey.ravel(), minlength=256).argmax())
    if page < MIN_PAGE or page >= 255:
        return rgb
    return cv2.convertScaleAbs(rgb, alpha=255.0 / page)


def flip_dark_page(rgb: np.ndarray, raw: np.ndarray | None = None) -> np.ndarray:
    """`rgb` (H, W, 3) uint8 with lightness flipped, the dark ink of `raw` (the same frame
    before any clean-up; default `rgb`) drawn on the flipped page by its opacity, and its light
    unstyled controls kept as drawn (their face and rim: what is lighter than the page)."""
    raw = rgb if raw is None else raw
    out = stretched(invert_lightness(rgb))
    mask, opacity = dark_ink(raw)
    if mask.any():
        page = out[mask].astype(np.float32)
        out[mask] = np.round(page * (1.0 - opacity[:, None])).astype(np.uint8)
    h, w = out.shape[:2]
    for x0, y0, x1, y1 in light_controls(raw):
        ya, yb, xa, xb = max(0, y0 - 2), min(h, y1 + 2), max(0, x0 - 2), min(w, x1 + 2)
        patch = raw[ya:yb, xa:xb, :3]
        grey = patch.mean(axis=2)
        rim = grey >= np.median(np.concatenate([grey[0], grey[-1]])) + 2 * MIN_INK_STEP
        out[ya:yb, xa:xb][rim] = patch[rim]
    return out
