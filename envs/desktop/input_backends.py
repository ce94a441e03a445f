"""Input backends for an X display: pyautogui (XTest in-process) and xdotool (a command).

Both take pointer coordinates and handeye key chords; `make_backend("auto")` prefers
pyautogui and falls back to xdotool when pyautogui cannot be imported or cannot connect.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from typing import Any, Protocol

from contracts.errors import ActionError, EnvError, SetupError, missing_extra
from envs.desktop.display import ensure_xauthority

log = logging.getLogger(__name__)

# handeye chord names (see contracts.actions.Key) -> pyautogui key names, and -> X keysyms.
_PYAUTOGUI_KEYS = {
    "control": "ctrl",
    "cmd": "win",
    "command": "win",
    "meta": "win",
    "super": "win",
    "option": "alt",
    "return": "enter",
    "arrowup": "up",
    "arrowdown": "down",
    "arrowleft": "left",
    "arrowright": "right",
    "del": "delete",
    "pgup": "pageup",
    "pgdn": "pagedown",
}
_XDOTOOL_KEYS = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "shift": "shift",
    "alt": "alt",
    "option": "alt",
    "meta": "super",
    "cmd": "super",
    "command": "super",
    "super": "super",
    "win": "super",
    "enter": "Return",
    "return": "Return",
    "tab": "Tab",
    "esc": "Escape",
    "escape": "Escape",
    "backspace": "BackSpace",
    "delete": "Delete",
    "del": "Delete",
    "space": "space",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "arrowup": "Up",
    "arrowdown": "Down",
    "arrowleft": "Left",
    "arrowright": "Right",
    "pageup": "Page_Up",
    "pagedown": "Page_Down",
    "pgup": "Page_Up",
    "pgdn": "Page_Down",
    "home": "Home",
    "end": "End",
    "insert": "Insert",
}
_BUTTON_NUMBERS = {"left": 1, "middle": 2, "right": 3}
_DRAG_STEPS = 8  # intermediate pointer positions, so apps see a drag and not a jump


def chord_parts(chord: str) -> list[str]:
    """'ctrl+Shift+a' -> ['ctrl', 'Shift', 'a'] (a lone '+' is the plus key)."""
    if chord.strip() == "+":
        return ["+"]
    return [p.strip() for p in chord.split("+")]


class InputBackend(Protocol):
    """What performs pointer and key events on one display, in pointer coordinates."""

    name: str

    def screen_size(self) -> tuple[int, int]: ...
    def pointer(self) -> tuple[int, int]: ...
    def move(self, x: int, y: int) -> None: ...
    def warp(self, x: int, y: int) -> None: ...
    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None: ...
    def drag(self, x0: int, y0: int, x1: int, y1: int) -> None: ...
    def scroll(self, dx: int, dy: int, x: int | None, y: int | None) -> None: ...
    def type_text(self, text: str) -> None: ...
    def key(self, chord: str) -> None: ...
    def close(self) -> None: ...


class XdotoolBackend:
    """Input through the `xdotool` command (~5 ms a call); handles any Unicode text."""

    name = "xdotool"

    def __init__(self, display: str) -> None:
        exe = shutil.which("xdotool")
        if exe is None:
            raise SetupError("xdotool is not installed; run `apt-get install xdotool`")
        self.exe, self.display = exe, display
        self._env = dict(os.environ, DISPLAY=display, XAUTHORITY=ensure_xauthority())

    def _run(self, *args: str) -> str:
        try:
            out = subprocess.run(
                [self.exe, *args], env=self._env, capture_output=True, text=True, timeout=10
            )
        except subprocess.TimeoutExpired:
            raise EnvError(f"xdotool {' '.join(args[:3])} hung for 10 s") from None
        if out.returncode != 0:
            raise EnvError(f"xdotool {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def screen_size(self) -> tuple[int, int]:
        w, h = self._run("getdisplaygeometry").split()
        return int(w), int(h)

    def pointer(self) -> tuple[int, int]:
        fields = dict(
            line.split("=", 1) for line in self._run("getmouselocation", "--shell").split()
        )
        return int(fields["X"]), int(fields["Y"])

    def move(self, x: int, y: int) -> None:
        self._run("mousemove", str(x), str(y))

    def warp(self, x: int, y: int) -> None:
        """Move the pointer (xdotool has no failsafe of its own)."""
        self.move(x, y)

    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None:
        n = str(_BUTTON_NUMBERS[button])
        # --sync: the pointer is at (x, y) before the button goes down, never still on its way.
        self._run(
            "mousemove",
            "--sync",
            str(x),
            str(y),
            "click",
            "--delay",
            "0",
            "--repeat",
            str(count),
            n,
        )

    def drag(self, x0: int, y0: int, x1: int, y1: int) -> None:
        steps = []
        for i in range(1, _DRAG_STEPS + 1):
            xi, yi = x0 + (x1 - x0) * i // _DRAG_STEPS, y0 + (y1 - y0) * i // _DRAG_STEPS
            steps += ["mousemove", str(xi), str(yi)]
        self._run("mousemove", "--sync", str(x0), str(y0), "mousedown", "1", *steps, "mouseup", "1")

    def scroll(self, dx: int, dy: int, x: int | None, y: int | None) -> None:
        args = ["mousemove", "--sync", str(x), str(y)] if x is not None and y is not None else []
        for amount, neg, pos in ((dy, "4", "5"), (dx, "6", "7")):
            if amount:
                button = pos if amount > 0 else neg
                args += ["click", "--delay", "0", "--repeat", str(abs(amount)), button]
        if args:
            self._run(*args)

    def close(self) -> None:
        """Nothing held between calls: each one is its own xdotool process."""

    def type_text(self, text: str) -> None:
        if text:
            # Non-ASCII keysyms get a keycode remapped for them; at 1 ms apart the app can
            # read the key after the mapping is restored and drop it (seen at 12 ms under load).
            delay = "1" if text.isascii() else "40"
            self._run("type", "--delay", delay, "--", text)

    def key(self, chord: str) -> None:
        names = []
        for part in chord_parts(chord):
            low = part.lower()
            if low in _XDOTOOL_KEYS:
                names.append(_XDOTOOL_KEYS[low])
            elif len(low) > 1 and low[0] == "f" and low[1:].isdigit():
                names.append(part.upper())
            else:
                names.append({"+": "plus", " ": "space"}.get(part, part))
        self._run("key", "--delay", "0", "--", "+".join(names))


# pyautogui is process-global: it opens one X connection at import and keeps it. Every call
# holds this lock and first points that connection at the backend's own display.
_PYAUTOGUI_LOCK = threading.RLock()
_XLIB_CONNECTIONS: dict[str, list[Any]] = {}  # display -> [python-xlib connection, users]


def _import_pyautogui(display: str) -> Any:
    """Import pyautogui (it needs a reachable $DISPLAY at import time) with `display` set."""
    ensure_xauthority()
    with _PYAUTOGUI_LOCK:
        if sys.modules.get("pyautogui") is not None:
            return sys.modules["pyautogui"]
        previous = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = display
        try:
            import pyautogui
        except ImportError:
            raise missing_extra("pyautogui", "desktop") from None
        except Exception as exc:  # noqa: BLE001 - Xlib raises several kinds on a bad display
            raise SetupError(f"pyautogui cannot use display {display}: {exc}") from None
        finally:
            if previous is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = previous
        return pyautogui


class PyAutoGUIBackend:
    """Input through pyautogui's XTest calls (~2 ms a click with no pause); ASCII text only.

    Keycodes come from the first display pyautogui saw; every Xvfb shares one keymap.
    """

    name = "pyautogui"

    def __init__(self, display: str) -> None:
        self.display = display
        self.pag = _import_pyautogui(display)
        self._size: tuple[int, int] | None = None
        with _PYAUTOGUI_LOCK:
            if display not in _XLIB_CONNECTIONS:
                from Xlib.display import Display as XlibDisplay

                _XLIB_CONNECTIONS[display] = [XlibDisplay(display), 0]
            _XLIB_CONNECTIONS[display][1] += 1
        self._closed = False
        self._size = self.screen_size()

    def _bind(self) -> None:
        """Point pyautogui at this display (lock held by the caller)."""
        if self._closed:
            raise EnvError(f"the pyautogui backend for {self.display} is closed")
        self.pag._pyautogui_x11._display = _XLIB_CONNECTIONS[self.display][0]
        if self._size is not None:
            w, h = self._size
            self.pag.FAILSAFE_POINTS[:] = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)]

    def _call(self, fn: str, *args: Any, **kwargs: Any) -> Any:
        with _PYAUTOGUI_LOCK:
            self._bind()
            try:
                return getattr(self.pag, fn)(*args, **kwargs)
            except self.pag.FailSafeException as exc:
                raise EnvError(f"failsafe: {exc}") from None

    def screen_size(self) -> tuple[int, int]:
        w, h = self._call("size")
        return int(w), int(h)

    def pointer(self) -> tuple[int, int]:
        x, y = self._call("position")
        return int(x), int(y)

    def move(self, x: int, y: int) -> None:
        self._call("moveTo", x, y, _pause=False)

    def warp(self, x: int, y: int) -> None:
        """Move the pointer even from a failsafe corner (to reset an env's own display)."""
        with _PYAUTOGUI_LOCK:
            saved, self.pag.FAILSAFE = self.pag.FAILSAFE, False
            try:
                self._call("moveTo", x, y, _pause=False)
            finally:
                self.pag.FAILSAFE = saved

    def click(self, x: int, y: int, button: str = "left", count: int = 1) -> None:
        self._call("click", x, y, clicks=count, interval=0.0, button=button, _pause=False)

    def drag(self, x0: int, y0: int, x1: int, y1: int) -> None:
        with _PYAUTOGUI_LOCK:
            self._call("moveTo", x0, y0, _pause=False)
            self._call("mouseDown", button="left", _pause=False)
            for i in range(1, _DRAG_STEPS + 1):
                xi, yi = x0 + (x1 - x0) * i // _DRAG_STEPS, y0 + (y1 - y0) * i // _DRAG_STEPS
                self._call("moveTo", xi, yi, _pause=False)
            self._call("mouseUp", button="left", _pause=False)

    def scroll(self, dx: int, dy: int, x: int | None, y: int | None) -> None:
        if dy:
            self._call("vscroll", -dy, x=x, y=y, _pause=False)  # pyautogui: positive is up
        if dx:
            self._call("hscroll", dx, x=x, y=y, _pause=False)

    def close(self) -> None:
        """Drop this backend's use of its X connection; the last user closes it."""
        with _PYAUTOGUI_LOCK:
            if self._closed:
                return
            self._closed = True
            entry = _XLIB_CONNECTIONS[self.display]
            entry[1] -= 1
            if entry[1] == 0:
                del _XLIB_CONNECTIONS[self.display]
                entry[0].close()

    def can_type(self, text: str) -> bool:
        """Whether every character has a key on this keymap (pyautogui skips the rest silently)."""
        return all(self.pag.isValidKey(c) for c in text)

    def type_text(self, text: str) -> None:
        if not self.can_type(text):
            bad = sorted({c for c in text if not self.pag.isValidKey(c)})
            raise ActionError(f"pyautogui cannot type {bad!r}; use the xdotool backend")
        self._call("write", text, interval=0.0, _pause=False)

    def key(self, chord: str) -> None:
        names = []
        for part in chord_parts(chord):
            low = part.lower()
            name = _PYAUTOGUI_KEYS.get(low, low if len(low) > 1 else part)
            if not self.pag.isValidKey(name):
                raise ActionError(f"unknown key {part!r} in {chord!r}")
            names.append(name)
        self._call("hotkey", *names, interval=0.0, _pause=False)


def make_backend(name: str, display: str) -> InputBackend:
    """'pyautogui', 'xdotool', or 'auto' (pyautogui, else xdotool) for `display`."""
    if name == "xdotool":
        return XdotoolBackend(display)
    if name == "pyautogui":
        return PyAutoGUIBackend(display)
    if name != "auto":
        raise EnvError(f"unknown input backend {name!r}; use 'auto', 'pyautogui' or 'xdotool'")
    try:
        return PyAutoGUIBackend(display)
    except SetupError as exc:
        if shutil.which("xdotool") is None:
            raise SetupError(
                f"{exc}; and the fallback xdotool is not installed either "
                "(`apt-get install xdotool`)"
            ) from None
        log.warning("pyautogui unavailable (%s); using xdotool", exc)
        return XdotoolBackend(display)
