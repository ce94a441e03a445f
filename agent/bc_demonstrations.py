"""Read robot demonstrations for behaviour cloning from a handeye trace folder or a LeRobot export.

A trace folder (`handeye eval --policy tabletop-expert --trace DIR`) keeps, per step, the PNG
frame the expert acted on and `extra["state"]` / `extra["action_vector"]`; a LeRobot v2 folder
(`agent.lerobot_export`) keeps `observation.state` / `action` rows and one MP4 per episode.
Either becomes a `policies.bc.training.Demonstrations`. A folder with no episodes, frames of
mixed sizes, a missing or unreadable frame, or rows and video that disagree is a TraceError
that names the file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from contracts.errors import TraceError
from policies.bc.training import Demonstrations

log = logging.getLogger(__name__)


def _check_size(frame: np.ndarray, shape: tuple[int, ...] | None, where: str, first: str) -> None:
    if shape is not None and frame.shape != shape:
        raise TraceError(
            f"{where}: frame is {frame.shape[1]}x{frame.shape[0]} but {first} has"
            f" {shape[1]}x{shape[0]}; record all demonstrations at one image size"
        )


def _from_traces(root: Path, only_success: bool) -> Demonstrations:
    from agent.traces import TraceReader

    reader = TraceReader(root)
    images, states, actions, episode, texts, sources = [], [], [], [], [], []
    keypoints: list[np.ndarray] = []
    cameras: list[tuple[np.ndarray, np.ndarray] | None] = []
    shape, first = None, ""
    for meta in reader.episodes():
        if only_success and meta.success is False:
            continue
        path = reader.path(meta.episode_id)
        rows = []
        for rec in reader.steps(meta.episode_id):
            where = f"{path} step {rec.step}"
            if not rec.action:
                continue  # a policy error: nothing was done
            if "state" not in rec.extra or "action_vector" not in rec.extra:
                raise TraceError(
                    f"{where}: no proprio state / action vector in the step's extra; record"
                    " robot demonstrations with --policy tabletop-expert"
                )
            _check_size(rec.frame, shape, where, first)
            shape, first = rec.frame.shape, first or str(path)
            kp = rec.extra.get("keypoints")
            cam = _calibration(rec.extra.get("camera"), where)
            rows.append((rec.frame, rec.extra["state"], rec.extra["action_vector"], kp, cam))
        if not rows:
            continue
        for frame, state, action, kp, cam in rows:
            keypoints.append(_keypoint_labels(kp))
            cameras.append(cam)
            images.append(frame)
            states.append(state)
            actions.append(action)
            episode.append(len(texts))
        texts.append(meta.instruction)
        sources.append(str(path))
    labelled = any(np.isfinite(k).any() for k in keypoints)
    demos = _assemble(
        root, images, states, actions, episode, texts, sources, keypoints if labelled else None
    )
    if cameras and all(c is not None for c in cameras):
        demos = replace(
            demos,
            intrinsics=np.stack([c[0] for c in cameras if c is not None]),
            extrinsics=np.stack([c[1] for c in cameras if c is not None]),
        )
    return demos


def _calibration(camera: object, where: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The frame's (K (3, 3), T_world_camera (4, 4)) from a step's extra, None if not recorded."""
    if camera is None:
        return None
    try:
        K = np.asarray(camera["K"], np.float32)  # type: ignore[index]
        T = np.asarray(camera["T_world_camera"], np.float32)  # type: ignore[index]
    except (KeyError, TypeError, ValueError) as exc:
        raise TraceError(f"{where}: unreadable camera calibration in extra ({exc})") from None
    if K.shape != (3, 3) or T.shape != (4, 4):
        raise TraceError(f"{where}: camera K {K.shape} / T {T.shape}, expected (3, 3) / (4, 4)")
    return K, T


def _keypoint_labels(kp: object) -> np.ndarray:
    """(2, 2) float32 (u, v) pixels of the named object and its target; NaN where unlabelled."""
    out = np.full((2, 2), np.nan, np.float32)
    if isinstance(kp, list):
        for i, point in enumerate(kp[:2]):
            if isinstance(point, list) and len(point) == 2:
                out[i] = point
    return out


