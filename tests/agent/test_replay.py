"""Replay: actions drawn on frames, and GIF, MP4 and HTML renderings of recorded episodes."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from agent.replay import draw_action, replay, write_gif, write_html, write_mp4
from agent.traces import StepRecord, TraceWriter, load_episode
from contracts.actions import Click, Done, Drag, Key, Scroll, Type, format_action
from contracts.errors import TraceError

ACTIONS = [
    format_action(Click(40, 50)),
    format_action(Type("hello")),
    format_action(Key("ctrl+a")),
    format_action(Scroll(0, 3, x=80, y=100)),
    format_action(Drag(10, 20, 120, 180)),
    format_action(Done("42")),
]


def synthetic_frame(i: int) -> np.ndarray:
    """A 210x160 MiniWoB-sized frame with a rectangle that moves with i."""
    frame = np.full((210, 160, 3), 235, np.uint8)
    frame[20 + 10 * i : 50 + 10 * i, 30:130] = (40, 90, 200)
    return frame


@pytest.fixture
def trace(tmp_path):
    """A trace root with a 6-step episode (with a final frame) and a 2-step failed one."""
    root = tmp_path / "trace"
    with TraceWriter(root) as w:
        w.start_episode("miniwob/click-test-v1", "scripted", seed=1, instruction="Click OK")
        for i, action in enumerate(ACTIONS):
            last = i == len(ACTIONS) - 1
            w.add_step(
                StepRecord(
                    step=i,
                    frame=synthetic_frame(i),
                    action=action,
                    reward=1.0 if last else 0.0,
                    terminated=last,
                    error="element not found" if i == 2 else None,
                    timings={"capture": 0.02, "policy": 0.3, "act": 0.01},
                    final_frame=synthetic_frame(7) if last else None,
                )
            )
        w.end_episode(success=True)
        w.start_episode("envs/other-v0", "random", seed=None, instruction="Type <b>x</b>")
        for i in range(2):
            w.add_step(StepRecord(step=i, frame=synthetic_frame(i), action="clik(1, 2)"))
        w.end_episode(success=False)
    return root


def episode_ids(root):
    from agent.traces import list_episodes

    return [m.episode_id for m in list_episodes(root)]


def test_click_changes_pixels_around_the_click_point_only():
    frame = np.full((210, 160, 3), 235, np.uint8)
    out = draw_action(frame, "click(40, 50)", 3)
    assert out.shape == (630, 480, 3)
    changed = np.any(out != 235, axis=2)
    cy, cx = 50 * 3 + 1, 40 * 3 + 1
    assert changed[cy - 40 : cy + 40, cx - 40 : cx + 40].sum() > 100
    assert changed.sum() == changed[cy - 40 : cy + 40, cx - 40 : cx + 40].sum()


def test_frame_is_upscaled_with_nearest_neighbour_so_pixels_stay_sharp():
    frame = synthetic_frame(0)
    out = draw_action(frame, "", 2)
    assert np.array_equal(out[::2, ::2], frame) and np.array_equal(out[1::2, 1::2], frame)


def test_drag_draws_an_arrow_along_the_segment():
    frame = np.full((210, 160, 3), 235, np.uint8)
    out = draw_action(frame, "drag(10, 20, 120, 180)", 3)
    mx, my = int((10 + 120) / 2 * 3 + 1), int((20 + 180) / 2 * 3 + 1)
    assert np.any(out[my - 3 : my + 4, mx - 3 : mx + 4] != 235)
    assert not np.any(out[10:60, 400:470] != 235)


def test_typing_is_shown_as_a_banner_at_the_bottom():
    frame = np.full((210, 160, 3), 235, np.uint8)
    out = draw_action(frame, format_action(Type("hello")), 3)
    assert np.any(out[-20:] != 235) and not np.any(out[:500] != 235)


def test_error_is_written_in_red_at_the_top():
    frame = np.full((210, 160, 3), 235, np.uint8)
    out = draw_action(frame, "", 3, error="element not found").astype(int)
    top = out[:30]
    reddish = (top[..., 0] > 180) & (top[..., 1] < 120) & (top[..., 2] < 120)
    assert reddish.sum() > 20
    assert not np.any(out[100:] != 235)


def test_unparseable_action_is_drawn_as_text_not_raised():
    frame = np.full((210, 160, 3), 235, np.uint8)
    out = draw_action(frame, "clik(1, 2)", 3)
    assert np.any(out[-20:] != 235)


def test_gif_has_one_frame_per_step_plus_the_final_frame(trace, tmp_path):
    episode = load_episode(trace, episode_ids(trace)[0])
    path = write_gif(episode, tmp_path / "ep.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == len(ACTIONS) + 1
        assert gif.width >= 480


def test_mp4_is_read_back_by_imageio_with_every_step(trace, tmp_path):
    iio = pytest.importorskip("imageio.v3")
    episode = load_episode(trace, episode_ids(trace)[0])
    path = write_mp4(episode, tmp_path / "ep.mp4", fps=4)
    frames = iio.imread(path, plugin="FFMPEG")
    assert frames.shape[0] == len(ACTIONS) + 1
    assert frames.shape[1] % 16 == 0 and frames.shape[2] % 16 == 0


def test_html_embeds_one_image_per_step_and_a_summary_of_episodes(trace, tmp_path):
    path = write_html(trace, tmp_path / "trace.html")
    page = path.read_text()
    images = re.findall(r'<img class="step" alt="[^"]*" src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(ACTIONS) + 2
    assert page.count('<img class="final"') == 1
    with Image.open(io.BytesIO(base64.b64decode(images[0]))) as im:
        assert im.size == (480, 630)
    summary = page[page.index("<table>") : page.index("</table>")]
    assert summary.count("<tr>") == 3
    assert "miniwob/click-test-v1" in summary and "envs/other-v0" in summary
    assert "Type &lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "element not found" in page and "policy 300.0 ms" in page


def test_replay_picks_format_from_suffix_and_latest_episode_by_default(trace, tmp_path):
    latest = episode_ids(trace)[-1]
    gif = replay(trace, out=tmp_path / "latest.gif")
    with Image.open(gif) as im:
        assert im.n_frames == 2
    page = replay(trace)
    assert page == trace / "replay" / "episodes.html"
    assert page.read_text().count('<img class="step"') == len(ACTIONS) + 2
    one = replay(trace, latest, fmt="html")
    assert one.name == f"{latest}.html" and one.read_text().count('<img class="step"') == 2


def test_replay_rejects_unknown_format_and_empty_trace(trace, tmp_path):
    with pytest.raises(TraceError, match="unknown replay format"):
        replay(trace, fmt="avi")
    TraceWriter(tmp_path / "empty").close()
    with pytest.raises(TraceError, match="no episodes"):
        replay(tmp_path / "empty", fmt="gif")
