"""Smoke test of benchmarks/bench_capture.py: tiny scale, the JSON report it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_capture.py"


def test_bench_capture_prints_one_json_report(tmp_path: Path) -> None:
    out = tmp_path / "capture.json"
    args = ["--rounds", "1", "--seconds", "0.2", "--changes", "3", "--clicks", "2"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=SCRIPT.parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)  # stdout holds the JSON object and nothing else
    assert json.loads(out.read_text()) == report
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
