"""Smoke tests of benchmarks/bench_served.py and bench_async_robot.py at tiny scale."""

from __future__ import annotations

import pytest

from tests.benchmarks.run_script import run_script


@pytest.mark.slow
def test_bench_served_compares_shared_server_and_own_model_workers(tmp_path):
    args = ["--workers", "2", "--seconds", "2"]
    result = run_script(
        "benchmarks/bench_served.py", *args, json_path=tmp_path / "s.json", timeout=600
    )
    assert [r["workers"] for r in result["rows"]] == [2]
    for row in result["rows"]:
        for side in ("served", "own_model"):
            assert row[side]["steps"] > 0 and row[side]["errors"] == 0
            assert row[side]["total_rss_mb"] > 0
        assert sum(row["served"]["batch_sizes"].values()) > 0


@pytest.mark.slow
def test_bench_async_robot_reports_both_sides_per_task(tmp_path):
    args = ["--tasks", "reach", "--episodes", "1", "--latency-s", "0.1", "--fps", "20"]
    result = run_script(
        "benchmarks/bench_async_robot.py", *args, json_path=tmp_path / "a.json", timeout=300
    )
    reach = result["tasks"]["reach"]
    assert reach["sync"]["episodes"] == reach["async"]["episodes"] == 1
    assert reach["sync"]["success_rate"] == reach["async"]["success_rate"] == 1.0
