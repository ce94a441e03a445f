"""benchmarks/bench_grounding_real.py prints the report it promises on a committed site."""

from __future__ import annotations

import pytest

from benchmarks.bench_grounding_real import WORDINGS, instruction_for
from tests.benchmarks.run_script import run_script
from training.real_pages import RealTarget


def test_each_kind_is_named_as_a_person_would_and_stays_the_same():
    for kind in WORDINGS:
        t = RealTarget(kind, "Email", (0, 0, 1, 1), ((0, 0, 1, 1),))
        said = instruction_for(t)
        assert '"Email"' in said and said == instruction_for(t)
    assert instruction_for(RealTarget("checkbox", "Remember me", (0,) * 4, ())).startswith(
        ("check", "tick")
    )


@pytest.mark.slow
def test_bench_scores_the_held_out_water_css_demo(tmp_path):
    report = run_script(
        "benchmarks/bench_grounding_real.py",
        "--sites", "water.css", "--themes", "light", "--max-frames", "1",
        json_path=tmp_path / "real.json",
    )  # fmt: skip
    held = report["held_out_light"]
    assert report["frames"] == 1
    assert held["n"] >= 5 and held["per_site"]["water.css"]["n"] == held["n"]
    assert {"link", "radio", "button"} <= set(held["per_kind"])
    assert 0 <= held["hit"] <= 100 and 0 <= held["bare_click_peer"] <= 100
    assert sum(held["misses"].values()) == round(held["n"] * (100 - held["hit"]) / 100)
    assert 0 < report["latency_ms_1280x720"]["p50"] <= report["latency_ms_1280x720"]["p90"]
    assert "tune_light" not in report