def _from_lerobot(root: Path) -> Demonstrations:
    import pandas as pd

    from agent.lerobot_export import VIDEO_KEY

    try:
        import imageio.v2 as imageio
    except ImportError as exc:
        from contracts.errors import missing_extra

        raise missing_extra(exc.name or "imageio", "video") from None
    try:
        info = json.loads((root / "meta" / "info.json").read_text())
        lines = (root / "meta" / "episodes.jsonl").read_text().splitlines()
        episodes = [json.loads(s) for s in lines if s.strip()]
    except (OSError, ValueError) as exc:
        raise TraceError(f"{root}: not a readable LeRobot export ({exc})") from None
    images, states, actions, episode, texts, sources = [], [], [], [], [], []
    shape, first = None, ""
    for ep in episodes:
        i = ep["episode_index"]
        chunk = i // info.get("chunks_size", 1000)
        data = root / info["data_path"].format(episode_chunk=chunk, episode_index=i)
        video = root / info["video_path"].format(
            episode_chunk=chunk, video_key=VIDEO_KEY, episode_index=i
        )
        if not data.is_file() or not video.is_file():
            missing = data if not data.is_file() else video
            raise TraceError(f"{missing}: missing (listed in meta/episodes.jsonl as episode {i})")
        df = pd.read_parquet(data, columns=["observation.state", "action"])
        try:
            with imageio.get_reader(video) as reader:
                frames = [np.asarray(f)[..., :3] for f in reader]
        except (OSError, RuntimeError, ValueError) as exc:
            raise TraceError(f"{video}: not a readable video ({exc})") from None
        if len(frames) != len(df):
            raise TraceError(
                f"{video}: {len(frames)} frames for {len(df)} rows of {data}; frames are missing"
            )
        for j, frame in enumerate(frames):
            _check_size(frame, shape, f"{video} frame {j}", first)
            shape, first = frame.shape, first or str(video)
        images += frames
        states += [np.asarray(s, np.float32) for s in df["observation.state"]]
        actions += [np.asarray(a, np.float32) for a in df["action"]]
        episode += [len(texts)] * len(df)
        texts.append((ep.get("tasks") or [""])[0])
        sources.append(str(data))
    return _assemble(root, images, states, actions, episode, texts, sources)


def _assemble(root, images, states, actions, episode, texts, sources, keypoints=None):  # noqa: ANN001, ANN202
    if not images:
        raise TraceError(
            f"{root}: no demonstration episodes with motor actions here; record some with"
            " `handeye eval --env 'handeye/tabletop-reach-v0' --policy tabletop-expert --trace"
            f" {root}`"
        )
    try:
        return Demonstrations(
            images=np.stack(images),
            states=np.asarray(states, np.float32),
            actions=np.asarray(actions, np.float32),
            episode=np.asarray(episode, np.int64),
            instructions=tuple(texts),
            sources=tuple(sources),
            keypoints=None if keypoints is None else np.stack(keypoints),
        )
    except ValueError as exc:
        raise TraceError(f"{root}: state or action vectors of different lengths ({exc})") from None


def load_demonstrations(path: Path | str, only_success: bool = True) -> Demonstrations:
    """Demonstrations from a trace folder or a LeRobot v2 folder (told apart by meta/info.json)."""
    root = Path(path)
    if not root.is_dir():
        raise TraceError(f"{root}: no such folder of demonstrations")
    info = root / "meta" / "info.json"
    if info.is_file():
        try:
            kind = json.loads(info.read_text())
        except ValueError as exc:
            raise TraceError(f"{info}: not JSON ({exc})") from None
        if "codebase_version" in kind:
            return _from_lerobot(root)
    if not (root / "episodes").is_dir() and not (root / "meta").is_dir():
        raise TraceError(
            f"{root}: neither a handeye trace folder (episodes/, meta/) nor a LeRobot export"
            " (meta/info.json)"
        )
    return _from_traces(root, only_success)
