"""Smoke tests of benchmarks/bench_env.py: it runs at tiny scale and prints the JSON it promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import farama_peer
from tests.benchmarks.run_script import run_script

FLOORS = ("cdp_floor", "cdp_floor_pipelined")
HANDEYE_KINDS = ("handeye", "handeye_no_final_frame", "handeye_begin_frame", "handeye_clock")
ENV_KEYS = {
    "episodes",
    "success_rate",
    "episodes_per_s",
    "env_only_episodes_per_s",
    "reset_ms_mean",
    "step_ms_mean",
    "step_ms_median",
    "steps_per_episode",
    "policy_ms_per_step",
}


def run_bench(*args: str, tmp_path: Path) -> dict:
    return run_script("benchmarks/bench_env.py", *args, json_path=tmp_path / "result.json")


def test_farama_dom_matches_handeye_dom_shape() -> None:
    peer = farama_peer
    flags = [0, 0, 0, 1]
    box = {"left": [6.0], "top": [55.0], "width": [20.0], "height": [13.0]}
    colours = {"bg_color": [1.0, 1.0, 1.0, 1.0], "fg_color": [0.0, 0.0, 0.0, 0.5]}
    elements = [
        {"ref": 1, "parent": 0, "tag": "body", "text": "", "value": "", "id": "", "classes": "",
         "flags": [1, 0, 0, 0], **box, **colours},
        {"ref": 6, "parent": 1, "tag": "input_checkbox", "text": "", "value": "True", "id": "ch0",
         "classes": "", "flags": flags, **box, **colours},
        {"ref": -1, "parent": 1, "tag": "t", "text": "AU", "value": "", "id": "", "classes": "",
         "flags": flags, **box, **colours},
    ]  # fmt: skip
    body, box_el, text = peer.farama_dom(elements)
    assert body["parent"] is None and body["tag"] == "BODY" and body["focused"] is True
    assert "text" not in body and "value" not in body
    assert box_el["tag"] == "INPUT_checkbox" and box_el["value"] is True and box_el["parent"] == 1
    assert (box_el["left"], box_el["top"], box_el["width"], box_el["height"]) == (6, 55, 20, 13)
    assert box_el["bgColor"] == "rgba(255, 255, 255, 1)"
    assert text["tag"] == "t" and text["text"] == "AU"


def test_handeye_key_chords_map_to_farama_key_tokens() -> None:
    from miniwob.constants import ALL_POSSIBLE_KEYS

    actions = farama_peer.FaramaActions(env=None)
    token = {chord: ALL_POSSIBLE_KEYS[actions._key(chord)] for chord in
             ("Enter", "ctrl+a", "shift+Tab", "ctrl+shift+z", "backspace", "x", "up")}  # fmt: skip
    assert token == {
        "Enter": "<Enter>", "ctrl+a": "C-a", "shift+Tab": "S-<Tab>", "ctrl+shift+z": "C-S-z",
        "backspace": "<Backspace>", "x": "x", "up": "<ArrowUp>",
    }  # fmt: skip
    for chord in ("ctrl+NoSuchKey", "hyper+a"):
        with pytest.raises(ValueError, match="cannot map key"):
            actions._key(chord)


@pytest.mark.slow
def test_handeye_only_run_reports_throughput_and_memory(tmp_path: Path) -> None:
    result = run_bench(
        "--episodes", "2", "--warmup", "1", "--tasks", "click-button", "--skip-farama",
        "--memory-envs", "2", tmp_path=tmp_path,
    )  # fmt: skip
    task = result["tasks"]["click-button"]
    assert set(task) == set(HANDEYE_KINDS)
    for kind in HANDEYE_KINDS:
        assert set(task[kind]) >= ENV_KEYS
        assert task[kind]["episodes"] == 2
        assert task[kind]["success_rate"] == 1.0
        assert task[kind]["episodes_per_s"] > 0
        phases = set(task[kind]["phases_ms_mean"])
        assert {"reset_capture", "step_act"} <= phases
        begin = kind == "handeye_begin_frame"  # "handeye" is too where the headless shell is
        assert ("step_capture_and_state" in phases) == begin or kind == "handeye"
        assert ("step_capture" in phases) != ("step_capture_and_state" in phases)
    assert result["overall"]["geomean_ratio"] == {}
    memory = result["memory"]["handeye"]
    assert memory["envs"] == 2 and memory["processes"] >= 3
    assert memory["total_rss_mb"] > memory["browser_side_rss_mb"] > 0
    assert "farama" not in result["memory"]


@pytest.mark.slow
def test_side_by_side_run_reports_ratios_against_farama_and_the_cdp_floor(tmp_path: Path) -> None:
    result = run_bench(
        "--episodes", "1", "--warmup", "0", "--tasks", "click-button,enter-text",
        "--memory-envs", "0", "--floor", tmp_path=tmp_path,
    )  # fmt: skip
    for name, task in result["tasks"].items():
        assert set(task["farama"]) >= ENV_KEYS
        assert task["farama"]["success_rate"] == 1.0, name  # the adapter drives Farama right
        for floor in FLOORS:  # the floors click and type: they solve the tasks too
            assert task[floor]["success_rate"] == 1.0, (name, floor)
            assert {"step_act", "step_capture_and_state"} <= set(task[floor]["phases_ms_mean"])
        assert set(task["ratio"]) == {*HANDEYE_KINDS, *FLOORS}
        assert task["handeye_begin_frame"]["success_rate"] == 1.0, name
        assert all(r > 0 for r in task["ratio"].values())
    overall = result["overall"]
    assert set(overall["geomean_ratio"]) == {*HANDEYE_KINDS, *FLOORS}
    assert set(overall["meets_target"]) == set(HANDEYE_KINDS)
    assert overall["target_ratio"] == 3.0
    assert result["memory"] is None
    assert result["config"]["farama_flags"] == "same"


def test_an_unknown_handeye_column_is_refused_before_any_browser_starts(capsys) -> None:
    from benchmarks import bench_env

    with pytest.raises(SystemExit):
        bench_env.main(["--handeye", "handeye,handeye_vsync", "--skip-farama"])
    assert "--handeye takes some of" in capsys.readouterr().err
