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
