"""A search form filled from one sentence: a value confirmed from the suggestion list its field
opens, the best row of a results list taller than its view, and a real MiniWoB episode."""

from __future__ import annotations

import pytest

from policies.house.web.field_suggestions import holds_value
from policies.house.web.scrolled_rows import best_row
from tests.policies.house_episodes import house_wins


def test_a_suggestion_holds_the_typed_words_or_code_whole_before_near_readings():
    assert holds_value("Elmira, NY (ELM)", "Elmira, NY")
    assert holds_value("Elmira, NY (ELM)", "ELM")
    assert not holds_value("Lebanon, NH (LEB)", "Leban")  # inside a word: level 1 only
    assert holds_value("Lebanon, NH (LEB)", "Leban", level=1)
    assert not holds_value("Tuscaloosa, AL (TCL)", "TUS", level=1)  # a code is whole or absent
    assert holds_value(
        "Orlando, FL - Orlando, FL - International (MCO)", "Orlando, FL - International"
    )
    assert not holds_value("Jamestown, ND (MS)", "JMS", level=1)
    assert holds_value("Jamestown, ND (MS)", "JMS", level=2)  # OCR dropped a letter


def test_the_best_row_is_taken_among_the_repeated_action_as_ocr_varies_it():
    seen = [
        (1739.0, 2, (75, 137), "Book fight for"),
        (1591.0, 4, (73, 87), "Book flight for"),
        (975.0, 8, (76, 186), "Bookifight for"),
        (5.0, 8, (40, 20), "Back"),
    ]
    assert best_row(seen, "min")[0] == 975.0
    assert best_row(seen, "max")[0] == 1739.0
    assert best_row(seen[:1], "min") is None  # one row is no list to choose from


@pytest.mark.slow
def test_book_flight_episode_fills_the_form_picks_the_date_and_books_the_best_flight(plan_policy):
    assert house_wins(plan_policy, "book-flight", [43003], max_steps=40) == 1
