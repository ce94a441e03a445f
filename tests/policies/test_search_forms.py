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


COMPLETING = """<!doctype html><html><head><title>start</title></head>
<body style="font: 16px sans-serif; margin: 20px">
<h3 style="margin: 0 0 40px">Travel planner</h3>
<label for="from">From</label><br>
<input id="from" style="width: 260px; font-size: 16px; padding: 4px" autocomplete="off">
<div id="list" style="width: 268px; border: 1px solid #999; display: none"></div>
<p style="margin-top: 90px">Flights leave daily.</p>
<script>
const places = ["Bostwick, GA (BWK)", "Boston, MA (BOS)", "Boswell Bay, AK (BSW)"];
const field = document.getElementById("from"), list = document.getElementById("list");
field.addEventListener("input", () => {
  list.innerHTML = "";
  const start = field.value.slice(0, 3).toLowerCase();
  for (const p of places.filter((p) => p.toLowerCase().startsWith(start))) {
    const row = document.createElement("div");
    row.textContent = p;
    row.style.padding = "3px 4px";
    row.onclick = () => { field.value = p; list.style.display = "none"; document.title = p; };
    list.appendChild(row);
  }
  list.style.display = list.children.length ? "block" : "none";
});
</script></body></html>"""


def test_a_value_typed_in_any_wording_is_confirmed_from_the_list_its_field_opens(
    plan_policy, tmp_path
):
    # a plain type step (no route sentence asked for suggestions): the list shows under the
    # field right after typing and the line holding the value whole is clicked
    from tests.policies.house_episodes import run_on_page

    task = 'Type "Boston" into the From field.'
    actions, info = run_on_page(plan_policy, tmp_path / "from.html", COMPLETING, task, 8)
    assert info["title"] == "Boston, MA (BOS)", actions
