"""Points placed by geometry: the corner dot, a point square to a line, a point halving an
angle, kept inside the drawing."""

from __future__ import annotations

import math

import numpy as np

from perception.screen.dots import Dot
from policies.house.web.angle_points import bisector_point, right_angle_point, vertex

AREA = (0, 50, 160, 175)


def _dot(x: int, y: int, colour: str = "black") -> Dot:
    return Dot((x, y), 8, (0, 0, 255) if colour == "blue" else (0, 0, 0), colour)


def _angle(a, v, b) -> float:
    ax, ay = a[0] - v[0], a[1] - v[1]
    bx, by = b[0] - v[0], b[1] - v[1]
    return math.degrees(math.acos((ax * bx + ay * by) / math.hypot(ax, ay) / math.hypot(bx, by)))


def test_the_point_stands_square_to_the_line_and_inside_the_drawing():
    for v, a in [((100, 90), (40, 84)), ((20, 160), (60, 100)), ((140, 60), (90, 150))]:
        p = right_angle_point(_dot(*v), _dot(*a), AREA)
        assert p is not None
        assert abs(_angle(a, v, p) - 90) < 3
        assert AREA[0] < p[0] < AREA[2] and AREA[1] < p[1] < AREA[3]


def test_the_point_halves_the_angle():
    for v, a, b in [((40, 85), (105, 90), (77, 169)), ((80, 60), (20, 150), (150, 150))]:
        p = bisector_point(_dot(*v), _dot(*a), _dot(*b), AREA)
        assert p is not None
        assert abs(_angle(a, v, p) - _angle(b, v, p)) < 3


def test_the_corner_is_the_dot_of_its_own_colour_when_lines_do_not_tell():
    frame = np.full((160, 160, 3), 255, np.uint8)  # no lines drawn
    dots = [_dot(40, 84), _dot(105, 90, "blue")]
    assert vertex(frame, dots).center == (105, 90)
