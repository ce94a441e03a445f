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
