"""Training sets from recorded traces: one parquet row per step, split by episode, with a card.

`build_dataset` reads handeye trace folders (browser, desktop, terminal, robot) and writes

    data/train.parquet, data/test.parquet   episode_id, step, env_id, source, instruction,
                                            history (earlier actions), action (canonical,
                                            observation pixels), reply (the target in the
                                            model family's grounding format), family,
                                            prompt, width, height, model_width,
                                            model_height, image ({bytes: PNG, path})
    meta/card.json                          sources, counts, family, format, resize

Both pandas and `datasets.load_dataset("parquet", data_dir=OUT/data)` read it (the image
column carries the Hugging Face Image feature). Everything is written to a temporary
folder beside `out` and renamed into place, so a bad input leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contracts.errors import GroundingError, SetupError, TraceError

log = logging.getLogger(__name__)

CARD_FORMAT = "handeye-sft"
CARD_VERSION = 1
SPLITS = ("train", "test")
_STRING = {"dtype": "string", "_type": "Value"}
_INT = {"dtype": "int64", "_type": "Value"}
# Column order and Hugging Face `datasets` feature of every column of a split file.
FEATURES: dict[str, Any] = {
    "episode_id": _STRING,
    "step": _INT,
    "env_id": _STRING,
    "source": _STRING,
    "instruction": _STRING,
    "history": {"feature": _STRING, "_type": "Sequence"},
    "action": _STRING,
    "reply": _STRING,
    "family": _STRING,
    "prompt": _STRING,
    "width": _INT,
    "height": _INT,
    "model_width": _INT,
    "model_height": _INT,
    "image": {"_type": "Image"},
}


@dataclass(frozen=True)
class DatasetConfig:
    """Options of `handeye dataset build`; CLI flags map 1:1 onto these fields.

    family: the model family whose reply format the targets use (qwen2_5_vl: pixels of
    the smart-resized image; qwen3_vl and generic: 0-1000). prompt: the prompt task the
    model will be asked with (next_action or point). test_fraction: share of episodes
    held out (at least one when there are two or more). max_pixels: the processor's
    resize bound the model will run with (default: the family's). history: how many
    earlier actions each row carries. overwrite: replace an existing `out`.
    """

    family: str = "qwen2_5_vl"
    prompt: str = "next_action"
    test_fraction: float = 0.2
    seed: int = 0
    max_pixels: int | None = None
    history: int = 8
    overwrite: bool = False


@dataclass(frozen=True)
class DatasetCard:
    """What a build wrote: meta/card.json as a dataclass."""

    format: str
    version: int
    family: str
    prompt: str
    reply_format: str
    coords: str
    resize: dict[str, Any]
    sources: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]
    skipped_steps: int
    created_at: str
    columns: list[str] = field(default_factory=lambda: list(FEATURES))

    @classmethod
    def read(cls, root: Path | str) -> DatasetCard:
        """The card of a built dataset; SetupError when the folder is not one."""
        path = Path(root) / "meta" / "card.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SetupError(
                f"{root}: not a handeye training set ({path} unreadable: {exc}); "
                "build one with `handeye dataset build TRACES --out DIR`"
            ) from None
        if data.get("format") != CARD_FORMAT:
            raise SetupError(f"{path}: format {data.get('format')!r}, expected {CARD_FORMAT!r}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _split_of(episode_ids: list[str], fraction: float, seed: int) -> dict[str, str]:
    """Episode id -> split, by a seeded hash so a rebuild with more traces keeps old choices."""
    if not 0 <= fraction < 1:
        raise SetupError(f"test_fraction must be in [0, 1), got {fraction}")
    order = sorted(episode_ids, key=lambda e: hashlib.sha1(f"{seed}:{e}".encode()).hexdigest())
    n_test = max(1, round(fraction * len(order))) if fraction > 0 and len(order) >= 2 else 0
    return {e: ("test" if i < n_test else "train") for i, e in enumerate(order)}


def _image_size(png: bytes, where: str) -> tuple[int, int]:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as im:
            return im.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise TraceError(f"{where}: frame is not a readable PNG ({exc})") from None


def _episode_files(trace: Path) -> list[tuple[Any, Path]]:
    from agent.traces import TraceReader

    if (trace / "meta" / "card.json").is_file():
        raise TraceError(
            f"{trace} is a built training set, not a trace folder; pass the trace folders "
            "it came from (written by `handeye eval --trace`)"
        )
    reader = TraceReader(trace)
    metas = reader.episodes()
    if not metas:
        raise TraceError(
            f"{trace}: no finished episodes (record some with `handeye eval --policy expert "
            "--trace DIR`)"
        )
    return [(m, reader.path(m.episode_id)) for m in metas]


def _rows(
    traces: Sequence[Path], cfg: DatasetConfig, on_episode: Callable[[str], None] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, dict[str, Any]]:
    from agent.trace_format import read_table
    from perception.vlm.families import get_family
    from perception.vlm.replies import render_reply, reply_frame

    family = get_family(cfg.family)
    rows, sources, skipped = [], [], 0
    size: tuple[int, int] | None = None
    first_where = ""
    frame = None
    for trace in traces:
        episodes = _episode_files(trace)
        sources.append({"path": str(trace), "episodes": len(episodes)})
        for meta, path in episodes:
            history: list[str] = []
            for row in read_table(path).to_pylist():
                where = f"{path} step {row['step']}"
                if not row["action"]:
                    skipped += 1  # the policy produced no action (an error): nothing to learn
                    continue
                image = row.get("frame") or {}
                if not image.get("bytes"):
                    raise TraceError(f"{where}: the frame is missing (no PNG bytes in the row)")
                w, h = _image_size(image["bytes"], where)
                if size is None:
                    size, first_where = (w, h), where
                    frame = reply_frame(family, w, h, cfg.max_pixels)
                elif (w, h) != size:
                    raise TraceError(
                        f"{where}: frame is {w}x{h} but {first_where} is {size[0]}x{size[1]}; "
                        "a training set holds one frame size (record at one size, or build "
                        "one set per size)"
                    )
                try:
                    reply = render_reply(row["action"], family, frame, cfg.prompt, where)
                except GroundingError as exc:
                    raise TraceError(str(exc)) from None
                rows.append(
                    {
                        "episode_id": meta.episode_id,
                        "step": int(row["step"]),
                        "env_id": meta.env_id,
                        "source": str(trace),
                        "instruction": row["instruction"] or meta.instruction,
                        "history": history[-cfg.history :] if cfg.history else [],
                        "action": row["action"],
                        "reply": reply,
                        "family": family.name,
                        "prompt": cfg.prompt,
                        "width": w,
                        "height": h,
                        "model_width": frame.model_size[0],
                        "model_height": frame.model_size[1],
                        "image": {"bytes": image["bytes"], "path": None},
                    }
                )
                history = [*history, row["action"]]
            if on_episode is not None:
                on_episode(meta.episode_id)
    if not rows:
        raise TraceError(f"no step with an action in {[str(t) for t in traces]}")
    assert size is not None and frame is not None
    resize = {
        "obs_size": list(size),
        "model_size": list(frame.model_size),
        "factor": family.factor,
        "min_pixels": family.min_pixels,
        "max_pixels": cfg.max_pixels or family.max_pixels,
    }
    return rows, sources, skipped, resize


def _write_split(path: Path, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    types = {"string": pa.string(), "int64": pa.int64()}
    schema = pa.schema(
        [
            pa.field(
                name,
                image
                if f["_type"] == "Image"
                else pa.list_(pa.string())
                if f["_type"] == "Sequence"
                else types[f["dtype"]],
            )
            for name, f in FEATURES.items()
        ]
    ).with_metadata({"huggingface": json.dumps({"info": {"features": FEATURES}})})
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path, row_group_size=64)


def build_dataset(
    traces: Sequence[Path | str],
    out: Path | str,
    config: DatasetConfig | None = None,
    on_episode: Callable[[str], None] | None = None,
) -> DatasetCard:
    """Turn trace folders into a training set at `out` (see the module docstring)."""
    from perception.vlm.families import get_family
    from perception.vlm.replies import reply_style

    cfg = config or DatasetConfig()
    family = get_family(cfg.family)
    style = reply_style(family, cfg.prompt)
    if not traces:
        raise SetupError("name at least one trace folder to build from")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not cfg.overwrite:
        raise SetupError(f"{out} exists and is not empty; choose another --out or --overwrite")
    paths = [Path(t) for t in traces]
    rows, sources, skipped, resize = _rows(paths, cfg, on_episode)
    split = _split_of(sorted({r["episode_id"] for r in rows}), cfg.test_fraction, cfg.seed)
    counts: dict[str, dict[str, int]] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "data").mkdir()
        (tmp / "meta").mkdir()
        for name in SPLITS:
            part = [r for r in rows if split[r["episode_id"]] == name]
            counts[name] = {"rows": len(part), "episodes": len({r["episode_id"] for r in part})}
            if part:
                _write_split(tmp / "data" / f"{name}.parquet", part)
        card = DatasetCard(
            format=CARD_FORMAT,
            version=CARD_VERSION,
            family=family.name,
            prompt=cfg.prompt,
            reply_format=style,
            coords=family.coords,
            resize=resize,
            sources=sources,
            counts=counts,
            skipped_steps=skipped,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        (tmp / "meta" / "card.json").write_text(json.dumps(asdict(card), indent=2))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %s: %s", out, counts)
    return card


def load_split(root: Path | str, split: str = "train") -> Any:
    """One split of a built training set as a pandas DataFrame (image stays {bytes, path})."""
    import pandas as pd

    DatasetCard.read(root)
    path = Path(root) / "data" / f"{split}.parquet"
    if not path.is_file():
        raise SetupError(f"{root} has no {split!r} split ({path} missing)")
    return pd.read_parquet(path)
