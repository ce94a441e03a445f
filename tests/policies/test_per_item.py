"""Steps decided item by item: what an instruction sorts numbers into, how many items it asks
for, which line names an item, how far a scrolled list moved; and real episodes."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions import parse_instruction
from policies.house.web.per_item import (
    _has_word,
    category_of,
    number_of,
    vertical_shift,
    wanted_count,
)
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "names"),
    [
        ("Mark the numbers below as odd or even and press submit when done.", ["odd", "even"]),
        ("Label each number as positive or negative.", ["positive", "negative"]),
        ("Tag every value as an even or an odd number, then submit.", ["even", "odd"]),
        ("Say whether each is prime or composite.", ["prime", "composite"]),
        ("Mark each number as positive, negative or zero.", ["positive", "negative", "zero"]),
        ("Classify the numbers: is each one odd or even? Then submit.", ["odd", "even"]),
        ("Mark the words as nouns or verbs.", []),
        ("Click yes or no.", []),
    ],
)
def test_the_kinds_numbers_are_sorted_into_come_from_the_instruction(instruction, names):
    steps = [s for s in parse_instruction(instruction).steps if s.manner == "classify"]
    value = steps[0].value if steps else ""
    assert [w for w in (value or "").replace(",", " ").split() if w != "or"] == names


@pytest.mark.parametrize(
    ("value", "names", "kind"),
    [
        (-5, ["odd", "even"], "odd"),
        (-4, ["odd", "even"], "even"),
        (0, ["odd", "even"], "even"),
        (7, ["prime", "composite"], "prime"),
        (9, ["prime", "composite"], "composite"),
        (-3, ["positive", "negative"], "negative"),
        (2.5, ["odd", "even"], None),
    ],
)
def test_a_number_is_the_first_kind_it_satisfies(value, names, kind):
    assert category_of(value, names) == kind


@pytest.mark.parametrize(
    ("text", "value"),
    [("-4", -4.0), ("\u22121", -1.0), ("12.5", 12.5), ("8.", 8.0), ("Even", None), ("4a", None)],
)
def test_a_short_line_reads_as_its_signed_number(text, value):
    assert number_of(text) == value


@pytest.mark.parametrize(
    ("instruction", "count"),
    [
        ('Click the "Like" button on 2 posts by @emma and then click Submit.', 2),
        ("Star three emails from Ana.", None),
        ("Share one post by @bob.", None),
        ('Click "Reply" on one item by @bob.', 1),
        ('Press "Retweet" on three posts from @ana, then Submit.', 3),
        ('Click the "Like" button on all posts by @emma.', None),
    ],
)
def test_how_many_items_the_instruction_counts(instruction, count):
    steps = [s for s in parse_instruction(instruction).steps if s.manner == "each"]
    assert (wanted_count(steps[0]) if steps else None) == count


@pytest.mark.parametrize(
    ("line", "name", "shows"),
    [
        ("Chickie @vel", "@vel", True),
        ("At velit nunc.", "@vel", False),
        ("Clementine@cierra", "@cierra", True),
        ("Ellette @bernardlne", "@bernardine", True),
        ("Kirkland @kasie", "@bernardine", False),
        ("ottilie @socis", "@sociis", True),  # OCR dropped a letter
        ("Griffin @riley", "@sociis", False),
    ],
)
def test_an_item_heading_shows_the_anchor_as_a_whole_word(line, name, shows):
    assert _has_word(line, name) is shows


def _page(offset: int) -> np.ndarray:
    """A 200x120 white frame showing a tall list of dark bars, scrolled down `offset` rows."""
    rng = np.random.default_rng(3)
    tall = np.full((600, 120, 3), 255, np.uint8)
    for y in range(0, 600, 23):
        x0 = int(rng.integers(2, 40))
        tall[y : y + 7, x0 : x0 + int(rng.integers(20, 70))] = 30
    return tall[offset : offset + 200].copy()


def test_a_scrolled_list_is_measured_by_how_far_its_content_moved():
    assert vertical_shift(_page(0), _page(50)) == 50
    assert vertical_shift(_page(120), _page(70)) == -50
    assert vertical_shift(_page(40), _page(40)) == 0


def test_a_light_tint_and_a_scrollbar_do_not_hide_the_shift():
    after = _page(50)
    after[60:120, :110] = np.minimum(after[60:120, :110], 245)  # a hovered row's tint
    after[:, 110:] = 200  # a scrollbar's track
    assert vertical_shift(_page(0), after) == 50


def test_a_blank_frame_has_no_shift():
    blank = np.full((200, 120, 3), 255, np.uint8)
    assert vertical_shift(blank, blank) is None


@pytest.mark.slow
def test_plan_policy_marks_each_number_odd_or_even(plan_policy):
    assert house_wins(plan_policy, "odd-or-even", [13000]) == 1


@pytest.mark.slow
def test_plan_policy_likes_every_post_of_a_user_through_a_scrolled_list(plan_policy):
    assert house_wins(plan_policy, "social-media-all", [13001]) == 1
