"""The transformers grounder: a local image-text-to-text model, its replies parsed into pixels.

Loads any `AutoModelForImageTextToText` checkpoint from a folder (offline), renders the
family's prompt, runs the real processor + `generate` (several frames in one batched
forward pass), and parses each reply with `parse_grounding` through the family's
coordinate frame. For Qwen-style models the frame comes from the processor's own output
(`image_grid_thw` x patch size), so coordinates map back exactly whatever the resize did.
Each reply is timed per phase: preprocess, prefill (vision + prompt), decode, parse.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import GroundingError, SetupError, missing_extra
from perception.grounding import Grounding
from perception.grounding.formats import parse_grounding
from perception.grounding.resize import CoordinateFrame, smart_resize
from perception.vlm.families import Family, get_family
from perception.vlm.loading import LoadedModel, load_model, torch_dtype
from perception.vlm.prompt_templates import PromptTemplate, history_in_model_units, load_prompt

log = logging.getLogger(__name__)

_END_MARKERS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>", "</s>")


@dataclass(frozen=True)
class TransformersConfig:
    """Options of the transformers grounder; CLI flags map 1:1 onto these fields.

    model: a local checkpoint folder. family: auto (from model_type and the folder name),
    qwen2_5_vl, qwen3_vl, qwen2_vl, uitars, uitars1 or generic; coords overrides its
    coordinate convention. prompt: template task, optionally versioned ("point_v1").
    device: auto, cuda, mps, cpu. dtype: auto (bf16 on GPU), bf16, fp16, fp32.
    attention: auto (flash_attention_2 when installed, else sdpa), sdpa, eager.
    max_pixels / min_pixels: bounds on the model image's area (pixels). quantization:
    None, "4bit" or "8bit" (bitsandbytes, CUDA). static_cache: a fixed-size KV cache;
    compile: torch.compile the decode step (CUDA; implies the static cache). adapter: a
    PEFT (LoRA) adapter folder, e.g. from `handeye train vlm`, applied on top of `model`.
    """

    model: str
    family: str = "auto"
    coords: str | None = None
    prompt: str = "point"
    device: str = "auto"
    dtype: str = "auto"
    attention: str = "auto"
    max_pixels: int | None = None
    min_pixels: int | None = None
    max_new_tokens: int = 128
    min_new_tokens: int = 0
    quantization: str | None = None
    static_cache: bool = False
    compile: bool = False
    adapter: str | None = None


@dataclass(frozen=True)
class Reply:
    """One decoded reply with the frame its coordinates are in, timings and token counts."""

    text: str
    frame: CoordinateFrame
    timings: dict[str, float] = field(default_factory=dict)
    image_tokens: int = 0
    prompt_tokens: int = 0
    new_tokens: int = 0
    obs_size: tuple[int, int] | None = None  # set when the model saw the frame padded


def as_pil(image: Any) -> Any:
    """A PIL RGB image from an H x W x 3 uint8 array (or a PIL image), checked."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image.convert("RGB")
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8 or 0 in arr.shape:
        raise GroundingError(
            f"an image must be H x W x 3 uint8 pixels, got shape {arr.shape} dtype {arr.dtype}"
        )
    return Image.fromarray(arr[..., :3])


def cap_pixels(image: Any, max_pixels: int | None) -> Any:
    """The image scaled down (aspect kept) so its area is at most max_pixels."""
    w, h = image.size
    if not max_pixels or w * h <= max_pixels:
        return image
    s = (max_pixels / (w * h)) ** 0.5
    return image.resize((max(1, int(w * s)), max(1, int(h * s))))


def pad_square(image: Any) -> Any:
    """The image padded right or below to a square, so a centre-cropping processor keeps it all."""
    from PIL import Image

    w, h = image.size
    if w == h:
        return image
    square = Image.new("RGB", (max(w, h), max(w, h)))
    square.paste(image, (0, 0))
    return square


def strip_reply(text: str, extra_markers: Sequence[str] = ()) -> str:
    """A decoded reply cut at its first end-of-turn marker, padding and whitespace removed."""
    cut = len(text)
    for marker in (*_END_MARKERS, *extra_markers):
        if marker and (i := text.find(marker)) >= 0:
            cut = min(cut, i)
    return text[:cut].strip()


