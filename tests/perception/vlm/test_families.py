"""Model families: detection from model_type and names, and the frames they map replies through."""

from __future__ import annotations

import pytest

from contracts.errors import SetupError
from perception.grounding.resize import smart_resize
from perception.vlm.families import FAMILIES, detect_family, get_family


@pytest.mark.parametrize(
    ("model_type", "name", "family"),
    [
        ("qwen2_5_vl", "/models/Qwen2.5-VL-7B-Instruct", "qwen2_5_vl"),
        ("qwen3_vl", "/models/whatever", "qwen3_vl"),
        ("qwen3_vl_moe", "", "qwen3_vl"),
        ("qwen2_vl", "/m/Qwen2-VL-2B-Instruct", "qwen2_vl"),
        ("qwen2_5_vl", "/models/UI-TARS-1.5-7B", "uitars"),
        ("qwen2_vl", "/models/UI-TARS-7B-DPO", "uitars1"),
        (None, "ByteDance-Seed/UI-TARS-1.5-7B", "uitars"),
        (None, "ui-tars-72b-sft", "uitars1"),
        (None, "qwen2.5vl:7b", "qwen2_5_vl"),
        (None, "Qwen/Qwen2.5-VL-3B-Instruct-AWQ", "qwen2_5_vl"),
        (None, "qwen3-vl:8b", "qwen3_vl"),
        ("llava", "/models/llava-1.5-7b-hf", "generic"),
        (None, "gpt-4o", "generic"),
    ],
)
def test_family_is_detected_from_model_type_and_name(model_type, name, family):
    assert detect_family(model_type, name).name == family


def test_qwen2_5_vl_replies_map_from_the_resized_image_to_observation_pixels():
    fam = FAMILIES["qwen2_5_vl"]
    h, w = smart_resize(720, 1280)
    assert fam.resized(1280, 720) == (w, h) == (1288, 728)
    frame = fam.frame((1280, 720), (w, h))
    x, y = frame.to_observation(644, 364)  # the centre of the model image
    assert (x, y) == pytest.approx((640, 360))


def test_normalized_families_ignore_the_model_image_size():
    frame = FAMILIES["qwen3_vl"].frame((1280, 720), (999, 999))
    assert frame.kind == "norm1000"
    assert frame.to_observation(500, 500) == pytest.approx((640, 360))


def test_qwen3_vl_resizes_in_multiples_of_32():
    w, h = FAMILIES["qwen3_vl"].resized(1280, 720)
    assert w % 32 == 0 and h % 32 == 0


def test_explicit_family_and_coordinate_override():
    fam = get_family("generic", coords="pixels")
    assert fam.name == "generic" and fam.coords == "pixels"
    assert get_family("auto", "qwen2_5_vl").name == "qwen2_5_vl"


@pytest.mark.parametrize(("family", "coords"), [("qwen9", None), ("auto", "percent")])
def test_unknown_family_or_coordinates_say_what_is_known(family, coords):
    with pytest.raises(SetupError, match="known|unknown"):
        get_family(family, coords=coords)
