"""Clicking a drawn grid's point by its coordinates: the asked point, the dots, the axes and
the unit, read from pixels; and a real episode."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.grid_points import _unit, axes, dots, wanted_point
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "point"),
    [
        ("Click on the grid coordinate (2,-1).", (2, -1)),
        ("Click the point (0, 3) on the plot.", (0, 3)),
        ("Select the coordinates (\u22122,1).", (-2, 1)),
        ("Click on the grid.", None),
        ("Click (a, b).", None),
    ],
)
def test_the_point_asked_for_comes_from_the_instruction(instruction, point):
    assert wanted_point(instruction) == point


def _plot() -> np.ndarray:
    """A 3x3 lattice of blue dots 30 px apart with grey axes through the middle ones."""
    frame = np.full((200, 160, 3), 255, np.uint8)
    frame[129:131, 10:150] = 128
    frame[50:180, 79:81] = 128
    for x in (50, 80, 110):
        for y in (70, 100, 130, 160):
            frame[y - 4 : y + 5, x - 4 : x + 5] = (0, 0, 255)
    return frame


def test_dots_axes_and_unit_are_read_from_the_plot():
    found = dots(_plot(), 40)
    assert len(found) == 12 and (80, 130) in found
    xs, ys = [p[0] for p in found], [p[1] for p in found]
    assert axes(_plot(), 40, (min(xs), min(ys), max(xs), max(ys))) in {(79, 129), (80, 130)}
    assert _unit(xs) == 30 and _unit(ys) == 30


@pytest.mark.slow
def test_plan_policy_clicks_the_grid_point(plan_policy):
    assert house_wins(plan_policy, "grid-coordinate", [13000]) == 1
