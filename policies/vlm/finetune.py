"""Supervised fine-tuning of a VLM checkpoint on a handeye training set: LoRA or full.

Each row of `handeye dataset build` (frame, instruction, history, reply) becomes the exact
chat prompt the transformers grounder asks with (`TransformersGrounder.chat_prompt`, image
tokens sized by the model's own processor) followed by the reply and the end-of-turn token;
the loss counts the reply tokens only. LoRA adapters (peft) go on the language model's
linear layers and the vision-language merger; `full` trains every weight. Checkpoints hold
the trainable weights, the optimizer, the schedule and the data order, so `resume` goes on
exactly where a run stopped. The adapter is loaded back by the VLM policy with
`--policy-kwargs '{"adapter": OUT/adapter}'`; a full run writes a checkpoint to OUT/model.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from contracts.errors import ConfigError, SetupError, missing_extra
from policies.vlm.training_rows import read_training_set

__all__ = ["FinetuneConfig", "FinetuneResult", "StepLog", "finetune", "read_training_set"]

log = logging.getLogger(__name__)

LORA_DEFAULTS = {"r": 16, "alpha": 32, "dropout": 0.0}
# Linear layers of the language model and the vision merger (Qwen2-VL family names).
LORA_TARGETS = (
    r".*(language_model|merger).*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj"
    r"|mlp\.0|mlp\.2)|lm_head"
)


@dataclass(frozen=True)
class FinetuneConfig:
    """Options of `handeye train vlm`; CLI flags map 1:1 onto these fields.

    model: the base checkpoint folder. data: a training set folder. out: where the
    adapter (or full model), checkpoints, log and loss curve go. lora: "r=16,alpha=32"
    (and dropout=) unless full. lr: peak learning rate (linear warm-up over warmup
    steps, linear decay to zero). batch x grad_accum rows per optimizer step.
    max_pixels: the processor's resize bound (must match the set's). save_every:
    optimizer steps between checkpoints (0: once per epoch). device/dtype as the
    grounder's; gradient_checkpointing trades compute for memory on big models.
    quantization: "4bit" (QLoRA) or "8bit" loads the frozen base with bitsandbytes on a
    CUDA GPU and trains LoRA adapters on it (not with full).
    """

    model: str
    data: str
    out: str
    lora: str = "r=16,alpha=32"
    full: bool = False
    epochs: int = 1
    lr: float = 2e-4
    batch: int = 4
    grad_accum: int = 1
    warmup: int = 10
    weight_decay: float = 0.0
    max_pixels: int | None = None
    seed: int = 0
    save_every: int = 0
    device: str = "auto"
    dtype: str = "auto"
    gradient_checkpointing: bool = False
    quantization: str | None = None
    resume: bool = True


@dataclass(frozen=True)
class StepLog:
    """One optimizer step as the progress callback and train_log.jsonl see it."""

    step: int
    total: int
    epoch: int
    loss: float
    lr: float
    tokens: int
    elapsed_s: float
    tokens_per_s: float


@dataclass(frozen=True)
class FinetuneResult:
    """What a run wrote and measured."""

    out: Path
    weights: Path  # OUT/adapter (LoRA) or OUT/model (full)
    steps: int
    first_loss: float
    last_loss: float
    seconds: float
    tokens_per_s: float
    trainable_params: int
    losses: list[float] = field(default_factory=list)
    model: Any = field(default=None, repr=False, compare=False)  # the trained model, in memory


def parse_lora(spec: str) -> dict[str, float]:
    """{"r", "alpha", "dropout"} from "r=16,alpha=32[,dropout=0.05]"."""
    out: dict[str, float] = dict(LORA_DEFAULTS)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in LORA_DEFAULTS:
            raise ConfigError(f"bad --lora item {part!r}; expected e.g. r=16,alpha=32,dropout=0.05")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"--lora {key} must be a number, got {value!r}") from None
    if out["r"] < 1 or out["r"] != int(out["r"]) or out["alpha"] <= 0:
        raise ConfigError(f"--lora needs an integer r >= 1 and alpha > 0, got {spec!r}")
    return out


_TOKEN_TYPE_KEYS = ("mm_token_type_ids", "token_type_ids")


@dataclass
class _Example:
    input_ids: list[int]
    labels: list[int]
    pixel_values: Any
    image_grid_thw: Any
    # Per-token ids the processor adds beside input_ids (transformers 5's mm_token_type_ids:
    # without them Qwen2-VL's forward cannot build the M-RoPE positions of the image tokens
    # and falls back to 1-D positions, unlike generation): prompt values, reply tokens 0.
    token_types: dict[str, list[int]] = field(default_factory=dict)


def _encode_rows(grounder: Any, rows: Any, where: str) -> list[_Example]:
    """Rows of a training set as token ids with reply-only labels and processed pixels."""
    import io

    from PIL import Image

    loaded = grounder.loaded
    tokenizer = getattr(loaded.processor, "tokenizer", loaded.processor)
    end = tokenizer.eos_token_id
    examples = []
    for i, row in enumerate(rows.itertuples(index=False)):
        pil = Image.open(io.BytesIO(row.image["bytes"])).convert("RGB")
        obs = (int(row.width), int(row.height))
        model_size = grounder.prompt_frame(pil, obs).model_size
        if grounder.family.coords == "pixels" and model_size != (row.model_width, row.model_height):
            raise SetupError(
                f"{where} row {i}: the set was built for {row.model_width}x{row.model_height} "
                f"model images but this model's processor makes {model_size[0]}x{model_size[1]} "
                "of the frame; rebuild the set with the model's --max-pixels"
            )
        prompt = grounder.chat_prompt(pil, obs, row.instruction, list(row.history))
        inputs = loaded.processor(
            text=[prompt], images=[pil], return_tensors="pt", **grounder.image_size_kwargs()
        )
        prompt_ids = inputs["input_ids"][0].tolist()
        reply_ids = tokenizer(row.reply, add_special_tokens=False)["input_ids"] + [end]
        types = {
            k: inputs[k][0].tolist() + [0] * len(reply_ids)
            for k in _TOKEN_TYPE_KEYS
            if k in inputs and inputs[k] is not None
        }
        examples.append(
            _Example(
                prompt_ids + reply_ids,
                [-100] * len(prompt_ids) + reply_ids,
                inputs["pixel_values"],
                inputs["image_grid_thw"],
                types,
            )
        )
    return examples


def _collate(batch: list[_Example], pad_id: int) -> dict[str, Any]:
    import torch

    length = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), length), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), length), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        labels[i, :n] = torch.tensor(e.labels)
        mask[i, :n] = 1
    out = {
        "input_ids": ids,
        "attention_mask": mask,
        "labels": labels,
        "pixel_values": torch.cat([e.pixel_values for e in batch]),
        "image_grid_thw": torch.cat([e.image_grid_thw for e in batch]),
    }
    for key in batch[0].token_types:
        types = torch.zeros((len(batch), length), dtype=torch.long)
        for i, e in enumerate(batch):
            types[i, : len(e.token_types[key])] = torch.tensor(e.token_types[key])
        out[key] = types
    return out


def _wrap_lora(model: Any, spec: str) -> Any:
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        raise missing_extra("peft", "vlm") from None
    opts = parse_lora(spec)
    config = LoraConfig(
        r=int(opts["r"]),
        lora_alpha=opts["alpha"],
        lora_dropout=opts["dropout"],
        target_modules=LORA_TARGETS,
        bias="none",
    )
    return get_peft_model(model, config)


def _schedule(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def _trainable_state(model: Any) -> dict[str, Any]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def _latest_checkpoint(out: Path) -> Path | None:
    found = sorted(
        (p for p in (out / "checkpoints").glob("step-*") if (p / "state.json").is_file()),
        key=lambda p: int(p.name.split("-")[1]),
    )
    return found[-1] if found else None


def _save_checkpoint(out: Path, model: Any, optimizer: Any, state: dict[str, Any]) -> Path:
    import torch

    folder = out / "checkpoints" / f"step-{state['step']}"
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save(_trainable_state(model), tmp / "trainable.pt")
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    for old in (out / "checkpoints").glob("step-*"):
        if old != folder and old.suffix != ".tmp":
            shutil.rmtree(old, ignore_errors=True)  # keep the latest only
    return folder


def draw_loss_curve(losses: list[float], path: Path, title: str = "training loss") -> None:
    """A PNG line plot of per-step losses (PIL only: no plotting library needed)."""
    from PIL import Image, ImageDraw

    w, h, pad = 640, 360, 40
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([pad, pad, w - pad, h - pad], outline=(160, 160, 160))
    d.text((pad, 10), title, fill="black")
    if losses:
        lo, hi = min(losses), max(losses)
        span = (hi - lo) or 1.0
        n = max(1, len(losses) - 1)
        pts = [
            (pad + (w - 2 * pad) * i / n, h - pad - (h - 2 * pad) * (v - lo) / span)
            for i, v in enumerate(losses)
        ]
        if len(pts) > 1:
            d.line(pts, fill=(30, 90, 200), width=2)
        d.text((4, pad - 6), f"{hi:.3g}", fill="black")
        d.text((4, h - pad - 6), f"{lo:.3g}", fill="black")
        d.text((w - pad - 60, h - pad + 6), f"step {len(losses)}", fill="black")
    img.save(path)


def finetune(
    config: FinetuneConfig,
    on_step: Callable[[StepLog], None] | None = None,
    stop_after: int | None = None,
) -> FinetuneResult:
    """Fine-tune `config.model` on `config.data`; returns what was written and measured.

    stop_after: end after this many optimizer steps (a checkpoint is saved there), as an
    interrupted run would; the next call with resume=True goes on from it.
    """
    import torch

    from perception.vlm.families import get_family
    from perception.vlm.transformers_backend import TransformersGrounder

    cfg = config
    if cfg.epochs < 1 or cfg.batch < 1 or cfg.grad_accum < 1 or cfg.lr <= 0:
        raise ConfigError("epochs, batch and grad_accum must be >= 1 and lr > 0")
    if cfg.quantization and cfg.full:
        raise ConfigError(
            f"--quantization {cfg.quantization} trains LoRA adapters on a frozen quantized base; "
            "drop --full (a quantized base cannot be fully fine-tuned) or drop --quantization"
        )
    out = Path(cfg.out)
    card, train_rows = read_training_set(cfg.data, "train")
    torch.manual_seed(cfg.seed)
    grounder = TransformersGrounder(
        model=cfg.model,
        family=card["family"],
        prompt=card["prompt"],
        device=cfg.device,
        dtype=cfg.dtype,
        max_pixels=cfg.max_pixels,
        attention="sdpa" if cfg.device == "cpu" else "auto",
        quantization=cfg.quantization,
    )
    loaded = grounder.loaded
    detected = get_family("auto", loaded.model_type, str(loaded.path))
    if detected.name != card["family"]:
        raise SetupError(
            f"{cfg.data} was built for the {card['family']} family but {cfg.model} is "
            f"{detected.name}; rebuild it with `handeye dataset build --family {detected.name}`"
        )
    examples = _encode_rows(grounder, train_rows, f"{cfg.data}/data/train.parquet")
    tokenizer = getattr(loaded.processor, "tokenizer", loaded.processor)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    model = loaded.model
    if cfg.quantization:  # QLoRA: norms in fp32, input grads, checkpointing as asked
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=cfg.gradient_checkpointing
        )
    elif cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    if not cfg.full:
        model = _wrap_lora(model, cfg.lora)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in params)
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    per_epoch = math.ceil(len(examples) / (cfg.batch * cfg.grad_accum))
    total = per_epoch * cfg.epochs
    step, losses, tokens_done, seconds = 0, [], 0, 0.0
    out.mkdir(parents=True, exist_ok=True)
    ckpt = _latest_checkpoint(out) if cfg.resume else None
    if ckpt is not None:
        state = json.loads((ckpt / "state.json").read_text())
        if state["total"] != total or state["full"] != cfg.full:
            raise SetupError(
                f"{ckpt} is from a run with other settings ({state['total']} steps, full="
                f"{state['full']}); use another --out or --no-resume"
            )
        saved = torch.load(ckpt / "trainable.pt", weights_only=True)
        named = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in saved.items():
                named[name].copy_(value)
        optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
        step, losses = state["step"], state["losses"]
        tokens_done, seconds = state["tokens"], state["seconds"]
        log.info("resuming from %s (step %d of %d)", ckpt, step, total)
    device = loaded.model.device
    floating = torch.float32 if loaded.dtype == "fp32" else None
    log_path = out / "train_log.jsonl"
    started = time.perf_counter() - seconds
    save_every = cfg.save_every or per_epoch
    while step < total:
        epoch = step // per_epoch
        order = list(range(len(examples)))
        random.Random(cfg.seed + epoch).shuffle(order)
        start = (step % per_epoch) * cfg.batch * cfg.grad_accum
        chunk = order[start : start + cfg.batch * cfg.grad_accum]
        for g in optimizer.param_groups:
            g["lr"] = cfg.lr * _schedule(step, total, cfg.warmup)
        optimizer.zero_grad(set_to_none=True)
        loss_sum, tokens = 0.0, 0
        micro = [chunk[i : i + cfg.batch] for i in range(0, len(chunk), cfg.batch)]
        for idx in micro:
            batch = _collate([examples[i] for i in idx], pad_id)
            batch = {k: v.to(device) for k, v in batch.items()}
            if floating is None:
                batch["pixel_values"] = batch["pixel_values"].to(torch_dtype_of(loaded))
            loss = model(**batch).loss
            (loss / len(micro)).backward()
            loss_sum += float(loss.detach()) / len(micro)
            tokens += int(batch["attention_mask"].sum())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        step += 1
        tokens_done += tokens
        losses.append(loss_sum)
        elapsed = time.perf_counter() - started
        entry = StepLog(
            step,
            total,
            epoch,
            loss_sum,
            optimizer.param_groups[0]["lr"],
            tokens,
            elapsed,
            tokens_done / max(elapsed, 1e-9),
        )
        with log_path.open("a") as f:
            f.write(json.dumps(asdict(entry)) + "\n")
        if on_step is not None:
            on_step(entry)
        stopping = stop_after is not None and step >= stop_after and step < total
        if step % save_every == 0 or stopping:
            state = {
                "step": step,
                "total": total,
                "full": cfg.full,
                "losses": losses,
                "tokens": tokens_done,
                "seconds": elapsed,
            }
            _save_checkpoint(out, model, optimizer, state)
        if stopping:
            break
    elapsed = time.perf_counter() - started
    model.eval()
    weights = _save_weights(model, loaded, out, cfg, card)
    draw_loss_curve(losses, out / "loss.png", f"{Path(cfg.model).name} on {Path(cfg.data).name}")
    result = FinetuneResult(
        out,
        weights,
        step,
        losses[0] if losses else float("nan"),
        losses[-1] if losses else float("nan"),
        elapsed,
        tokens_done / max(elapsed, 1e-9),
        n_trainable,
        list(losses),
        model,
    )
    report = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "model"}
    (out / "report.json").write_text(
        json.dumps({**report, "out": str(out), "weights": str(weights)}, indent=2)
    )
    return result


def torch_dtype_of(loaded: Any) -> Any:
    """The torch dtype the loaded model computes in."""
    from perception.vlm.loading import torch_dtype

    return torch_dtype(loaded.dtype)


def _save_weights(model: Any, loaded: Any, out: Path, cfg: FinetuneConfig, card: dict) -> Path:
    """OUT/adapter (peft) or OUT/model (a full checkpoint with its processor)."""
    target = out / ("model" if cfg.full else "adapter")
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    if cfg.full:
        loaded.processor.save_pretrained(tmp)
        src = Path(cfg.model)
        for name in ("processor_config.json", "tokenizer_config.json", "chat_template.jinja"):
            if (src / name).is_file():
                shutil.copy2(src / name, tmp / name)  # keep the base's processor naming
    meta = {
        "base_model": str(Path(cfg.model).resolve()),
        "family": card["family"],
        "prompt": card["prompt"],
        "data": str(Path(cfg.data).resolve()),
        "mode": "full" if cfg.full else f"lora {cfg.lora}",
        "quantization": cfg.quantization,
    }
    (tmp / "handeye_finetune.json").write_text(json.dumps(meta, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target
