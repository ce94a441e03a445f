"""Points of a drawing: small filled dots, and which of them a drawn line joins.

A dot survives an erosion that thin lines and text strokes do not (its disc is several pixels
across); what the erosion keeps is grown back and split into dots by connected components.
Two dots are joined when the pixels along the segment between them are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from perception.screen.colours import RGB, colour_name

Box = tuple[int, int, int, int]
INK_DELTA = 60  # a pixel this far from the background (max channel) is drawn
MIN_DOT = 3  # pixels across a dot must be, at least (an erosion of this size keeps it)
MAX_DOT = 16  # and at most (a bigger blob is a shape, not a point)
JOINED_SHARE = 0.85  # share of the segment's pixels that must be drawn for a line to join


@dataclass(frozen=True)
class Dot:
    """A filled dot: its middle (pixels), its size across and its colour."""

    center: tuple[int, int]
    size: int
    rgb: RGB
    colour: str


def _background(frame: np.ndarray) -> np.ndarray:
    colours, counts = np.unique(frame.reshape(-1, 3), axis=0, return_counts=True)
    return colours[counts.argmax()].astype(np.int16)


def ink(frame: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels that are drawn (not the background colour)."""
    return np.abs(frame.astype(np.int16) - _background(frame)).max(axis=-1) > INK_DELTA


def find_dots(frame: np.ndarray, region: Box | None = None) -> list[Dot]:
    """The filled dots in `region` (x0, y0, x1, y1 pixels; the whole frame when None)."""
    import cv2

    x0, y0, x1, y1 = region or (0, 0, frame.shape[1], frame.shape[0])
    crop = frame[y0:y1, x0:x1]
    drawn = ink(crop).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (MIN_DOT, MIN_DOT))
    cores = cv2.morphologyEx(drawn, cv2.MORPH_OPEN, kernel)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(cores, connectivity=8)
    dots = []
    for i in range(1, n):
        w, h = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]
        if not (MIN_DOT <= w <= MAX_DOT and MIN_DOT <= h <= MAX_DOT) or max(w, h) > 2 * min(w, h):
            continue
        if stats[i, cv2.CC_STAT_AREA] < 0.5 * w * h:  # a ring or a glyph's loop, not a disc
            continue
        rgb = np.median(crop[labels == i], axis=0).astype(int)
        cx, cy = centroids[i]
        dots.append(
            Dot(
                (int(round(cx)) + x0, int(round(cy)) + y0),
                int(max(w, h)),
                (int(rgb[0]), int(rgb[1]), int(rgb[2])),
                colour_name(rgb),
            )
        )
    return dots


def joined(frame: np.ndarray, a: Dot, b: Dot, drawn: np.ndarray | None = None) -> bool:
    """True when a drawn line runs between dots `a` and `b`."""
    drawn = ink(frame) if drawn is None else drawn
    (ax, ay), (bx, by) = a.center, b.center
    steps = max(abs(bx - ax), abs(by - ay))
    if steps == 0:
        return True
    hits = total = 0
    for t in np.linspace(0, 1, steps + 1):
        x, y = int(round(ax + t * (bx - ax))), int(round(ay + t * (by - ay)))
        if (x - ax) ** 2 + (y - ay) ** 2 <= a.size**2 or (x - bx) ** 2 + (y - by) ** 2 <= b.size**2:
            continue  # inside a dot
        total += 1
        near = drawn[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]  # a pixel of slack
        hits += bool(near.any())
    return total == 0 or hits >= JOINED_SHARE * total
