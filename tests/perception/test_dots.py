"""Dots of a drawing and the lines between them, found from pixels."""

from __future__ import annotations

import numpy as np

from perception.screen.dots import find_dots, joined


def _drawing() -> np.ndarray:
    import cv2

    frame = np.full((160, 160, 3), 255, np.uint8)
    cv2.line(frame, (40, 40), (120, 50), (0, 0, 0), 1)
    cv2.line(frame, (40, 40), (70, 130), (0, 0, 0), 1)
    cv2.circle(frame, (40, 40), 4, (0, 0, 255), -1)
    cv2.circle(frame, (120, 50), 4, (0, 0, 0), -1)
    cv2.circle(frame, (70, 130), 4, (0, 0, 0), -1)
    cv2.putText(frame, "Ok", (100, 110), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
    return frame


def test_dots_are_found_with_their_colours_and_lines_and_text_are_not():
    dots = sorted(find_dots(_drawing()), key=lambda d: d.center)
    assert [d.center for d in dots] == [(40, 40), (70, 130), (120, 50)]
    assert [d.colour for d in dots] == ["blue", "black", "black"]


def test_a_drawn_line_joins_two_dots_and_empty_space_does_not():
    frame = _drawing()
    blue, low, right = sorted(find_dots(frame), key=lambda d: d.center)
    assert joined(frame, blue, right)
    assert joined(frame, blue, low)
    assert not joined(frame, low, right)
