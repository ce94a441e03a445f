"""The one way a benchmark script hands back its result: a JSON object on stdout, and the same
text in a file when asked (--json), with floats rounded so reports diff cleanly."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def rounded(value: Any, digits: int = 3) -> Any:
    """`value` with every float inside it (dicts, lists) rounded to `digits`."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def emit(report: dict[str, Any], path: str | Path | None, indent: int = 2) -> str:
    """Print `report` as JSON (floats rounded) and write the same text to `path` if given."""
    text = json.dumps(rounded(report), indent=indent)
    print(text)
    if path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return text


def machine(**extra: Any) -> dict[str, Any]:
    """The machine block every report carries: cores, platform, Python and the load averages
    now (1, 5, 15 min), plus what a script adds (browser versions, GL backend, ...)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(v, 1) for v in os.getloadavg()],
        **extra,
    }
