"""Episode traces: round trips through pandas and `datasets`, and crash safety."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agent.traces import StepRecord, TraceReader, TraceWriter, list_episodes, load_episode
from contracts.actions import Click, Done, Drag, Type, format_action
from contracts.errors import TraceError

ACTIONS = [
    format_action(Click(40, 50)),
    format_action(Type("hello")),
    format_action(Drag(10, 20, 120, 180)),
    format_action(Done("42")),
]


def synthetic_frame(i: int, h: int = 210, w: int = 160) -> np.ndarray:
    """A frame with a coloured rectangle whose place and colour depend on i."""
    frame = np.full((h, w, 3), 235, np.uint8)
    frame[10 + 7 * i : 40 + 7 * i, 20 + 5 * i : 90 + 5 * i] = (30 * i % 256, 90, 200 - 20 * i)
    frame[h - 5 :, :, 0] = i
    return frame


def record(writer: TraceWriter, n: int, env_id: str = "miniwob/click-test-v1", **kw) -> str:
    """Start an episode and add n steps with canonical actions; leaves it open."""
    eid = writer.start_episode(env_id, "scripted", seed=7, instruction=kw.pop("instruction", "Go"))
    for i in range(n):
        writer.add_step(
            StepRecord(
                step=i,
                frame=synthetic_frame(i),
                action=ACTIONS[i % len(ACTIONS)],
                reward=1.0 if i == n - 1 else 0.0,
                terminated=i == n - 1,
                error="no element at (40, 50)" if i == 1 else None,
                timings={"capture": 0.01 * (i + 1), "policy": 0.2, "act": 0.003},
                extra={"point": [40, 50], "i": np.int64(i)},
                final_frame=synthetic_frame(9) if kw.get("final") and i == n - 1 else None,
            )
        )
    return eid


def test_episode_round_trips_with_identical_pixels_actions_and_timings(tmp_path):
    with TraceWriter(tmp_path) as w:
        eid = record(w, 4, final=True)
        meta = w.end_episode(success=True)
    assert (meta.steps, meta.total_reward, meta.complete, meta.success) == (4, 1.0, True, True)
    steps = load_episode(tmp_path, eid).steps
    assert [s.action for s in steps] == ACTIONS
    for i, s in enumerate(steps):
        assert np.array_equal(s.frame, synthetic_frame(i))
        assert s.timings == pytest.approx({"capture": 0.01 * (i + 1), "policy": 0.2, "act": 0.003})
        assert s.extra == {"point": [40, 50], "i": i}
    assert steps[1].error == "no element at (40, 50)" and steps[0].error is None
    assert [s.final_frame is None for s in steps] == [True, True, True, False]
    assert np.array_equal(steps[-1].final_frame, synthetic_frame(9))
    assert steps[-1].terminated and not steps[0].terminated


def test_pandas_reads_every_episode_file_as_one_row_per_step(tmp_path):
    with TraceWriter(tmp_path) as w:
        for n in (2, 3):
            record(w, n)
            w.end_episode(success=False)
    df = pd.read_parquet(tmp_path / "episodes")
    assert len(df) == 5
    assert {"episode_id", "step", "action", "reward", "t_capture", "frame", "extra"} <= set(df)
    assert df.groupby("episode_id").size().sort_values().tolist() == [2, 3]
    assert json.loads(df["extra"].iloc[0])["point"] == [40, 50]
    assert df["frame"].iloc[0]["bytes"][:8] == b"\x89PNG\r\n\x1a\n"


def test_datasets_decodes_frame_column_to_pil_images_with_original_pixels(tmp_path):
    datasets = pytest.importorskip("datasets")
    with TraceWriter(tmp_path / "trace") as w:
        record(w, 3, final=True)
        w.end_episode(success=True)
    files = str(tmp_path / "trace" / "episodes" / "*.parquet")
    ds = datasets.load_dataset("parquet", data_files=files, split="train", cache_dir=tmp_path)
    assert isinstance(ds.features["frame"], datasets.Image)
    assert ds.num_rows == 3
    for i, row in enumerate(ds):
        assert row["frame"].mode == "RGB"
        assert np.array_equal(np.asarray(row["frame"]), synthetic_frame(i))
        assert row["action"] == ACTIONS[i]
    assert ds[0]["final_frame"] is None
    assert np.array_equal(np.asarray(ds[2]["final_frame"]), synthetic_frame(9))


def test_info_json_counts_episodes_steps_and_completeness(tmp_path):
    with TraceWriter(tmp_path) as w:
        record(w, 2)
        w.end_episode(success=True)
        record(w, 3, env_id="envs/other-v0")
    info = json.loads((tmp_path / "meta" / "info.json").read_text())
    assert info["format_version"] == 1 and info["features"]["frame"] == {"_type": "Image"}
    assert (info["total_episodes"], info["complete_episodes"], info["total_steps"]) == (2, 1, 5)
    assert info["env_ids"] == ["envs/other-v0", "miniwob/click-test-v1"]


def test_each_step_is_on_disk_before_the_episode_ends(tmp_path):
    w = TraceWriter(tmp_path)
    record(w, 1)
    spool = next((tmp_path / "spool").glob("*.arrows"))
    size1 = spool.stat().st_size
    w.add_step(StepRecord(step=1, frame=synthetic_frame(1)))
    assert spool.stat().st_size > size1
    w.close()
    assert not list((tmp_path / "spool").iterdir())


def test_interrupt_inside_with_block_keeps_episode_as_incomplete(tmp_path):
    with pytest.raises(KeyboardInterrupt), TraceWriter(tmp_path) as w:
        eid = record(w, 2)
        raise KeyboardInterrupt
    (meta,) = list_episodes(tmp_path)
    assert (meta.episode_id, meta.complete, meta.success, meta.steps) == (eid, False, None, 2)
    assert len(load_episode(tmp_path, eid).steps) == 2


def test_garbage_collected_writer_keeps_open_episode_as_incomplete(tmp_path):
    w = TraceWriter(tmp_path)
    eid = record(w, 3)
    del w
    gc.collect()
    (meta,) = list_episodes(tmp_path)
    assert (meta.episode_id, meta.complete, meta.steps) == (eid, False, 3)


def test_starting_a_new_episode_keeps_the_unfinished_one_as_incomplete(tmp_path):
    with TraceWriter(tmp_path) as w:
        first = record(w, 1)
        second = record(w, 2)
        w.end_episode(success=True)
    metas = {m.episode_id: m for m in list_episodes(tmp_path)}
    assert not metas[first].complete and metas[second].complete


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np
    from agent.traces import StepRecord, TraceWriter
    w = TraceWriter(sys.argv[1])
    w.start_episode("envs/crash-v0", "scripted", seed=1, instruction="crash")
    for i in range(3):
        frame = np.full((30, 40, 3), 50 * i, np.uint8)
        w.add_step(StepRecord(step=i, frame=frame, action="click(5, 6)", reward=0.5))
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def run_killed_writer(root: Path) -> Path:
    """Record 3 steps in a child process that is SIGKILLed mid-episode; return its spool."""
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(root)], timeout=60)
    assert proc.returncode != 0
    (spool,) = (root / "spool").glob("*.arrows")
    return spool


def test_episode_of_a_killed_process_is_recovered_as_incomplete(tmp_path):
    run_killed_writer(tmp_path)
    assert list_episodes(tmp_path) == []
    TraceWriter(tmp_path).close()
    (meta,) = list_episodes(tmp_path)
    assert (meta.env_id, meta.complete, meta.steps, meta.total_reward) == (
        "envs/crash-v0",
        False,
        3,
        1.5,
    )
    steps = load_episode(tmp_path, meta.episode_id).steps
    assert [int(s.frame[0, 0, 0]) for s in steps] == [0, 50, 100]
    assert not list((tmp_path / "spool").iterdir())


def test_step_cut_off_mid_write_is_dropped_and_earlier_steps_kept(tmp_path):
    spool = run_killed_writer(tmp_path)
    data = spool.read_bytes()
    spool.write_bytes(data[:-40])
    TraceWriter(tmp_path).close()
    (meta,) = list_episodes(tmp_path)
    assert (meta.steps, meta.complete) == (2, False)


def test_a_live_writers_episode_is_not_taken_by_a_second_writer(tmp_path):
    w1 = TraceWriter(tmp_path)
    eid = record(w1, 2)
    TraceWriter(tmp_path).close()
    assert list_episodes(tmp_path) == []
    w1.end_episode(success=True)
    (meta,) = list_episodes(tmp_path)
    assert meta.episode_id == eid and meta.complete


def test_truncated_last_metadata_line_is_skipped(tmp_path):
    with TraceWriter(tmp_path) as w:
        record(w, 1)
        w.end_episode(success=True)
    jsonl = tmp_path / "meta" / "episodes.jsonl"
    good = jsonl.read_text()
    jsonl.write_text(good + good[: len(good) // 2])
    assert len(list_episodes(tmp_path)) == 1


def test_partial_metadata_line_is_cut_before_the_next_append(tmp_path):
    with TraceWriter(tmp_path) as w:
        record(w, 1)
        w.end_episode(success=True)
        jsonl = tmp_path / "meta" / "episodes.jsonl"
        jsonl.write_text(jsonl.read_text() + '{"episode_id": "half')
        record(w, 2)
        w.end_episode(success=False)
    lines = jsonl.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)
    assert [m.steps for m in list_episodes(tmp_path)] == [1, 2]


def test_corrupt_metadata_line_in_the_middle_names_file_and_line(tmp_path):
    with TraceWriter(tmp_path) as w:
        for _ in range(2):
            record(w, 1)
            w.end_episode(success=True)
    jsonl = tmp_path / "meta" / "episodes.jsonl"
    first, second = jsonl.read_text().splitlines()
    jsonl.write_text(f"{first}\nnot json\n{second}\n")
    with pytest.raises(TraceError, match=r"episodes\.jsonl:2"):
        list_episodes(tmp_path)


def test_episode_file_without_metadata_line_is_still_listed(tmp_path):
    with TraceWriter(tmp_path) as w:
        eid = record(w, 2, instruction="Find it")
        w.end_episode(success=True)
    (tmp_path / "meta" / "episodes.jsonl").unlink()
    (meta,) = list_episodes(tmp_path)
    assert (meta.episode_id, meta.instruction, meta.steps, meta.success) == (
        eid,
        "Find it",
        2,
        True,
    )


def test_corrupt_episode_file_raises_trace_error_naming_the_file(tmp_path):
    with TraceWriter(tmp_path) as w:
        eid = record(w, 2)
        w.end_episode(success=True)
    reader = TraceReader(tmp_path)
    path = reader.path(eid)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(TraceError, match=str(path)):
        reader.steps(eid)
    with pytest.raises(TraceError, match=str(path)):
        reader.dataframe(eid)


def test_missing_episode_and_missing_root_raise_trace_error(tmp_path):
    with pytest.raises(TraceError, match="no trace here"):
        TraceReader(tmp_path / "nowhere")
    TraceWriter(tmp_path).close()
    with pytest.raises(TraceError, match="no episode 'ghost'"):
        load_episode(tmp_path, "ghost")


def test_bad_step_records_are_rejected_with_a_clear_error(tmp_path):
    with pytest.raises(TraceError, match="H x W x 3 uint8"):
        StepRecord(step=0, frame=np.zeros((4, 4), np.uint8))
    with pytest.raises(TraceError, match="H x W x 3 uint8"):
        StepRecord(step=0, frame=np.zeros((4, 4, 3), np.float32))
    with pytest.raises(TraceError, match="unknown keys"):
        StepRecord(step=0, frame=synthetic_frame(0), timings={"ground": 0.1})
    with TraceWriter(tmp_path) as w:
        with pytest.raises(TraceError, match="start_episode"):
            w.add_step(StepRecord(step=0, frame=synthetic_frame(0)))
        record(w, 1)
        with pytest.raises(TraceError, match="not JSON-serialisable"):
            w.add_step(StepRecord(step=1, frame=synthetic_frame(1), extra={"o": object()}))
        w.add_step(StepRecord(step=1, frame=synthetic_frame(1)))
        assert w.end_episode(success=True).steps == 2


def test_process_exiting_without_close_keeps_episode_as_incomplete(tmp_path):
    script = KILLED_WRITER.replace("os.kill(os.getpid(), signal.SIGKILL)", "sys.exit(3)")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], timeout=60)
    assert proc.returncode == 3
    assert not list((tmp_path / "spool").iterdir())
    (meta,) = list_episodes(tmp_path)
    assert (meta.complete, meta.steps) == (False, 3)


def test_a_full_disk_is_a_clear_trace_error_and_earlier_episodes_stay_intact(tmp_path):
    """Files may not grow past 150 kB in the child (RLIMIT_FSIZE, as a nearly full disk): the
    fourth episode's spool hits it mid-episode."""
    script = f"""
import resource, signal
import numpy as np
from agent.traces import TraceWriter
from agent.trace_format import StepRecord
from contracts.errors import TraceError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))
rng = np.random.default_rng(0)
writer = TraceWriter({str(tmp_path)!r})
try:
    for e in range(6):
        writer.start_episode("env", "p", e)
        for i in range(3 * (e + 1)):
            writer.add_step(StepRecord(i, rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)))
        writer.end_episode(True)
except TraceError as exc:
    print("ERROR", exc)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=Path.cwd()
    )
    assert "ERROR cannot write the trace under" in out.stdout, out.stderr[-2000:]
    assert "free some space or record elsewhere" in out.stdout
    reader = TraceReader(tmp_path)  # the open episode is recovered from its spool (or not)
    finished = [m for m in reader.episodes() if m.complete]
    assert len(finished) >= 2
    for meta in finished:
        assert len(reader.episode(meta.episode_id).steps) == meta.steps == 3 * (meta.seed + 1)
