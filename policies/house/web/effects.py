"""Did an action show on screen? Frame comparisons the closed-loop executor checks steps with."""

from __future__ import annotations

import numpy as np

# A pixel counts as changed when a channel moves by more than this (JPEG noise stays below).
PIXEL_DELTA = 40
# Pixels of a region that must change for it to count as changed: two password dots or a
# toggled mark are a few dozen pixels whatever the region's size, so the floor is absolute.
REGION_MIN_PIXELS = 12
# Share of the whole frame whose change means the page itself changed (navigation, a dialog).
PAGE_SHARE = 0.01


def changed_mask(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose colour moved by more than PIXEL_DELTA in any channel."""
    diff = np.abs(before.astype(np.int16) - after.astype(np.int16))
    return diff.max(axis=-1) > PIXEL_DELTA


def changed(
    before: np.ndarray, after: np.ndarray, box: tuple[int, int, int, int] | None = None
) -> bool:
    """True when the page changed, or the region `box` (x0, y0, x1, y1 pixels) did."""
    if before.shape != after.shape:
        return True
    mask = changed_mask(before, after)
    if mask.mean() >= PAGE_SHARE:
        return True
    if box is None:
        return bool(mask.any())
    x0, y0, x1, y1 = box
    region = mask[y0:y1, x0:x1]
    return int(region.sum()) >= REGION_MIN_PIXELS


def ink_centre(frame: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """Centre of what is drawn inside `box` (pixels unlike the box's edge colour), or None
    when it holds too little: a detection box is often wider than its icon or word."""
    x0, y0, x1, y1 = box
    region = frame[y0:y1, x0:x1].astype(np.int16)
    if region.shape[0] < 3 or region.shape[1] < 3:
        return None
    edge = np.concatenate([region[0], region[-1], region[:, 0], region[:, -1]])
    background = np.median(edge, axis=0)
    ink = np.abs(region - background).max(axis=-1) > PIXEL_DELTA
    # The box's own border or outline is not what it holds: look one pixel in.
    ink[0, :] = ink[-1, :] = False
    ink[:, 0] = ink[:, -1] = False
    if int(ink.sum()) < REGION_MIN_PIXELS:
        return None
    ys, xs = np.nonzero(ink)
    return x0 + (int(xs.min()) + int(xs.max())) // 2, y0 + (int(ys.min()) + int(ys.max())) // 2


def drawn_box(frame: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """True when a box is drawn around `box`: its four sides (a field's frame) or a fill unlike
    the page. A detection over the blank gap between two fields has neither."""
    x0, y0, x1, y1 = box
    pad = 2
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    region = frame[y0 : y1 + pad, x0 : x1 + pad].astype(np.int16)
    if region.shape[0] < 4 or region.shape[1] < 4:
        return False
    page = np.median(frame.reshape(-1, frame.shape[-1]), axis=0)
    ink = np.abs(region - page).max(axis=-1) > PIXEL_DELTA // 2
    if ink.mean() >= 0.5:  # a filled field
        return True
    rows = np.nonzero(ink.mean(axis=1) >= 0.6)[0]
    if len(rows) < 2 or int(rows.max() - rows.min()) < 4:
        return False
    sides = ink[rows.min() : rows.max() + 1].mean(axis=0)  # the sides between those lines
    cols = np.nonzero(sides >= 0.6)[0]
    return len(cols) >= 2 and int(cols.max() - cols.min()) >= 8
