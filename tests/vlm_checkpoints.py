"""Tiny random-weight VLM checkpoints shared by the perception, policy, CLI and bench tests.

Each is built once per test session (building imports transformers and writes ~1 MB);
test modules wrap `checkpoint` in their own session-scoped fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Replies the wired checkpoints give to any image and prompt (tokens must not repeat).
CLICK_REPLY = "click(84, 63)"  # Qwen2.5-VL model pixels: on a 160x210 frame (168x224) -> (80, 59)
TOP_CLICK_REPLY = "click(84, 9)"  # lands in MiniWoB's instruction bar, where a click does nothing

_BUILT: dict[str, Path] = {}


def checkpoint(factory: pytest.TempPathFactory, kind: str) -> Path:
    """The checkpoint folder of `kind`, built on first use.

    Kinds: "random" (gibberish replies), "click", "top_click", and "click_served" (the
    click model with its image-only processor as local code for `transformers serve
    --trust-remote-code`).
    """
    if kind not in _BUILT:
        from training.tiny_models import build_tiny_qwen2_5_vl

        replies = {"random": None, "click": CLICK_REPLY, "top_click": TOP_CLICK_REPLY}
        reply = replies.get(kind, CLICK_REPLY)
        folder = factory.mktemp(f"tiny-qwen2_5_vl-{kind}")
        _BUILT[kind] = build_tiny_qwen2_5_vl(folder, reply=reply, serve_code=kind == "click_served")
    return _BUILT[kind]


def llava_checkpoint(factory: pytest.TempPathFactory, reply: str) -> Path:
    """A tiny LLaVA (CLIP + Llama, centre-cropping processor) wired to answer `reply`."""
    key = f"llava:{reply}"
    if key not in _BUILT:
        from training.tiny_models import build_tiny_llava

        _BUILT[key] = build_tiny_llava(factory.mktemp("tiny-llava"), reply=reply)
    return _BUILT[key]
