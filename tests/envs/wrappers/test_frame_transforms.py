"""Frame-transform wrappers: resized and JPEG frames, with actions mapped back to env pixels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import Click, Drag, Key, Scroll, Type, check_bounds
from contracts.errors import EnvError
from envs.wrappers.frame_transforms import (
    JpegFrames,
    ResizeFrames,
    jpeg_frame,
    resize_frame,
    resized_size,
    to_env_action,
)

sizes = st.integers(min_value=8, max_value=2000)


def test_resized_size_rounds_and_rejects_non_positive_factors() -> None:
    assert resized_size(160, 210, 0.75) == (120, 158)
    assert resized_size(160, 210, 1.5) == (240, 315)
    assert resized_size(3, 3, 0.01) == (1, 1)
    with pytest.raises(EnvError, match="factor must be > 0"):
        resized_size(160, 210, 0)


@given(fw=sizes, fh=sizes, ew=sizes, eh=sizes, data=st.data())
def test_every_frame_point_maps_inside_the_env(fw, fh, ew, eh, data) -> None:
    x = data.draw(st.integers(0, fw - 1))
    y = data.draw(st.integers(0, fh - 1))
    mapped = to_env_action(Click(x, y), (fw, fh), (ew, eh))
    check_bounds(mapped, ew, eh)  # raises if outside


@given(ew=sizes, eh=sizes, factor=st.floats(0.25, 4.0), data=st.data())
def test_env_point_survives_a_round_trip_through_the_resized_frame(ew, eh, factor, data) -> None:
    fw, fh = resized_size(ew, eh, factor)
    x, y = data.draw(st.integers(0, ew - 1)), data.draw(st.integers(0, eh - 1))
    seen = to_env_action(Click(x, y), (ew, eh), (fw, fh))  # where the policy sees it
    back = to_env_action(seen, (fw, fh), (ew, eh))
    assert abs(back.x - x) <= max(1.0, ew / fw) and abs(back.y - y) <= max(1.0, eh / fh)


def test_only_pixel_fields_are_mapped() -> None:
    frame, env = (240, 315), (160, 210)
    assert to_env_action(Type("hi"), frame, env) == Type("hi")
    assert to_env_action(Key("ctrl+a"), frame, env) == Key("ctrl+a")
    assert to_env_action(Scroll(0, 3), frame, env) == Scroll(0, 3)
    assert to_env_action(Scroll(1, -2, 120, 150), frame, env) == Scroll(1, -2, 80, 100)
    assert to_env_action(Drag(0, 0, 239, 314), frame, env) == Drag(0, 0, 159, 209)


def test_resize_frame_gives_the_asked_shape_and_keeps_a_flat_colour() -> None:
    frame = np.full((210, 160, 3), (10, 200, 30), np.uint8)
    out = resize_frame(frame, 120, 158)
    assert out.shape == (158, 120, 3) and out.dtype == np.uint8
    assert (out == (10, 200, 30)).all()
    assert resize_frame(frame, 160, 210) is frame


def test_jpeg_frame_keeps_shape_and_loses_detail_with_low_quality() -> None:
    rng = np.random.default_rng(0)
    smooth = np.repeat(np.linspace(0, 255, 160, dtype=np.uint8)[None, :, None], 210, 0)
    smooth = np.repeat(smooth, 3, 2)
    noisy = rng.integers(0, 256, (210, 160, 3), dtype=np.uint8)
    out = jpeg_frame(smooth, 30)
    assert out.shape == smooth.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - smooth).mean() < 5
    err30 = np.abs(jpeg_frame(noisy, 30).astype(int) - noisy).mean()
    err90 = np.abs(jpeg_frame(noisy, 90).astype(int) - noisy).mean()
    assert err30 > err90 > 0


# ------------------------------------------------------------------- on the real env
@pytest.fixture(scope="module")
def click_button(browser_pool):
    """One click-button env shared by this module's tests (each wraps it afresh)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids

    env = gym.make("handeye/miniwob-click-button-v0")
    yield env
    env.close()


def _button(info: dict, word: str) -> tuple[float, float, float, float]:
    el = next(
        e for e in info["privileged"]["dom"] if e["tag"] == "BUTTON" and e.get("text") == word
    )
    return el["left"], el["top"], el["left"] + el["width"], el["top"] + el["height"]


def _target(instruction: str) -> str:
    return instruction.split('"')[1]


def test_click_in_upscaled_frame_lands_on_the_env_button(click_button) -> None:
    env = ResizeFrames(click_button, 1.5)
    assert env.observation_space["screen"].shape == (315, 240, 3)
    assert (env.action_space.width, env.action_space.height) == (240, 315)
    assert env.screen_scale == (1.5, 1.5)
    obs, info = env.reset(seed=1001)
    assert obs["screen"].shape == (315, 240, 3)
    assert env.observation_space.contains(obs)
    x0, y0, x1, y1 = _button(info, _target(obs["instruction"]))
    obs, reward, terminated, _, info = env.step(Click(int((x0 + x1) * 0.75), int((y0 + y1) * 0.75)))
    assert terminated and info["success"] and reward > 0


def test_click_outside_the_resized_frame_is_reported_in_its_pixels(click_button) -> None:
    env = ResizeFrames(click_button, 0.75)
    obs, _ = env.reset(seed=1002)
    assert obs["screen"].shape == (158, 120, 3)
    obs, _, terminated, _, info = env.step(Click(130, 20))
    assert not terminated
    assert "120x158" in info["error"]


def test_jpeg_frames_keep_the_size_and_stack_with_resizing(click_button) -> None:
    resized = ResizeFrames(click_button, 0.75)
    env = JpegFrames(resized, quality=30)
    assert env.screen_scale == (0.75, 158 / 210)
    plain, _ = resized.reset(seed=1003)
    obs, _ = env.reset(seed=1003)
    assert obs["screen"].shape == (158, 120, 3) and obs["screen"].dtype == np.uint8
    diff = np.abs(obs["screen"].astype(int) - plain["screen"])
    assert 0 < diff.mean() < 10  # compression artefacts, same page
    with pytest.raises(EnvError, match="quality"):
        JpegFrames(click_button, quality=0)
