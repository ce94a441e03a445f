"""Smoke test of benchmarks/bench_vector.py at tiny scale, and its ratios on given figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_vector as bv
from tests.benchmarks.run_script import run_script


@pytest.mark.slow
def test_handeye_only_run_reports_rates_memory_and_a_plot(tmp_path: Path) -> None:
    result = run_script(
        "benchmarks/bench_vector.py",
        *("--envs", "1,2", "--tasks", "click-button", "--seconds", "0.5", "--rounds", "1"),
        "--skip-farama",
        "--with-clock",
        json_path=tmp_path / "vector.json",
    )
    points = result["points"]["click-button"]
    vectors = {bv.HANDEYE_VEC, bv.HANDEYE_VEC_CLOCK}
    assert set(points["1"]) == {*vectors, bv.HANDEYE_ONE} and set(points["2"]) == vectors
    assert points["2"][bv.HANDEYE_VEC_CLOCK]["success_rate"] == 1.0
    assert result["overall"]["by_envs"]["2"]["over_clock_vector"] > 0
    two = points["2"][bv.HANDEYE_VEC]
    assert two["envs"] == 2 and two["episodes"] > 0 and two["success_rate"] == 1.0
    assert two["steps_per_s"] >= two["episodes_per_s"] > 0
    assert two["processes"] >= 3  # driver, browser, renderers
    assert two["cpu_ms_per_episode"] > 0 and two["idle_machine_episodes_per_s"] > 0
    by_process = two["cpu_ms_per_episode_by_process"]  # where the CPU went: Chromium / Python
    assert {"browser", "renderer", "python", "driver"} <= set(by_process)
    assert sum(by_process.values()) == pytest.approx(two["cpu_ms_per_episode"], rel=0.01)
    assert two["rss_per_env_mb"] >= two["browser_rss_per_env_mb"] > 0
    assert result["overall"]["by_envs"]["2"][bv.HANDEYE_VEC]["episodes_per_s"] > 0
    png = Path(result["plot"])
    assert png == tmp_path / "vector.png" and png.read_bytes()[:4] == b"\x89PNG"


def _point(eps: float, rss: float = 100.0, cpu_ms: float = 40.0) -> dict:
    return {
        "episodes_per_s": eps,
        "cpu_ms_per_episode": cpu_ms,
        "idle_machine_episodes_per_s": 2000 / cpu_ms,
        "steps_per_s": 2 * eps,
        "rss_per_env_mb": rss,
        "pss_per_env_mb": rss / 2,
        "browser_rss_per_env_mb": rss / 2,
    }


def test_ratios_are_geomeans_over_tasks_against_one_farama_env_and_farama_at_the_same_n():
    points = {
        "a": {
            "1": {bv.HANDEYE_VEC: _point(10), bv.FARAMA_VEC: _point(5), bv.FARAMA_ONE: _point(5)},
            "4": {bv.HANDEYE_VEC: _point(40), bv.FARAMA_VEC: _point(10, rss=300, cpu_ms=160)},
        },
        "b": {
            "1": {bv.HANDEYE_VEC: _point(4), bv.FARAMA_VEC: _point(4), bv.FARAMA_ONE: _point(1)},
            "4": {bv.HANDEYE_VEC: _point(9), bv.FARAMA_VEC: _point(1, rss=300)},
        },
    }
    out = bv.overall(points, [1, 4])
    four = out["by_envs"]["4"]
    assert four["over_one_farama"] == pytest.approx((8 * 9) ** 0.5)  # 40/5 and 9/1
    assert four["over_farama_vector"] == pytest.approx((4 * 9) ** 0.5)  # 40/10 and 9/1
    assert four["memory_farama_over_handeye"] == pytest.approx(3.0)
    assert four["cpu_over_farama_vector"] == pytest.approx(2.0)  # 160/40 and 40/40
    assert out["by_envs"]["1"]["over_farama_vector"] == pytest.approx(2**0.5)
    assert out["best_over_one_farama"] == pytest.approx(72**0.5) and out["meets_over_one_farama"]
    assert out["min_over_farama_vector"] == pytest.approx(2**0.5)
    assert not out["meets_over_farama_vector"]
