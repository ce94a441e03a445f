"""Choosing an item by the number it shows when one shows at a time: which way the instruction
picks, where the like boxes are, and a real episode."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.reveal import extreme, like_boxes
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "way"),
    [
        ("Find and pick the card with the greatest number, then press submit.", "max"),
        ("Choose the tile showing the smallest value.", "min"),
        ("Click the box with the highest score.", "max"),
        ("Pick the greatest card.", None),
        ("Click the button.", None),
    ],
)
def test_the_instruction_picks_by_the_greatest_or_smallest_number(instruction, way):
    assert extreme(instruction) == way


def test_like_boxes_are_the_row_of_same_size_outlines_and_not_a_worded_button():
    frame = np.full((200, 160, 3), 255, np.uint8)
    for x in (10, 60, 110):  # three cards, one face up
        frame[60:120, x : x + 40] = 0
        frame[61:119, x + 1 : x + 39] = (234, 42, 58) if x != 60 else 255
    frame[150:180, 45:115] = 200  # a button, worded
    boxes = like_boxes(frame, 40, avoid=[(45, 150, 115, 180)])
    assert boxes == [(10, 60, 50, 120), (60, 60, 100, 120), (110, 60, 150, 120)]


def test_one_box_is_no_row_to_choose_from():
    frame = np.full((200, 160, 3), 255, np.uint8)
    frame[60:120, 10:50] = 0
    assert like_boxes(frame, 40, avoid=[]) == []


@pytest.mark.slow
def test_plan_policy_turns_each_card_and_picks_the_greatest(plan_policy):
    assert house_wins(plan_policy, "find-greatest", [13002]) == 1
