"""Episode traces: record each step to parquet with PNG frames that pandas and `datasets` read.

`TraceWriter` appends every step to a spool on disk as it happens (an Arrow IPC stream, flushed
to the OS at once), so a killed process loses at most the step it was writing. `end_episode`
turns the spool into `episodes/<id>.parquet` atomically and appends its metadata line;
`close()`, garbage collection and interpreter exit finish an open episode as incomplete; a
spool left by a dead process is finished the same way by `recover`, which `TraceWriter` runs on
open and `agent.replay.replay` runs before reading. The file layout is in `agent.trace_format`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
import uuid
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from agent.trace_format import (
    ROW_GROUP_SIZE,
    TIMING_KEYS,
    Episode,
    EpisodeMeta,
    StepRecord,
    append_meta,
    arrow_schema,
    decode_png,
    embedded_meta,
    fsync_dir,
    lock_file,
    read_metas,
    read_table,
    step_row,
    write_info,
)
from contracts.errors import TraceError

__all__ = [
    "Episode",
    "EpisodeMeta",
    "StepRecord",
    "TraceReader",
    "TraceWriter",
    "list_episodes",
    "load_episode",
    "recover",
]

log = logging.getLogger(__name__)


def _publish(root: Path, table: Any, meta: EpisodeMeta) -> None:
    """Write an episode's parquet atomically, then its metadata line and the info file."""
    import pyarrow.parquet as pq

    table = table.replace_schema_metadata(arrow_schema(meta).metadata)
    final = root / "episodes" / f"{meta.episode_id}.parquet"
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP_SIZE)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
    except OSError:
        tmp.unlink(missing_ok=True)  # a half-written file must not sit beside the episodes
        raise
    os.replace(tmp, final)
    fsync_dir(final.parent)
    append_meta(root, meta)
    write_info(root)


def _read_spool(f: Any, path: Path) -> tuple[Any, EpisodeMeta] | None:
    """The steps and start metadata in a spool, up to its last whole step; None if unreadable."""
    import pyarrow as pa

    f.seek(0)
    try:
        reader = pa.ipc.open_stream(f)
        meta = json.loads(reader.schema.metadata[b"handeye"])
        meta.pop("format_version", None)
        start = EpisodeMeta.from_dict(meta, str(path))
    except (pa.ArrowException, OSError, KeyError, TypeError, ValueError, TraceError) as exc:
        log.warning("%s: spool has no readable header (%s); no steps to recover", path, exc)
        return None
    batches = []
    while True:
        try:
            batches.append(reader.read_next_batch())
        except StopIteration:
            break
        except (pa.ArrowException, OSError) as exc:
            log.warning("%s: dropping a partly written last step (%s)", path, exc)
            break
    return pa.Table.from_batches(batches, schema=reader.schema), start


def _redacted(table: Any) -> dict[str, Any]:
    """What the stored frames hide, counted from each step's `extra` notes (empty if nothing)."""
    frames: list[list[Any]] = []
    for text in table.column("extra").to_pylist():
        try:
            notes = json.loads(text or "{}")
        except ValueError:
            continue
        if isinstance(notes, dict):
            frames += [notes.get("redacted") or [], notes.get("final_redacted") or []]
    frames = [f for f in frames if f]
    if not frames:
        return {}
    why: dict[str, int] = {}
    for box in (b for f in frames for b in f):
        reason = str(box[4]) if len(box) > 4 else "region"
        why[reason] = why.get(reason, 0) + 1
    return {"frames": len(frames), "boxes": sum(why.values()), "why": why}


def _summarise(table: Any, start: EpisodeMeta, **changes: Any) -> EpisodeMeta:
    rewards = table.column("reward").to_pylist()
    return replace(
        start,
        steps=len(rewards),
        total_reward=float(sum(rewards)),
        redacted=_redacted(table),
        **changes,
    )


