"""Export handeye robot traces to the LeRobot v2 dataset layout, and load an export back.

A handeye trace keeps one parquet per episode with PNG frames and the action as a string; a
robot policy also records `extra["state"]` (the proprio vector it saw) and
`extra["action_vector"]` (its EEDelta in metres/radians). The export writes, under `out`:

    data/chunk-000/episode_000000.parquet   observation.state, action, timestamp, frame_index,
                                            episode_index, index, task_index, next.reward,
                                            next.done
    videos/chunk-000/observation.images.rgb/episode_000000.mp4   H.264, one frame per row
    meta/info.json, meta/episodes.jsonl, meta/tasks.jsonl, meta/stats.json

`load_lerobot` reads it back with pandas, imageio and (when installed) `datasets`, checking
that rows, videos and metadata agree.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.trace_format import decode_png
from contracts.actions import EEDelta, parse_action
from contracts.errors import ActionError, TraceError, missing_extra

log = logging.getLogger(__name__)

CODEBASE_VERSION = "v2.0"
CHUNKS_SIZE = 1000
VIDEO_KEY = "observation.images.rgb"
DATA_PATH = "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet"
VIDEO_PATH = "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4"
STATE_NAMES = ["tcp_x", "tcp_y", "tcp_z", "sin_yaw", "cos_yaw", "finger_gap"]
ACTION_NAMES = ["dx", "dy", "dz", "dyaw", "grip"]


@dataclass(frozen=True)
class LeRobotExport:
    """What an export wrote."""

    root: Path
    episodes: int
    frames: int
    tasks: int
    skipped_steps: int  # steps without an env action (a policy error) are not rows


def _action_vector(row: dict[str, Any], extra: dict[str, Any], where: str) -> list[float]:
    if "action_vector" in extra:
        return [float(v) for v in extra["action_vector"]]
    try:
        action = parse_action(row["action"])
    except ActionError as exc:
        raise TraceError(f"{where}: action {row['action']!r} is unreadable ({exc})") from None
    if not isinstance(action, EEDelta):
        raise TraceError(
            f"{where}: {row['action']!r} is not an end-effector delta; only motor episodes"
            " (ee_delta actions) export to LeRobot"
        )
    return [action.dx, action.dy, action.dz, action.dyaw, action.grip]


def _episode_rows(path: Path) -> tuple[list[dict[str, Any]], list[np.ndarray], int]:
    """Numeric rows and RGB frames of one trace episode; also how many steps were skipped."""
    from agent.trace_format import read_table

    rows, frames, skipped = [], [], 0
    for row in read_table(path).to_pylist():
        where = f"{path} step {row['step']}"
        if not row["action"]:
            skipped += 1
            continue
        extra = json.loads(row["extra"] or "{}")
        if "state" not in extra:
            raise TraceError(
                f"{where}: no proprio state in the step's extra; record robot episodes with a"
                " policy that sets last_extra['state'] (tabletop-expert, house)"
            )
        rows.append(
            {
                "observation.state": [float(v) for v in extra["state"]],
                "action": _action_vector(row, extra, where),
                "next.reward": float(row["reward"]),
                "next.done": bool(row["terminated"] or row["truncated"]),
            }
        )
        frames.append(decode_png(row["frame"]["bytes"], where))
    return rows, frames, skipped


def _write_video(path: Path, frames: list[np.ndarray], fps: float) -> None:
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401 - provides the ffmpeg binary
    except ImportError as exc:
        raise missing_extra(exc.name or "imageio-ffmpeg", "video") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(
        path,
        fps=fps,
        codec="libx264",
        quality=8,
        pixelformat="yuv420p",
        macro_block_size=2,
        ffmpeg_log_level="error",
    ) as writer:
        for f in frames:
            writer.append_data(f)


def _stats(values: np.ndarray) -> dict[str, list[float]]:
    return {
        "mean": values.mean(axis=0).tolist(),
        "std": values.std(axis=0).tolist(),
        "min": values.min(axis=0).tolist(),
        "max": values.max(axis=0).tolist(),
    }


def export_lerobot(
    trace_root: Path | str, out: Path | str, *, fps: float = 10.0, robot_type: str = "handeye"
) -> LeRobotExport:
    """Convert every finished episode of a handeye trace folder into a LeRobot v2 dataset."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from agent.traces import TraceReader

    reader = TraceReader(trace_root)
    out = Path(out)
    metas = reader.episodes()
    if not metas:
        raise TraceError(f"{trace_root}: no finished episodes to export")
    tasks: dict[str, int] = {}
    episodes_meta, states, actions = [], [], []
    index, skipped, shape = 0, 0, None
    for ep_index, meta in enumerate(metas):
        rows, frames, n_skipped = _episode_rows(reader.path(meta.episode_id))
        skipped += n_skipped
        if not rows:
            log.warning("episode %s has no action rows; skipped", meta.episode_id)
            continue
        task_index = tasks.setdefault(meta.instruction, len(tasks))
        chunk = ep_index // CHUNKS_SIZE
        n = len(rows)
        table = pa.table(
            {
                "observation.state": pa.array(
                    [r["observation.state"] for r in rows], pa.list_(pa.float32())
                ),
                "action": pa.array([r["action"] for r in rows], pa.list_(pa.float32())),
                "timestamp": pa.array(np.arange(n) / fps, pa.float32()),
                "frame_index": pa.array(np.arange(n), pa.int64()),
                "episode_index": pa.array(np.full(n, ep_index), pa.int64()),
                "index": pa.array(np.arange(index, index + n), pa.int64()),
                "task_index": pa.array(np.full(n, task_index), pa.int64()),
                "next.reward": pa.array([r["next.reward"] for r in rows], pa.float32()),
                "next.done": pa.array([r["next.done"] for r in rows], pa.bool_()),
            }
        )
        data_path = out / DATA_PATH.format(episode_chunk=chunk, episode_index=ep_index)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, data_path)
        video = VIDEO_PATH.format(episode_chunk=chunk, video_key=VIDEO_KEY, episode_index=ep_index)
        _write_video(out / video, frames, fps)
        shape = frames[0].shape
        states += [r["observation.state"] for r in rows]
        actions += [r["action"] for r in rows]
        episodes_meta.append(
            {
                "episode_index": ep_index,
                "tasks": [meta.instruction],
                "length": n,
                "handeye_episode_id": meta.episode_id,
                "env_id": meta.env_id,
                "policy": meta.policy,
                "success": meta.success,
            }
        )
        index += n
    if not episodes_meta:
        raise TraceError(f"{trace_root}: no episode has motor actions to export")
    h, w, c = shape
    features = {
        VIDEO_KEY: {
            "dtype": "video",
            "shape": [h, w, c],
            "names": ["height", "width", "channel"],
            "info": {
                "video.fps": fps,
                "video.height": h,
                "video.width": w,
                "video.channels": c,
                "video.codec": "h264",
                "video.pix_fmt": "yuv420p",
                "video.is_depth_map": False,
                "has_audio": False,
            },
        },
        "observation.state": {"dtype": "float32", "shape": [6], "names": STATE_NAMES},
        "action": {"dtype": "float32", "shape": [5], "names": ACTION_NAMES},
        "timestamp": {"dtype": "float32", "shape": [1], "names": None},
        "frame_index": {"dtype": "int64", "shape": [1], "names": None},
        "episode_index": {"dtype": "int64", "shape": [1], "names": None},
        "index": {"dtype": "int64", "shape": [1], "names": None},
        "task_index": {"dtype": "int64", "shape": [1], "names": None},
        "next.reward": {"dtype": "float32", "shape": [1], "names": None},
        "next.done": {"dtype": "bool", "shape": [1], "names": None},
    }
    n_eps = len(episodes_meta)
    info = {
        "codebase_version": CODEBASE_VERSION,
        "robot_type": robot_type,
        "total_episodes": n_eps,
        "total_frames": index,
        "total_tasks": len(tasks),
        "total_videos": n_eps,
        "total_chunks": (max(e["episode_index"] for e in episodes_meta) // CHUNKS_SIZE) + 1,
        "chunks_size": CHUNKS_SIZE,
        "fps": fps,
        "splits": {"train": f"0:{n_eps}"},
        "data_path": DATA_PATH,
        "video_path": VIDEO_PATH,
        "features": features,
    }
    meta_dir = out / "meta"
    meta_dir.mkdir(parents=True, exist_ok=True)
    (meta_dir / "info.json").write_text(json.dumps(info, indent=4))
    (meta_dir / "episodes.jsonl").write_text("".join(json.dumps(e) + "\n" for e in episodes_meta))
    (meta_dir / "tasks.jsonl").write_text(
        "".join(json.dumps({"task_index": i, "task": t}) + "\n" for t, i in tasks.items())
    )
    stats = {
        "observation.state": _stats(np.asarray(states, np.float64)),
        "action": _stats(np.asarray(actions, np.float64)),
    }
    (meta_dir / "stats.json").write_text(json.dumps(stats, indent=2))
    return LeRobotExport(out, n_eps, index, len(tasks), skipped)


def load_lerobot(root: Path | str, *, use_datasets: bool = True) -> dict[str, Any]:
    """Read an export back and check it: rows per episode = video frames = meta length.

    Returns {"info", "episodes", "tasks", "frames" (pandas DataFrame of all rows),
    "video_frames" (per episode)}; raises TraceError on any disagreement.
    """
    import imageio.v2 as imageio
    import pandas as pd

    root = Path(root)
    try:
        info = json.loads((root / "meta" / "info.json").read_text())
        episodes = [json.loads(s) for s in (root / "meta" / "episodes.jsonl").open() if s.strip()]
        tasks = [json.loads(s) for s in (root / "meta" / "tasks.jsonl").open() if s.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise TraceError(f"{root}: not a readable LeRobot export ({exc})") from None
    frames, video_frames = [], []
    for ep in episodes:
        i = ep["episode_index"]
        chunk = i // info["chunks_size"]
        df = pd.read_parquet(root / info["data_path"].format(episode_chunk=chunk, episode_index=i))
        video = root / info["video_path"].format(
            episode_chunk=chunk, video_key=VIDEO_KEY, episode_index=i
        )
        with imageio.get_reader(video) as reader:
            n_video = sum(1 for _ in reader)
        if not len(df) == n_video == ep["length"]:
            raise TraceError(
                f"{root}: episode {i} has {len(df)} rows, {n_video} video frames and length"
                f" {ep['length']} in meta; they must agree"
            )
        frames.append(df)
        video_frames.append(n_video)
    table = pd.concat(frames, ignore_index=True)
    if len(table) != info["total_frames"] or len(tasks) != info["total_tasks"]:
        raise TraceError(f"{root}: row or task counts disagree with meta/info.json")
    if use_datasets:
        try:
            import datasets
        except ImportError:
            log.info("datasets is not installed; checked with pandas only")
        else:
            files = sorted(str(p) for p in (root / "data").glob("*/*.parquet"))
            ds = datasets.load_dataset("parquet", data_files=files, split="train")
            if len(ds) != len(table):
                raise TraceError(f"{root}: datasets reads {len(ds)} rows, pandas {len(table)}")
    return {
        "info": info,
        "episodes": episodes,
        "tasks": tasks,
        "frames": table,
        "video_frames": video_frames,
    }
