"""The browser stack says in words why it cannot start: real binaries with a needed library gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envs.browser.check import (
    LIBRARY_PACKAGES,
    _real_binary,
    diagnose,
    driver_executable,
    library_advice,
    missing_library,
)
from envs.browser.pool import find_chromium

ROOT = Path(__file__).resolve().parents[3]


def broken_copy(binary: Path, soname: bytes, tmp_path: Path) -> tuple[Path, str]:
    """A copy of `binary` whose DT_NEEDED entry `soname` names a library no system has."""
    data = binary.read_bytes()
    assert soname in data, f"{binary} does not link {soname!r}"
    gone = soname[:-4] + b"qqqq"  # same length, so the ELF's string table keeps its layout
    out = tmp_path / binary.name
    out.write_bytes(data.replace(soname, gone))
    out.chmod(0o755)
    return out, gone.decode()


def start_pool_in_child(env: dict[str, str], prelude: str = "") -> subprocess.CompletedProcess:
    """`BrowserPool().new_page` in a fresh interpreter (one sync Playwright per thread)."""
    code = (
        prelude + "from contracts.errors import SetupError\n"
        "from envs.browser.pool import BrowserPool\n"
        "pool = BrowserPool()\n"
        "try:\n"
        "    pool.new_page(32, 32)\n"
        "except SetupError as exc:\n"
        "    print('SETUP:', exc)\n"
        "finally:\n"
        "    pool.shutdown()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )


def test_loader_message_names_the_library_and_its_package():
    text = "node: error while loading shared libraries: libatomic.so.1: cannot open shared object"
    assert missing_library(text) == "libatomic.so.1"
    assert missing_library("Connection closed while reading from the driver") is None
    advice = library_advice("libatomic.so.1", "node")
    assert "libatomic.so.1" in advice and "apt-get install libatomic1" in advice
    assert "apt-file search libfoo.so.9" in library_advice("libfoo.so.9", "node")
    assert LIBRARY_PACKAGES["libnss3.so"] == "libnss3"


def test_a_working_binary_has_no_diagnosis_and_a_missing_one_says_so(tmp_path):
    assert diagnose(sys.executable) is None
    assert "does not exist" in diagnose(tmp_path / "nope")


def test_driver_without_its_library_is_explained_not_a_traceback(tmp_path):
    node = driver_executable()
    if node is None:
        pytest.skip("playwright is not installed")
    broken, gone = broken_copy(node, b"libatomic.so.1", tmp_path)
    assert gone in diagnose(broken) and str(broken) in diagnose(broken)
    prelude = (
        "import playwright._impl.transport as t\n"
        "real = t.compute_driver_executable\n"
        f"t.compute_driver_executable = lambda: ({str(broken)!r}, real()[1])\n"
    )
    done = start_pool_in_child(dict(os.environ), prelude)
    assert "SETUP: Playwright's driver did not start" in done.stdout, done.stderr[-2000:]
    assert gone in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_chromium_without_its_library_is_explained_not_a_traceback(tmp_path):
    exe = find_chromium(headless=True)
    real = Path(_real_binary(exe)) if exe else None
    if real is None or real.read_bytes()[:4] != b"\x7fELF":
        pytest.skip("no Chromium ELF binary on this machine")
    broken, gone = broken_copy(real, b"libnss3.so", tmp_path)
    done = start_pool_in_child({**os.environ, "HANDEYE_CHROMIUM": str(broken)})
    assert f"SETUP: {broken} cannot start: the system library {gone} is missing" in done.stdout, (
        done.stdout + done.stderr[-2000:]
    )
    assert "Traceback" not in done.stderr


def test_check_command_starts_the_browser_once():
    done = subprocess.run(
        [sys.executable, "-m", "envs.browser.check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Chromium" in done.stdout and "start" in done.stdout
