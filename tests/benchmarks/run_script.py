"""Run a benchmark script the way a user does and take back the JSON report it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_script(script: str, *args: str, json_path: Path, timeout: float = 300) -> dict[str, Any]:
    """`python -m benchmarks.<name> ARGS --json json_path` from the repo root for `script` (a path
    such as benchmarks/bench_env.py); asserts it exits 0, that stdout holds the JSON object and
    nothing else, and that the --json file holds the same report."""
    module = script.removesuffix(".py").replace("/", ".")
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--json", str(json_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert json.loads(json_path.read_text()) == report
    return report
