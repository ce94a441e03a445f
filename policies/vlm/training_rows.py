"""A training set's rows as `handeye train vlm` reads them, checked against the set's card.

A set written by `handeye dataset build` holds one model family, one prompt and one frame
size; a split edited or concatenated by hand can break that, and training on it would teach
replies in another coordinate system. Every row is checked before a model loads, and the
first bad one is named (file, row, episode, step).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.errors import SetupError


def read_training_set(root: Path | str, split: str) -> tuple[dict[str, Any], Any]:
    """(card, rows as a pandas DataFrame) of a set written by `handeye dataset build`."""
    import pandas as pd

    root = Path(root)
    card_path = root / "meta" / "card.json"
    try:
        card = json.loads(card_path.read_text())
    except (OSError, ValueError) as exc:
        raise SetupError(
            f"{root}: not a handeye training set ({card_path}: {exc}); build one with "
            "`handeye dataset build TRACES --out DIR`"
        ) from None
    path = root / "data" / f"{split}.parquet"
    if not path.is_file():
        raise SetupError(f"{root} has no {split!r} split ({path} missing)")
    rows = pd.read_parquet(path)
    if rows.empty:
        raise SetupError(f"{path} has no rows")
    check_rows(card, rows, path)
    return card, rows


def check_rows(card: dict[str, Any], rows: Any, path: Path) -> None:
    """Refuse a split whose rows disagree with its card (family, prompt, frame or model size)
    or lack a frame, naming the first such row: a set holds one of each, as built."""
    resize = card.get("resize") or {}
    expected = {
        "family": card.get("family"),
        "prompt": card.get("prompt"),
        "size": tuple(resize.get("obs_size") or ()),
        "model size": tuple(resize.get("model_size") or ()),
    }
    for i, row in enumerate(rows.itertuples(index=False)):
        where = f"{path} row {i} (episode {row.episode_id} step {row.step})"
        image = row.image if isinstance(row.image, dict) else {}
        if not image.get("bytes"):
            raise SetupError(f"{where}: the frame is missing; rebuild the set from its traces")
        found = {
            "family": row.family,
            "prompt": row.prompt,
            "size": (int(row.width), int(row.height)),
            "model size": (int(row.model_width), int(row.model_height)),
        }
        for key, want in expected.items():
            if want and found[key] != want:
                raise SetupError(
                    f"{where}: {key} {found[key]} but the set's card says {want}; a training "
                    "set holds one model family, prompt and frame size: rebuild it with "
                    "`handeye dataset build` (one set per family or frame size)"
                )
