"""A JPEG-compressed frame is told from a clean one by its pixels alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from envs.wrappers.frame_transforms import jpeg_frame, resize_frame, resized_size
from perception.screen.compression import jpeg_quality

TESTS = Path(__file__).parents[2]
# frames saved from MiniWoB episodes, light and dark (whole frames, not crops)
SAVED = sorted(
    p
    for p in [
        *(TESTS / "policies" / "data").glob("*.png"),
        *(Path(__file__).parent / "data").glob("*.png"),
    ]
    if min(Image.open(p).size) >= 64
)

# gradients, shadows and a soft photo-like fill: what a plain render has that is not flat
GRADIENT_PAGE = """<html><body style="margin:0;font:14px sans-serif;background:#f4f6f8">
<div style="height:60px;background:linear-gradient(#4a90d9,#1c5fa8);color:white;padding:18px">
Book a flight</div>
<div style="margin:20px;padding:16px;width:420px;background:white;border-radius:8px;
box-shadow:0 4px 14px rgba(0,0,0,.35)">
<p>From <input value="Boston" style="box-shadow:inset 0 1px 3px #999"></p>
<button style="background:linear-gradient(#fdfdfd,#d6d6d6);border:1px solid #aaa;
border-radius:4px;padding:6px 14px">Search</button>
<span style="color:#888;margin-left:12px">Departing Tue, 8 Dec</span></div>
<div style="margin:20px;width:300px;height:160px;border-radius:50%;
background:radial-gradient(circle at 30% 40%,#ffd27a,#d9534f 60%,#3b1f4a)"></div>
</body></html>"""


def _saved(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_a_saved_frame_is_compressed_only_when_it_was(path: Path) -> None:
    frame = _saved(path)
    h, w = frame.shape[:2]
    was = 30 if "jpeg30" in path.stem else None  # two frames were saved from jpeg30 episodes
    assert jpeg_quality(frame) == was
    for factor in (0.75, 1.5):  # resampling blends pixels but puts them on no JPEG grid
        assert jpeg_quality(resize_frame(frame, *resized_size(w, h, factor))) is None
    assert jpeg_quality(jpeg_frame(frame, 30)) == 30


def test_gradients_and_shadows_are_no_compression_and_jpeg_of_them_is(browser_pool) -> None:
    from tests.rendered_pages import render_with_boxes

    frame, _ = render_with_boxes(browser_pool, GRADIENT_PAGE, (), 640, 400)
    frame = np.ascontiguousarray(frame[..., :3])
    assert jpeg_quality(frame) is None
    dark = 255 - frame  # a dark theme's page: light text, ink clipped at 0 instead of 255
    assert jpeg_quality(dark) is None
    assert jpeg_quality(jpeg_frame(frame, 30)) == 30
    assert jpeg_quality(jpeg_frame(dark, 30)) == 30
    # another quality's grid is not taken for quality 30's, but is found when asked for
    assert jpeg_quality(jpeg_frame(frame, 70)) is None
    assert jpeg_quality(jpeg_frame(frame, 70), (30, 70)) == 70
    # a frame moved off the 8x8 grid (cropped by 3 px) is no longer on it
    assert jpeg_quality(np.ascontiguousarray(jpeg_frame(frame, 30)[3:, 3:])) is None
