"""`handeye train vlm` on a tiny random Qwen2.5-VL: real processor, real peft, real backprop.

The synthetic "click the <colour> square" traces go through `handeye dataset build`, the
model is fine-tuned on CPU with LoRA and with full tuning, and the held-out frames are
grounded by the transformers backend exactly as the VLM policy would (the adapter loaded
with the `adapter` option).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from agent.cli import main
from agent.training_sets import DatasetConfig, build_dataset
from contracts.errors import SetupError
from perception.vlm.loading import load_model
from perception.vlm.transformers_backend import TransformersGrounder
from policies.vlm.finetune import FinetuneConfig, finetune, parse_lora
from tests.vlm_checkpoints import checkpoint
from training.synthetic_grounding import record_scenes, scenes

pytest.importorskip("peft")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def one_thread():
    """The tiny model trains several times faster on one thread on a busy 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def task(tmp_path_factory, one_thread):
    """A 96-frame training set (point prompt, Qwen2.5-VL replies), held-out frames, the base."""
    root = tmp_path_factory.mktemp("finetune")
    record_scenes(root / "traces", scenes(96, seed=1))
    build_dataset([root / "traces"], root / "set", DatasetConfig(prompt="point", test_fraction=0))
    return {
        "root": root,
        "data": root / "set",
        "held": scenes(24, seed=999),
        "model": checkpoint(tmp_path_factory, "random"),
    }


def _ground(grounder: TransformersGrounder, held) -> tuple[list[str], float, float]:
    """(replies, share that parse to a point in the frame, share inside the target square)."""
    out = grounder.ground_batch([s.frame for s in held], [s.instruction for s in held])
    replies, parsed, inside = [], 0, 0
    for scene, g in zip(held, out, strict=True):
        replies.append(str(g) if isinstance(g, Exception) else g.raw_text)
        if isinstance(g, Exception) or g.target is None:
            continue
        parsed += 0 <= g.target.x < 56 and 0 <= g.target.y < 56
        inside += scene.contains(g.target.x, g.target.y)
    return replies, parsed / len(held), inside / len(held)


def _grounder(model, **options) -> TransformersGrounder:
    return TransformersGrounder(model=str(model), prompt="point", max_new_tokens=16, **options)


def test_lora_learns_the_reply_format_and_its_saved_adapter_gives_the_same_outputs(task):
    with _grounder(task["model"]) as base:
        _, parsed_before, _ = _ground(base, task["held"])
    assert parsed_before == 0.0  # random weights: gibberish
    cfg = FinetuneConfig(
        model=str(task["model"]),
        data=str(task["data"]),
        out=str(task["root"] / "lora"),
        epochs=6,
        lr=5e-3,
        batch=8,
        warmup=4,
        device="cpu",
    )
    result = finetune(cfg)
    assert result.steps == 72 and result.last_loss < 0.25 * result.first_loss
    assert result.trainable_params < 200_000  # adapters only
    out = task["root"] / "lora"
    assert (out / "adapter" / "adapter_config.json").is_file() and (out / "loss.png").is_file()
    assert len((out / "train_log.jsonl").read_text().splitlines()) == 72
    loaded = load_model(task["model"], device="cpu")
    with TransformersGrounder(
        loaded=replace(loaded, model=result.model.eval()), prompt="point", max_new_tokens=16
    ) as trained:
        in_memory, _, _ = _ground(trained, task["held"])
    with _grounder(task["model"], adapter=str(result.weights)) as reloaded:
        replies, parsed, _ = _ground(reloaded, task["held"])
    assert replies == in_memory
    assert parsed >= 0.95, replies[:3]


def test_full_tuning_resumes_from_its_checkpoint_and_writes_a_loadable_model(task):
    out = task["root"] / "full"
    cfg = FinetuneConfig(
        model=str(task["model"]),
        data=str(task["data"]),
        out=str(out),
        full=True,
        epochs=4,
        lr=5e-3,
        batch=8,
        warmup=4,
        save_every=6,
        device="cpu",
    )
    first = finetune(cfg, stop_after=10)
    assert first.steps == 10 and (out / "checkpoints" / "step-10" / "state.json").is_file()
    result = finetune(cfg)
    assert result.steps == 48 and len(result.losses) == 48
    assert result.losses[:10] == first.losses  # the resumed run kept the first part
    assert result.last_loss < 0.25 * result.first_loss
    log = [json.loads(s) for s in (out / "train_log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log] == list(range(1, 49))
    with _grounder(result.weights) as tuned:
        _, parsed, _ = _ground(tuned, task["held"])
    assert parsed >= 0.95


def test_cli_trains_an_adapter_and_refuses_a_set_of_another_family(task, tmp_path, capsys):
    args = ["train", "vlm", "--model", str(task["model"]), "--data", str(task["data"])]
    assert main([*args, "--out", str(tmp_path / "a"), "--batch", "16", "--device", "cpu"]) == 0
    assert '"adapter"' in capsys.readouterr().out
    assert (tmp_path / "a" / "adapter" / "adapter_model.safetensors").is_file()
    generic = tmp_path / "generic"
    build_dataset([task["root"] / "traces"], generic, DatasetConfig("generic", prompt="point"))
    with pytest.raises(SetupError, match="built for the generic family but .* is qwen2_5_vl"):
        finetune(FinetuneConfig(model=str(task["model"]), data=str(generic), out=str(tmp_path)))
    with pytest.raises(SetupError, match="not a handeye training set"):
        finetune(FinetuneConfig(model=str(task["model"]), data=str(tmp_path), out=str(tmp_path)))


def test_lora_options_parse_and_bad_ones_say_what_is_expected():
    assert parse_lora("r=8,alpha=16,dropout=0.05") == {"r": 8, "alpha": 16, "dropout": 0.05}
    with pytest.raises(Exception, match="expected e.g. r=16,alpha=32"):
        parse_lora("rank=8")