def with_adapter(loaded: LoadedModel, adapter: str | Path) -> LoadedModel:
    """The model with a PEFT adapter folder applied (not merged, so outputs match training)."""
    path = Path(adapter).expanduser()
    if not (path / "adapter_config.json").is_file():
        raise SetupError(
            f"no PEFT adapter at {str(path)!r} (adapter_config.json missing): pass the adapter "
            "folder `handeye train vlm` wrote (OUT/adapter)"
        )
    try:
        from peft import PeftModel
    except ImportError:
        raise missing_extra("peft", "vlm") from None
    try:
        model = PeftModel.from_pretrained(loaded.model, path, is_trainable=False)
    except (ValueError, KeyError, RuntimeError) as exc:
        raise SetupError(
            f"the adapter {str(path)!r} does not fit {loaded.path}: {str(exc)[:300]}"
        ) from None
    return replace(loaded, model=model.eval())


def _step_clock(device: str) -> Any:
    """A logits processor that stamps each decoding step (the first stamp ends the prefill)."""
    import torch
    from transformers import LogitsProcessor

    class StepClock(LogitsProcessor):
        def __init__(self) -> None:
            self.stamps: list[float] = []

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            self.stamps.append(time.perf_counter())
            return scores

    return StepClock()


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids = getattr(model.generation_config, "eos_token_id", None)
    ids = ids if isinstance(ids, (list, tuple)) else [ids]
    return {int(i) for i in [*ids, tokenizer.eos_token_id] if i is not None}


def _reply_length(ids: list[int], eos: set[int]) -> int:
    """Tokens the model generated for one row: up to and including its first end token."""
    return next((i + 1 for i, t in enumerate(ids) if t in eos), len(ids))


