"""Picking a colour with a picker field: the goal's colour from its name or a drawn swatch, the
field showing a hex code, and an empty spot of the page to close the popup on."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.colour_picker import (
    blank_point,
    hex_code,
    hex_value,
    named_colour,
)
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("text", "value"),
    [("AB2567", "AB2567"), ("#33c48f", "33C48F"), ("AB2S67", "AB2567"), ("O0FF00", "00FF00")],
)
def test_a_field_reading_six_hex_digits_is_a_colour_value(text, value):
    assert hex_value(text) == value


@pytest.mark.parametrize("text", ["Submit", "12345", "AB25678", "Color:"])
def test_other_words_are_no_colour_value(text):
    assert hex_value(text) is None


def test_colour_names_in_an_instruction_give_their_css_value():
    assert named_colour("Select purple with the color picker and hit Submit.") == (128, 0, 128)
    assert named_colour("Pick dark orange in the colour wheel") == (255, 140, 0)
    assert named_colour("Select the following color with the picker") is None
    assert hex_code((51, 196, 143)) == "33C48F"


def test_a_blank_point_avoids_drawn_popups_and_text():
    frame = np.full((210, 160, 3), 255, np.uint8)
    frame[100:200, 20:150] = (200, 40, 90)  # a popup over most of the lower page
    frame[40:60, 10:150] = 0  # a line of text
    x, y = blank_point(frame, top=30)
    patch = frame[y - 6 : y + 7, x - 6 : x + 7]
    assert (patch == 255).all()
    assert not (100 <= y <= 200 and 20 <= x <= 150)


@pytest.mark.slow
def test_plan_policy_picks_a_named_and_a_shown_colour(plan_policy):
    assert house_wins(plan_policy, "use-colorwheel", [14001]) == 1
    assert house_wins(plan_policy, "use-colorwheel-2", [14001]) == 1
