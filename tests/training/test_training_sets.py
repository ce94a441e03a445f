"""`handeye dataset build`: real expert traces (MiniWoB in Chromium, MuJoCo tabletop) become
parquet training rows that pandas and `datasets` read, with targets the backends parse back."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agent.cli import main
from agent.session import run_episodes
from agent.traces import TraceReader, TraceWriter
from agent.training_sets import DatasetCard, DatasetConfig, build_dataset, load_split
from contracts.actions import parse_action
from contracts.errors import TraceError
from envs.tabletop import register_tabletop_envs
from perception.grounding.formats import parse_grounding
from perception.vlm.families import FAMILIES
from perception.vlm.replies import reply_frame
from policies.experts.tabletop import TabletopExpert

MINIWOB = "handeye/miniwob-click-button-v0"


@pytest.fixture(scope="module")
def miniwob_trace(tmp_path_factory, browser_pool) -> Path:
    """Two MiniWoB expert episodes recorded by `handeye eval --trace` in real Chromium."""
    root = tmp_path_factory.mktemp("miniwob-trace")
    args = ["eval", "--env", MINIWOB, "--policy", "expert", "--episodes", "2", "--trace"]
    assert main([*args, str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def robot_trace(tmp_path_factory) -> Path:
    """One tabletop reach episode of the expert (64x64 frames, EE-delta actions)."""
    register_tabletop_envs()
    root = tmp_path_factory.mktemp("robot-trace")
    env = gym.make("handeye/tabletop-reach-v0", width=64, height=64)
    try:
        with TraceWriter(root) as writer:
            results, _ = run_episodes(
                env,
                TabletopExpert(),
                [0],
                env_id="handeye/tabletop-reach-v0",
                max_steps=30,
                writer=writer,
            )
    finally:
        env.close()
    assert results[0].steps > 0
    return root


def _actions(root: Path) -> list[str]:
    reader = TraceReader(root)
    return [s.action for m in reader.episodes() for s in reader.steps(m.episode_id) if s.action]


def test_cli_builds_qwen_rows_split_by_episode_that_pandas_and_datasets_read(
    miniwob_trace, tmp_path, capsys
):
    out = tmp_path / "set"
    assert main(["dataset", "build", str(miniwob_trace), "--out", str(out)]) == 0
    assert "train" in capsys.readouterr().out
    card = DatasetCard.read(out)
    assert card.family == "qwen2_5_vl" and card.reply_format == "tool_call"
    assert card.resize["obs_size"] == [160, 210] and card.resize["model_size"] == [168, 224]
    assert card.counts["train"]["episodes"] == 1 and card.counts["test"]["episodes"] == 1
    train, test = load_split(out, "train"), load_split(out, "test")
    assert not set(train["episode_id"]) & set(test["episode_id"])
    rows = pd.concat([train, test])
    assert sorted(rows["action"]) == sorted(_actions(miniwob_trace))
    frame = reply_frame(FAMILIES["qwen2_5_vl"], 160, 210)
    for _, row in rows.iterrows():
        g = parse_grounding(row["reply"], frame, FAMILIES["qwen2_5_vl"].formats)
        want, got = parse_action(row["action"]), parse_action(g.action)
        assert type(got) is type(want)
        pairs = zip(got.points(), want.points(), strict=True)
        assert all(abs(a[0] - b[0]) <= 2 and abs(a[1] - b[1]) <= 2 for a, b in pairs)
        assert row["instruction"] and list(row["history"]) == []  # one click per episode
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("parquet", data_dir=str(out / "data"))
    assert set(ds) == {"train", "test"} and len(ds["train"]) == len(train)
    assert ds["train"][0]["image"].size == (160, 210)


def test_generic_family_takes_robot_episodes_and_qwen_tool_calls_refuse_them(robot_trace, tmp_path):
    out = tmp_path / "robot"
    card = build_dataset([robot_trace], out, DatasetConfig(family="generic", test_fraction=0))
    rows = load_split(out)
    assert card.counts["train"]["rows"] == len(rows) == len(_actions(robot_trace))
    assert (rows["reply"] == rows["action"]).all()  # no pixels: 0-1000 changes nothing
    assert rows["reply"].str.startswith("ee_delta(").all()
    assert list(rows["history"].iloc[2]) == list(rows["action"].iloc[:2])
    bad = tmp_path / "refused"
    with pytest.raises(TraceError, match=r"\.parquet step 0: ee_delta\(.*computer_use tool call"):
        build_dataset([robot_trace], bad, DatasetConfig(family="qwen2_5_vl"))
    assert not bad.exists() and not list(tmp_path.glob(".refused.*"))


def test_mixed_frame_sizes_are_refused_naming_the_file(miniwob_trace, robot_trace, tmp_path):
    with pytest.raises(TraceError, match=r"frame is 64x64 but .* is 160x210"):
        build_dataset([miniwob_trace, robot_trace], tmp_path / "x", DatasetConfig("generic"))
    assert not (tmp_path / "x").exists()


def test_a_missing_frame_is_refused_naming_the_step(miniwob_trace, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(miniwob_trace, broken)
    path = sorted((broken / "episodes").glob("*.parquet"))[0]
    table = pq.read_table(path)
    frames = table.column("frame").to_pylist()
    frames[0] = {"bytes": None, "path": None}
    i = table.schema.get_field_index("frame")
    table = table.set_column(i, table.schema.field(i), pa.array(frames, table.schema.field(i).type))
    pq.write_table(table, path)
    with pytest.raises(TraceError, match=rf"{path.name} step 0: the frame is missing"):
        build_dataset([broken], tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["broken"]  # no output, no temp folder