def recover(root: Path | str) -> list[EpisodeMeta]:
    """Finish, as incomplete, every episode whose recording process died; returns their metadata."""
    root = Path(root)
    recovered = []
    known: set[str] | None = None
    for path in sorted((root / "spool").glob("*.arrows")):
        with open(path, "rb") as f:
            if not lock_file(f, blocking=False):
                continue  # a live writer owns it
            if not path.exists():
                continue  # its writer finished it while we waited
            if known is None:
                known = {m.episode_id for m in read_metas(root)}
            if path.stem in known:  # published, but died before removing the spool
                path.unlink(missing_ok=True)
                continue
            got = _read_spool(f, path)
            if got is not None:
                table, start = got
                started = datetime.fromisoformat(start.started_at).timestamp()
                duration = max(0.0, path.stat().st_mtime - started)
                meta = _summarise(table, start, complete=False, duration_s=duration)
                _publish(root, table, meta)
                recovered.append(meta)
                log.warning(
                    "recovered incomplete episode %s (%d steps)", meta.episode_id, meta.steps
                )
            path.unlink(missing_ok=True)
    return recovered


class _Recording:
    """The open episode: its start metadata and the locked Arrow IPC spool its steps stream into."""

    def __init__(self, root: Path, start: EpisodeMeta) -> None:
        import pyarrow as pa

        self.root, self.start, self.t0 = root, start, time.monotonic()
        self.path = root / "spool" / f"{start.episode_id}.arrows"
        self.schema = arrow_schema(start)
        self.file = open(self.path, "w+b")  # noqa: SIM115 - held until the episode ends
        lock_file(self.file, blocking=True)
        self.stream = pa.ipc.new_stream(self.file, self.schema)
        self.file.flush()

    def append(self, rec: StepRecord) -> None:
        import pyarrow as pa

        batch = pa.RecordBatch.from_pylist([step_row(rec, self.start)], schema=self.schema)
        self.stream.write_batch(batch)
        self.file.flush()

    def finish(self, success: bool | None, complete: bool) -> EpisodeMeta:
        try:
            self.stream.close()
            self.file.flush()
            got = _read_spool(self.file, self.path)
            if got is None:
                raise TraceError(f"{self.path}: the episode spool became unreadable")
            table, start = got
            duration = time.monotonic() - self.t0
            meta = _summarise(table, start, success=success, complete=complete, duration_s=duration)
            _publish(self.root, table, meta)
            self.path.unlink(missing_ok=True)
            return meta
        finally:
            self.file.close()


