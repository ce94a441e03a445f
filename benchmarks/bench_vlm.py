"""Per-step latency of the transformers grounder, split into phases, against plain transformers.

One step = ground a screenshot (default 1280x720) with a 30-token reply: preprocess (chat
template + processor), prefill (vision tower + prompt, until the first token's logits),
decode (the other tokens), parse. The peer in the same run is the same model driven the
way a transformers user writes it (processor + `generate` + decode), so the JSON shows
what handeye adds. Steps of the two are interleaved so machine load hits both alike.

    python -m benchmarks.bench_vlm --tiny              # tiny random checkpoint, CPU
    python -m benchmarks.bench_vlm --shape 7b          # random weights, real Qwen2.5-VL-7B shape

With --shape 3b/7b the model is built from its config in memory on the device (no
download; bf16 with --dtype bf16 or on a GPU), and each figure is also given as a ratio to
its floor: prefill FLOPs /
peak tensor FLOPs (or weight bytes / bandwidth when larger) plus, per decoded token,
the text weights + KV cache bytes / memory bandwidth. On a CPU the peak and bandwidth are
measured (a matmul in the model's dtype, a large copy), since no data sheet figure holds
there. One JSON object goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_report import emit, machine

REPLY = "click(84, 63)"  # what the tiny checkpoint says before the forced extra tokens
# Qwen2.5-VL text shapes (vision tower: depth 32, hidden 1280, the same for both).
SHAPES: dict[str, dict[str, Any]] = {
    "tiny": {},
    "3b": dict(
        hidden_size=2048,
        intermediate_size=11008,
        num_hidden_layers=36,
        num_attention_heads=16,
        num_key_value_heads=2,
        vocab_size=151936,
        tie_word_embeddings=True,
    ),
    "7b": dict(
        hidden_size=3584,
        intermediate_size=18944,
        num_hidden_layers=28,
        num_attention_heads=28,
        num_key_value_heads=4,
        vocab_size=152064,
        tie_word_embeddings=False,
    ),
}
VISION_SHAPE = dict(
    vision_depth=32,
    vision_hidden_size=1280,
    vision_intermediate_size=3420,
    vision_num_heads=16,
    vision_fullatt_block_indexes=[7, 15, 23, 31],
    vision_window_size=112,
)
# Dense bf16 tensor-core peak (TFLOP/s) and memory bandwidth (TB/s), from NVIDIA's data sheets.
GPU_SPECS = (
    ("H200", 989.4, 4.8),
    ("H100 NVL", 835.0, 3.9),
    ("H100 PCIe", 756.0, 2.0),
    ("H100", 989.4, 3.35),
    ("A100", 312.0, 2.039),
    ("L40S", 362.1, 0.864),
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def hardware(device: str) -> dict[str, Any]:
    import torch
    import transformers

    info: dict[str, Any] = machine(
        device=device,
        cpu=platform.processor() or platform.machine(),
        torch=torch.__version__,
        transformers=transformers.__version__,
    )
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name()
        info["gpu_memory_gb"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    return info


def gpu_spec(name: str, peak: float | None, bandwidth: float | None) -> tuple[float, float, str]:
    """(peak TFLOP/s, bandwidth TB/s, source) for a GPU name, overridable from the flags."""
    found = next(((p, b, n) for n, p, b in GPU_SPECS if n.lower() in name.lower()), None)
    if found is None and (peak is None or bandwidth is None):
        raise SystemExit(f"no spec for GPU {name!r}: pass --peak-tflops and --bandwidth-tbs")
    p, b, n = found or (peak, bandwidth, "flags")
    return peak or p, bandwidth or b, f"{n} data sheet" if peak is None else "flags"


def cpu_spec(
    dtype: str, peak: float | None, bandwidth: float | None, size: int = 2048, mb: int = 1024
) -> tuple[float, float, str]:
    """(peak TFLOP/s, bandwidth TB/s, source) of this CPU, measured: CPUs have no data sheet
    figure that torch reaches, so the floor is the best this machine shows on the two
    kernels the model is made of (a square matmul in the model's dtype; a large copy)."""
    import torch

    from perception.vlm.loading import torch_dtype

    measured = []
    if peak is None:
        t = torch_dtype(dtype)
        a, b = torch.randn(size, size, dtype=t), torch.randn(size, size, dtype=t)
        peak = 2 * size**3 / best_time(lambda: a @ b) / 1e12
        measured.append(f"{size}x{size} {dtype} matmul")
    if bandwidth is None:
        src = torch.ones(mb * 2**20 // 4, dtype=torch.float32)
        dst = torch.empty_like(src)
        bandwidth = 2 * src.numel() * 4 / best_time(lambda: dst.copy_(src)) / 1e12  # read+write
        measured.append(f"{mb} MB copy")
        del src, dst
    source = f"measured on this CPU ({', '.join(measured)})" if measured else "flags"
    if measured and len(measured) < 2:
        source += ", the rest from flags"
    return peak, bandwidth, source


def best_time(fn: Any, repeats: int = 5) -> float:
    """The fastest of `repeats` runs of `fn`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# ---------------------------------------------------------------- the model under test
def tiny_grounder(args: argparse.Namespace, folder: Path) -> Any:
    """The tiny checkpoint written to disk and loaded the way users load theirs."""
    from perception.vlm.transformers_backend import TransformersGrounder
    from training.tiny_models import build_tiny_qwen2_5_vl

    path = build_tiny_qwen2_5_vl(folder / "tiny", reply=REPLY)
    return TransformersGrounder(**grounder_options(args, str(path)))


def shape_grounder(args: argparse.Namespace) -> Any:
    """Random weights at a real Qwen2.5-VL shape, built in memory on the device (no disk)."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from perception.vlm.loading import (
        LoadedModel,
        resolve_attention,
        resolve_device,
        resolve_dtype,
        torch_dtype,
    )
    from perception.vlm.transformers_backend import TransformersGrounder
    from training.tiny_models import image_only_processor, qwen2_5_vl_config, train_tokenizer

    device = resolve_device(args.device)
    dtype = resolve_dtype(args.dtype, device)
    attention = resolve_attention(args.attention, device, dtype)
    tokenizer = train_tokenizer()
    shape = {**SHAPES[args.shape], **(VISION_SHAPE if args.shape != "tiny" else {})}
    tie = shape.pop("tie_word_embeddings", False)
    config = qwen2_5_vl_config(tokenizer, **shape)
    config.tie_word_embeddings = tie
    config._attn_implementation = attention
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            config, dtype=torch_dtype(dtype), attn_implementation=attention
        )
    model.eval()
    processor = image_only_processor(tokenizer, 56 * 56, 28 * 28 * 1280)
    processor.tokenizer.padding_side = "left"
    loaded = LoadedModel(
        model, processor, "qwen2_5_vl", device, dtype, attention, Path(f"qwen2_5_vl-{args.shape}")
    )
    return TransformersGrounder(loaded=loaded, **grounder_options(args, str(loaded.path)))


