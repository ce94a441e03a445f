"""Why the browser stack cannot start, in words: the missing system library and its package.

Playwright's driver (a bundled node) and Chromium are dynamically linked; on a bare
Debian/Ubuntu root they die in the loader with "error while loading shared libraries",
which Playwright reports only as "Connection closed while reading from the driver" or a
long launch log. `diagnose` runs the binary once with `--version` and turns the loader's
message into one sentence naming the library, the Debian package and the command that
fixes it. `python -m envs.browser.check` starts the driver and a browser once (setup.sh
runs it after an install) and exits non-zero with that sentence when they do not start.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# Sonames of what Playwright's driver and Chromium load, and the Debian package of each (the
# Ubuntu 24.04 "t64" names differ; setup.sh picks whichever the archive has).
LIBRARY_PACKAGES = {
    "libatomic.so.1": "libatomic1",
    "libnss3.so": "libnss3",
    "libnssutil3.so": "libnss3",
    "libsmime3.so": "libnss3",
    "libnspr4.so": "libnspr4",
    "libplc4.so": "libnspr4",
    "libplds4.so": "libnspr4",
    "libasound.so.2": "libasound2",
    "libatk-1.0.so.0": "libatk1.0-0",
    "libatk-bridge-2.0.so.0": "libatk-bridge2.0-0",
    "libatspi.so.0": "libatspi2.0-0",
    "libcairo.so.2": "libcairo2",
    "libcups.so.2": "libcups2",
    "libdbus-1.so.3": "libdbus-1-3",
    "libdrm.so.2": "libdrm2",
    "libgbm.so.1": "libgbm1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libX11.so.6": "libx11-6",
    "libxcb.so.1": "libxcb1",
    "libXcomposite.so.1": "libxcomposite1",
    "libXdamage.so.1": "libxdamage1",
    "libXext.so.6": "libxext6",
    "libXfixes.so.3": "libxfixes3",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libXrandr.so.2": "libxrandr2",
    "libexpat.so.1": "libexpat1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libudev.so.1": "libudev1",
    "libstdc++.so.6": "libstdc++6",
}
_LOADER_RE = re.compile(r"error while loading shared libraries: ([^\s:]+)")


def missing_library(text: str) -> str | None:
    """The soname a dynamic loader message says it could not load, or None."""
    m = _LOADER_RE.search(text)
    return m.group(1) if m else None


def library_advice(soname: str, binary: str) -> str:
    """One sentence: what `binary` lacks and the command that installs it."""
    package = LIBRARY_PACKAGES.get(soname)
    fix = (
        f"install it with `apt-get install {package}` (or run `make setup` as root)"
        if package
        else "install the package that ships it (`apt-file search " + soname + "` names it)"
    )
    return f"{binary} cannot start: the system library {soname} is missing; {fix}"


def diagnose(binary: str | Path, timeout: float = 30.0) -> str | None:
    """Run `binary --version` once; a sentence on why it cannot start, or None if it runs."""
    path = Path(binary)
    if not path.exists():
        return f"{path} does not exist"
    try:
        done = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except PermissionError:
        return f"{path} is not executable (chmod +x it, or reinstall the package that ships it)"
    except OSError as exc:
        return f"{path} cannot be run: {exc}"
    except subprocess.TimeoutExpired:
        return None  # it started; whatever hangs is not a missing library
    soname = missing_library(done.stderr + done.stdout)
    if soname:
        return library_advice(soname, str(path))
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"{path} --version exited {done.returncode}: {tail[0]}"
    return None


def driver_executable() -> Path | None:
    """The node binary that runs Playwright's driver, or None when Playwright is absent."""
    try:
        from playwright._impl import transport  # the module that starts the driver
    except ImportError:
        return None
    return Path(transport.compute_driver_executable()[0])


def driver_failure(exc: BaseException) -> str:
    """Why Playwright's driver did not start, in words, with the fix."""
    node = driver_executable()
    cause = diagnose(node) if node is not None else None
    if cause is None:
        soname = missing_library(str(exc))
        cause = library_advice(soname, "Playwright's driver") if soname else None
    if cause is None and "Sync API inside the asyncio loop" in str(exc):
        cause = (
            "a Playwright sync API is already running in this thread (or an asyncio loop is); "
            "close the other one first, or use this env from another thread"
        )
    return f"Playwright's driver did not start: {cause or exc}"


def browser_failure(exe: str | None, exc: BaseException) -> str:
    """Why Chromium did not launch, in words, with the fix."""
    soname = missing_library(str(exc))
    if soname:
        return library_advice(soname, exe or "Playwright's Chromium")
    cause = diagnose(_real_binary(exe)) if exe else None
    if cause:
        return cause
    first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
    hint = (
        "set HANDEYE_CHROMIUM to a Chromium binary, install Debian's `chromium` package "
        "(`make setup` does it as root), or run `playwright install chromium`"
    )
    return f"could not start Chromium ({exe or 'Playwright default'}): {first[0]}\n{hint}"


def _real_binary(exe: str) -> str:
    """The ELF behind a Debian wrapper script (/usr/bin/chromium execs /usr/lib/chromium/...)."""
    path = Path(exe)
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return exe
    if head.startswith(b"#!"):
        m = re.search(rb"(/\S+/chrom[\w.-]+)", head)
        if m and Path(m.group(1).decode()).exists():
            return m.group(1).decode()
    return exe


def main() -> int:
    """Start the driver and a headless browser once; print what is missing and exit 1 if not."""
    from contracts.errors import SetupError
    from envs.browser.pool import BrowserPool

    pool = BrowserPool()
    try:
        handle = pool.new_page(64, 64)
        handle.page.set_content("<p>ok</p>")
        version = pool.version
    except SetupError as exc:
        print(f"browser check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        pool.shutdown()
    print(f"browser check: Playwright driver and Chromium {version} start")
    return 0


if __name__ == "__main__":
    sys.exit(main())
