"""The README's two commands on a bare Debian 12 root (about 15 minutes; CI leaves it out).

Run it by hand as root: `HANDEYE_BARE_DEBIAN=1 .venv/bin/python -m pytest tests/test_bare_debian.py`
(or `scripts/bare_debian_check.sh 'make demo' 'make test'` directly).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("HANDEYE_BARE_DEBIAN") != "1" or os.geteuid() != 0,
    reason="set HANDEYE_BARE_DEBIAN=1 and run as root: builds a Debian root (~15 min)",
)
@pytest.mark.timeout(3600)
def test_demo_and_tests_pass_on_a_bare_debian_root():
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "bare_debian_check.sh"), "make demo", "make test"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=3600,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert done.stdout.count("== exit 0") == 2
