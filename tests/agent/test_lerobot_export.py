"""Robot traces export to the LeRobot v2 layout and load back with pandas, imageio, datasets."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest

from agent.lerobot_export import export_lerobot, load_lerobot
from agent.session import run_episodes
from agent.traces import StepRecord, TraceReader, TraceWriter
from contracts.actions import parse_action
from contracts.errors import TraceError
from envs.tabletop import register_tabletop_envs
from policies.experts.tabletop import TabletopExpert

register_tabletop_envs()


@pytest.fixture(scope="module")
def robot_trace(tmp_path_factory):
    """Two recorded expert episodes of the reach task (small frames keep it fast)."""
    root = tmp_path_factory.mktemp("trace")
    env = gym.make("handeye/tabletop-reach-v0", width=64, height=64)
    try:
        with TraceWriter(root) as writer:
            results, _ = run_episodes(
                env,
                TabletopExpert(),
                [0, 1],
                env_id="handeye/tabletop-reach-v0",
                max_steps=40,
                writer=writer,
            )
    finally:
        env.close()
    assert all(r.success for r in results)
    return root, results


def test_export_writes_the_lerobot_layout_and_loads_back_consistently(robot_trace, tmp_path):
    root, results = robot_trace
    out = tmp_path / "lerobot"
    report = export_lerobot(root, out, fps=10)
    assert report.episodes == 2 and report.frames == sum(r.steps for r in results)
    assert (out / "data/chunk-000/episode_000001.parquet").exists()
    assert (out / "videos/chunk-000/observation.images.rgb/episode_000000.mp4").exists()
    loaded = load_lerobot(out)  # pandas + imageio + datasets, cross-checked
    info = loaded["info"]
    assert info["codebase_version"] == "v2.0" and info["total_episodes"] == 2
    assert info["features"]["observation.images.rgb"]["shape"] == [64, 64, 3]
    assert loaded["video_frames"] == [r.steps for r in results]
    frames = loaded["frames"]
    assert list(frames["index"]) == list(range(len(frames)))
    ep0 = frames[frames["episode_index"] == 0]
    assert list(ep0["frame_index"]) == list(range(results[0].steps))
    np.testing.assert_allclose(ep0["timestamp"], np.arange(len(ep0)) / 10, atol=1e-6)
    assert bool(ep0["next.done"].iloc[-1]) and not ep0["next.done"].iloc[:-1].any()
    tasks = {t["task_index"]: t["task"] for t in loaded["tasks"]}
    assert tasks[int(ep0["task_index"].iloc[0])] == results[0].instruction


def test_exported_state_action_and_video_match_the_recorded_steps(robot_trace, tmp_path):
    import imageio.v2 as imageio

    root, _ = robot_trace
    out = tmp_path / "lerobot"
    export_lerobot(root, out)
    meta = TraceReader(root).episodes()[0]
    steps = TraceReader(root).steps(meta.episode_id)
    df = pd.read_parquet(out / "data/chunk-000/episode_000000.parquet")
    for step, (_, row) in zip(steps, df.iterrows(), strict=True):
        a = parse_action(step.action)
        np.testing.assert_allclose(row["action"], [a.dx, a.dy, a.dz, a.dyaw, a.grip], rtol=1e-6)
        np.testing.assert_allclose(row["observation.state"], step.extra["state"], rtol=1e-6)
    with imageio.get_reader(
        out / "videos/chunk-000/observation.images.rgb/episode_000000.mp4"
    ) as r:
        first = r.get_data(0)
    assert np.abs(first.astype(int) - steps[0].frame).mean() < 8  # H.264 is lossy, not wrong
    stats = json.loads((out / "meta/stats.json").read_text())
    assert len(stats["action"]["mean"]) == 5 and len(stats["observation.state"]["max"]) == 6


def test_browser_style_trace_is_refused_with_a_reason(tmp_path):
    with TraceWriter(tmp_path / "web") as writer:
        writer.start_episode("handeye/miniwob-click-button-v1", "expert", 0, "click it")
        writer.add_step(StepRecord(0, np.zeros((8, 8, 3), np.uint8), "click(3, 4)"))
        writer.end_episode(success=True)
    with pytest.raises(TraceError, match="state"):
        export_lerobot(tmp_path / "web", tmp_path / "out")
