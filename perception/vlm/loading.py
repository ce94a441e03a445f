"""Load a local image-text-to-text checkpoint (weights + processor) offline, on the right device.

Resolves the device (cuda / mps / cpu), dtype (bf16 on GPU), attention implementation
(flash-attention when installed, else sdpa) and 4/8-bit quantization (bitsandbytes), and
checks the folder before transformers sees it, so a missing or wrong path says what was
expected. Loading never reaches a hub: every call passes `local_files_only=True`.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.errors import SetupError, missing_extra

log = logging.getLogger(__name__)

DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "bf16", "fp16", "fp32")
ATTENTION = ("auto", "sdpa", "eager", "flash_attention_2")
QUANTIZATION = (None, "4bit", "8bit")
_WEIGHT_GLOBS = ("*.safetensors", "*.bin", "*.safetensors.index.json", "*.bin.index.json")


@dataclass(frozen=True)
class LoadedModel:
    """A model, its processor and where they run, ready for `generate`."""

    model: Any
    processor: Any
    model_type: str
    device: str
    dtype: str
    attention: str
    path: Path


def require_transformers() -> None:
    """Raise the `pip install handeye[vlm]` error when torch or transformers is missing."""
    for module in ("torch", "transformers"):
        if importlib.util.find_spec(module) is None:
            raise missing_extra(module, "vlm")


def resolve_device(device: str = "auto") -> str:
    """The torch device to run on: cuda, then mps, then cpu for "auto"; checks explicit ones."""
    import torch

    if device not in DEVICES and not device.startswith("cuda:"):
        raise SetupError(f"unknown device {device!r}; use one of {DEVICES} or cuda:N")
    has_mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SetupError(
            f"device {device!r} asked for but torch sees no CUDA GPU; use --device cpu"
        )
    if device == "mps" and not has_mps:
        raise SetupError("device 'mps' asked for but this torch has no Metal backend")
    return device


def resolve_dtype(dtype: str, device: str) -> str:
    """bf16 on a GPU that supports it (fp16 otherwise, and on mps), fp32 on cpu, for "auto"."""
    import torch

    if dtype not in DTYPES:
        raise SetupError(f"unknown dtype {dtype!r}; use one of {DTYPES}")
    if dtype != "auto":
        return dtype
    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp16" if device == "mps" else "fp32"


def torch_dtype(name: str) -> Any:
    """The torch dtype for a handeye dtype name (bf16, fp16, fp32)."""
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def resolve_attention(attention: str, device: str, dtype: str) -> str:
    """flash_attention_2 on CUDA in half precision when `flash_attn` is installed, else sdpa."""
    if attention not in ATTENTION:
        raise SetupError(f"unknown attention implementation {attention!r}; use one of {ATTENTION}")
    has_flash = importlib.util.find_spec("flash_attn") is not None
    flash_ok = has_flash and device.startswith("cuda") and dtype in ("bf16", "fp16")
    if attention == "auto":
        return "flash_attention_2" if flash_ok else "sdpa"
    if attention == "flash_attention_2" and not flash_ok:
        why = "the flash_attn package is not installed" if not has_flash else "it needs CUDA + bf16"
        raise SetupError(f"flash_attention_2 asked for but {why}; use --attention sdpa")
    return attention


def quantization_config(quantization: str | None, device: str) -> Any:
    """A BitsAndBytesConfig for "4bit"/"8bit" (CUDA + bitsandbytes), None for no quantization."""
    if quantization not in QUANTIZATION:
        raise SetupError(f"unknown quantization {quantization!r}; use 4bit, 8bit or none")
    if quantization is None:
        return None
    if importlib.util.find_spec("bitsandbytes") is None:
        raise SetupError(f"{quantization} loading needs bitsandbytes: pip install bitsandbytes")
    if not device.startswith("cuda"):
        raise SetupError(f"{quantization} loading (bitsandbytes) needs a CUDA GPU, not {device!r}")
    from transformers import BitsAndBytesConfig

    if quantization == "4bit":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    return BitsAndBytesConfig(load_in_8bit=True)


def check_checkpoint(path: str | Path) -> dict[str, Any]:
    """The checkpoint's config.json after checking the folder holds config, weights, tokenizer.

    Raises SetupError saying what was expected: a local folder as written by
    `save_pretrained` or `huggingface-cli download REPO --local-dir DIR`.
    """
    p = Path(path).expanduser()
    expected = (
        "a local folder holding config.json, the weights (*.safetensors) and the tokenizer/"
        "processor files, as written by save_pretrained or "
        "`huggingface-cli download REPO --local-dir DIR` (handeye never downloads)"
    )
    if not p.exists():
        hint = ""
        if "/" in str(path) and not str(path).startswith((".", "/", "~")):
            hint = f" It looks like a hub id: download it first (huggingface-cli download {path} "
            hint += "--local-dir DIR) and pass DIR."
        raise SetupError(f"no model at {str(p)!r}: expected {expected}.{hint}")
    if not p.is_dir():
        raise SetupError(f"{str(p)!r} is a file: expected {expected}")
    config = p / "config.json"
    if not config.is_file():
        found = sorted(x.name for x in p.iterdir())[:12]
        raise SetupError(f"{str(p)!r} has no config.json (found {found}): expected {expected}")
    try:
        cfg = json.loads(config.read_text())
    except ValueError as exc:
        raise SetupError(f"{config} is not valid JSON ({exc})") from None
    if not any(any(p.glob(g)) for g in _WEIGHT_GLOBS):
        raise SetupError(f"{str(p)!r} has config.json but no weights (*.safetensors, *.bin)")
    if not any((p / n).is_file() for n in ("tokenizer.json", "tokenizer_config.json")):
        raise SetupError(f"{str(p)!r} has no tokenizer (tokenizer.json / tokenizer_config.json)")
    return cfg


def image_only_processor_class(base: type) -> type:
    """A subclass of a Qwen-style processor that takes no video processor.

    Qwen2/2.5/3-VL processors insist on a video processor, which needs torchvision; an
    image grounder never uses it, so this variant lets them load where torchvision is absent.
    """

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):  # noqa: ANN001
        base.__init__(self, image_processor, tokenizer, None, chat_template=chat_template, **kwargs)

    return type(f"ImageOnly{base.__name__}", (base,), {"__init__": __init__})


def _chat_template(path: Path) -> str | None:
    for name in ("chat_template.jinja", "chat_template.json"):
        f = path / name
        if f.is_file():
            text = f.read_text()
            return json.loads(text)["chat_template"] if name.endswith(".json") else text
    return None


def load_processor(path: Path, processor_class: str | None) -> Any:
    """AutoProcessor for the folder, or an image-only processor where the video part fails."""
    import transformers
    from transformers import AutoImageProcessor, AutoProcessor, AutoTokenizer

    try:
        processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        if hasattr(processor, "image_processor"):
            return processor
        reason = "AutoProcessor returned only a tokenizer"
    except (OSError, ImportError, ValueError, TypeError, AttributeError) as exc:
        reason = f"AutoProcessor failed ({str(exc).splitlines()[0][:160]})"
    base = getattr(transformers, processor_class or "", None)
    if base is None:
        raise SetupError(
            f"cannot build a processor for {str(path)!r}: {reason}, and its processor class "
            f"{processor_class!r} is unknown to transformers {transformers.__version__}"
        )
    log.info("%s; building %s without a video processor", reason, processor_class)
    try:
        images = AutoImageProcessor.from_pretrained(path, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise SetupError(f"cannot load the image processor or tokenizer of {path}: {exc}") from None
    template = _chat_template(path) or getattr(tokenizer, "chat_template", None)
    return image_only_processor_class(base)(
        image_processor=images, tokenizer=tokenizer, chat_template=template
    )


def _processor_class(path: Path) -> str | None:
    for name in ("processor_config.json", "preprocessor_config.json", "tokenizer_config.json"):
        f = path / name
        if f.is_file():
            try:
                cls = json.loads(f.read_text()).get("processor_class")
            except ValueError:
                continue
            if cls:
                return str(cls)
    return None


def load_model(
    path: str | Path,
    *,
    device: str = "auto",
    dtype: str = "auto",
    attention: str = "auto",
    quantization: str | None = None,
) -> LoadedModel:
    """Load an AutoModelForImageTextToText checkpoint and its processor from a local folder."""
    require_transformers()
    p = Path(path).expanduser().resolve()
    cfg = check_checkpoint(p)
    model_type = str(cfg.get("model_type", ""))
    from transformers import AutoModelForImageTextToText

    dev = resolve_device(device)
    dt = resolve_dtype(dtype, dev)
    attn = resolve_attention(attention, dev, dt)
    quant = quantization_config(quantization, dev)
    kwargs: dict[str, Any] = {"dtype": torch_dtype(dt), "attn_implementation": attn}
    if quant is not None:
        kwargs.update(quantization_config=quant, device_map=dev)
    try:
        model = AutoModelForImageTextToText.from_pretrained(p, local_files_only=True, **kwargs)
    except ValueError as exc:
        first = str(exc).splitlines()[0][:300]
        raise SetupError(
            f"{str(p)!r} (model_type {model_type!r}) cannot load as an image-text-to-text model: "
            f"{first}. Use a vision-language checkpoint (Qwen2.5-VL, Qwen3-VL, UI-TARS, ...)"
        ) from None
    except OSError as exc:
        raise SetupError(f"cannot read the weights in {str(p)!r}: {exc}") from None
    if quant is None:
        model = model.to(dev)
    model.eval()
    processor = load_processor(p, _processor_class(p))
    tokenizer = getattr(processor, "tokenizer", processor)
    tokenizer.padding_side = "left"  # batched generation appends after the prompt
    return LoadedModel(model, processor, model_type, dev, dt, attn, p)
