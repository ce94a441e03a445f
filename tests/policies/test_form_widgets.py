"""Form widgets set from pixels: several sliders by a list of numbers, text formatted in an
editor, a list sorted by dragging; the pure parts (where a goal lies on a track, which words
a phrase names, a rail split by its handle) and whole MiniWoB episodes on dev seeds."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions import parse_instruction
from policies.house.web.sliders import _between, _in_line, _moved_label, slider_numbers
from policies.house.web.text_styles import _span, ink_words
from tests.policies.house_episodes import house_wins


def test_a_list_of_numbers_sets_one_slider_each_in_order():
    step = parse_instruction("Set the sliders to the combination [6,11,4] and submit.").steps[0]
    assert slider_numbers(step) == [6, 11, 4]


def test_one_number_on_a_slider_is_one_goal_and_a_field_is_none():
    assert slider_numbers(parse_instruction("Select -7 with the slider.").steps[0]) == [-7]
    assert slider_numbers(parse_instruction("Type 7 into the field.").steps[0]) is None


def test_the_goal_is_placed_between_the_nearest_values_read_either_side():
    # ends read 0 and 20, a click at 0.5 read 14: 6 lies between 0 (at 0.0) and 14 (at 0.5)
    assert _between(6, [(0, 0.0), (20, 1.0), (14, 0.5)]) == pytest.approx(6 / 14 * 0.5)
    assert _between(30, [(0, 0.0), (20, 1.0)]) is None


def test_a_rail_split_by_its_handle_is_joined_along_its_length_only():
    left = (4, 66, 25, 76)  # the rail left of a handle, 10 px thick
    assert _in_line((41, 66, 57, 67), left)  # its top edge beyond the handle's gap
    assert not _in_line((41, 90, 57, 91), left)  # a bar on another row
    assert not _in_line((4, 90, 5, 104), left)  # a checkbox's side below it


def test_the_value_label_is_the_text_beside_the_track_that_changed():
    before = np.full((60, 120, 3), 255, np.uint8)
    track = (10, 10, 100, 20)
    before[10:20, 10:100] = 200  # a light rail
    before[24:31, 12:17] = 0  # the label under it ("0")
    before[44:51, 12:17] = 0  # another slider's label, further down
    after = before.copy()
    after[24:31, 12:24] = 0  # the label grew ("20")
    assert _moved_label(before, after, track) == (12, 24, 24, 31)


def test_words_split_at_spaces_not_between_letters():
    row = np.full((12, 80, 3), 255, np.uint8)
    for x0, x1 in ((2, 6), (8, 12), (13, 17), (30, 34), (36, 40)):  # "abc" then "de"
        row[2:10, x0:x1] = 0
    assert [b[0] for b in ink_words(row, (0, 0, 80, 12))] == [2, 30]


def test_the_run_of_words_read_closest_to_the_phrase_is_chosen():
    words = [((0, 0, 10, 8), "Mauris."), ((14, 0, 30, 8), "Tincidunt"), ((0, 10, 9, 18), "luctus.")]
    assert _span(words, "luctus.") == ((0, 10, 9, 18), (0, 10, 9, 18))
    assert _span(words, "Mauris. Tincidnt") == ((0, 0, 10, 8), (14, 0, 30, 8))
    assert _span(words, "purus") is None


@pytest.mark.slow
def test_plan_policy_sets_three_sliders_and_a_slider_with_a_checkbox(plan_policy):
    assert house_wins(plan_policy, "use-slider-2", [13000]) == 1
    assert house_wins(plan_policy, "form-sequence", [13003]) == 1


@pytest.mark.slow
def test_plan_policy_formats_a_word_and_colours_all_the_text(plan_policy):
    assert house_wins(plan_policy, "text-editor", [13005, 13001]) == 2


@pytest.mark.slow
def test_plan_policy_sorts_numbers_by_dragging(plan_policy):
    assert house_wins(plan_policy, "drag-sort-numbers", [13001]) == 1
