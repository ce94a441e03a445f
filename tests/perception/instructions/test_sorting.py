"""Sorting wordings become one drag step with the order as its manner; the send is kept."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction


@pytest.mark.parametrize(
    ("instruction", "manner"),
    [
        (
            "Sort the numbers in increasing order, starting with the lowest number at the top "
            "of the list.",
            "ascending",
        ),
        ("Arrange the items from largest to smallest and press Submit.", "descending"),
        ("Sort the list in descending order, then click OK.", "descending"),
        ("Reorder the numbers so the smallest is at the top.", "ascending"),
        ("Please sort these values in ascending order.", "ascending"),
        ("Rearrange the cards with the highest number first.", "descending"),
    ],
)
def test_a_sorting_wording_is_one_ordered_drag(instruction, manner):
    steps = parse_instruction(instruction).steps
    sorts = [s for s in steps if s.verb == "drag"]
    assert len(sorts) == 1 and sorts[0].manner == manner
    assert steps[0] is sorts[0]


def test_the_send_after_the_sort_is_kept():
    steps = parse_instruction("Sort the list in descending order, then click OK.").steps
    assert steps[-1].target is not None and steps[-1].target.text == "OK"


@pytest.mark.parametrize(
    "instruction",
    ["Order a pizza.", "Click the numbers in ascending order.", "Sort by price."],
)
def test_wordings_that_sort_nothing_make_no_sort(instruction):
    assert all(s.verb != "drag" for s in parse_instruction(instruction).steps)
