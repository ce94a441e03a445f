"""The on-disk trace format: step and episode records, the parquet schema, PNG frames, meta files.

Layout under a trace root (LeRobot-like, open formats only):

    episodes/<episode_id>.parquet  one row per step; `frame` is {bytes: PNG, path: null},
                                   the Hugging Face `datasets` Image feature
    meta/episodes.jsonl            one EpisodeMeta line per finished episode
    meta/info.json                 format version, features, counts
    spool/<episode_id>.arrows      the episode being recorded (Arrow IPC stream)

`agent.traces` records and reads episodes in this format.
"""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import TraceError

log = logging.getLogger(__name__)

FORMAT = "handeye-trace"
FORMAT_VERSION = 1
TIMING_KEYS = ("capture", "policy", "act")
PNG_COMPRESS_LEVEL = 1  # ~3x faster than the default 6; PNG stays lossless
ROW_GROUP_SIZE = 64
REDACT_FILL = (128, 128, 128)  # the flat colour of redacted boxes in stored frames

_IMAGE = {"_type": "Image"}
_STRING = {"dtype": "string", "_type": "Value"}
_INT = {"dtype": "int64", "_type": "Value"}
_FLOAT = {"dtype": "float64", "_type": "Value"}
_BOOL = {"dtype": "bool", "_type": "Value"}
# Column order and Hugging Face `datasets` feature of every column of an episode file.
FEATURES: dict[str, dict[str, str]] = {
    "episode_id": _STRING,
    "step": _INT,
    "env_id": _STRING,
    "instruction": _STRING,
    "action": _STRING,
    "reward": _FLOAT,
    "terminated": _BOOL,
    "truncated": _BOOL,
    "error": _STRING,
    "t_capture": _FLOAT,
    "t_policy": _FLOAT,
    "t_act": _FLOAT,
    "extra": _STRING,
    "frame": _IMAGE,
    "final_frame": _IMAGE,
}


@dataclass(frozen=True, eq=False)
class StepRecord:
    """One policy step: the frame the policy saw, what it did, and what came back."""

    step: int
    frame: np.ndarray  # H x W x 3 uint8, the observation the policy acted on
    action: str = ""  # canonical action string (contracts.actions.format_action), "" if none
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    error: str | None = None  # info["error"] from the env, if any
    timings: dict[str, float] = field(default_factory=dict)  # seconds, keys in TIMING_KEYS
    extra: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable notes
    final_frame: np.ndarray | None = None  # observation after this (last) action, if given
    # Boxes [x0, y0, x1, y1, why] (pixels) painted over in `frame` / `final_frame` when stored.
    redact: tuple[tuple[Any, ...], ...] = ()
    final_redact: tuple[tuple[Any, ...], ...] = ()

    def __post_init__(self) -> None:
        _check_frame(self.frame, f"step {self.step} frame")
        if self.final_frame is not None:
            _check_frame(self.final_frame, f"step {self.step} final_frame")
        unknown = set(self.timings) - set(TIMING_KEYS)
        if unknown:
            raise TraceError(
                f"step {self.step} timings has unknown keys {sorted(unknown)}; "
                f"use {TIMING_KEYS} (seconds) and put anything else in `extra`"
            )


@dataclass(frozen=True)
class EpisodeMeta:
    """Summary of one recorded episode, one line of meta/episodes.jsonl."""

    episode_id: str
    env_id: str
    policy: str
    seed: int | None
    instruction: str
    success: bool | None
    total_reward: float
    steps: int
    duration_s: float
    complete: bool  # False when the session stopped (Ctrl-C, crash) before the episode ended
    started_at: str  # ISO 8601, UTC
    redaction: list[str] = field(default_factory=list)  # the rules stored frames were hidden by
    redacted: dict[str, Any] = field(default_factory=dict)  # frames, boxes, boxes per reason

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> EpisodeMeta:
        """Build from a parsed JSON object; `where` names the file in the error."""
        required = [
            f.name
            for f in fields(cls)
            if f.default is MISSING and f.default_factory is MISSING  # type: ignore[misc]
        ]
        missing = [n for n in required if n not in data]
        if missing:
            raise TraceError(f"{where}: episode metadata lacks {missing}")
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True, eq=False)
class Episode:
    """A recorded episode read back: its metadata and its steps with decoded frames."""

    meta: EpisodeMeta
    steps: tuple[StepRecord, ...]


def _check_frame(frame: Any, what: str) -> None:
    if (
        not isinstance(frame, np.ndarray)
        or frame.ndim != 3
        or frame.shape[2] != 3
        or frame.dtype != np.uint8
    ):
        got = f"shape {getattr(frame, 'shape', None)} dtype {getattr(frame, 'dtype', None)}"
        raise TraceError(f"{what} must be an H x W x 3 uint8 array, got {got}")


def encode_png(frame: np.ndarray) -> bytes:
    """PNG bytes of an H x W x 3 uint8 frame, compressed lightly for speed."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(frame).save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def decode_png(data: bytes, where: str) -> np.ndarray:
    """H x W x 3 uint8 array from PNG bytes; `where` names the file and step in the error."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise TraceError(f"{where}: frame is not a readable PNG ({exc})") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def arrow_schema(meta: EpisodeMeta) -> Any:
    import pyarrow as pa

    image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
    types["bool"] = pa.bool_()
    cols = [
        pa.field(name, image if f["_type"] == "Image" else types[f["dtype"]])
        for name, f in FEATURES.items()
    ]
    return pa.schema(cols).with_metadata(
        {
            "huggingface": json.dumps({"info": {"features": FEATURES}}),
            "handeye": json.dumps({"format_version": FORMAT_VERSION, **asdict(meta)}),
        }
    )


