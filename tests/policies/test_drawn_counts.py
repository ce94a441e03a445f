"""Counting drawn things for "the total number of blocks": the most common size's filled
shapes, or a named shape's; fields, buttons and an operator glyph are not counted."""

from __future__ import annotations

import numpy as np

from perception.screen.shapes import find_shapes
from policies.house.web.drawn_counts import count_drawn


def _page(blocks: int) -> np.ndarray:
    frame = np.full((210, 160, 3), 255, np.uint8)
    for k in range(blocks):
        x = 6 + 14 * k if k < 4 else 90 + 14 * (k - 4)
        frame[80:92, x : x + 12] = (40, 40, 40)
        frame[81:91, x + 1 : x + 11] = (120, 170, 255)  # a blue block with a dark edge
    frame[85:87, 62:80] = 0  # a plus between the groups
    frame[77:95, 70:72] = 0
    frame[150:175, 10:60] = (150, 150, 150)  # an empty field's outline
    frame[151:174, 11:59] = 255
    return frame


def test_the_blocks_of_both_groups_are_counted_and_nothing_else():
    for n in (2, 5, 7):
        assert count_drawn(find_shapes(_page(n), (0, 50, 160, 210)), "blocks") == n


def test_a_shape_noun_counts_that_shape():
    frame = np.full((120, 160, 3), 255, np.uint8)
    yy, xx = np.mgrid[:120, :160]
    for cx in (30, 80):
        frame[(yy - 60) ** 2 + (xx - cx) ** 2 <= 100] = (255, 0, 0)  # two red circles
    frame[50:70, 120:140] = (0, 0, 255)  # one blue square
    shapes = find_shapes(frame)
    assert count_drawn(shapes, "circles") == 2
    assert count_drawn(shapes, "squares") == 1
