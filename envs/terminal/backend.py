"""A real program (bash by default) in a pseudo-terminal, its output emulated by a pyte screen."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.errors import EnvError, SetupError, missing_extra
from envs.terminal.keys import chord_bytes

# `\[...\]` marks the colour codes as zero-width for readline; the plain prompt reads "handeye:~$ ".
PROMPT = r"\[\e[1;32m\]handeye\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]$ "
PROMPT_MARK = "handeye:"
# PS2, shown while a command is incomplete (an open quote, a trailing backslash).
CONTINUATION = r"\[\e[1;32m\]handeye\[\e[0m\]> "
CONTINUATION_MARK = "handeye> "
_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
# Keys the terminal turns into signals for the foreground job (ctrl+c, ctrl+z, ctrl+\).
_SIGNAL_KEYS = (b"\x03", b"\x1a", b"\x1c")
SIGNAL_GRACE_S = 1.0  # how long a signalled job may sleep before it counts as waiting


@dataclass(frozen=True)
class TerminalConfig:
    """How to start the program and size its screen (cells), and when output counts as settled."""

    cols: int = 80
    rows: int = 24
    command: tuple[str, ...] = ("bash", "--norc", "--noprofile")
    prompt: str = PROMPT
    continuation: str = CONTINUATION
    ready_text: str | None = PROMPT_MARK
    continuation_text: str | None = CONTINUATION_MARK
    quiet_s: float = 0.05
    start_timeout_s: float = 5.0
    write_timeout_s: float = 2.0
    extra_env: tuple[tuple[str, str], ...] = ()


def _session_procs(sid: int) -> list[tuple[int, str, int]]:
    """(pid, state, pgrp) of live processes in session `sid`: all the program started."""
    procs = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat_line = fh.read()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid pgrp session ...
        fields = stat_line[stat_line.rfind(b")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != b"Z":
            procs.append((int(entry), fields[0].decode(), int(fields[2])))
    return procs


def _session_members(sid: int) -> list[int]:
    """Live pids in session `sid` (a process that setsid'd itself away escapes this)."""
    return [pid for pid, _, _ in _session_procs(sid)]


def _remove_tree(path: Path) -> None:
    """Delete a directory even if the program inside chmod'ed parts of it unreadable."""
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, d), stat.S_IRWXU)
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)


def _default_signals() -> None:
    """In the child before exec: default signal dispositions and an empty mask.

    A process started in the background by a non-interactive shell (CI, `cmd &`) ignores
    SIGINT and SIGQUIT, and ignored signals survive exec: without this, ctrl+c in the
    terminal env could not stop a command.
    """
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGPIPE, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


