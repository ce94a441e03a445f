"""Smoke tests of benchmarks/bench_vlm.py: the CPU run prints its JSON, the GPU floors add up."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import bench_vlm

ROOT = Path(__file__).resolve().parents[2]


def _bench_module():
    return bench_vlm


@pytest.mark.slow
def test_tiny_cpu_run_prints_phase_latencies_as_json(tmp_path):
    out = tmp_path / "vlm.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_vlm",
            "--tiny",
            "--width",
            "320",
            "--height",
            "180",
            "--new-tokens",
            "12",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert json.loads(out.read_text()) == result
    assert set(result["handeye_ms"]) == {"preprocess", "prefill", "decode", "parse", "step"}
    assert result["new_tokens"] == 12 and result["reply_parsed"] is True
    assert result["image_tokens"] == (308 // 28) * (168 // 28)  # 320x180 -> 308x168
    assert result["peak_memory_mb"] > 0
    floor = result["floor"]  # a CPU run measures its own peak and bandwidth
    assert floor["source"].startswith("measured on this CPU")
    assert floor["peak_tflops"] > 0 and floor["bandwidth_tbs"] > 0
    assert result["ratio_to_floor"]["step"] > 1  # nothing runs faster than its floor
    assert result["handeye_vs_transformers"] > 0


def test_floors_split_into_prefill_and_per_token_decode():
    bench = _bench_module()
    args = argparse.Namespace(
        shape="tiny",
        device="cpu",
        dtype="fp32",
        attention="sdpa",
        new_tokens=30,
        static_cache=False,
        compile=False,
    )
    grounder = bench.shape_grounder(args)
    try:
        f30 = bench.floors(grounder, 100, 150, 30, 1, peak_tflops=1.0, bandwidth_tbs=1.0)
        f2 = bench.floors(grounder, 100, 150, 2, 1, peak_tflops=1.0, bandwidth_tbs=1.0)
    finally:
        grounder.close()
    assert f30["step_ms"] == pytest.approx(f30["prefill_ms"] + f30["decode_ms"])
    assert f30["prefill_ms"] == f2["prefill_ms"] > 0
    assert f30["decode_ms"] == pytest.approx(29 * f30["decode_ms_per_token"])
    assert f2["decode_ms"] == pytest.approx(f2["decode_ms_per_token"])


def test_gpu_specs_are_found_by_name_or_taken_from_flags():
    bench = _bench_module()
    assert bench.gpu_spec("NVIDIA H100 80GB HBM3", None, None)[:2] == (989.4, 3.35)
    assert bench.gpu_spec("NVIDIA H200", None, None)[:2] == (989.4, 4.8)
    assert bench.gpu_spec("NVIDIA H100 PCIe", None, None)[:2] == (756.0, 2.0)
    assert bench.gpu_spec("Mystery GPU", 100.0, 1.0) == (100.0, 1.0, "flags")
    with pytest.raises(SystemExit, match="--peak-tflops"):
        bench.gpu_spec("Mystery GPU", None, None)
