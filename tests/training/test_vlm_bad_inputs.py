"""Bad input to `handeye train vlm` and its before/after eval: a clear error naming the row or
folder, raised before anything is written (no OUT, no temp folder left behind)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from agent.eval_compare import CompareConfig, compare
from agent.evaluation import evaluate
from agent.training_sets import DatasetConfig, build_dataset
from contracts.errors import ConfigError, SetupError, TraceError
from envs.squares.env import scenes
from policies.vlm.finetune import FinetuneConfig, finetune
from training.synthetic_grounding import record_scenes
from training.tiny_models import build_tiny_qwen2_5_vl, copy_checkpoint

pytest.importorskip("peft")


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> dict[str, Path]:
    """Oracle traces of the click-square env (56x56), traces of 84x84 frames, the tiny model."""
    root = tmp_path_factory.mktemp("bad-inputs")
    evaluate(["handeye/click-square-v0"], "oracle", episodes=6, trace_dir=root / "traces")
    record_scenes(root / "large", scenes(3, seed=5, squares=1, size=84))
    build_dataset([root / "traces"], root / "set", DatasetConfig(prompt="point", test_fraction=0))
    return {
        **{k: root / k for k in ("traces", "large", "set")},
        "root": root,
        "model": build_tiny_qwen2_5_vl(root / "model"),
    }


def _train(parts: dict[str, Path], data: Path, out: Path, model: Path | None = None) -> None:
    finetune(
        FinetuneConfig(
            model=str(model or parts["model"]), data=str(data), out=str(out), device="cpu"
        )
    )


def _set_with_rows(parts: dict[str, Path], tmp_path: Path, extra: pd.DataFrame) -> Path:
    """A copy of the built set whose train split has `extra` rows appended (as by hand)."""
    data = tmp_path / "edited"
    shutil.copytree(parts["set"], data)
    path = data / "data" / "train.parquet"
    rows = pd.concat([pd.read_parquet(path), extra], ignore_index=True)
    rows.to_parquet(path)
    return data


def test_a_set_that_mixes_model_families_is_refused_naming_the_row(parts, tmp_path):
    build_dataset([parts["traces"]], tmp_path / "generic", DatasetConfig("generic", "point", 0))
    generic = pd.read_parquet(tmp_path / "generic" / "data" / "train.parquet")
    data = _set_with_rows(parts, tmp_path, generic.head(1))
    with pytest.raises(
        SetupError,
        match=r"train\.parquet row 6 \(episode .* step 0\): family "
        r"generic but the set's card says qwen2_5_vl",
    ):
        _train(parts, data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_set_that_mixes_frame_sizes_is_refused_at_build_and_at_training(parts, tmp_path):
    with pytest.raises(TraceError, match=r"frame is 84x84 but .* is 56x56"):
        build_dataset([parts["traces"], parts["large"]], tmp_path / "mixed")
    assert list(tmp_path.iterdir()) == []  # no output, no temp folder
    build_dataset([parts["large"]], tmp_path / "large", DatasetConfig(prompt="point"))
    large = pd.read_parquet(tmp_path / "large" / "data" / "train.parquet")
    data = _set_with_rows(parts, tmp_path, large.head(1))
    with pytest.raises(
        SetupError,
        match=r"row 6 .*: size \(84, 84\) but the set's card says "
        r"\(56, 56\)",
    ):
        _train(parts, data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_row_without_its_frame_is_refused_naming_the_row(parts, tmp_path):
    rows = pd.read_parquet(parts["set"] / "data" / "train.parquet")
    broken = rows.tail(1).copy()
    broken["image"] = [{"bytes": None, "path": None}]
    data = _set_with_rows(parts, tmp_path, broken)
    with pytest.raises(SetupError, match=r"row 6 .*: the frame is missing"):
        _train(parts, data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_action_the_family_cannot_express_is_refused_naming_the_step(parts, tmp_path):
    """Qwen2.5-VL's point prompt answers with a point: a typed text has none to give."""
    from agent.traces import StepRecord, TraceWriter

    with TraceWriter(tmp_path / "typed") as writer:
        writer.start_episode(env_id="x", policy="expert", seed=0, instruction="type hi")
        frame = scenes(1, seed=0, squares=1)[0].frame
        writer.add_step(StepRecord(step=0, frame=frame, action='type("hi")', reward=1.0))
        writer.end_episode(success=True)
    with pytest.raises(TraceError, match=r"\.parquet step 0: .*type"):
        build_dataset([tmp_path / "typed"], tmp_path / "out", DatasetConfig(prompt="point"))
    assert [p.name for p in tmp_path.iterdir()] == ["typed"]


def test_a_model_folder_without_its_processor_is_refused_before_anything_is_written(
    parts, tmp_path
):
    model = copy_checkpoint(parts["model"], tmp_path / "no-processor")
    (model / "processor_config.json").unlink()
    with pytest.raises(SetupError, match=r"no-processor.*preprocessor_config\.json"):
        _train(parts, parts["set"], tmp_path / "out", model)
    assert not (tmp_path / "out").exists()
    with pytest.raises(SetupError, match=r"no-processor.*preprocessor_config\.json"):
        compare(
            CompareConfig(
                env="handeye/click-square-v0",
                model=str(model),
                out=str(tmp_path / "report"),
                tuned_model=str(parts["model"]),
                episodes=1,
                policy_kwargs={"device": "cpu", "prompt": "point"},
            )
        )
    assert not (tmp_path / "report").exists() and not (tmp_path / "report.tmp").exists()


def test_a_quantized_base_is_refused_for_full_tuning_and_off_cuda_before_anything_is_written(
    parts, tmp_path
):
    cfg = FinetuneConfig(
        model=str(parts["model"]),
        data=str(parts["set"]),
        out=str(tmp_path / "out"),
        quantization="4bit",
        device="cpu",
    )
    with pytest.raises(ConfigError, match="drop --full"):
        finetune(replace(cfg, full=True))
    with pytest.raises(SetupError, match="4bit loading needs (bitsandbytes|a CUDA GPU)"):
        finetune(cfg)
    assert not (tmp_path / "out").exists()
