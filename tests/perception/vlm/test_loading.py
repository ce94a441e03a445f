"""Loading a local checkpoint offline: device, dtype and attention choices; errors for bad paths."""

from __future__ import annotations

import json
import shutil

import pytest

from contracts.errors import SetupError
from perception.vlm.loading import (
    check_checkpoint,
    quantization_config,
    resolve_attention,
    resolve_device,
    resolve_dtype,
)
from tests.vlm_checkpoints import checkpoint


@pytest.fixture(scope="session")
def random_vlm(tmp_path_factory):
    return checkpoint(tmp_path_factory, "random")


def test_a_missing_path_says_what_folder_was_expected(tmp_path):
    with pytest.raises(SetupError, match="config.json.*safetensors.*never downloads"):
        check_checkpoint(tmp_path / "nope")


def test_a_hub_id_is_told_to_download_first():
    with pytest.raises(SetupError, match="huggingface-cli download Qwen/Qwen2.5-VL-3B-Instruct"):
        check_checkpoint("Qwen/Qwen2.5-VL-3B-Instruct")


def test_a_folder_without_config_lists_what_it_holds(tmp_path):
    (tmp_path / "weights.safetensors").write_bytes(b"")
    with pytest.raises(SetupError, match="no config.json.*weights.safetensors"):
        check_checkpoint(tmp_path)


def test_a_folder_without_weights_or_tokenizer_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    with pytest.raises(SetupError, match="no weights"):
        check_checkpoint(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(SetupError, match="no tokenizer"):
        check_checkpoint(tmp_path)


def test_a_complete_checkpoint_passes_the_check(random_vlm):
    assert check_checkpoint(random_vlm)["model_type"] == "qwen2_5_vl"


def test_a_text_only_model_is_refused_as_not_image_text_to_text(random_vlm, tmp_path):
    from perception.vlm.loading import load_model

    folder = shutil.copytree(random_vlm, tmp_path / "text-only")
    cfg = json.loads((folder / "config.json").read_text())
    text = {**cfg["text_config"], "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}
    (folder / "config.json").write_text(json.dumps(text))
    with pytest.raises(SetupError, match="image-text-to-text"):
        load_model(folder, device="cpu")


def test_auto_device_and_dtype_on_a_cpu_machine():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert resolve_device("auto") in ("cpu", "mps")
    assert resolve_dtype("auto", "cpu") == "fp32"
    assert resolve_dtype("auto", "mps") == "fp16"
    with pytest.raises(SetupError, match="no CUDA GPU"):
        resolve_device("cuda")


def test_attention_and_quantization_choices_are_checked():
    assert resolve_attention("auto", "cpu", "fp32") == "sdpa"
    with pytest.raises(SetupError, match="flash_attention_2 asked for"):
        resolve_attention("flash_attention_2", "cpu", "fp32")
    with pytest.raises(SetupError, match="unknown attention"):
        resolve_attention("fast", "cpu", "fp32")
    assert quantization_config(None, "cpu") is None
    with pytest.raises(SetupError, match="bitsandbytes|CUDA"):
        quantization_config("4bit", "cpu")
    with pytest.raises(SetupError, match="unknown quantization"):
        quantization_config("2bit", "cpu")
