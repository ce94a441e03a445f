"""Smoke test of benchmarks/bench_robot.py and demos/robot_demo.py at tiny scale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.run_script import run_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_robot_prints_success_cells_and_the_speed_ratio(tmp_path):
    args = ["--episodes", "1", "--speed-steps", "4", "--speed-rounds", "1", "--robot", "both"]
    result = run_script(
        "benchmarks/bench_robot.py", *args, json_path=tmp_path / "robot.json", timeout=600
    )
    cells = {(r["policy"], r["env_id"], r["randomize"]) for r in result["success"]}
    assert len(cells) == 16 and all(r["episodes"] == 1 for r in result["success"])
    assert {r["robot"] for r in result["success"]} == {"gripper", "arm"}
    speed = result["speed"]
    assert speed["ratio_vs_pusher_default"] > 0 and speed["ratio_arm_vs_pusher_default"] > 0
    assert all(v > 0 for v in speed["last_frame_mean"].values())  # nobody rendered blank frames


@pytest.mark.slow
def test_robot_demo_writes_one_video_per_episode(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "demos" / "robot_demo.py"), "--episodes", "1"]
        + ["--env-id", "handeye/tabletop-reach-v0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    videos = list(tmp_path.glob("seed*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000
    assert "seed 100" in done.stdout
