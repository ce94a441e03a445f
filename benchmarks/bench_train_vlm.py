"""Training throughput of `handeye train vlm`'s step at real Qwen2.5-VL shapes, against its floor.

The model is built from its config with random weights in memory on the device (no download):
the tiny test shape, or the text and vision shapes of Qwen2.5-VL-3B / 7B. Each mode (LoRA with
`handeye train vlm`'s targets and peft wrapper, and full tuning) trains a fresh model for a few
AdamW steps on one synthetic batch laid out as the training set's rows are: a frame's image
tokens (sized by Qwen's smart_resize of --width x --height) inside the chat prompt, then a reply
that alone carries the loss; bf16 on a GPU, gradient checkpointing on unless --no-gc. LoRA and
full run in the same process, one after the other, so each is the other's peer.

The floor of a step is its model FLOPs / the device's dense bf16 peak. Model FLOPs count each
matmul once per token that goes through it (linear and conv weights x tokens, plus attention
scores: causal in the text model, windowed in the vision tower), forward F: full tuning does
3F (the backward pass costs twice the forward); LoRA does F plus the backward of the text
model and lm_head to their inputs (frozen weights need no weight gradients and the frozen
vision tower no backward at all). The recomputed forward of gradient checkpointing is not
counted (it is overhead, as in MFU). Peaks: NVIDIA's data sheets, dense (H100 SXM and H200:
989.4 TFLOP/s bf16, half the "with sparsity" figure), as in bench_vlm; on a CPU, a measured
square matmul in the model's dtype.

    python -m benchmarks.bench_train_vlm --shape tiny              # CPU smoke run
    python -m benchmarks.bench_train_vlm --shape 7b --modes lora,full
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from benchmarks.bench_report import emit
from benchmarks.bench_vlm import SHAPES, VISION_SHAPE, cpu_spec, gpu_spec, hardware, peak_memory


@dataclass(frozen=True)
class BenchTrainConfig:
    """One run: a model shape, the modes to train, the batch's layout, the device."""

    shape: str = "tiny"  # tiny, 3b or 7b
    modes: str = "lora,full"
    steps: int = 4  # timed optimizer steps per mode
    warmup: int = 1  # untimed steps first (allocator, kernels, autotuning)
    batch: int = 1  # rows per step
    width: int = 1280  # the frame; its image tokens follow Qwen's smart_resize
    height: int = 720
    max_pixels: int = 28 * 28 * 1280
    text_tokens: int = 200  # prompt text (system, instruction, history) beside the image
    reply_tokens: int = 24  # the reply: the only tokens with a loss
    lora: str = "r=16,alpha=32"
    lr: float = 1e-4
    gc: bool = True  # gradient checkpointing
    device: str = "auto"
    dtype: str = "auto"
    attention: str = "auto"
    peak_tflops: float | None = None  # override the data sheet / CPU measurement
    seed: int = 0
    json: str | None = None


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_model(cfg: BenchTrainConfig, device: str, dtype: str, attention: str) -> Any:
    """Random weights at the configured Qwen2.5-VL shape, made directly on the device."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from perception.vlm.loading import torch_dtype
    from training.tiny_models import qwen2_5_vl_config, train_tokenizer

    shape = {**SHAPES[cfg.shape], **(VISION_SHAPE if cfg.shape != "tiny" else {})}
    tie = shape.pop("tie_word_embeddings", False)
    config = qwen2_5_vl_config(train_tokenizer(), **shape)
    config.tie_word_embeddings = tie
    torch.manual_seed(cfg.seed)
    with torch.device(device):
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            config, dtype=torch_dtype(dtype), attn_implementation=attention
        )
    return model


def layout(cfg: BenchTrainConfig, model_config: Any) -> dict[str, int]:
    """Patches, image tokens and sequence length of one row of the synthetic batch."""
    from perception.grounding.resize import smart_resize

    vis = model_config.vision_config
    factor = vis.patch_size * vis.spatial_merge_size
    h, w = smart_resize(cfg.height, cfg.width, factor, factor * factor, cfg.max_pixels)
    gh, gw = h // vis.patch_size, w // vis.patch_size
    image = gh * gw // vis.spatial_merge_size**2
    tokens = cfg.text_tokens + 2 + image + cfg.reply_tokens  # + vision start / end
    return {"grid_h": gh, "grid_w": gw, "patches": gh * gw, "image_tokens": image, "tokens": tokens}


def make_batch(cfg: BenchTrainConfig, model: Any, lay: dict[str, int], device: str) -> dict:
    """Random prompt text around the image tokens, then the reply; loss on the reply only."""
    import torch

    mc = model.config
    vis = mc.vision_config
    gen = torch.Generator().manual_seed(cfg.seed)
    special = {mc.image_token_id, mc.video_token_id, mc.vision_start_token_id}
    low = max(special | {mc.vision_end_token_id}) + 1  # the tiny tokenizer's specials come first
    vocab = mc.text_config.vocab_size
    head = cfg.text_tokens // 2
    rows, labels = [], []
    for _ in range(cfg.batch):
        text = torch.randint(low, vocab, (cfg.text_tokens + cfg.reply_tokens,), generator=gen)
        ids = torch.cat(
            [
                text[:head],
                torch.tensor([mc.vision_start_token_id]),
                torch.full((lay["image_tokens"],), mc.image_token_id),
                torch.tensor([mc.vision_end_token_id]),
                text[head:],
            ]
        )
        label = torch.full_like(ids, -100)
        label[-cfg.reply_tokens :] = ids[-cfg.reply_tokens :]
        rows.append(ids)
        labels.append(label)
    ids = torch.stack(rows)
    patch_dim = 3 * vis.temporal_patch_size * vis.patch_size**2
    pixels = torch.randn(cfg.batch * lay["patches"], patch_dim, generator=gen)
    grid = torch.tensor([[1, lay["grid_h"], lay["grid_w"]]] * cfg.batch)
    batch = {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "labels": torch.stack(labels),
        "pixel_values": pixels.to(model.dtype),
        "image_grid_thw": grid,
        "mm_token_type_ids": (ids == mc.image_token_id).long(),
    }
    return {k: v.to(device) for k, v in batch.items()}


def model_flops(model: Any, lay: dict[str, int], batch: int) -> dict[str, float]:
    """Forward FLOPs of one batch, split into the text model (+ lm_head) and the vision tower."""
    import torch

    mc = model.config
    text, vis = mc.text_config, mc.vision_config
    inner = model.model

    def matmul_params(module: Any, skip: str = "") -> int:
        return sum(
            m.weight.numel()
            for name, m in module.named_modules()
            if isinstance(m, torch.nn.Linear | torch.nn.Conv3d) and not (skip and skip in name)
        )

    n_tok, patches = lay["tokens"], lay["patches"]
    text_linear = matmul_params(inner.language_model.layers) + model.lm_head.weight.numel()
    d_q = text.num_attention_heads * (text.hidden_size // text.num_attention_heads)
    text_attn = 2 * text.num_hidden_layers * n_tok**2 * d_q  # causal QK^T + AV
    window = (vis.window_size // vis.patch_size) ** 2
    full_blocks = len(vis.fullatt_block_indexes)
    vis_attn = (
        4 * vis.hidden_size * patches * (full_blocks * patches + (vis.depth - full_blocks) * window)
    )
    vision = (
        2 * matmul_params(inner.visual, skip="merger") * patches
        + 2 * matmul_params(inner.visual.merger) * lay["image_tokens"]
        + vis_attn
    )
    return {
        "text_linear": batch * 2 * text_linear * n_tok,
        "text_attention": batch * text_attn,
        "vision": batch * vision,
    }


def step_flops(parts: dict[str, float], mode: str) -> float:
    """Model FLOPs of one training step (see the module docstring)."""
    forward = sum(parts.values())
    if mode == "full":
        return 3 * forward
    return forward + parts["text_linear"] + 2 * parts["text_attention"]


def train_mode(cfg: BenchTrainConfig, mode: str, env: dict[str, Any]) -> dict[str, Any]:
    """Build a fresh model, train `warmup + steps` steps in `mode`, and measure them."""
    import torch

    from policies.vlm.finetune import _wrap_lora

    cuda = env["device"].startswith("cuda")
    model = build_model(cfg, env["device"], env["dtype"], env["attention"])
    lay = layout(cfg, model.config)
    parts = model_flops(model, lay, cfg.batch)
    params = sum(p.numel() for p in model.parameters())
    if cfg.gc:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    if mode == "lora":
        model = _wrap_lora(model, cfg.lora)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=cfg.lr, **({"fused": True} if cuda else {}))
    batch = make_batch(cfg, model, lay, env["device"])
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times, losses = [], []
    for i in range(cfg.warmup + cfg.steps):
        t0 = time.perf_counter()
        loss = model(**batch, use_cache=False).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))  # syncs the device
        if cuda:
            torch.cuda.synchronize()
        if i >= cfg.warmup:
            times.append(time.perf_counter() - t0)
        log(f"{mode} step {i + 1}/{cfg.warmup + cfg.steps}: loss {losses[-1]:.3f}")
    memory = peak_memory(env["device"])
    flops = step_flops(parts, mode)
    step_s = statistics.median(times)
    floor_s = flops / (env["peak_tflops"] * 1e12)
    out = {
        "params": params,
        "trainable_params": sum(p.numel() for p in trainable),
        "step_ms": {
            "median": 1000 * step_s,
            "min": 1000 * min(times),
            "all": [1000 * t for t in times],
        },
        "tokens_per_s": cfg.batch * lay["tokens"] / step_s,
        "reply_tokens_per_s": cfg.batch * cfg.reply_tokens / step_s,
        "peak_memory_mb": memory["peak_mb"],
        "memory_kind": memory["kind"],
        "step_gflop": flops / 1e9,
        "floor_ms": 1000 * floor_s,
        "ratio_to_floor": step_s / floor_s,
        "mfu_percent": 100 * floor_s / step_s,
        "loss_first_last": [losses[0], losses[-1]],
    }
    del model, opt, batch, trainable
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return {"layout": lay, "gflop_forward": {k: v / 1e9 for k, v in parts.items()}, **out}


def run(cfg: BenchTrainConfig) -> dict[str, Any]:
    """Train each mode in turn and return the report."""
    import torch

    from perception.vlm.loading import resolve_attention, resolve_device, resolve_dtype

    if cfg.shape not in SHAPES:
        raise SystemExit(f"unknown --shape {cfg.shape!r}; use one of {list(SHAPES)}")
    modes = [m for m in cfg.modes.split(",") if m]
    if not modes or any(m not in ("lora", "full") for m in modes):
        raise SystemExit(f"--modes takes lora and/or full, got {cfg.modes!r}")
    device = resolve_device(cfg.device)
    dtype = resolve_dtype(cfg.dtype, device)
    attention = resolve_attention(cfg.attention, device, dtype)
    if device.startswith("cuda"):
        peak, _, source = gpu_spec(torch.cuda.get_device_name(), cfg.peak_tflops, 1.0)
    else:
        peak, _, source = cpu_spec(dtype, cfg.peak_tflops, 1.0, size=1024)
    env = {"device": device, "dtype": dtype, "attention": attention, "peak_tflops": peak}
    results: dict[str, Any] = {}
    for mode in modes:
        log(f"{cfg.shape} {mode}: building the model on {device} ({dtype}, {attention})")
        try:
            results[mode] = train_mode(cfg, mode, env)
        except torch.OutOfMemoryError as exc:
            results[mode] = {"error": f"out of memory: {str(exc).splitlines()[0][:200]}"}
        gc.collect()  # after the except block, which kept the failed step's frames alive
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
    return {
        "bench": "train_vlm",
        "config": {**asdict(cfg), "lr": f"{cfg.lr:g}"},
        "hardware": hardware(device),
        "dtype": dtype,
        "attention": attention,
        "peak_tflops": peak,
        "peak_source": source,
        "floor": "model FLOPs per step / peak (full 3F; LoRA F + text backward to inputs)",
        "modes": results,
    }


def parse_args(argv: list[str] | None = None) -> BenchTrainConfig:
    """The config from the command line (flags map 1:1 onto BenchTrainConfig's fields)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(BenchTrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool" or isinstance(f.default, bool):
            p.add_argument(f"--no-{f.name}", dest=f.name, action="store_false")
        elif f.name == "peak_tflops":
            p.add_argument(flag, type=float, default=None)
        elif f.name == "json":
            p.add_argument(flag, default=None, help="also write the JSON here")
        else:
            p.add_argument(flag, type=type(f.default), default=f.default)
    return BenchTrainConfig(**vars(p.parse_args(argv)))


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    emit(run(cfg), cfg.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