def grounder_options(args: argparse.Namespace, model: str) -> dict[str, Any]:
    return dict(
        model=model,
        prompt="point",
        device=args.device,
        dtype=args.dtype,
        attention=args.attention,
        max_new_tokens=args.new_tokens,
        min_new_tokens=args.new_tokens,
        static_cache=args.static_cache,
        compile=args.compile,
    )


# ---------------------------------------------------------------- one step each way
def handeye_step(grounder: Any, frames: list, instruction: str) -> dict[str, float]:
    from contracts.errors import GroundingError

    replies = grounder.generate(frames, [instruction] * len(frames))
    t0 = time.perf_counter()
    parsed = 0
    for reply in replies:
        try:
            grounder.parse(reply)
            parsed += 1
        except GroundingError:
            pass
    t = dict(replies[0].timings, parse=time.perf_counter() - t0)
    t["step"] = sum(t.values())
    t["parsed"] = parsed
    t["image_tokens"] = replies[0].image_tokens
    t["prompt_tokens"] = replies[0].prompt_tokens
    t["new_tokens"] = replies[0].new_tokens
    return t


def peer_step(grounder: Any, frames: list, instruction: str, new_tokens: int) -> dict[str, float]:
    """The same step written with plain transformers: template, processor, generate, decode.

    It sends the same prompt text as handeye's template, so only the code around differs.
    """
    import torch
    from PIL import Image

    loaded = grounder.loaded
    processor, model = loaded.processor, loaded.model
    t0 = time.perf_counter()
    images = [Image.fromarray(f) for f in frames]
    h, w = frames[0].shape[:2]
    system, prompt = grounder.template.render(instruction, [], w, h)
    messages = [{"role": "system", "content": system}] if system else []
    messages.append(
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}
    )
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = processor(text=[text] * len(frames), images=images, padding=True, return_tensors="pt")
    inputs = inputs.to(model.device)
    t1 = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(
            **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False
        )
    if loaded.device.startswith("cuda"):
        torch.cuda.synchronize()
    t2 = time.perf_counter()
    processor.batch_decode(out[:, inputs["input_ids"].shape[1] :], skip_special_tokens=False)
    t3 = time.perf_counter()
    return {"preprocess": t1 - t0, "generate": t2 - t1, "decode_text": t3 - t2, "step": t3 - t0}


