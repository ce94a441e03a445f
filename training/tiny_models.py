"""Tiny random-weight Qwen2.5-VL checkpoints built from a config: a test and benchmark fixture.

Nothing is downloaded: the tokenizer is a byte-level BPE trained on the fly with Qwen's
special tokens, the weights are random, and the folder written by `build_tiny_qwen2_5_vl`
has the layout of a real checkpoint (config.json, model.safetensors, tokenizer.json,
processor_config.json naming `Qwen2_5_VLProcessor`, chat_template.jinja), so the loaders
under test take the same path as for Qwen/Qwen2.5-VL-7B-Instruct. Its replies are
gibberish unless `reply` is given: then a few weights are set so that it answers that
text to any image and prompt, so the grounding and planning path can be checked end to
end with a known answer. Not for real use.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
)
# Qwen2-VL / Qwen2.5-VL's chat template (system default, image placeholders, generation prompt).
QWEN_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n"
    "You are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_CORPUS = (
    "Click on the OK button. Locate the element and answer with its point.",
    '{"point_2d": [412, 388], "label": "submit"} {"bbox_2d": [10, 20, 300, 400]}',
    '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", '
    '"coordinate": [640, 360]}}</tool_call>',
    "Thought: the button is on the left. Action: click(start_box='(235,512)') type(content='hi')",
    'click(34, 120) type("hello") key("Enter") scroll(0, 3) done() wait(1.0)',
    "0123456789 ()[]{}<>,.:;'\"=_-+/ abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "history of previous actions: none. screen resolution 1280x720 pixels, robot gripper cube",
)
# The image-only processor written beside the weights for `transformers serve --trust-remote-code`:
# without torchvision, Qwen2_5_VLProcessor cannot build its video processor.
_SERVE_PROCESSOR_CODE = '''"""Qwen2.5-VL processor without its video processor (no torchvision)."""

from transformers import Qwen2_5_VLProcessor


class ImageOnlyQwen2_5_VLProcessor(Qwen2_5_VLProcessor):
    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, None, chat_template=chat_template, **kwargs)
'''


def train_tokenizer(
    vocab_size: int = 512,
    special_tokens: tuple[str, ...] = QWEN_SPECIAL_TOKENS,
    chat_template: str = QWEN_CHAT_TEMPLATE,
    eos_token: str = "<|im_end|>",
) -> Any:
    """A byte-level BPE tokenizer trained on a few lines, with Qwen's (or given) special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(_CORPUS) * 20, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=eos_token,
        pad_token="<|endoftext|>",
        chat_template=chat_template,
    )


def qwen2_5_vl_config(tokenizer: Any, **shape: Any) -> Any:
    """A Qwen2_5_VLConfig wired to `tokenizer`'s special-token ids; `shape` overrides sizes.

    Defaults are tiny (text hidden 64, 2 layers; vision depth 2). `shape` takes text keys
    (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
    num_key_value_heads, vocab_size) and `vision_*` keys for the vision tower.
    """
    from transformers import Qwen2_5_VLConfig

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_SPECIAL_TOKENS}
    text = {
        "vocab_size": len(tokenizer),
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 32768,
        **{k: v for k, v in shape.items() if not k.startswith("vision_")},
    }
    vision = {
        "depth": 2,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "fullatt_block_indexes": [1],
        **{k[len("vision_") :]: v for k, v in shape.items() if k.startswith("vision_")},
    }
    vision["out_hidden_size"] = text["hidden_size"]
    head_dim = text["hidden_size"] // text["num_attention_heads"]
    # mrope splits half the head dim into temporal / height / width sections (Qwen: 16/24/24 of 64).
    half = head_dim // 2
    section = [half // 4, (half - half // 4) // 2]
    section.append(half - sum(section))
    text["rope_parameters"] = {"rope_type": "default", "rope_theta": 1e6, "mrope_section": section}
    text.update(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    return Qwen2_5_VLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )


def image_only_processor(tokenizer: Any, min_pixels: int, max_pixels: int) -> Any:
    """A Qwen2.5-VL processor with the PIL image processor and no video processor."""
    from transformers import Qwen2_5_VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
        Qwen2VLImageProcessorPil,
    )

    from perception.vlm.loading import image_only_processor_class

    images = Qwen2VLImageProcessorPil(min_pixels=min_pixels, max_pixels=max_pixels)
    cls = image_only_processor_class(Qwen2_5_VLProcessor)
    return cls(image_processor=images, tokenizer=tokenizer, chat_template=QWEN_CHAT_TEMPLATE)


