"""The plan policy's choice steps on real MiniWoB pages: suggestions under a typed prefix."""

from __future__ import annotations

from tests.policies.house_episodes import house_wins


def test_a_suggestion_the_parse_cut_a_letter_off_is_read_again_across_its_field(plan_policy):
    # dev seed 23101: "Gabon" was parsed as "abon" and the step gave up on "starts with Ga"
    assert house_wins(plan_policy, "use-autocomplete", [23101], max_steps=12) == 1


def test_a_suggestion_reading_just_the_typed_prefix_is_picked_when_it_ends_as_asked(plan_policy):
    # dev seeds 44503 ("starts with Mali, ends with li") and 44007 ("Peru" ... "Peru"): the
    # item is the prefix itself, and a suggestion reading the typed words was never taken
    assert house_wins(plan_policy, "use-autocomplete", [44503, 44007], max_steps=12) == 2


def test_a_wrapped_suggestion_whose_lines_boxes_overlap_is_read_as_one_item(plan_policy):
    # dev seed 46000 ("starts with Ame, ends with oa"): "American Samoa" wraps onto two lines
    # whose parsed boxes overlap by a few pixels, so the second line was not taken as its end
    assert house_wins(plan_policy, "use-autocomplete", [46000], max_steps=12) == 1


def test_a_suggestion_line_starting_with_the_prefix_is_an_item_not_a_wrapped_line(plan_policy):
    # dev seeds 51014 ("Bur" ... "di"): "Burkina Faso" joined with the line under it, "Burundi",
    # ended in "di" and was clicked; 51016 ("Co" ... "ngo"): "Comoros" + "Congo" likewise
    assert house_wins(plan_policy, "use-autocomplete", [51014, 51016], max_steps=10) == 2


def test_a_suggestion_read_with_trailing_dots_and_a_button_read_cut_short_are_taken(plan_policy):
    # dev seed 51006: the suggestion read "Italy.." did not end in "ly", and once picked the
    # button read "Submi" was not the form's sending button, so the form was never sent
    assert house_wins(plan_policy, "use-autocomplete", [51006], max_steps=10) == 1