def fill_boxes(frame: np.ndarray, boxes: Any) -> np.ndarray:
    """A copy of `frame` (H x W x 3 uint8) with every [x0, y0, x1, y1, ...] box (pixels) painted
    one flat colour, so nothing of what was there survives; `frame` itself if no boxes."""
    boxes = list(boxes)
    if not boxes:
        return frame
    out = np.array(frame, copy=True)
    h, w = out.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = (int(v) for v in box[:4])
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = REDACT_FILL
    return out


def step_row(rec: StepRecord, meta: EpisodeMeta) -> dict[str, Any]:
    """One parquet row; the frames are stored with their redaction boxes painted over."""
    notes = rec.extra
    if rec.redact or rec.final_redact:
        notes = {**notes, "redacted": [list(b) for b in rec.redact]}
        if rec.final_redact:
            notes["final_redacted"] = [list(b) for b in rec.final_redact]
    try:
        extra = json.dumps(notes, default=_json_default, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise TraceError(f"step {rec.step} extra is not JSON-serialisable: {exc}") from None
    final = None if rec.final_frame is None else fill_boxes(rec.final_frame, rec.final_redact)
    return {
        "episode_id": meta.episode_id,
        "step": int(rec.step),
        "env_id": meta.env_id,
        "instruction": meta.instruction,
        "action": rec.action,
        "reward": float(rec.reward),
        "terminated": bool(rec.terminated),
        "truncated": bool(rec.truncated),
        "error": None if rec.error is None else str(rec.error),
        **{f"t_{k}": rec.timings.get(k) for k in TIMING_KEYS},
        "extra": extra,
        "frame": {"bytes": encode_png(fill_boxes(rec.frame, rec.redact)), "path": None},
        "final_frame": None if final is None else {"bytes": encode_png(final), "path": None},
    }


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform; the rename is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def lock_file(f: Any, blocking: bool) -> bool:
    """Take an exclusive flock on an open file; False if another open file holds it."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): one writer per root is assumed
        return True
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def read_metas(root: Path) -> list[EpisodeMeta]:
    """Episode lines of meta/episodes.jsonl; a truncated last line (crash mid-write) is skipped."""
    path = root / "meta" / "episodes.jsonl"
    if not path.exists():
        return []
    lines = [(n, s) for n, s in enumerate(path.read_text("utf-8").split("\n"), 1) if s.strip()]
    metas = []
    for i, (lineno, line) in enumerate(lines):
        try:
            metas.append(EpisodeMeta.from_dict(json.loads(line), f"{path}:{lineno}"))
        except (json.JSONDecodeError, TypeError, TraceError) as exc:
            if i == len(lines) - 1:
                log.warning("%s:%d: skipping a truncated last line (%s)", path, lineno, exc)
                continue
            raise TraceError(
                f"{path}:{lineno}: corrupt episode line ({exc}); fix or delete that line"
            ) from None
    return metas


def append_meta(root: Path, meta: EpisodeMeta) -> None:
    path = root / "meta" / "episodes.jsonl"
    line = json.dumps(asdict(meta), ensure_ascii=False) + "\n"
    with open(path, "a+b") as f:
        lock_file(f, blocking=True)
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size:
            # A crash mid-append leaves a partial last line: cut it so only the end is ever
            # broken. Its episode is still listed from the metadata inside its parquet file.
            f.seek(max(0, size - 65536))
            tail = f.read()
            if not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n")
                f.truncate(size - len(tail) + cut + 1 if cut >= 0 else 0)
        f.seek(0, os.SEEK_END)
        f.write(line.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def write_info(root: Path) -> None:
    metas = read_metas(root)
    info = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "layout": {"episodes": "episodes/{episode_id}.parquet", "meta": "meta/episodes.jsonl"},
        "image_format": "png",
        "features": FEATURES,
        "total_episodes": len(metas),
        "complete_episodes": sum(m.complete for m in metas),
        "successful_episodes": sum(m.success is True for m in metas),
        "total_steps": sum(m.steps for m in metas),
        "env_ids": sorted({m.env_id for m in metas}),
        "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_atomic(root / "meta" / "info.json", json.dumps(info, indent=2).encode("utf-8"))


def read_table(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.exists():
        raise TraceError(f"{path}: episode file does not exist")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise TraceError(
            f"{path}: not a readable parquet trace ({exc}); the file is truncated or corrupt"
        ) from None
    missing = [c for c in FEATURES if c not in table.column_names]
    if missing:
        raise TraceError(f"{path}: not a handeye trace, columns {missing} are missing")
    return table


def embedded_meta(path: Path) -> EpisodeMeta:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        raw = pq.read_schema(path).metadata[b"handeye"]
        data = json.loads(raw)
    except (pa.ArrowException, OSError, KeyError, TypeError, ValueError) as exc:
        raise TraceError(f"{path}: no readable episode metadata in the file ({exc})") from None
    data.pop("format_version", None)
    return EpisodeMeta.from_dict(data, str(path))
