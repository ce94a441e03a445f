"""A form filled from one sentence: its parts, their fields by label, and episodes on real
Chromium pages whose labels sit left of, above or below their fields."""

from __future__ import annotations

import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Click, Done, Type
from policies.house.web.forms import Field, Part, assign, label_score, sentence_parts
from tests.policies.house_episodes import run_on_page


def test_a_sentence_splits_where_a_linking_word_opens_a_part():
    parts = sentence_parts("jazz records by the artist Davis released in 1959")
    assert [p.value for p in parts] == ["jazz", "Davis", "1959"]
    assert parts[2].cue == ("released", "in")  # the participle opens its part


def test_one_value_is_one_part():
    assert [p.value for p in sentence_parts("hello world")] == ["hello"]
    assert len(sentence_parts("Paris")) == 1


def test_labels_take_the_parts_that_share_their_words_and_the_rest_by_elimination():
    parts = sentence_parts("jazz records by the artist Davis released in 1959")
    for labels in (["Style", "Artist", "Year"], ["Year of release", "Style", "Artist name"]):
        fields = [Field((0, 10 * i, 50, 10 * i + 8), label) for i, label in enumerate(labels)]
        got = {f.label: p.value for f, p in assign(parts, fields)}
        assert got[labels[labels.index("Style")]] == "jazz"
        assert next(v for k, v in got.items() if "Artist" in k) == "Davis"
        assert next(v for k, v in got.items() if "Year" in k) == "1959"


def test_a_number_fits_a_date_label_and_an_address_an_email_label():
    assert label_score(Part(("from",), "1980"), "Released Date") > 0
    assert label_score(Part(("at",), "ada@example.org"), "E-mail") > 0
    assert label_score(Part(("by",), "Herman"), "Released Date") == 0


FORM = """<!doctype html><html><body style="font: 16px sans-serif; margin: 20px">
<p>Record search</p>
<form onsubmit="document.title = [a.value, b.value, c.value].join('|'); return false">
<div style="margin: 12px 0"><input id="a" style="width: 220px"><div>{0}</div></div>
<div style="margin: 12px 0"><input id="b" style="width: 220px"><div>{1}</div></div>
<div style="margin: 12px 0"><input id="c" style="width: 220px"><div>{2}</div></div>
<button>Search</button></form>
</body></html>"""


@pytest.mark.slow
def test_a_sentence_fills_fields_labelled_below_in_any_order(plan_policy, tmp_path, browser_pool):
    task = "Search for jazz records by the artist Davis, year 1959."
    actions, info = run_on_page(
        plan_policy, tmp_path / "records.html", FORM.format("Year", "Artist", "Style"), task
    )
    assert [a for a in actions if isinstance(a, Type)] == [
        Type("1959"),
        Type("Davis"),
        Type("jazz"),
    ], actions
    assert isinstance(actions[0], Click) and isinstance(actions[-1], Done)
    assert info["title"] == "1959|Davis|jazz", (actions, info)
