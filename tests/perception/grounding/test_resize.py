"""Qwen smart_resize maths and CoordinateFrame maps between model units and observation pixels."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from contracts.errors import GroundingError
from perception.grounding.resize import KINDS, CoordinateFrame, smart_resize

# (factor, min_pixels, max_pixels) as shipped by model processors.
PRESETS = [
    (28, 56 * 56, 14 * 14 * 4 * 1280),  # Qwen2-VL function defaults
    (28, 3136, 12845056),  # Qwen2.5-VL preprocessor_config.json
    (28, 100 * 28 * 28, 16384 * 28 * 28),  # UI-TARS-1.5 agent code
    (32, 64 * 32 * 32, 16384 * 32 * 32),  # Qwen3-VL (patch 16 x merge 2)
]


@st.composite
def image_sizes(draw, lo: int = 1, hi: int = 8000) -> tuple[int, int]:
    """(height, width) with aspect ratio at most 200, the processor's limit."""
    h = draw(st.integers(lo, hi))
    w = draw(st.integers(max(lo, math.ceil(h / 200)), min(hi, h * 200)))
    return h, w


@given(image_sizes(), st.sampled_from(PRESETS))
def test_smart_resize_gives_multiples_of_factor_within_pixel_bounds(size, preset):
    factor, min_px, max_px = preset
    h, w = smart_resize(*size, factor=factor, min_pixels=min_px, max_pixels=max_px)
    assert h % factor == 0 and w % factor == 0
    assert h >= factor and w >= factor
    assert min_px <= h * w <= max_px


@given(image_sizes(), st.sampled_from(PRESETS))
def test_smart_resize_keeps_aspect_ratio_up_to_one_factor_per_side(size, preset):
    factor, min_px, max_px = preset
    height, width = size
    h, w = smart_resize(height, width, factor=factor, min_pixels=min_px, max_pixels=max_px)
    # Some common scale t puts each side within one factor of t * original side.
    lo = max((w - factor) / width, (h - factor) / height)
    hi = min((w + factor) / width, (h + factor) / height)
    assert lo <= hi + 1e-12


@given(image_sizes(), st.sampled_from(PRESETS))
def test_smart_resize_is_idempotent(size, preset):
    factor, min_px, max_px = preset
    once = smart_resize(*size, factor=factor, min_pixels=min_px, max_pixels=max_px)
    # Rounding can push a ratio just under 200 over it (29x5615 -> 28x5628); Qwen refuses those.
    assume(max(once) / min(once) <= 200)
    assert smart_resize(*once, factor=factor, min_pixels=min_px, max_pixels=max_px) == once


def test_smart_resize_matches_hand_computed_qwen_sizes():
    # 1080p: rounds to 1092x1932 (2.1 MP) which exceeds the 1280-token default, so it
    # scales by sqrt(1920*1080 / 1003520) and floors each side to a multiple of 28.
    assert smart_resize(1080, 1920) == (728, 1316)
    assert smart_resize(1080, 1920, max_pixels=12845056) == (1092, 1932)
    assert smart_resize(28, 28) == (56, 56)  # below min_pixels: scaled up to 56x56
    assert smart_resize(1080, 1920, factor=32, max_pixels=16384 * 32 * 32) == (1088, 1920)


@pytest.mark.parametrize("size", [(10, 2011), (3000, 14), (0, 100), (-5, 10)])
def test_smart_resize_refuses_extreme_aspect_ratios_and_empty_images(size):
    with pytest.raises(GroundingError):
        smart_resize(*size)


def test_smart_resized_frame_stores_sizes_as_width_height():
    frame = CoordinateFrame.smart_resized(1920, 1080)
    assert frame.kind == "pixels"
    assert frame.model_size == (1316, 728)
    assert frame.obs_size == (1920, 1080)


@st.composite
def frames(draw) -> CoordinateFrame:
    w, h = draw(st.integers(1, 4000)), draw(st.integers(1, 4000))
    kind = draw(st.sampled_from(KINDS))
    if kind == "pixels":
        return CoordinateFrame(
            "pixels", (draw(st.integers(1, 4000)), draw(st.integers(1, 4000))), (w, h)
        )
    return CoordinateFrame.normalized(kind, w, h)


@given(frames(), st.floats(0, 1), st.floats(0, 1))
def test_from_observation_inverts_to_observation(frame, fx, fy):
    w, h = frame.obs_size
    x, y = fx * w, fy * h
    back = frame.to_observation(*frame.from_observation(x, y))
    assert back == pytest.approx((x, y), abs=1e-9 * max(w, h, 1))


@given(frames())
def test_full_model_span_covers_the_whole_observation(frame):
    assert frame.to_observation(0, 0) == (0, 0)
    assert frame.to_observation(*frame.span) == pytest.approx(frame.obs_size)


def test_each_kind_maps_its_own_range_onto_the_frame():
    cases = {"norm1000": (500, 250), "norm1": (0.5, 0.25), "norm100": (50, 25)}
    for kind, model_xy in cases.items():
        assert CoordinateFrame.normalized(kind, 800, 600).to_observation(*model_xy) == (400, 150)
    assert CoordinateFrame.normalized("loc1024", 2048, 1024).to_observation(512, 256) == (1024, 256)
    qwen = CoordinateFrame("pixels", (1316, 728), (1920, 1080))
    assert qwen.to_observation(658, 364) == pytest.approx((960, 540))


@pytest.mark.parametrize(
    "args",
    [
        ("degrees", (10, 10), (10, 10)),
        ("pixels", (0, 10), (10, 10)),
        ("pixels", (10, 10), (10.5, 10)),
        ("pixels", (10,), (10, 10)),
    ],
)
def test_invalid_frames_are_refused_with_grounding_error(args):
    with pytest.raises(GroundingError):
        CoordinateFrame(*args)


def test_pixels_is_not_a_normalized_kind():
    with pytest.raises(GroundingError, match="smart_resized"):
        CoordinateFrame.normalized("pixels", 10, 10)
