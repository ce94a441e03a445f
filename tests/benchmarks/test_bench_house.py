"""benchmarks/bench_house.py: failure attribution on hand-made DOMs, and a tiny end-to-end run."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks import house_attribution as attr
from perception.screen.parser import ScreenParse, UIElement
from tests.benchmarks.run_script import run_script


def dom_el(ref, tag, box, text="", parent=3, **extra):
    x0, y0, x1, y1 = box
    el = {"ref": ref, "tag": tag, "left": x0, "top": y0, "width": x1 - x0, "height": y1 - y0}
    return {**el, "text": text, "parent": parent, **extra}


def page_dom(*elements):
    """BODY > wrap > area (the 160x160 task below the instruction strip), then `elements`."""
    return [
        dom_el(1, "BODY", (0, 0, 330, 210), parent=None),
        dom_el(2, "DIV", (0, 0, 160, 210), parent=1, id="wrap"),
        dom_el(3, "DIV", (0, 50, 160, 210), parent=2, id="area"),
        *elements,
    ]


def drawn(*boxes):
    """A white 160x210 frame with a dark block in each box, so there is something to see."""
    frame = np.full((210, 160, 3), 255, np.uint8)
    for x0, y0, x1, y1 in boxes:
        frame[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2] = 20
    return frame


def parse_of(*items):
    els = tuple(
        UIElement(i, box, "text", text, False, 0.9) for i, (box, text) in enumerate(items, 1)
    )
    return ScreenParse(els, 160, 210)


OKAY = (2, 73, 50, 94)
CANCEL = (60, 73, 110, 94)
FIELD = (2, 100, 120, 121)


def test_needed_elements_are_named_by_the_instruction_and_skip_distractors() -> None:
    dom = page_dom(dom_el(4, "BUTTON", OKAY, "okay"), dom_el(5, "BUTTON", CANCEL, "cancel"))
    needed = attr.needed_elements(dom, 'Click on the "okay" button.', drawn(OKAY, CANCEL))
    assert [(n.key, n.box, n.is_input) for n in needed] == [("okay", OKAY, False)]


def test_text_inputs_are_needed_only_when_the_instruction_asks_to_type() -> None:
    dom = page_dom(dom_el(4, "INPUT_text", FIELD), dom_el(5, "BUTTON", OKAY, "Submit"))
    frame = drawn(FIELD, OKAY)
    typing = attr.needed_elements(dom, 'Enter "Kasey" and press Submit.', frame)
    assert [n.key for n in typing] == ["input #1", "submit"]
    assert [n.key for n in attr.needed_elements(dom, "Click Submit.", frame)] == ["submit"]


def test_hidden_scrolled_away_and_blank_elements_are_not_needed() -> None:
    listbox = dom_el(4, "SELECT", (2, 57, 152, 147))
    shown = dom_el(5, "OPTION", (3, 58, 151, 75), "Janith", parent=4)
    scrolled = dom_el(6, "OPTION", (3, 160, 151, 177), "Babbie", parent=4)
    blank = dom_el(7, "BUTTON", (2, 180, 100, 200), "Submit")  # nothing drawn there
    dom = page_dom(listbox, shown, scrolled, blank)
    frame = drawn((3, 58, 151, 75), (3, 160, 151, 177))
    needed = attr.needed_elements(dom, "Select Janith, Babbie and click Submit.", frame)
    assert [n.key for n in needed] == ["janith"]


def test_needed_boxes_follow_the_frame_scale() -> None:
    dom = page_dom(dom_el(4, "BUTTON", OKAY, "okay"))
    big = np.asarray(Image.fromarray(drawn(OKAY)).resize((240, 315)))
    (need,) = attr.needed_elements(dom, 'Click "okay".', big, scale=(1.5, 1.5))
    assert need.box == (3.0, 109.5, 75.0, 141.0)


def test_perceived_needs_overlap_and_similar_text() -> None:
    need = attr.Needed("submit", "Submit", OKAY, False)
    assert attr.perceived(need, parse_of((OKAY, "Submit")).elements)
    merged = (2, 73, 140, 94)  # the detector merged the button with the text beside it
    assert attr.perceived(need, parse_of((merged, "submit nunc dolor")).elements)
    assert not attr.perceived(need, parse_of((OKAY, "cancel")).elements)  # misread
    assert not attr.perceived(need, parse_of((CANCEL, "Submit")).elements)  # elsewhere
    lookalike = attr.Needed("ly", "lY", OKAY, False)
    assert attr.perceived(lookalike, parse_of((OKAY, "IY")).elements)  # I and l drawn alike
    field = attr.Needed("input #1", "", FIELD, True)
    assert attr.perceived(field, parse_of((FIELD, "")).elements)


def test_cause_is_perception_only_when_a_needed_element_was_never_perceived() -> None:
    okay = attr.Needed("okay", "okay", OKAY, False)
    seen, missed = parse_of((OKAY, "okay")), parse_of((CANCEL, "cancel"))
    late = attr.Attribution()
    late.add_step(0, [okay], missed)
    late.add_step(1, [okay], seen)
    assert late.cause() == "planning" and late.tallies["okay"].first_missed_step == 0
    never = attr.Attribution()
    never.add_step(0, [okay], missed)
    never.add_step(1, [okay], None)  # the policy crashed before parsing
    assert never.cause() == "perception" and never.never_perceived() == ["okay"]
    assert attr.Attribution().cause() == "planning"  # nothing needed on screen


def test_example_image_draws_parse_miss_and_action_enlarged() -> None:
    frame = drawn(OKAY)
    image = attr.example_image(frame, parse_of((OKAY, "okay")), [CANCEL], [(20, 80)])
    assert image.shape == (630, 480, 3)  # 3x, so the marks stay legible
    x0, y0 = 3 * CANCEL[0], 3 * CANCEL[1]
    assert tuple(image[y0, x0 + 10]) == (255, 215, 0)  # the missed box in yellow
    assert tuple(image[3 * 80 + 1, 3 * 20 + 1]) == (255, 0, 0)  # the action's cross


@pytest.mark.slow
def test_tiny_run_reports_success_causes_latency_memory_and_html(tmp_path: Path) -> None:
    out, result_path = tmp_path / "out", tmp_path / "result.json"
    args = ["--tasks", "click-button", "--episodes", "2", "--variants", "plain,x1.5"]
    args += ["--large-frames", "1", "--out", str(out)]
    report = run_script("benchmarks/bench_house.py", *args, json_path=result_path)
    summary = report["summary"]
    episodes = [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]
    assert len(episodes) == 4 and {e["seed"] for e in episodes} == {0, 1}
    for variant in ("plain", "x1.5"):
        mine = [e for e in episodes if e["variant"] == variant]
        rate = sum(e["success"] for e in mine) / 2
        assert summary["success"][variant]["click-button"] == rate
        causes = summary["failures"][variant]["click-button"]
        assert sum(causes.values()) == 2 - sum(e["success"] for e in mine)
        steps = sum(e["steps"] for e in mine)
        assert summary["latency_miniwob_ms"][variant]["policy_ms"]["n"] == steps > 0
    drop = 100 * (summary["mean_success"]["plain"] - summary["mean_success"]["x1.5"])
    assert summary["robustness"]["x1.5"]["drop_points_vs_plain"] == pytest.approx(drop, abs=0.1)
    large = report["latency_page_1280x720_ms"]
    assert large["shape"] == [720, 1280] and large["policy_ms"]["p50"] > 0
    assert 0 < report["memory"]["peak_rss_mb"] < 8192
    assert set(report["meets_targets"]) >= {"mean_success", "peak_rss_mb", "variant_drop_points"}
    assert "click-button" in (out / "summary.html").read_text()
    for example in report["examples"]:
        assert (out / example["file"]).is_file()


def test_runs_without_out_write_to_a_fresh_folder_each() -> None:
    from benchmarks import bench_house

    first, second = bench_house.out_folder(None), bench_house.out_folder(None)
    try:
        assert first != second and first.is_dir() and second.is_dir()
        assert first.parent == second.parent == Path(tempfile.gettempdir())
    finally:
        first.rmdir()
        second.rmdir()


def test_out_folder_named_is_made_and_kept(tmp_path: Path) -> None:
    from benchmarks import bench_house

    named = tmp_path / "a" / "b"
    assert bench_house.out_folder(named) == named and named.is_dir()
    assert bench_house.out_folder(named) == named  # an existing folder is fine


def test_the_plan_policy_runs_on_reworded_instructions(tmp_path: Path) -> None:
    args = ["--reword", "0", "--tasks", "click-link", "--episodes", "1"]
    args += ["--variants", "plain", "--large-frames", "0"]  # no --out: a fresh folder
    report = run_script("benchmarks/bench_house.py", *args, json_path=tmp_path / "r.json")
    out = Path(report["config"]["out"])
    assert out.parent == Path(tempfile.gettempdir())
    assert out.name.startswith("handeye_bench_house_")
    assert report["config"]["policy"].endswith(":PlanWebPolicy")
    assert report["config"]["reword"] == 0
    episode = json.loads((out / "episodes.jsonl").read_text().splitlines()[0])
    shutil.rmtree(out)
    assert episode["skill"] == "plan"
    assert not episode["instruction"].startswith("Click on the link")  # the paraphrase, told


def test_all_tasks_means_split_the_30_from_the_others() -> None:
    from benchmarks import bench_house

    every = bench_house.every_task()
    assert set(bench_house.TASKS) < set(every) and len(every) >= 100
    groups = bench_house.task_groups({"click-button": 1.0, "click-link": 0.5, "drag-box": 0.0})
    assert groups["all"] == {"tasks": 3, "mean": 0.5}
    assert groups["the_30"] == {"tasks": 2, "mean": 0.75}
    assert groups["others"] == {"tasks": 1, "mean": 0.0}
