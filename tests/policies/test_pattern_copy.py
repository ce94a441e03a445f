"""Copying an example's pattern into a grid of checkboxes: when it is asked, the two grids
found on pixels, which cells are lit; and a real episode."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions import parse_instruction
from policies.house.web.pattern_copy import _pair, cells, grids
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "asks"),
    [
        (
            'Draw the number "3" in the checkboxes using the example on the right and press '
            "Submit when finished.",
            True,
        ),  # fmt: skip
        ("Copy the pattern shown into the grid.", True),
        ("Using the example, recreate the shape in the boxes.", True),
        ("Check the first three boxes.", False),
        ("Reproduce the example's pattern in the checkboxes, then submit.", True),
        ("Tick the cells so they match the model on the left.", True),
        ("Fill in the grid like the sample and press Submit.", True),
        ("Copy the text from the box.", False),
    ],
)
def test_copying_an_example_is_asked_for(instruction, asks):
    steps = parse_instruction(instruction).steps
    assert any(s.manner == "copy" for s in steps) is asks


def _page(pattern: list[str]) -> np.ndarray:
    """Checkbox outlines on the left, a dark example with lit cells on the right."""
    frame = np.full((200, 160, 3), 255, np.uint8)
    frame[48 : 48 + 16 * len(pattern) + 4, 86 : 86 + 16 * len(pattern[0]) + 4] = 34
    for r, row in enumerate(pattern):
        for c, on in enumerate(row):
            x, y = 10 + 16 * c, 50 + 16 * r
            frame[y : y + 12, x : x + 12] = 120
            frame[y + 1 : y + 11, x + 1 : x + 11] = 255
            ex, ey = 90 + 16 * c, 52 + 16 * r
            frame[ey : ey + 12, ex : ex + 12] = 255 if on == "#" else 102
    return frame


def test_the_example_grid_gives_the_lit_cells_and_the_other_the_boxes():
    pattern = [".#.", "##.", ".#.", "###"]
    frame = _page(pattern)
    found = [g for way in cells(frame, 40) for g in grids(way)]
    assert sorted((len(g), len(g[0])) for g in found) == [(4, 3), (4, 3)]
    boxes, lit = _pair(frame, found)
    assert boxes[0][0] == (10, 50, 22, 62)
    assert ["".join("#" if o else "." for o in row) for row in lit] == pattern


@pytest.mark.slow
def test_plan_policy_draws_the_number_from_the_example(plan_policy):
    assert house_wins(plan_policy, "number-checkboxes", [13000]) == 1
