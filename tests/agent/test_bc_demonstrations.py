"""BC demonstrations read from trace and LeRobot folders; bad folders are named in the error."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pyarrow.parquet as pq
import pytest

from agent.bc_demonstrations import load_demonstrations
from agent.lerobot_export import _write_video, export_lerobot
from agent.session import run_episodes
from agent.traces import TraceWriter
from contracts.errors import TraceError
from envs.tabletop import register_tabletop_envs
from policies.experts.tabletop import TabletopExpert

register_tabletop_envs()

ENV = "handeye/tabletop-reach-v0"


def record(root, seeds, size=32):
    env = gym.make(ENV, width=size, height=size, min_objects=1, max_objects=1)
    try:
        with TraceWriter(root) as writer:
            run_episodes(env, TabletopExpert(), seeds, env_id=ENV, max_steps=40, writer=writer)
    finally:
        env.close()
    return root


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    return record(tmp_path_factory.mktemp("trace"), [0, 1, 2])


def test_trace_and_lerobot_folders_give_the_same_demonstrations(trace, tmp_path):
    from_trace = load_demonstrations(trace)
    assert from_trace.n_episodes == 3 and from_trace.images.shape[1:] == (32, 32, 3)
    assert from_trace.instructions[0].split()[-1] in {"cube", "block", "cylinder", "ball", "can"}
    export_lerobot(trace, tmp_path / "lerobot")
    from_lerobot = load_demonstrations(tmp_path / "lerobot")
    assert from_lerobot.instructions == from_trace.instructions
    np.testing.assert_array_equal(from_lerobot.episode, from_trace.episode)
    np.testing.assert_allclose(from_lerobot.states, from_trace.states, atol=1e-6)
    np.testing.assert_allclose(from_lerobot.actions, from_trace.actions, atol=1e-6)
    # H.264 is lossy: close to the PNG frames, not equal.
    diff = np.abs(from_lerobot.images.astype(int) - from_trace.images.astype(int)).mean()
    assert diff < 12


def test_a_folder_without_episodes_is_refused(tmp_path):
    (tmp_path / "episodes").mkdir()
    with pytest.raises(TraceError, match="no demonstration episodes"):
        load_demonstrations(tmp_path)
    with pytest.raises(TraceError, match="neither a handeye trace"):
        load_demonstrations(tmp_path / "episodes")
    with pytest.raises(TraceError, match="no such folder"):
        load_demonstrations(tmp_path / "absent")


def test_mixed_image_sizes_name_the_file(tmp_path):
    root = record(tmp_path / "mixed", [0])
    record(root, [1], size=40)
    with pytest.raises(TraceError, match=r"episodes/.*\.parquet step 0: frame is 40x40 but"):
        load_demonstrations(root)


def test_a_missing_trace_frame_names_the_file(trace, tmp_path):
    import shutil

    root = tmp_path / "damaged"
    shutil.copytree(trace, root)
    victim = sorted((root / "episodes").glob("*.parquet"))[1]
    table = pq.read_table(victim)
    frames = table.column("frame").to_pylist()
    frames[2] = None
    table = table.set_column(table.schema.get_field_index("frame"), "frame", [frames])
    pq.write_table(table, victim)
    with pytest.raises(TraceError, match=f"{victim.name} step 2: the frame is missing"):
        load_demonstrations(root)


def test_missing_lerobot_video_frames_name_the_video(trace, tmp_path):
    out = tmp_path / "lerobot"
    export_lerobot(trace, out)
    video = out / "videos/chunk-000/observation.images.rgb/episode_000001.mp4"
    _write_video(video, [np.zeros((32, 32, 3), np.uint8)] * 2, 10.0)
    with pytest.raises(TraceError, match="episode_000001.mp4: 2 frames for"):
        load_demonstrations(out)
    video.unlink()
    with pytest.raises(TraceError, match="episode_000001.mp4: missing"):
        load_demonstrations(out)
