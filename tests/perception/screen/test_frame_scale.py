"""Text size read off real rendered frames: a shrunk MiniWoB page measures small and is enlarged
back to the print the parser knows; pages at their own size, or larger, are left alone."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401 - registers the ids
from envs.wrappers.frame_transforms import jpeg_frame, resize_frame, resized_size
from perception.screen.frame_scale import resample, text_scale, zoom_for
from policies.house.web.canon import canonical

TASKS = ("click-link", "email-inbox", "login-user", "focus-text")


@pytest.fixture(scope="module")
def frames() -> dict[str, np.ndarray]:
    """The first frame of a few MiniWoB tasks at 1x (dev seed 13300), as the env draws it,
    login-user in the env's dark theme, and a one-line title with few tall letters (click-widget
    seed 26000: its 90th-percentile glyph read 0.84 and the plain page was enlarged)."""
    out = {}
    cases = [(t, False, 13300) for t in TASKS]
    cases += [("login-user", True, 13300), ("click-widget", False, 26000)]
    for task, dark, seed in cases:
        env = gym.make(f"handeye/miniwob-{task}-v0", dom_in_info=False, dark_theme=dark)
        try:
            obs, _ = env.reset(seed=seed)
            out[task + "-dark" * dark] = np.asarray(obs["screen"])
        finally:
            env.close()
    return out


def shrunk(frame: np.ndarray, factor: float) -> np.ndarray:
    """`frame` resized as the robustness variants do (`ResizeFrames`)."""
    w, h = resized_size(frame.shape[1], frame.shape[0], factor)
    return resize_frame(frame, w, h)


@pytest.mark.parametrize("factor", [1.0, 0.75, 1.5])
def test_text_scale_reads_how_much_a_page_was_resized(frames, factor):
    for task, frame in frames.items():
        scale = text_scale(canonical(shrunk(frame, factor)).frame)
        assert scale is not None, task
        # a short title leaves few glyphs to measure (focus-text at 0.75 reads 0.66)
        assert abs(scale - factor) <= 0.15 * factor, (task, factor, scale)


def test_only_small_text_is_read_enlarged(frames):
    for task, frame in frames.items():
        frame = canonical(frame).frame
        assert zoom_for(text_scale(frame)) == 1.0, task
        # large print is read as it is: a real page's 16 px text measures like a page at x1.5,
        # and shrinking such pages broke filling a form on one (test_plan_forms)
        assert zoom_for(text_scale(shrunk(frame, 1.5))) == 1.0, task
        zoom = zoom_for(text_scale(shrunk(frame, 0.75)))
        assert 1.15 <= zoom <= 1.55, (task, zoom)
    assert zoom_for(None) == 1.0  # nothing measured: the frame is read as it is


def test_a_shrunk_jpeg_or_dark_frame_is_measured_after_canonical(frames):
    frame = frames["login-user"]
    for variant in (jpeg_frame(shrunk(frame, 0.75), 30), shrunk(frames["login-user-dark"], 0.75)):
        canon = canonical(variant, zoom=None)
        assert canon.zoom > 1.15, canon.scale
        assert abs(canon.frame.shape[1] - frame.shape[1]) <= 0.15 * frame.shape[1]


def test_an_enlarged_frame_maps_its_points_and_boxes_back(frames):
    from contracts.actions import Click
    from perception.screen.parser import ScreenParse, UIElement

    small = shrunk(frames["click-link"], 0.75)
    canon = canonical(small, zoom=None)
    h, w = canon.frame.shape[:2]
    assert canon.zoom > 1.0 and (w, h) != small.shape[1::-1]
    corner = canon.to_observation(Click(w - 1, h - 1))
    assert (corner.x, corner.y) == (small.shape[1] - 1, small.shape[0] - 1)
    middle = canon.to_observation(Click(w // 2, h // 2))
    assert abs(middle.x - small.shape[1] / 2) <= 1 and abs(middle.y - small.shape[0] / 2) <= 1
    el = UIElement(1, (0, 0, w, h), "text", "x", False, 1.0)
    back = canon.parse_in_observation(ScreenParse((el,), w, h))
    assert back.elements[0].box == (0, 0, small.shape[1], small.shape[0])
    assert (back.width, back.height) == (small.shape[1], small.shape[0])


def test_resample_keeps_a_frame_at_zoom_one_and_enlarges_otherwise():
    f = np.zeros((30, 40, 3), np.uint8)
    assert resample(f, 1.0) is f
    assert resample(f, 1.5).shape == (45, 60, 3)