class _WriterState:
    """What a TraceWriter owns, kept apart so a finalizer can close it without the writer."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.recording: _Recording | None = None

    def end(self, success: bool | None, complete: bool) -> EpisodeMeta | None:
        rec, self.recording = self.recording, None
        return None if rec is None else rec.finish(success, complete)

    def close(self) -> None:
        if self.recording is not None:
            meta = self.end(None, complete=False)
            log.info("wrote incomplete episode %s", meta.episode_id if meta else "?")


def _write_error(root: Path, exc: OSError) -> TraceError:
    """The error for a trace that cannot be written (a full disk, a read-only folder)."""
    why = exc.strerror or str(exc)
    return TraceError(
        f"cannot write the trace under {root}: {why}; free some space or record elsewhere "
        "(--trace DIR). Episodes finished before this are intact; the open one is recovered "
        "from its spool when the folder is next opened"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:48] or "env"


class TraceWriter:
    """Records episodes under a trace root; a context manager that never loses what it recorded."""

    def __init__(
        self, root: Path | str, *, recover_orphans: bool = True, redaction: Sequence[str] = ()
    ) -> None:
        """`redaction`: the rules the frames given to `add_step` carry boxes for (metadata)."""
        self.root = Path(root)
        self.redaction = list(redaction)
        for sub in ("episodes", "meta", "spool"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._state = _WriterState(self.root)
        self._finalizer = weakref.finalize(self, self._state.close)
        if recover_orphans:
            recover(self.root)
        if not (self.root / "meta" / "info.json").exists():
            write_info(self.root)

    @property
    def episode_id(self) -> str | None:
        """Id of the episode being recorded, or None between episodes."""
        rec = self._state.recording
        return None if rec is None else rec.start.episode_id

    def start_episode(
        self, env_id: str, policy: str, seed: int | None = None, instruction: str = ""
    ) -> str:
        """Open a new episode and return its id; an episode still open is kept as incomplete."""
        if not self._finalizer.alive:
            raise TraceError(f"TraceWriter for {self.root} is closed; open a new one")
        if self._state.recording is not None:
            log.warning("episode %s was not ended; keeping it as incomplete", self.episode_id)
            self._state.end(None, complete=False)
        now = datetime.now(timezone.utc)
        episode_id = f"{now:%Y%m%dT%H%M%S}-{_slug(env_id)}-{uuid.uuid4().hex[:8]}"
        start = EpisodeMeta(
            episode_id=episode_id,
            env_id=env_id,
            policy=policy,
            seed=None if seed is None else int(seed),
            instruction=instruction,
            success=None,
            total_reward=0.0,
            steps=0,
            duration_s=0.0,
            complete=False,
            started_at=now.isoformat(timespec="milliseconds"),
            redaction=self.redaction,
        )
        try:
            self._state.recording = _Recording(self.root, start)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        return episode_id

    def add_step(self, record: StepRecord) -> None:
        """Append one step to the open episode; it is on disk (OS-flushed) when this returns."""
        if self._state.recording is None:
            raise TraceError("add_step needs an open episode; call start_episode first")
        try:
            self._state.recording.append(record)
        except OSError as exc:
            raise _write_error(self.root, exc) from None

    def end_episode(self, success: bool | None, complete: bool = True) -> EpisodeMeta:
        """Close the open episode and write its parquet file and metadata line."""
        try:
            meta = self._state.end(success, complete)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        if meta is None:
            raise TraceError("end_episode needs an open episode; call start_episode first")
        return meta

    def close(self) -> None:
        """Write any open episode as incomplete; safe to call twice."""
        self._finalizer()

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TraceReader:
    """Reads the episodes under a trace root as metadata, pandas frames or StepRecords."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise TraceError(f"{self.root}: no trace here (directory does not exist)")

    def episodes(self) -> list[EpisodeMeta]:
        """Every finished episode, oldest first (files without a metadata line included)."""
        metas = {m.episode_id: m for m in read_metas(self.root)}
        for path in sorted((self.root / "episodes").glob("*.parquet")):
            if path.stem not in metas:
                metas[path.stem] = embedded_meta(path)
        return sorted(metas.values(), key=lambda m: (m.started_at, m.episode_id))

    def __iter__(self) -> Iterator[Episode]:
        for meta in self.episodes():
            yield self.episode(meta.episode_id)

    def path(self, episode_id: str) -> Path:
        """The parquet file of an episode."""
        return self.root / "episodes" / f"{episode_id}.parquet"

    def meta(self, episode_id: str) -> EpisodeMeta:
        """Metadata of one episode; TraceError naming the known ids if it is not there."""
        for m in self.episodes():
            if m.episode_id == episode_id:
                return m
        known = ", ".join(m.episode_id for m in self.episodes()[-5:]) or "none"
        raise TraceError(f"{self.root}: no episode {episode_id!r} (latest: {known})")

    def dataframe(self, episode_id: str) -> Any:
        """One episode as a pandas DataFrame; frames stay {bytes, path} dicts of PNG bytes."""
        return read_table(self.path(episode_id)).to_pandas()

    def steps(self, episode_id: str) -> list[StepRecord]:
        """One episode's steps with frames decoded to H x W x 3 uint8 arrays."""
        path = self.path(episode_id)
        out = []
        for row in read_table(path).to_pylist():
            where = f"{path} step {row['step']}"
            final = row["final_frame"]
            try:
                extra = json.loads(row["extra"] or "{}")
            except json.JSONDecodeError as exc:
                raise TraceError(f"{where}: extra is not JSON ({exc})") from None
            timings = {
                k: row[f"t_{k}"]
                for k in TIMING_KEYS
                if row[f"t_{k}"] is not None and not math.isnan(row[f"t_{k}"])
            }
            out.append(
                StepRecord(
                    step=row["step"],
                    frame=decode_png(_png_bytes(row["frame"], where), where),
                    action=row["action"] or "",
                    reward=row["reward"],
                    terminated=row["terminated"],
                    truncated=row["truncated"],
                    error=row["error"],
                    timings=timings,
                    extra=extra,
                    final_frame=None
                    if final is None
                    else decode_png(_png_bytes(final, where), where),
                )
            )
        return out

    def episode(self, episode_id: str) -> Episode:
        """Metadata and decoded steps of one episode."""
        return Episode(self.meta(episode_id), tuple(self.steps(episode_id)))


