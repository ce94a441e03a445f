"""Before/after evaluation of a fine-tuned VLM: the whole loop on the click-square env.

Expert episodes are recorded with `handeye eval --policy oracle --trace`, built into a set,
and a tiny random-weight Qwen2.5-VL is fine-tuned with `handeye train vlm --eval-env`, which
then plays the base and the adapter on the same held-out seeds and writes one report. The
weights have std 0.1 for the reason given in tests/training/test_vlm_finetune.py.
"""

from __future__ import annotations

import json

import pytest

from agent.cli import main
from agent.eval_compare import CompareConfig, compare, load_report
from contracts.errors import ConfigError
from training.tiny_models import build_tiny_qwen2_5_vl

pytest.importorskip("peft")

ENV = "handeye/click-square-v0"


@pytest.mark.slow
def test_train_vlm_reports_base_and_adapter_on_the_same_held_out_seeds(tmp_path, one_thread):
    traces, data, out = tmp_path / "demos", tmp_path / "set", tmp_path / "lora"
    assert (
        main(
            ["eval", "--env", ENV, "--policy", "oracle", "--episodes", "96"]
            + ["--trace", str(traces)]
        )
        == 0
    )
    assert (
        main(
            ["dataset", "build", str(traces), "--out", str(data), "--prompt", "point"]
            + ["--test-fraction", "0"]
        )
        == 0
    )
    model = build_tiny_qwen2_5_vl(
        tmp_path / "model", initializer_range=0.1, vision_initializer_range=0.1
    )
    args = ["train", "vlm", "--model", str(model), "--data", str(data), "--out", str(out)]
    args += ["--epochs", "18", "--lr", "5e-3", "--batch", "8", "--device", "cpu"]
    args += ["--eval-env", ENV, "--eval-episodes", "40", "--eval-seed", "100000"]
    assert main([*args, "--eval-policy-kwargs", '{"max_new_tokens": 16}']) == 0
    report = load_report(out / "eval")
    base, tuned = report["envs"][ENV]["base"], report["envs"][ENV]["tuned"]
    assert base["episodes"] == tuned["episodes"] == 40
    assert base["success_rate"] <= 0.1  # random weights: gibberish or a lucky click
    assert tuned["success_rate"] >= 0.8
    assert tuned["click_inside_target_rate"] == tuned["success_rate"]  # one click per episode
    assert report["arms"]["tuned"]["adapter"] == str(out / "adapter")
    episodes = report["episodes"]
    assert [e["seed"] for e in episodes] == list(range(100000, 100040))
    for e in episodes:
        assert e["tuned"]["success"] == (e["tuned"]["inside"] is True)
        assert len(e["target_box"]) == 4 and e["instruction"].startswith("click the ")
    html = (out / "eval" / "report.html").read_text()
    assert html.count("<figure>") == 12 and "data:image/png;base64," in html
    assert "| handeye/click-square-v0 | 40 |" in (out / "eval" / "report.md").read_text()
    assert (out / "eval" / "report.png").stat().st_size > 1000
    assert len(list((out / "eval" / "traces" / "tuned").glob("*"))) > 0
    assert not (out / "eval.tmp").exists()


def test_a_comparison_without_exactly_one_tuned_arm_is_refused_before_any_model_loads(tmp_path):
    model = tmp_path / "base"
    model.mkdir()
    with pytest.raises(ConfigError, match="exactly one of adapter"):
        compare(CompareConfig(env=ENV, model=str(model), out=str(tmp_path / "r")))
    with pytest.raises(ConfigError, match="adapter folder .* does not exist"):
        compare(
            CompareConfig(env=ENV, model=str(model), out=str(tmp_path / "r"), adapter="nowhere")
        )
    assert not (tmp_path / "r").exists() and not (tmp_path / "r.tmp").exists()


def test_compare_cli_reports_two_wired_models_with_each_arms_clicks(tmp_path, one_thread):
    """`handeye compare` on real tiny models wired to fixed replies: the base always misses,
    the tuned one hits where the square sits on the slot it names (4 slots, equally likely)."""
    base = build_tiny_qwen2_5_vl(tmp_path / "base", reply="(1,2)")
    tuned = build_tiny_qwen2_5_vl(tmp_path / "tuned", reply="(45,26)")
    out = tmp_path / "report"
    args = ["compare", "--env", ENV, "--model", str(base), "--tuned-model", str(tuned)]
    args += ["--out", str(out), "--episodes", "8", "--seed", "5"]
    options = '{"prompt": "point", "max_new_tokens": 12, "device": "cpu"}'
    assert main([*args, "--policy-kwargs", options]) == 0
    summary = load_report(out)["envs"][ENV]
    assert summary["base"]["success_rate"] == 0.0
    report = json.loads((out / "report.json").read_text())
    for e in report["episodes"]:
        assert e["base"]["clicks"] == [[1, 2]] and e["tuned"]["clicks"] == [[45, 26]]
        x0, y0, x1, y1 = e["target_box"]
        assert e["tuned"]["success"] == (x0 <= 45 < x1 and y0 <= 26 < y1)
    hits = sum(e["tuned"]["success"] for e in report["episodes"])
    assert summary["tuned"]["successes"] == hits and summary["tuned"]["episodes"] == 8
    assert (out / "report.html").read_text().count("<figure>") == 8