# ---------------------------------------------------------------- floors
def floors(
    grounder: Any,
    image_tokens: int,
    prompt_tokens: int,
    new_tokens: int,
    batch: int,
    peak_tflops: float,
    bandwidth_tbs: float,
) -> dict[str, Any]:
    """Lower bounds for prefill and decode from FLOPs / peak and bytes / bandwidth."""
    import torch

    model = grounder.loaded.model
    cfg = model.config
    text_cfg, vis_cfg = cfg.text_config, cfg.vision_config
    lm, visual = model.model.language_model, model.model.visual

    def linear_params(module: Any, skip: str = "") -> tuple[int, int]:
        n = b = 0
        for name, m in module.named_modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv3d)) and not (skip and skip in name):
                n += m.weight.numel()
                b += m.weight.numel() * m.weight.element_size()
        return n, b

    text_n, text_b = linear_params(lm.layers)
    head = model.lm_head.weight
    text_n, text_b = text_n + head.numel(), text_b + head.numel() * head.element_size()
    vis_n, vis_b = linear_params(visual, skip="merger")
    merge_n, merge_b = linear_params(visual.merger)
    patches = image_tokens * vis_cfg.spatial_merge_size**2
    head_dim = text_cfg.hidden_size // text_cfg.num_attention_heads
    d_q = text_cfg.num_attention_heads * head_dim
    window = (vis_cfg.window_size // vis_cfg.patch_size) ** 2  # patches per attention window
    full_blocks = len(vis_cfg.fullatt_block_indexes)
    win_blocks = vis_cfg.depth - full_blocks
    flops = batch * (
        2 * text_n * prompt_tokens
        + 2 * text_cfg.num_hidden_layers * prompt_tokens**2 * d_q  # causal QK^T + AV
        + 2 * vis_n * patches
        + 2 * merge_n * image_tokens
        + 4 * vis_cfg.hidden_size * patches * (full_blocks * patches + win_blocks * window)
    )
    weight_bytes = text_b + vis_b + merge_b
    peak, bw = peak_tflops * 1e12, bandwidth_tbs * 1e12
    prefill = max(flops / peak, weight_bytes / bw)
    kv_per_token = 2 * text_cfg.num_hidden_layers * text_cfg.num_key_value_heads * head_dim * 2
    mean_ctx = prompt_tokens + new_tokens / 2
    decode_bytes = text_b + batch * kv_per_token * mean_ctx
    per_token = max(batch * 2 * text_n / peak, decode_bytes / bw)
    decode = per_token * max(new_tokens - 1, 0)  # the first token comes out of the prefill
    return {
        "prefill_ms": 1000 * prefill,
        "decode_ms": 1000 * decode,
        "decode_ms_per_token": 1000 * per_token,
        "step_ms": 1000 * (prefill + decode),
        "prefill_tflop": flops / 1e12,
        "weight_gb": weight_bytes / 1e9,
        "decode_gb_per_token": decode_bytes / 1e9,
        "peak_tflops": peak_tflops,
        "bandwidth_tbs": bandwidth_tbs,
        "model_params_b": sum(p.numel() for p in model.parameters()) / 1e9,
    }


def summary(values: list[float]) -> dict[str, float]:
    ms = [1000 * v for v in values]
    return {"median": statistics.median(ms), "mean": statistics.fmean(ms), "min": min(ms)}


def peak_memory(device: str) -> dict[str, Any]:
    import torch

    if device.startswith("cuda"):
        return {"peak_mb": torch.cuda.max_memory_allocated() / 2**20, "kind": "cuda_max_allocated"}
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_mb": rss_kb / 1024, "kind": "process_max_rss (includes torch and libraries)"}


def run(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        log(f"building the {'tiny' if args.shape is None else args.shape} model ...")
        t0 = time.perf_counter()
        grounder = tiny_grounder(args, Path(tmp)) if args.shape is None else shape_grounder(args)
        build_s = time.perf_counter() - t0
        device = grounder.loaded.device
        rng = np.random.default_rng(0)
        frame = rng.integers(0, 255, (args.height, args.width, 3), dtype=np.uint8)
        frame[args.height // 3 : args.height // 2, args.width // 4 : args.width // 2] = 255
        frames = [frame] * args.batch
        instruction = "the Submit button"
        if device.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
        ours, peer = [], []
        for i in range(args.warmup + args.repeats):
            h = handeye_step(grounder, frames, instruction)
            p = peer_step(grounder, frames, instruction, args.new_tokens)
            if i >= args.warmup:
                ours.append(h)
                peer.append(p)
            log(
                f"step {i}: handeye {1000 * h['step']:.0f} ms, "
                f"transformers {1000 * p['step']:.0f} ms"
            )
        memory = peak_memory(device)
        last = ours[-1]
        phases = ("preprocess", "prefill", "decode", "parse", "step")
        result: dict[str, Any] = {
            "benchmark": "vlm_step",
            "date": datetime.date.today().isoformat(),
            "model": f"qwen2_5_vl-{args.shape or 'tiny'} (random weights)",
            "hardware": hardware(device),
            "settings": {
                "image": [args.width, args.height],
                "batch": args.batch,
                "new_tokens": args.new_tokens,
                "repeats": args.repeats,
                "dtype": grounder.loaded.dtype,
                "attention": grounder.loaded.attention,
                "static_cache": args.static_cache,
                "compile": args.compile,
            },
            "build_s": build_s,
            "image_tokens": last["image_tokens"],
            "prompt_tokens": last["prompt_tokens"],
            "new_tokens": last["new_tokens"],
            "reply_parsed": last["parsed"] == args.batch,
            "handeye_ms": {k: summary([s[k] for s in ours]) for k in phases},
            "transformers_ms": {
                k: summary([s[k] for s in peer]) for k in ("preprocess", "generate", "step")
            },
            "peak_memory_mb": memory["peak_mb"],
            "memory_kind": memory["kind"],
        }
        step = result["handeye_ms"]["step"]["median"]
        result["handeye_vs_transformers"] = step / result["transformers_ms"]["step"]["median"]
        decode_ms = result["handeye_ms"]["decode"]["median"]
        result["decode_ms_per_token"] = decode_ms / max(args.new_tokens - 1, 1)
        if device.startswith("cuda"):
            name = hardware(device)["gpu"]
            peak, bw, source = gpu_spec(name, args.peak_tflops, args.bandwidth_tbs)
        else:
            peak, bw, source = cpu_spec(grounder.loaded.dtype, args.peak_tflops, args.bandwidth_tbs)
        floor = floors(
            grounder,
            last["image_tokens"],
            last["prompt_tokens"],
            args.new_tokens,
            args.batch,
            peak,
            bw,
        )
        floor["source"] = source
        result["floor"] = floor
        result["ratio_to_floor"] = {
            k: result["handeye_ms"][k]["median"] / floor[f"{k}_ms"]
            for k in ("prefill", "decode", "step")
            if floor[f"{k}_ms"] > 0
        }
        result["ratio_to_floor"]["model_only"] = (
            result["handeye_ms"]["prefill"]["median"] + decode_ms
        ) / floor["step_ms"]
        grounder.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny random checkpoint (default)")
    parser.add_argument("--shape", choices=sorted(SHAPES), help="random weights at this shape")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--attention", default="auto")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--new-tokens", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--static-cache", action="store_true")
    parser.add_argument("--compile", action="store_true", help="torch.compile decode (CUDA)")
    parser.add_argument("--peak-tflops", type=float, help="override the bf16 peak")
    parser.add_argument("--bandwidth-tbs", type=float, help="override the memory bandwidth")
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args(argv)
    if args.tiny and args.shape:
        parser.error("--tiny and --shape are exclusive")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = run(args)
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