def _png_bytes(cell: Any, where: str) -> bytes:
    """The PNG bytes of a frame cell ({bytes, path}); TraceError when the frame is missing."""
    data = cell.get("bytes") if isinstance(cell, dict) else None
    if not data:
        raise TraceError(f"{where}: the frame is missing (the trace was damaged); re-record it")
    return data


def list_episodes(root: Path | str) -> list[EpisodeMeta]:
    """Metadata of every finished episode under a trace root, oldest first."""
    return TraceReader(root).episodes()


def load_episode(root: Path | str, episode_id: str) -> Episode:
    """One episode with decoded frames."""
    return TraceReader(root).episode(episode_id)


_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """'7d', '12h', '30m', '90s', '2w' -> seconds; TraceError saying the form otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text or "")
    if not match:
        raise TraceError(f"age {text!r}: write a number and a unit s, m, h, d or w, e.g. 7d")
    return float(match[1]) * _AGE_UNITS[match[2]]


def prune(
    root: Path | str, *, older_than_s: float | None = None, keep: int | None = None
) -> list[str]:
    """Delete finished episodes started more than `older_than_s` ago and/or all but the newest
    `keep`, with their saved frames; returns the ids deleted. Episodes being recorded are kept."""
    import shutil

    if older_than_s is None and keep is None:
        raise TraceError("prune needs --older-than AGE or --keep N (or both)")
    if keep is not None and keep < 0:
        raise TraceError(f"--keep must be >= 0, got {keep}")
    root = Path(root)
    metas = TraceReader(root).episodes()
    doomed: set[str] = set()
    if older_than_s is not None:
        cutoff = time.time() - older_than_s
        for m in metas:
            if datetime.fromisoformat(m.started_at).timestamp() < cutoff:
                doomed.add(m.episode_id)
    if keep is not None:
        doomed.update(m.episode_id for m in metas[: max(0, len(metas) - keep)])
    if not doomed:
        return []
    path = root / "meta" / "episodes.jsonl"
    if path.exists():
        with open(path, "r+b") as f:  # rewritten in place under the writers' lock
            lock_file(f, blocking=True)
            kept = [
                line
                for line in f.read().split(b"\n")
                if line.strip() and _line_id(line) not in doomed
            ]
            f.seek(0)
            f.truncate()
            f.write(b"".join(line + b"\n" for line in kept))
            f.flush()
            os.fsync(f.fileno())
    for episode_id in sorted(doomed):
        (root / "episodes" / f"{episode_id}.parquet").unlink(missing_ok=True)
        shutil.rmtree(root / "frames" / episode_id, ignore_errors=True)
    write_info(root)
    log.info("pruned %d episodes from %s", len(doomed), root)
    return sorted(doomed)


def _line_id(line: bytes) -> str | None:
    try:
        return json.loads(line).get("episode_id")
    except (ValueError, AttributeError):
        return None
