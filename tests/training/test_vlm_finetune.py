"""`handeye train vlm` on a tiny random Qwen2.5-VL: real processor, real peft, real backprop.

The synthetic "click the <colour> square" traces (one square per frame, on one of four
slots, moved by a pixel) go through `handeye dataset build`, the model is fine-tuned on CPU
with LoRA and with full tuning, and new held-out frames are grounded by the transformers
backend exactly as the VLM policy would (the adapter loaded with the `adapter` option): the
clicks go from none inside the square to >= 80 % inside. The model's random weights have
std 0.1 (at the default 0.02 a 64-wide model's attention is so flat that its 4 image
tokens among ~170 barely reach the answer and position is not learned; at 0.1, 216 steps
found the square on 100 % of held-out frames for model seeds 0, 1 and 2, 144 steps only
for some seeds).
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
from policies.vlm.finetune import (
    FinetuneConfig,
    _collate,
    _encode_rows,
    finetune,
    parse_lora,
    read_training_set,
)
from training.synthetic_grounding import record_scenes, scenes
from training.tiny_models import build_tiny_qwen2_5_vl

pytest.importorskip("peft")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def task(tmp_path_factory, one_thread):
    """A 96-frame training set (point prompt, Qwen2.5-VL replies), held-out frames, the base."""
    root = tmp_path_factory.mktemp("finetune")
    record_scenes(root / "traces", scenes(96, seed=1, squares=1))
    build_dataset([root / "traces"], root / "set", DatasetConfig(prompt="point", test_fraction=0))
    model = build_tiny_qwen2_5_vl(
        root / "model", initializer_range=0.1, vision_initializer_range=0.1
    )
    return {
        "root": root,
        "data": root / "set",
        "held": scenes(HELD_OUT, seed=999, squares=1),
        "model": model,
    }


HELD_OUT = 40


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


def test_lora_learns_to_click_the_square_and_its_saved_adapter_gives_the_same_outputs(task):
    with _grounder(task["model"]) as base:
        _, parsed_before, inside_before = _ground(base, task["held"])
    assert parsed_before == 0.0 and inside_before == 0.0  # random weights: gibberish
    cfg = FinetuneConfig(
        model=str(task["model"]),
        data=str(task["data"]),
        out=str(task["root"] / "lora"),
        epochs=18,
        lr=5e-3,
        batch=8,
        warmup=4,
        device="cpu",
    )
    result = finetune(cfg)
    assert result.steps == 216 and result.last_loss < 0.25 * result.first_loss
    assert result.trainable_params < 200_000  # adapters only
    out = task["root"] / "lora"
    assert (out / "adapter" / "adapter_config.json").is_file() and (out / "loss.png").is_file()
    assert len((out / "train_log.jsonl").read_text().splitlines()) == 216
    loaded = load_model(task["model"], device="cpu")
    with TransformersGrounder(
        loaded=replace(loaded, model=result.model.eval()), prompt="point", max_new_tokens=16
    ) as trained:
        in_memory, _, _ = _ground(trained, task["held"])
    with _grounder(task["model"], adapter=str(result.weights)) as reloaded:
        replies, parsed, inside = _ground(reloaded, task["held"])
    assert replies == in_memory
    assert parsed >= 0.95, replies[:3]
    assert inside >= 0.8, replies[:6]  # held-out frames: the square is found, not guessed


def test_full_tuning_resumes_from_its_checkpoint_and_writes_a_loadable_model(task):
    out = task["root"] / "full"
    cfg = FinetuneConfig(
        model=str(task["model"]),
        data=str(task["data"]),
        out=str(out),
        full=True,
        epochs=18,
        lr=2e-3,
        batch=8,
        warmup=4,
        save_every=6,
        device="cpu",
    )
    first = finetune(cfg, stop_after=10)
    assert first.steps == 10 and (out / "checkpoints" / "step-10" / "state.json").is_file()
    result = finetune(cfg)
    assert result.steps == 216 and len(result.losses) == 216
    assert result.losses[:10] == first.losses  # the resumed run kept the first part
    assert result.last_loss < 0.25 * result.first_loss
    log = [json.loads(s) for s in (out / "train_log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log] == list(range(1, 217))
    with _grounder(result.weights) as tuned:
        replies, parsed, inside = _ground(tuned, task["held"])
    assert parsed >= 0.95
    assert inside >= 0.8, replies[:6]


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


def test_training_batches_carry_the_token_types_that_place_the_image_tokens(task):
    """Without mm_token_type_ids Qwen2-VL's forward gives the image tokens 1-D positions in
    training and M-RoPE (row, column) positions in generation: the two must agree."""
    import torch

    with _grounder(task["model"], device="cpu") as g:
        _, rows = read_training_set(task["data"], "train")
        examples = _encode_rows(g, rows.head(2), "set")
        batch = _collate(examples, 0)
        assert batch["mm_token_type_ids"].shape == batch["input_ids"].shape
        image = batch["input_ids"] == g.loaded.model.config.image_token_id
        assert bool((batch["mm_token_type_ids"].bool() == image).all())
        pos = g.loaded.model.model.compute_3d_position_ids(
            input_ids=batch["input_ids"],
            image_grid_thw=batch["image_grid_thw"],
            video_grid_thw=None,
            inputs_embeds=torch.zeros(*batch["input_ids"].shape, 1),
            attention_mask=batch["attention_mask"],
            cache=None,
            mm_token_type_ids=batch["mm_token_type_ids"],
        )
    first = int(image[0].nonzero()[0])
    assert pos[1:, 0, first : first + 4].tolist() == [
        [first] * 2 + [first + 1] * 2,
        [first, first + 1] * 2,
    ]
