"""Choosing every swatch of a colour family: the colour asked for, the swatches found on
pixels, which are its shades; and a real episode."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

from policies.house.web.colour_shades import is_shade, shade_word, swatches
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "word"),
    [
        ("Select all the shades of red and press Submit.", "red"),
        ("Click every tone of Blue.", "blue"),
        ("Select all the shades of meaning.", None),
        ("Click the red square.", None),
    ],
)
def test_the_colour_family_comes_from_the_instruction(instruction, word):
    assert shade_word(instruction) == word


def _hsl(h: float, s: float, lightness: float) -> np.ndarray:
    r, g, b = colorsys.hls_to_rgb(h / 360, lightness, s)
    return np.array([r * 255, g * 255, b * 255])


@pytest.mark.parametrize(
    ("hsl", "word", "shade"),
    [
        ((0, 0.3, 0.9), "red", True),  # pale pink is a shade of red
        ((0, 0.9, 0.3), "red", True),
        ((120, 0.3, 0.85), "green", True),
        ((240, 0.5, 0.6), "red", False),
        ((120, 0.9, 0.5), "blue", False),
        ((0, 0.0, 0.5), "red", False),  # grey is no shade of anything
    ],
)
def test_a_shade_has_the_named_colours_hue_whatever_its_lightness(hsl, word, shade):
    assert is_shade(_hsl(*hsl), word) is shade


def test_swatches_are_small_plain_patches_not_worded_widgets():
    frame = np.full((200, 160, 3), 255, np.uint8)
    frame[60:72, 20:32] = (200, 40, 40)
    frame[60:72, 60:72] = (40, 40, 200)
    frame[150:180, 40:120] = (60, 120, 220)  # a coloured button with words
    found = swatches(frame, 40, avoid=[(40, 150, 120, 180)])
    assert [b for b, _ in found] == [(20, 60, 32, 72), (60, 60, 72, 72)]


@pytest.mark.slow
def test_plan_policy_selects_every_shade_of_the_colour(plan_policy):
    assert house_wins(plan_policy, "click-shades", [13001]) == 1
