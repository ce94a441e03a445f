"""The transformers grounder on tiny random Qwen2.5-VL checkpoints: real processor + generate."""

from __future__ import annotations

import numpy as np
import pytest

from contracts.errors import ConfigError, GroundingError, SetupError
from perception.grounders import make_grounder
from perception.grounding import Grounder
from perception.grounding.resize import smart_resize
from perception.vlm.transformers_backend import TransformersGrounder
from tests.vlm_checkpoints import checkpoint, llava_checkpoint


def _frame(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (h, w, 3), dtype=np.uint8)


@pytest.fixture(scope="session")
def click_grounder(tmp_path_factory):
    with TransformersGrounder(
        model=str(checkpoint(tmp_path_factory, "click")), prompt="next_action", max_new_tokens=16
    ) as grounder:
        yield grounder


@pytest.fixture(scope="session")
def random_grounder(tmp_path_factory):
    with TransformersGrounder(
        model=str(checkpoint(tmp_path_factory, "random")), max_new_tokens=12
    ) as grounder:
        yield grounder


def test_a_checkpoint_naming_the_stock_processor_loads_without_torchvision(click_grounder):
    loaded = click_grounder.loaded
    assert loaded.model_type == "qwen2_5_vl" and loaded.device == "cpu"
    assert hasattr(loaded.processor, "image_processor")
    assert click_grounder.family.name == "qwen2_5_vl"
    assert click_grounder.template.name == "qwen2_5_vl/next_action_v1"


def test_reply_in_model_pixels_is_mapped_to_observation_pixels(click_grounder):
    g = click_grounder.ground(_frame(210, 160), "Click on the OK button", ["click(3, 4)"])
    assert g.raw_text == "click(84, 63)"
    # The processor resized 160x210 to 168x224: model (84, 63) is observation (80, 59.06).
    assert g.points[0].x == pytest.approx(80.0) and g.points[0].y == pytest.approx(59.0625)
    assert g.action == "click(80, 59)" and g.format == "handeye"
    assert set(g.timings) == {"preprocess", "prefill", "decode", "parse"}
    assert all(v >= 0 for v in g.timings.values()) and g.latency_s > 0


def test_frames_of_different_sizes_share_one_batched_forward_pass(click_grounder):
    frames = [_frame(210, 160), _frame(240, 320, 1)]
    replies = click_grounder.generate(frames, ["a", "b"], [[], ["click(1, 1)"]])
    sizes = [smart_resize(210, 160)[::-1], smart_resize(240, 320)[::-1]]
    assert [r.frame.model_size for r in replies] == sizes == [(168, 224), (308, 252)]
    assert [r.image_tokens for r in replies] == [(w // 28) * (h // 28) for w, h in sizes]
    assert all(r.text == "click(84, 63)" for r in replies)
    assert replies[0].timings == replies[1].timings  # one generate call timed once
    results = click_grounder.ground_batch(frames, ["a", "b"])
    x, y = round(84 * 320 / 308), round(63 * 240 / 252)
    assert [r.action for r in results] == ["click(80, 59)", f"click({x}, {y})"]


def test_max_pixels_bounds_the_model_image_and_the_mapping_follows(tmp_path_factory):
    with TransformersGrounder(
        model=str(checkpoint(tmp_path_factory, "click")), max_pixels=56 * 56 * 4, max_new_tokens=12
    ) as small:
        reply = small.generate([_frame(720, 1280)], ["x"])[0]
        h, w = smart_resize(720, 1280, max_pixels=56 * 56 * 4)
        assert reply.frame.model_size == (w, h)
        assert reply.image_tokens == (w // 28) * (h // 28)
        g = small.parse(reply)
        assert g.points[0].x == pytest.approx(84 * 1280 / w)


def test_a_gibberish_reply_is_a_typed_grounding_error(random_grounder):
    frame = _frame(210, 160)
    with pytest.raises(GroundingError, match="no point, box or action"):
        random_grounder.ground(frame, "Click on the OK button")
    results = random_grounder.ground_batch([frame, frame], ["a", "b"])
    assert all(isinstance(r, GroundingError) for r in results)


def test_bad_images_and_mismatched_batches_are_grounding_errors(random_grounder):
    with pytest.raises(GroundingError, match="H x W x 3 uint8"):
        random_grounder.ground(np.zeros((10, 10), np.float32), "x")
    with pytest.raises(GroundingError, match="one instruction per image"):
        random_grounder.generate([_frame(20, 20)], ["a", "b"])


def test_registry_builds_the_backend_and_a_closed_grounder_says_so(tmp_path_factory):
    grounder = make_grounder(model=str(checkpoint(tmp_path_factory, "random")), max_new_tokens=4)
    assert isinstance(grounder, TransformersGrounder) and isinstance(grounder, Grounder)
    grounder.close()
    with pytest.raises(SetupError, match="closed"):
        grounder.ground(_frame(20, 20), "x")


def test_registry_names_what_each_backend_needs():
    with pytest.raises(SetupError, match="--model PATH"):
        make_grounder("transformers")
    with pytest.raises(SetupError, match="--endpoint URL"):
        make_grounder("http", model="m")
    with pytest.raises(ConfigError, match="unknown grounder backend 'magic'; known: house, http"):
        make_grounder("magic", model="m")
    with pytest.raises(ConfigError, match="has no option colour; its options: model, family"):
        make_grounder(model="m", colour="red")


def test_a_reply_cut_off_by_the_token_limit_is_an_error_not_a_click(tmp_path_factory):
    model = str(checkpoint(tmp_path_factory, "click"))
    with (
        TransformersGrounder(model=model, max_new_tokens=7) as short,
        pytest.raises(GroundingError, match="Reply: 'click\\(84, 6'"),
    ):
        short.ground(_frame(210, 160), "Click on the OK button")  # 6 might have been 63


def test_a_generic_model_answers_in_0_1000_over_the_frame_padded_square(tmp_path_factory):
    # LLaVA's CLIP processor centre-crops: the frame is padded square (210x210) instead.
    model = str(llava_checkpoint(tmp_path_factory, "(512, 384)"))
    with TransformersGrounder(model=model, max_new_tokens=12) as grounder:
        assert grounder.family.name == "generic" and grounder.template.family == "generic"
        g = grounder.ground(_frame(210, 160), "the OK button")
    assert g.format == "plain"
    assert (g.points[0].x, g.points[0].y) == pytest.approx((0.512 * 210, 0.384 * 210))


def test_a_generic_reply_pointing_into_the_padding_is_refused(tmp_path_factory):
    model = str(llava_checkpoint(tmp_path_factory, "(903, 512)"))  # x = 190 px > 160
    with (
        TransformersGrounder(model=model, max_new_tokens=12) as grounder,
        pytest.raises(GroundingError, match="padding beside the 160x210 frame"),
    ):
        grounder.ground(_frame(210, 160), "the OK button")


def test_the_static_kv_cache_gives_the_same_reply(tmp_path_factory):
    model = str(checkpoint(tmp_path_factory, "click"))
    with TransformersGrounder(model=model, max_new_tokens=12, static_cache=True) as grounder:
        g = grounder.ground(_frame(210, 160), "Click on the OK button")
    assert g.action == "click(80, 59)"
