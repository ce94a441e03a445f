"""A search form and its best result named in one sentence, read as the steps a person takes."""

from __future__ import annotations

from perception.instructions import parse_instruction
from perception.instructions.search_forms import SUGGESTED, search_form_steps


def test_from_to_and_date_parts_fill_their_fields_then_the_best_result_is_clicked():
    steps = parse_instruction(
        "Book the shortest one-way flight from: Brooks Lodge, AK to: Newport News, VA on "
        "12/23/2016."
    ).steps
    assert [(s.verb, s.target and s.target.text, s.value) for s in steps] == [
        ("type", "from", "Brooks Lodge, AK"),
        ("type", "to", "Newport News, VA"),
        ("select", "date", "12/23/2016"),
        ("submit", None, None),
        ("click", "shortest one-way flight", None),
    ]
    assert steps[0].condition == steps[1].condition == SUGGESTED
    assert steps[2].target.kind == "date_field"


def test_other_wordings_and_a_form_without_a_date():
    steps = search_form_steps("Find me the cheapest train from Leeds to York")
    assert steps is not None
    assert [s.verb for s in steps] == ["type", "type", "submit", "click"]
    assert steps[-1].target.text == "cheapest train"
    assert search_form_steps("Please reserve the earliest bus from: LEB to: JMS on 2024-03-01.")


def test_sentences_without_a_superlative_or_a_route_are_left_to_the_grammar():
    assert search_form_steps("Book the flight from Boston to Denver.") is None
    assert search_form_steps("Reserve the cheapest room.") is None
    assert parse_instruction("Reserve the cheapest room.").steps[0].verb == "click"
