"""benchmarks/bench_instructions.py and its paraphrase data: every benchmark task has rewordings
that fill from the page's own wording, and the bench prints the JSON report it promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_house import TASKS
from benchmarks.paraphrase import FORMS, count, reword, slots, templates
from tests.benchmarks.run_script import run_script

CORPUS = Path(__file__).resolve().parents[1] / "perception" / "instructions" / "corpus.json"
# The corpus's page wordings of the tasks with paraphrase templates (the 30 benchmark tasks and
# a few more; it also holds wordings of other MiniWoB tasks, which the parser tests use).
WORDINGS = [
    c
    for c in json.loads(CORPUS.read_text())["cases"]
    if c["group"].startswith("miniwob:") and c["group"].split(":", 1)[1] in templates()
]


def test_every_benchmark_task_has_three_rewordings_per_wording() -> None:
    assert set(TASKS) <= set(templates()) == set(FORMS)  # the 30, and a few tasks more
    for task in templates():
        assert set(templates()[task]) == set(FORMS[task]), task
        assert count(task) >= 3, task


@pytest.mark.parametrize("case", WORDINGS, ids=[c["text"][:50] for c in WORDINGS])
def test_each_rewording_fills_from_the_page_wording(case: dict) -> None:
    task = case["group"].split(":", 1)[1]
    rewordings = {reword(task, case["text"], which) for which in range(count(task))}
    assert len(rewordings) == count(task)
    assert case["text"] not in rewordings
    assert all("{" not in r and "}" not in r for r in rewordings)


def test_slots_read_the_wording_and_derive_what_templates_use() -> None:
    form, values = slots("click-checkboxes", "Select rh, 2CWY, 8LsT and click Submit.")
    assert (form, values["items_and"]) == ("main", "rh, 2CWY and 8LsT")
    wording = "Find the email by Mandi and click the trash icon to delete it."
    form, values = slots("email-inbox", wording)
    assert (form, values["sender"]) == ("trash", "Mandi")
    assert slots("focus-text-2", "Focus into the 2nd input textbox.")[1]["nth_word"] == "second"
    with pytest.raises(ValueError, match="no wording of 'click-link'"):
        slots("click-link", "Press the big red button.")


def test_bench_instructions_prints_one_json_report(tmp_path: Path) -> None:
    report = run_script(
        "benchmarks/bench_instructions.py", "--quick", json_path=tmp_path / "i.json"
    )
    corpus = report["corpus"]
    assert corpus["cases"] > 40 and 0.0 <= corpus["exact_plan_accuracy"] <= 1.0
    assert set(corpus["per_group"]) <= {"miniwob", "paraphrase", "chore"}
    assert {"plans", "plan_accuracy", "steps", "steps_found"} <= set(corpus["per_verb"]["click"])
    assert corpus["single_step_target"]["cases"] > 0
    assert report["held_out"]["cases"] >= 30
    assert report["paraphrases"]["rewordings"] >= 3 * report["paraphrases"]["tasks"] > 0
    assert report["latency_ms"]["p50"] > 0
    peer = report["peer_keyword"]
    assert set(peer) == {"corpus", "held_out", "paraphrases", "latency_ms"}
    assert report["minilm"] is None
