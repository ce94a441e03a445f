"""Numeric conditions in one place: bounds, parity and waits, with decimals and currency signs."""

from __future__ import annotations

import pytest

from perception.instructions.number_conditions import Comparison, comparison, condition


@pytest.mark.parametrize(
    ("words", "inside", "outside"),
    [
        ("at least 3.5", [3.5, 4, 100], [3.49, 3, -1]),
        ("under $12.50", [12.49, 0], [12.5, 13]),
        ("less than 5", [4, 4.99], [5, 5.01]),
        ("more than 1,200.50", [1200.51, 2000], [1200.5, 1200]),
        ("less than or equal to 5", [5, 4.5], [5.5, 6]),
        ("greater than 2 and less than 8", [3, 7.9], [2, 8]),
        ("between 0.5 and 1.5", [0.5, 1, 1.5], [0.49, 1.51]),
        ("a positive even number", [2, 4], [0, -2, 3, 2.5]),
        ("equal to 4", [4], [3, 5]),
    ],
)
def test_a_condition_reads_decimals_commas_and_currency(words, inside, outside):
    cond = condition(words)
    assert all(cond.holds(n) for n in inside), [n for n in inside if not cond.holds(n)]
    assert not any(cond.holds(n) for n in outside), [n for n in outside if cond.holds(n)]


@pytest.mark.parametrize(
    ("words", "bounds"),
    [
        ("between 0-9", (0, 9)),
        ("from 1 to 100", (1, 100)),
        ("greater than 2 and less than 8", (3, 7)),
        ("between 0.5 and 3.5", (1, 3)),
        ("less than 5", None),
    ],
)
def test_whole_bounds_are_the_least_and_greatest_whole_numbers_that_fit(words, bounds):
    assert condition(words).whole_bounds() == bounds


@pytest.mark.parametrize(
    ("words", "want"),
    [
        ("when the price drops below 12.5", Comparison("price", "<", 12.5)),
        ("once the score is at least 3.5", Comparison("score", ">=", 3.5)),
        ("until the balance is over €1,000.25", Comparison("balance", ">", 1000.25, "€")),
        ("when the value is less than or equal to 7", Comparison("value", "<=", 7.0)),
    ],
)
def test_a_wait_reads_the_same_phrases_as_a_condition(words, want):
    got = comparison(words)
    assert got == want
    cond = condition(words)  # the same words as bounds on the number
    for seen in (want.value - 0.5, want.value, want.value + 0.5):
        assert got.holds(seen) == cond.holds(seen), seen