class TransformersGrounder:
    """A local VLM checkpoint as a Grounder; a context manager that frees the model on close.

    `loaded` wraps a model already in memory (e.g. built from a config) instead of
    loading `config.model` from disk.
    """

    def __init__(
        self,
        config: TransformersConfig | None = None,
        *,
        loaded: LoadedModel | None = None,
        **options: Any,
    ) -> None:
        if config is None and loaded is not None:
            options.setdefault("model", str(loaded.path))
        self.config = config if config is not None else TransformersConfig(**options)
        if config is not None and options:
            self.config = replace(config, **options)
        cfg = self.config
        if cfg.compile and cfg.device == "cpu":
            raise SetupError("compile needs a CUDA GPU; drop --compile on cpu")
        self.loaded: LoadedModel | None = loaded or load_model(
            cfg.model,
            device=cfg.device,
            dtype=cfg.dtype,
            attention=cfg.attention,
            quantization=cfg.quantization,
        )
        if cfg.adapter:
            self.loaded = with_adapter(self.loaded, cfg.adapter)
        if cfg.compile and not self.loaded.device.startswith("cuda"):
            raise SetupError(f"compile needs a CUDA GPU, the model is on {self.loaded.device}")
        self.family: Family = get_family(
            cfg.family, self.loaded.model_type, str(self.loaded.path), cfg.coords
        )
        self.template: PromptTemplate = load_prompt(self.family.prompts, cfg.prompt)
        images = getattr(self.loaded.processor, "image_processor", None)
        self._qwen_images = hasattr(images, "merge_size")
        # A centre crop (CLIP-style) would cut the frame's sides off: pad it square instead.
        self._pads = not self._qwen_images and bool(getattr(images, "do_center_crop", False))
        log.info(
            "loaded %s (%s, family %s) on %s %s, attention %s, prompt %s",
            self.loaded.path,
            self.loaded.model_type,
            self.family.name,
            self.loaded.device,
            self.loaded.dtype,
            self.loaded.attention,
            self.template.name,
        )

    # ------------------------------------------------------------------ model calls
    def _model(self) -> LoadedModel:
        if self.loaded is None:
            raise SetupError("this grounder was closed; build a new one")
        return self.loaded

    def _resize_bounds(self) -> tuple[int, int]:
        """(min_pixels, max_pixels) the processor resizes to: the config's, else its own."""
        cfg, fam = self.config, self.family
        size = getattr(self._model().processor.image_processor, "size", None) or {}
        get = size.get if isinstance(size, dict) else lambda k: getattr(size, k, None)
        lo = cfg.min_pixels or get("shortest_edge") or fam.min_pixels
        hi = cfg.max_pixels or get("longest_edge") or fam.max_pixels
        return int(lo), int(hi)

    def _image_size_kwargs(self) -> dict[str, Any]:
        cfg = self.config
        if not self._qwen_images or not (cfg.max_pixels or cfg.min_pixels):
            return {}
        lo, hi = self._resize_bounds()
        return {"size": {"longest_edge": hi, "shortest_edge": lo}}

    def _frames(self, pils: list[Any], obs: list[tuple[int, int]], inputs: Any) -> list[Any]:
        grid = inputs.get("image_grid_thw") if self._qwen_images else None
        patch = int(getattr(self._model().processor.image_processor, "patch_size", 14) or 14)
        frames = []
        for i, (pil, size) in enumerate(zip(pils, obs, strict=True)):
            model_size = pil.size
            if grid is not None:
                _, gh, gw = (int(v) for v in grid[i])
                model_size = (gw * patch, gh * patch)
            frames.append(self.family.frame(size, model_size))
        return frames

    def _prompt_frame(self, pil: Any, obs: tuple[int, int]) -> CoordinateFrame:
        """The frame used to write the prompt (history units, image size) before processing."""
        if self.family.coords != "pixels":
            return self.family.frame(obs, obs)
        if self._qwen_images:
            proc = self._model().processor.image_processor
            factor = int(proc.patch_size) * int(proc.merge_size)
            lo, hi = self._resize_bounds()
            h, w = smart_resize(pil.size[1], pil.size[0], factor, lo, hi)
            return self.family.frame(obs, (w, h))
        return self.family.frame(obs, pil.size)

    def _messages(self, instruction: str, history: Sequence[str], frame: CoordinateFrame) -> list:
        w, h = (int(s) for s in frame.span)
        system, user = self.template.render(
            instruction, history_in_model_units(history, frame), w, h
        )
        messages: list[dict[str, Any]] = []
        if system:
            messages.append({"role": "system", "content": [{"type": "text", "text": system}]})
        content = [{"type": "image"}, {"type": "text", "text": user}]
        messages.append({"role": "user", "content": content})
        return messages

    def chat_prompt(
        self, image: Any, obs_size: tuple[int, int], instruction: str, history: Sequence[str]
    ) -> str:
        """The chat-template text (generation prompt included) the model is asked with.

        `image` is the PIL image the processor gets; fine-tuning builds its inputs here too,
        so training and inference prompts never drift apart.
        """
        messages = self._messages(instruction, history, self._prompt_frame(image, obs_size))
        return self._model().processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )

    def prompt_frame(self, image: Any, obs_size: tuple[int, int]) -> CoordinateFrame:
        """The coordinate frame of the model's replies about `image` (a PIL image)."""
        return self._prompt_frame(image, obs_size)

    def image_size_kwargs(self) -> dict[str, Any]:
        """Processor keyword arguments that apply the config's max/min_pixels."""
        return self._image_size_kwargs()

    def generate(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        histories: Sequence[Sequence[str]] | None = None,
    ) -> list[Reply]:
        """Run the model once on a batch of frames; one Reply per frame, in order."""
        import torch

        loaded, cfg = self._model(), self.config
        if len(images) != len(instructions) or not images:
            raise GroundingError(
                f"need one instruction per image, got {len(images)} images and "
                f"{len(instructions)} instructions"
            )
        histories = histories if histories is not None else [()] * len(images)
        t0 = time.perf_counter()
        pils = [as_pil(im) for im in images]
        real = [p.size for p in pils]
        # The observation extent the model image covers (the padded square when padding).
        obs = [(max(s), max(s)) if self._pads else s for s in real]
        if not self._qwen_images:
            pils = [cap_pixels(p, cfg.max_pixels) for p in pils]
        if self._pads:
            pils = [pad_square(p) for p in pils]
        texts = [
            self.chat_prompt(pil, size, instr, hist)
            for pil, size, instr, hist in zip(pils, obs, instructions, histories, strict=True)
        ]
        inputs = loaded.processor(
            text=texts, images=pils, padding=True, return_tensors="pt", **self._image_size_kwargs()
        )
        frames = self._frames(pils, obs, inputs)
        floating = {} if cfg.quantization else {"dtype": torch_dtype(loaded.dtype)}
        inputs = inputs.to(loaded.model.device, **floating)
        if loaded.device.startswith("cuda"):
            torch.cuda.synchronize()
        t1 = time.perf_counter()
        clock = _step_clock(loaded.device)
        tokenizer = getattr(loaded.processor, "tokenizer", loaded.processor)
        gen: dict[str, Any] = {
            "max_new_tokens": cfg.max_new_tokens,
            "min_new_tokens": cfg.min_new_tokens,
            "do_sample": False,
            "logits_processor": [clock],
            "pad_token_id": tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None
            else tokenizer.eos_token_id,
        }
        if cfg.static_cache or cfg.compile:
            gen["cache_implementation"] = "static"
            gen["disable_compile"] = not cfg.compile
        with torch.inference_mode():
            out = loaded.model.generate(**inputs, **gen)
        if loaded.device.startswith("cuda"):
            torch.cuda.synchronize()
        t2 = time.perf_counter()
        prompt_len = inputs["input_ids"].shape[1]
        first = clock.stamps[0] if clock.stamps else t2
        timings = {"preprocess": t1 - t0, "prefill": first - t1, "decode": t2 - first}
        image_id = getattr(loaded.model.config, "image_token_id", None)
        markers = [tokenizer.eos_token or "", tokenizer.pad_token or ""]
        eos = _eos_ids(loaded.model, tokenizer)
        replies = []
        for row, frame in enumerate(frames):
            new = out[row, prompt_len:]
            text = tokenizer.decode(new, skip_special_tokens=False)
            n_prompt = int(inputs["attention_mask"][row].sum())
            n_image = (
                int((inputs["input_ids"][row] == image_id).sum()) if image_id is not None else 0
            )
            n_new = _reply_length(new.tolist(), eos)
            padded = real[row] if self._pads else None
            text = strip_reply(text, markers)
            replies.append(Reply(text, frame, dict(timings), n_image, n_prompt, n_new, padded))
        return replies

    def parse(self, reply: Reply) -> Grounding:
        """The reply's grounding in observation pixels, with timings; GroundingError if none."""
        g = parse_grounding(reply.text, reply.frame, self.family.formats)
        if reply.obs_size is not None:
            w, h = reply.obs_size
            targets = [*g.points, *(b.center for b in g.boxes)]
            if any(p.x >= w or p.y >= h for p in targets):
                raise GroundingError(
                    f"the reply {reply.text[:120]!r} points into the padding beside the "
                    f"{w}x{h} frame (the model saw it padded square)"
                )
        timings = {**reply.timings, "parse": g.timings.get("parse", 0.0)}
        return replace(g, timings=timings, latency_s=sum(timings.values()))

    # ------------------------------------------------------------------ Grounder
    def ground(self, image: np.ndarray, instruction: str, history: Sequence[str] = ()) -> Grounding:
        """Ground `instruction` in `image` (H x W x 3 uint8); coordinates in its pixels."""
        return self.parse(self.generate([image], [instruction], [history])[0])

    def ground_batch(
        self,
        images: Sequence[np.ndarray],
        instructions: Sequence[str],
        histories: Sequence[Sequence[str]] | None = None,
    ) -> list[Grounding | GroundingError]:
        """Ground several frames in one forward pass; a broken reply is its GroundingError."""
        results: list[Grounding | GroundingError] = []
        for reply in self.generate(images, instructions, histories):
            try:
                results.append(self.parse(reply))
            except GroundingError as exc:
                results.append(exc)
        return results

    def close(self) -> None:
        """Drop the model (and free GPU memory it held)."""
        if self.loaded is None:
            return
        device = self.loaded.device
        self.loaded = None
        if device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()

    def __enter__(self) -> TransformersGrounder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
