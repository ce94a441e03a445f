"""An X display to act on: a private Xvfb that handeye starts and kills, or the one in $DISPLAY.

`Xvfb()` asks the server for a free display number (`-displayfd`), so parallel tests and
users' own displays never collide, and is ready when the constructor returns.
`open_display("xvfb" | "attach" | ":N")` is the one way the desktop env gets a display.
"""

from __future__ import annotations

import logging
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from typing import IO

from contracts.errors import EnvError, SetupError
from perception.capture.sources import no_display_error

log = logging.getLogger(__name__)

XVFB_FLAGS = ("-nolisten", "tcp", "-ac", "-noreset")


def _placeholder_xauth_entry() -> bytes:
    """One Xauthority record for a display nobody has: it matches no server, so no cookie is
    sent, but the file is not empty (python-xlib prints a warning to stdout for an empty one)."""

    def counted(value: bytes) -> bytes:
        return struct.pack(">H", len(value)) + value

    family_local = 256
    return struct.pack(">H", family_local) + b"".join(
        counted(v) for v in (b"handeye-placeholder", b"65535", b"MIT-MAGIC-COOKIE-1", bytes(16))
    )


def ensure_xauthority() -> str:
    """Point $XAUTHORITY at a non-empty file, writing a placeholder one when there is none.

    python-xlib (under pyautogui) refuses to connect, even to an Xvfb started with `-ac`,
    when ~/.Xauthority is missing. Returns the path in use.
    """
    path = os.environ.get("XAUTHORITY") or str(Path.home() / ".Xauthority")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        path = str(Path(tempfile.gettempdir()) / f"handeye-{os.getuid()}.Xauthority")
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            Path(path).write_bytes(_placeholder_xauth_entry())
        os.environ["XAUTHORITY"] = path
    return path


def display_reachable(name: str, timeout_s: float = 1.0) -> bool:
    """Whether an X server answers at local display `name` (':N' or ':N.S') on its Unix socket."""
    if not name.startswith(":"):
        return True  # a remote display: leave it to the X client to try
    number = name[1:].split(".")[0]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(f"/tmp/.X11-unix/X{number}")
    except OSError:
        return False
    finally:
        sock.close()
    return True


def _screen_size(name: str) -> tuple[int, int]:
    """(width, height) of the display's whole screen, in pixels."""
    from perception.capture.sources import MssSource

    with MssSource(monitor=0, display=name) as src:
        return src.size


class Display:
    """A display handeye did not start ($DISPLAY or a named one): attached, never killed."""

    owned = False

    def __init__(self, name: str | None = None) -> None:
        name = name or os.environ.get("DISPLAY")
        if not name:
            raise no_display_error(None)
        if not display_reachable(name):
            raise no_display_error(name, "no X server answers there")
        ensure_xauthority()
        self.name = name
        self.size = _screen_size(name)

    def child_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a process that should open its windows on this display."""
        env = dict(os.environ, DISPLAY=self.name, XAUTHORITY=ensure_xauthority())
        env.update(extra or {})
        return env

    @property
    def alive(self) -> bool:
        return display_reachable(self.name)

    def close(self) -> None:
        """Nothing to stop: the display belongs to someone else."""

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, size={self.size})"


def _kill(proc: subprocess.Popen, log_file: IO[bytes]) -> None:
    """Stop Xvfb: SIGTERM, then SIGKILL if it lingers; always reap it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)
    log_file.close()


class Xvfb(Display):
    """A private virtual X server (width x height x depth), killed on close() or at exit."""

    owned = True

    def __init__(
        self, width: int = 1280, height: int = 720, depth: int = 24, timeout_s: float = 10.0
    ) -> None:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise SetupError(
                "Xvfb is not installed; run `apt-get install xvfb` (Debian/Ubuntu; `make setup` "
                "does it as root) or `dnf install xorg-x11-server-Xvfb`, or attach to a running "
                "X server with DISPLAY set"
            )
        if width <= 0 or height <= 0 or depth not in (8, 16, 24):
            raise EnvError(f"bad Xvfb screen {width}x{height}x{depth}; depth is 8, 16 or 24")
        ensure_xauthority()
        # Xvfb's log goes to a file: a pipe nobody drains could fill up and stall the server.
        self._log = tempfile.TemporaryFile(prefix="handeye-xvfb-")  # noqa: SIM115 - lives with Xvfb
        read_fd, write_fd = os.pipe()
        cmd = [exe, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x{depth}"]
        try:
            self.proc = subprocess.Popen(
                [*cmd, *XVFB_FLAGS],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                start_new_session=True,  # a Ctrl-C meant for the agent does not kill the display
            )
        finally:
            os.close(write_fd)
        self._finalizer = weakref.finalize(self, _kill, self.proc, self._log)
        try:
            number = self._read_display_number(read_fd, timeout_s)
        except BaseException:
            self.close()
            raise
        finally:
            os.close(read_fd)
        self.name = f":{number}"
        self.size = (width, height)
        log.info("started Xvfb %s (%dx%dx%d, pid %d)", self.name, width, height, depth, self.pid)

    def _read_display_number(self, fd: int, timeout_s: float) -> int:
        """Xvfb writes its display number to `fd` once it accepts connections."""
        deadline, data = time.monotonic() + timeout_s, b""
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
            chunk = os.read(fd, 64) if ready else b""
            if not chunk:
                why = "timed out" if not ready else "exited"
                self.proc.kill()
                self.proc.wait(timeout=5)
                self._log.seek(0)
                err = self._log.read().decode(errors="replace").strip()[-800:]
                raise SetupError(f"Xvfb {why} before it was ready:\n{err}")
            data += chunk
        return int(data.strip())

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Kill the server and reap it (idempotent)."""
        self._finalizer()


def open_display(
    spec: str | Display | None = "xvfb", size: tuple[int, int] = (1280, 720)
) -> Display:
    """A display from a spec: 'xvfb' starts a private Xvfb of `size`; 'attach' or None uses
    $DISPLAY; ':N' attaches to that display; a Display object is passed through (not owned)."""
    if isinstance(spec, Display):
        return spec
    if spec == "xvfb":
        return Xvfb(*size)
    if spec in (None, "attach"):
        return Display(None)
    if isinstance(spec, str) and ":" in spec:
        return Display(spec)
    raise EnvError(f"unknown display {spec!r}; use 'xvfb', 'attach' or a display name like ':1'")
