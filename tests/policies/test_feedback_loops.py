"""Steps that act and look again: the condition a number must meet, and real pages that
generate a number until it fits or answer a guess with higher/lower."""

from __future__ import annotations

import pytest

from perception.instructions.number_conditions import Condition, condition
from policies.house.web.feedback_loops import _HIGHER, _LOWER
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("words", "inside", "outside"),
    [
        ("a number less than 5", [4, 0, -3], [5, 9]),
        ("greater than 4", [5, 10], [4, 0]),
        ("an odd number", [1, 3, 9], [0, 2, 8]),
        ("an even number", [0, 2, 10], [1, 7]),
        ("at least 3 and at most 6", [3, 6], [2, 7]),
        ("between 2 and 4", [2, 3, 4], [1, 5]),
        ("a positive even number", [2, 4], [0, -2, 3]),
        ("", [0, 100, -7], []),
    ],
)
def test_a_phrase_puts_its_condition_on_the_number(words, inside, outside):
    cond = condition(words)
    assert all(cond.holds(n) for n in inside)
    assert not any(cond.holds(n) for n in outside)


def test_an_empty_condition_is_any_number():
    assert condition("") == Condition()


@pytest.mark.parametrize(
    ("feedback", "higher", "lower"),
    [
        ("The number is higher than 4.", True, False),
        ("The number is lower than 7.", False, True),
        ("Too low!", True, False),
        ("too high, try again", False, True),
        ("Waiting for your guess...", False, False),
    ],
)
def test_feedback_words_say_which_way_the_number_lies(feedback, higher, lower):
    assert bool(_HIGHER.search(feedback)) is higher
    assert bool(_LOWER.search(feedback)) is lower


@pytest.mark.slow
def test_plan_policy_generates_until_the_number_fits_and_guesses_by_feedback(plan_policy):
    assert house_wins(plan_policy, "generate-number", [14001]) == 1
    assert house_wins(plan_policy, "guess-number", [14000]) == 1
