"""Smoke test of benchmarks/bench_capture.py: tiny scale, the JSON report it promises."""

from __future__ import annotations

from pathlib import Path

from tests.benchmarks.run_script import run_script


def test_bench_capture_prints_one_json_report(tmp_path: Path) -> None:
    args = ["--rounds", "1", "--seconds", "0.2", "--changes", "3", "--clicks", "2"]
    report = run_script("benchmarks/bench_capture.py", *args, json_path=tmp_path / "c.json")
    assert report["screen"] == [1280, 720]
    for scenario in ("still", "changing", "no_source_shortcut"):
        side = report["throughput"][scenario]
        assert side["bare_fps"] > 0 and side["stream_fps"] > 0
        assert abs(side["ratio"] - side["stream_fps"] / side["bare_fps"]) < 0.01 * side["ratio"]
    assert set(report["throughput"]["meets_target"]) == {"still", "changing"}
    latency = report["latency"]
    assert latency["capture_to_policy_ms"]["n"] + latency["missed"] == 3
    assert latency["change_to_policy_ms"]["p50"] >= latency["capture_to_policy_ms"]["p50"] > 0
    for backend in ("pyautogui", "xdotool"):
        assert report["click"][backend]["seen_ms"]["n"] == 2
