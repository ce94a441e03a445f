"""benchmarks/bench_train_vlm.py: the tiny CPU run trains both modes and reports against its
floor; the 3B/7B shapes it builds on a GPU have the real models' parameter counts."""

from __future__ import annotations

import json

import pytest

from benchmarks import bench_train_vlm as bench

pytest.importorskip("peft")


def test_tiny_cpu_run_trains_lora_and_full_and_reports_tokens_memory_and_floor(tmp_path, capsys):
    args = ["--shape", "tiny", "--width", "112", "--height", "112", "--text-tokens", "24"]
    args += ["--reply-tokens", "8", "--steps", "2", "--warmup", "0", "--device", "cpu"]
    assert bench.main([*args, "--json", str(tmp_path / "r.json")]) == 0
    report = json.loads(capsys.readouterr().out)  # stdout holds the JSON and nothing else
    assert json.loads((tmp_path / "r.json").read_text()) == report
    lora, full = report["modes"]["lora"], report["modes"]["full"]
    assert lora["layout"] == full["layout"]
    assert lora["layout"]["image_tokens"] == 16 and lora["layout"]["tokens"] == 24 + 2 + 16 + 8
    assert lora["trainable_params"] < full["trainable_params"] == full["params"]
    assert full["step_gflop"] > lora["step_gflop"] > 0  # full also trains the vision tower
    for mode in (lora, full):
        assert len(mode["step_ms"]["all"]) == 2 and mode["tokens_per_s"] > 0
        assert mode["peak_memory_mb"] > 0
        assert mode["ratio_to_floor"] > 1 and 0 <= mode["mfu_percent"] < 100
    assert full["loss_first_last"][1] < full["loss_first_last"][0]  # the steps do train
    assert report["peak_source"].startswith("measured on this CPU")


@pytest.mark.parametrize(("shape", "params"), [("3b", 3_754_622_976), ("7b", 8_292_166_656)])
def test_real_shapes_have_the_published_parameter_counts_and_a_6nt_sized_step(shape, params):
    """Built on the meta device (no memory): Qwen2.5-VL-3B/7B-Instruct's counts (3.75B/8.29B)."""
    cfg = bench.BenchTrainConfig(shape=shape)
    model = bench.build_model(cfg, "meta", "bf16", "sdpa")
    assert sum(p.numel() for p in model.parameters()) == params
    lay = bench.layout(cfg, model.config)
    assert (lay["grid_h"], lay["grid_w"], lay["image_tokens"]) == (52, 92, 1196)  # 1280x720
    parts = bench.model_flops(model, lay, batch=1)
    full = bench.step_flops(parts, "full")
    # 6 x params x tokens, give or take: the vision tower sees 4 patches per image token
    assert 0.6 < full / (6 * params * lay["tokens"]) < 1.6
    assert bench.step_flops(parts, "lora") < full


def test_a_gpu_floor_uses_the_data_sheet_dense_bf16_peak():
    assert bench.gpu_spec("NVIDIA H100 80GB HBM3", None, 1.0)[0] == 989.4
    assert bench.gpu_spec("NVIDIA H200", None, 1.0)[0] == 989.4