class TerminalBackend:
    """Owns one program in a pty, a temp HOME/working directory, and the pyte screen it draws on.

    Use as a context manager; `close()` kills every process of the program's session.
    """

    def __init__(self, config: TerminalConfig | None = None, workdir: str | Path | None = None):
        try:
            import pyte
        except ImportError:
            raise missing_extra("pyte", "terminal") from None
        self.config = config or TerminalConfig()
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="handeye-term-"))
        self._child: Any = None
        self._closed = False
        self._hung_up = False
        self._signalled: tuple[int | None, float] | None = None  # (job, when) of a ctrl+c
        self._unechoed_enter = False  # Enter was sent and its newline has not come back yet
        self.screen = pyte.Screen(self.config.cols, self.config.rows)
        # Answers to terminal queries (cursor position, device attributes) go back to the program.
        self.screen.write_process_input = self._answer_query  # type: ignore[method-assign]
        self._stream = pyte.ByteStream(self.screen)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # ---- life cycle -------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", _DEFAULT_PATH),
            "TERM": "xterm-256color",
            "HOME": str(self.workdir),
            "PWD": str(self.workdir),
            "PS1": self.config.prompt,
            "PS2": self.config.continuation,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HISTFILE": "",
            "SHELL": shutil.which("bash") or "/bin/bash",
            "USER": os.environ.get("USER", "handeye"),
        }
        env.update(dict(self.config.extra_env))
        return env

    def _start(self) -> None:
        try:
            import pexpect
        except ImportError:
            raise missing_extra("pexpect", "terminal") from None
        cmd = self.config.command
        if shutil.which(cmd[0]) is None:
            raise SetupError(f"cannot start {cmd[0]!r}: not found on PATH; install it first")
        try:
            self._child = pexpect.spawn(
                cmd[0],
                list(cmd[1:]),
                env=self._environment(),
                cwd=str(self.workdir),
                dimensions=(self.config.rows, self.config.cols),
                encoding=None,
                preexec_fn=_default_signals,
            )
        except pexpect.ExceptionPexpect as exc:
            raise EnvError(f"cannot start {' '.join(cmd)!r} in a pty: {exc}") from exc
        # pexpect sleeps 50 ms before every send by default; an env step cannot afford that.
        self._child.delaybeforesend = None
        os.set_blocking(self._child.child_fd, False)
        if self.config.ready_text is None:
            self.wait_idle(self.config.start_timeout_s)
            return
        deadline = time.monotonic() + self.config.start_timeout_s
        while self.config.ready_text not in self.screen_text():
            left = deadline - time.monotonic()
            if left <= 0 or not self.alive:
                text = self.screen_text().strip()
                raise EnvError(
                    f"{' '.join(cmd)!r} did not show {self.config.ready_text!r} within "
                    f"{self.config.start_timeout_s} s ({self.exit_reason() or 'still running'}); "
                    f"screen: {text[-200:]!r}"
                )
            self._pump(min(left, 0.05))
        if self.at_fresh_prompt():
            while self._pump(0):  # the prompt is the last thing a starting shell prints
                pass
        else:
            self.wait_idle(self.config.start_timeout_s)

    def __del__(self) -> None:
        # A safety net for a backend dropped without close(); close() is idempotent.
        with contextlib.suppress(Exception):
            self.close()

    def __enter__(self) -> TerminalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The program's pid, which is also its session and process-group id."""
        return None if self._child is None else self._child.pid

    @property
    def alive(self) -> bool:
        """Whether the program is still running (False after it exits, is killed, or close())."""
        if self._closed or self._hung_up or self._child is None:
            return False
        return self._child.isalive()

    def exit_reason(self) -> str | None:
        """How the program ended ("exited with status 0", "killed by signal 9"), None if running."""
        if self._child is None:
            return "never started"
        if self.alive:
            return None
        if self._child.signalstatus is not None:
            return f"killed by signal {self._child.signalstatus}"
        if self._child.exitstatus is not None:
            return f"exited with status {self._child.exitstatus}"
        return "closed" if self._closed else "closed its terminal"

    def close(self) -> None:
        """Kill every process in the program's session, reap the program, delete the workdir."""
        if self._closed:
            return
        self._closed = True
        child = self._child
        if child is not None:
            sid = child.pid
            others = [p for p in _session_members(sid) if p != sid]
            for p in others:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)
            # Give the shell a moment to reap its killed children so none is left a zombie.
            deadline = time.monotonic() + 0.2
            while others and child.isalive() and time.monotonic() < deadline:
                others = [p for p in others if os.path.exists(f"/proc/{p}")]
                time.sleep(0.002)
            with contextlib.suppress(ProcessLookupError):
                os.kill(sid, signal.SIGKILL)
            deadline = time.monotonic() + 2.0
            while child.isalive() and time.monotonic() < deadline:
                time.sleep(0.002)
            # ptyprocess sleeps 0.1 s after closing the fd unless told not to; it is dead already.
            child.ptyproc.delayafterclose = 0.0
            with contextlib.suppress(Exception):
                child.close(force=True)
            # Anything started between the scan and the shell's death.
            for p in _session_members(sid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)
        if self._own_workdir:
            _remove_tree(self.workdir)

    # ---- input and output -------------------------------------------------------------------

    def _answer_query(self, data: str) -> None:
        with contextlib.suppress(EnvError):
            self._write(data.encode("utf-8"))

    def _feed(self, data: bytes) -> None:
        self._stream.feed(data)

    def _pump(self, timeout: float) -> bool:
        """Read whatever output arrives within `timeout` s into the screen; True if any came."""
        if self._closed or self._hung_up or self._child is None:
            return False
        fd = self._child.child_fd
        try:
            ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
        except (OSError, ValueError):
            return False
        if not ready:
            return False
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return False
        except OSError:  # EIO: the program closed the pty (it exited)
            data = b""
        if not data:
            # The program closed the terminal: it is exiting; reap it so exit_reason() knows.
            deadline = time.monotonic() + 1.0
            while self._child.isalive() and time.monotonic() < deadline:
                time.sleep(0.002)
            self._hung_up = True
            return False
        if b"\n" in data:
            self._unechoed_enter = False
        self._feed(data)
        return True

    def _write(self, data: bytes) -> None:
        """Write input with a deadline, draining output meanwhile so neither side stalls."""
        if not self.alive:
            raise EnvError(
                f"the terminal program has {self.exit_reason()}; reset the env to start a new one"
            )
        if (b"\r" in data or b"\n" in data) and self.foreground_is_shell():
            self._unechoed_enter = True  # a command line goes to the shell, which echoes "\r\n"
        fd = self._child.child_fd
        deadline = time.monotonic() + self.config.write_timeout_s
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EnvError(
                    f"the terminal program did not read its input within "
                    f"{self.config.write_timeout_s} s ({len(view)} bytes left unsent)"
                )
            readable, writable, _ = select.select([fd], [fd], [], left)
            if readable and not self._pump(0) and not self.alive:
                raise EnvError(f"the terminal program has {self.exit_reason()} during input")
            if writable:
                try:
                    n = os.write(fd, view[:1024])
                except BlockingIOError:
                    continue
                except OSError as exc:
                    raise EnvError(f"cannot write to the terminal: {exc}") from exc
                view = view[n:]

    def send_text(self, text: str) -> None:
        """Type `text` as if pasted key by key (UTF-8); raises EnvError if the program is gone."""
        self._write(text.encode("utf-8"))

    def send_keys(self, chord: str) -> None:
        """Press one key chord ("Enter", "ctrl+c", "shift+Tab", "Up"); ActionError if unknown."""
        data = chord_bytes(chord)
        if data in _SIGNAL_KEYS and not self.foreground_is_shell():
            self._signalled = (self._foreground_pgrp(), time.monotonic())
        self._write(data)

    def wait_idle(
        self,
        timeout: float = 2.0,
        quiet_s: float | None = None,
        until: Callable[[], bool] | None = None,
        pending: Callable[[], bool] | None = None,
    ) -> bool:
        """Read output until none arrives for `quiet_s` s; False if `timeout` s passed first.

        `until`, checked after each chunk of output, ends the wait early once the screen shows
        what the caller knows comes last (a fresh prompt, the echo of typed text); while
        `pending` holds (half the echo is on screen), silence does not end the wait.
        """
        quiet = self.config.quiet_s if quiet_s is None else quiet_s
        deadline = time.monotonic() + timeout
        while self.alive:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not self._pump(min(quiet, left)):
                if pending is not None and left >= quiet and pending():
                    continue
                return left >= quiet or not self.alive
            if until is not None and until():
                while self._pump(0):  # take what is already buffered
                    pass
                return True
        return True

    def wait_settled(self, timeout: float = 2.0) -> bool:
        """After Enter: wait until the shell prompts again or a job it started has gone quiet.

        Unlike `wait_idle`, a silent shell that has not prompted yet counts as busy, so a slow
        machine does not end the wait before the command ran; so does a job still computing
        (a CPU-bound job holds the wait to `timeout`). False if `timeout` s passed first.
        """
        if self.config.ready_text is None:  # not a shell: no prompt to wait for
            return self.wait_idle(timeout)
        quiet = self.config.quiet_s
        deadline = time.monotonic() + timeout
        while self.alive:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            got = self._pump(min(quiet, left))
            # Until Enter's newline comes back the old prompt is still on screen: on a busy
            # machine it looked fresh before the shell had even read the command.
            if not self._unechoed_enter and self.at_fresh_prompt():
                while self._pump(0):
                    pass
                return True
            if not got and left >= quiet and self.foreground_job_waits():
                if self._dying():
                    continue  # the job just signalled sleeps until the signal lands
                return True  # a job (sleep, an editor, a REPL) waits without printing
        return True

    def _dying(self) -> bool:
        """Whether the foreground job is one we sent ctrl+c (or ctrl+z, ctrl+\\) to moments ago:
        until the signal lands it still sleeps, which is no sign that it waits for input. A job
        that catches the signal (a REPL) counts as waiting again after SIGNAL_GRACE_S."""
        if self._signalled is None:
            return False
        pgrp, at = self._signalled
        if pgrp == self._foreground_pgrp() and time.monotonic() - at < SIGNAL_GRACE_S:
            return True
        self._signalled = None
        return False

    def _foreground_pgrp(self) -> int | None:
        try:
            return os.tcgetpgrp(self._child.child_fd)
        except OSError:
            return None

    def pump_for(self, seconds: float) -> None:
        """Keep the screen up to date for `seconds` s of wall time (a Wait action)."""
        deadline = time.monotonic() + seconds
        while self.alive and (left := deadline - time.monotonic()) > 0:
            self._pump(left)

    # ---- screen -----------------------------------------------------------------------------

    def screen_text(self) -> str:
        """The visible screen as lines joined by newlines, trailing spaces removed."""
        lines = ["".join(self._row_cells(y)).rstrip() for y in range(self.config.rows)]
        return "\n".join(lines)

    def cursor(self) -> tuple[int, int]:
        """The cursor cell (col, row), col clamped to the last column while a wrap is pending."""
        c = self.screen.cursor
        return min(c.x, self.config.cols - 1), c.y

    def cursor_line(self) -> tuple[str, str]:
        """The cursor row's text split at the cursor: (before, after), after right-stripped."""
        cells = self._row_cells(self.screen.cursor.y)
        x = self.screen.cursor.x
        return "".join(cells[:x]), "".join(cells[x:]).rstrip()

    def _row_cells(self, y: int) -> list[str]:
        """Row `y` as one string per cell (the right half of a wide char is "", as in pyte)."""
        cells = [self.screen.default_char.data] * self.config.cols
        for x, ch in self.screen.buffer[y].items():
            if x < self.config.cols:
                cells[x] = ch.data
        return cells

    def at_fresh_prompt(self) -> bool:
        """Whether the shell waits at an empty prompt (PS1 or PS2): its last command is done."""
        if self.config.ready_text is None:
            return False
        before, after = self.cursor_line()
        fresh = (before.startswith(self.config.ready_text) and before.endswith("$ ")) or (
            before == self.config.continuation_text
        )
        return fresh and not after and self.foreground_is_shell()

    def foreground_job_waits(self) -> bool:
        """Whether a job other than the shell owns the terminal and all its processes sleep.

        A job that is still starting (fork, exec, loading) is running, not sleeping, so a busy
        machine does not make a slow `cat` look like a program waiting for input.
        """
        if not self.alive:
            return True
        try:
            pgrp = os.tcgetpgrp(self._child.child_fd)
        except OSError:
            return True
        if pgrp == self._child.pid:
            return False
        states = [st for _, st, grp in _session_procs(self._child.pid) if grp == pgrp]
        return all(st in "STt" for st in states)

    def foreground_is_shell(self) -> bool:
        """Whether the program itself, not a job it started, owns the terminal (shell idle)."""
        return self.alive and self._foreground_pgrp() == self._child.pid
