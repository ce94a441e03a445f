"""Framed boxes found from pixels: text fields and text areas are a closed outline around a
plain inside, whatever the detector called them; one holding words is a filled field or a text
area showing its text (the source of a copy), an empty one a field to type into.
"""

from __future__ import annotations

import numpy as np

from policies.house.web.pixels import edge_mask, text_height

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels, x1/y1 exclusive
MIN_FILL = 0.5  # share of its bounding box a field's plain inside covers (words leave holes)
WORD_INK = 0.02  # share of edge pixels inside a box that says it holds words


def framed_boxes(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Outlined boxes below `top` at least two text heights wide and about one tall, in
    reading order: each is the plain inside of a closed outline, grown by the outline."""
    import cv2

    plain = ~edge_mask(frame)
    plain[: max(top, 0)] = False
    n, _, stats, _ = cv2.connectedComponentsWithStats(plain.astype(np.uint8), connectivity=4)
    th = text_height(frame)
    h_img, w_img = plain.shape
    out = []
    for x, y, w, h, area in stats[1:n].tolist():
        if x == 0 or y <= top or x + w >= w_img or y + h >= h_img:
            continue  # the page's own background reaches the frame's edge
        if w < 2 * th or h < 0.8 * th or area < MIN_FILL * w * h:
            continue
        out.append((x - 2, y - 2, x + w + 2, y + h + 2))
    return sorted(out, key=lambda b: (b[1], b[0]))


def holds_words(frame: np.ndarray, box: Box) -> bool:
    """Whether the inside of `box` shows ink (words, a value) rather than a plain fill."""
    x0, y0, x1, y1 = box
    inside = edge_mask(frame)[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4]
    return inside.size > 0 and float(inside.mean()) >= WORD_INK


def covered_by(box: Box, others: list[Box]) -> bool:
    """Whether one of `others` is this box itself (holds its centre and is at least half its
    size), not a small icon inside it such as a text area's resize grip."""
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    area = (box[2] - box[0]) * (box[3] - box[1])
    return any(
        o[0] <= cx < o[2] and o[1] <= cy < o[3] and (o[2] - o[0]) * (o[3] - o[1]) >= 0.5 * area
        for o in others
    )