def wire_reply(model: Any, tokenizer: Any, reply: str) -> None:
    """Set weights so greedy decoding answers `reply` whatever the image and prompt.

    The text layers' attention and MLP outputs are zeroed, so the last hidden state is
    the last token's embedding: a bigram model. Each token of "\n" + reply gets its own
    embedding direction, and the lm_head maps it to the token that follows it in the
    reply (the last one to the end-of-turn token). The generation prompt ends in "\n", so the
    reply starts there. Raises ValueError when a token recurs with another successor.
    """
    import torch

    chain = tokenizer("\n" + reply, add_special_tokens=False)["input_ids"]
    chain.append(tokenizer.eos_token_id)
    successor: dict[int, int] = {}
    for tok, nxt in zip(chain, chain[1:], strict=False):
        if successor.setdefault(tok, nxt) != nxt:
            raise ValueError(
                f"reply {reply!r} repeats token {tokenizer.decode([tok])!r} with different "
                "successors; a bigram model cannot say it (vary the digits)"
            )
    lm = model.model.language_model
    hidden = lm.config.hidden_size
    if len(successor) > hidden:
        raise ValueError(f"reply too long for hidden size {hidden}: {len(successor)} tokens")
    with torch.no_grad():
        for layer in lm.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        embed = lm.embed_tokens.weight
        head = model.lm_head.weight
        for i, (tok, nxt) in enumerate(successor.items()):
            embed[tok] = 0.0
            embed[tok, i] = 1.0
            head[nxt, i] = 50.0


def build_tiny_qwen2_5_vl(
    out_dir: str | Path,
    *,
    seed: int = 0,
    reply: str | None = None,
    min_pixels: int = 56 * 56,
    max_pixels: int = 28 * 28 * 1280,
    serve_code: bool = False,
    **shape: Any,
) -> Path:
    """Write a tiny random Qwen2.5-VL checkpoint to `out_dir` and return its path.

    shape: size overrides passed to `qwen2_5_vl_config` (e.g. num_hidden_layers=3).

    reply: wire the model to answer exactly this text (greedy) whatever it is shown.
    serve_code: also write an image-only processor as local custom code (auto_map), so
    `transformers serve --trust-remote-code` can load the folder without torchvision.
    """
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer = train_tokenizer()
    model = Qwen2_5_VLForConditionalGeneration(qwen2_5_vl_config(tokenizer, **shape)).eval()
    processor = image_only_processor(tokenizer, min_pixels, max_pixels)
    if reply is not None:
        wire_reply(model, tokenizer, reply)
    model.generation_config.do_sample = False
    model.save_pretrained(out)
    processor.tokenizer.padding_side = "left"
    processor.save_pretrained(out)
    # Name the stock processor class, as a real checkpoint does.
    for name in ("processor_config.json", "tokenizer_config.json"):
        cfg = json.loads((out / name).read_text())
        cfg["processor_class"] = "Qwen2_5_VLProcessor"
        (out / name).write_text(json.dumps(cfg, indent=2))
    if serve_code:
        add_serve_processor_code(out)
    return out


_LLAVA_SPECIAL_TOKENS = ("<|endoftext|>", "<image>", "<|user|>", "<|assistant|>", "<|end|>")
_LLAVA_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{% if m['content'] is string %}"
    "{{ m['content'] }}{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}"
    "<image>\n{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}"
    "<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def build_tiny_llava(out_dir: str | Path, *, seed: int = 0, reply: str | None = None) -> Path:
    """Write a tiny random LLaVA checkpoint (CLIP vision + Llama text): a non-Qwen model.

    It exercises the generic path: a processor with a fixed-size image (56x56 here) and
    no coordinate convention of its own. `reply` wires the answer as for Qwen.
    """
    import torch
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer = train_tokenizer(
        special_tokens=_LLAVA_SPECIAL_TOKENS,
        chat_template=_LLAVA_CHAT_TEMPLATE,
        eos_token="<|end|>",
    )
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in _LLAVA_SPECIAL_TOKENS}
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=56,
        patch_size=14,
    )
    text = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=ids["<image>"],
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    model = LlavaForConditionalGeneration(config).eval()
    if reply is not None:
        wire_reply(model, tokenizer, reply)
    images = CLIPImageProcessorPil(
        size={"shortest_edge": 56}, crop_size={"height": 56, "width": 56}
    )
    processor = LlavaProcessor(
        image_processor=images,
        tokenizer=tokenizer,
        patch_size=14,
        vision_feature_select_strategy="default",
        chat_template=_LLAVA_CHAT_TEMPLATE,
        num_additional_image_tokens=1,
    )
    model.generation_config.do_sample = False
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out


def add_serve_processor_code(model_dir: str | Path) -> None:
    """Point AutoProcessor at an image-only processor shipped as code in the checkpoint folder."""
    path = Path(model_dir)
    (path / "image_only_processing.py").write_text(_SERVE_PROCESSOR_CODE)
    entry = "image_only_processing.ImageOnlyQwen2_5_VLProcessor"
    for name in ("processor_config.json", "tokenizer_config.json"):
        cfg = json.loads((path / name).read_text())
        cfg["auto_map"] = {**cfg.get("auto_map", {}), "AutoProcessor": entry}
        cfg["processor_class"] = "ImageOnlyQwen2_5_VLProcessor"
        (path / name).write_text(json.dumps(cfg, indent=2))


def copy_checkpoint(src: str | Path, dst: str | Path) -> Path:
    """Copy a checkpoint folder (tests alter copies, never the shared fixture)."""
    return Path(shutil.copytree(src, dst))
