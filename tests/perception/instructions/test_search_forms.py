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


def test_the_roles_are_read_in_any_order_and_wording():
    # none of these has the verb-superlative-from-to-date shape of a page's own sentence
    wordings = {
        "Find me the shortest flight leaving Anchorage, AK for BGR on 11/28/2016, one-way.": (
            "Anchorage, AK", "BGR", "11/28/2016", "shortest flight"),
        "On 12/3/2016, fly from Boston, MA to Denver: book the cheapest one-way flight.": (
            "Boston, MA", "Denver", "12/3/2016", "cheapest one-way flight"),
        "I need to get to Newport News, VA from Brooks Lodge, AK on 12/23/2016. Reserve the "
        "shortest one-way flight.": (
            "Brooks Lodge, AK", "Newport News, VA", "12/23/2016", "shortest one-way flight"),
        "Leaving Oxford for Bath, find me the quickest bus.": (
            "Oxford", "Bath", None, "quickest bus"),
        "Departing 2/2/2025 from Lyon, what is the cheapest coach to Paris? Book it.": (
            "Lyon", "Paris", "2/2/2025", "cheapest coach"),
    }  # fmt: skip
    for text, (start, end, date, best) in wordings.items():
        steps = search_form_steps(text)
        assert steps is not None, text
        typed = [(s.target.text, s.value, s.condition) for s in steps if s.verb == "type"]
        assert typed == [("from", start, SUGGESTED), ("to", end, SUGGESTED)], text
        dates = [s.value for s in steps if s.verb == "select"]
        assert dates == ([date] if date else []), text
        assert (steps[-2].verb, steps[-1].target.text) == ("submit", best), text


def test_sentences_without_a_superlative_or_a_route_are_left_to_the_grammar():
    assert search_form_steps("Book the flight from Boston to Denver.") is None
    assert search_form_steps("Reserve the cheapest room.") is None
    assert search_form_steps("Move the cheapest item from the cart to the wishlist.") is None
    assert search_form_steps("Forward the cheapest offer from Ana to Bo.") is None
    assert parse_instruction("Reserve the cheapest room.").steps[0].verb == "click"
