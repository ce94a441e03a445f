"""One shared headless Chromium per process, driven by Playwright, with one page per env.

Many envs share a browser process (a context and a page each) to keep memory low; a crashed
or closed browser is detected by `BrowserPool.page()` callers through `PageHandle.alive`
and replaced on the next request.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import ActionError, EnvError, SetupError, missing_extra
from envs.browser.begin_frame import (
    BEGIN_FRAME_FLAGS,
    FrameClock,
    checked_frames,
    free_port,
    open_begin_frame_page,
)
from envs.browser.page_scripts import page_file

log = logging.getLogger(__name__)

CHROMIUM_ENV_VAR = "HANDEYE_CHROMIUM"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The old headless shell (Debian's chromium-headless-shell) has no browser UI to run: the same
# expert steps MiniWoB 1.35x faster than with the full binary in --headless mode here.
HEADLESS_SHELL_CANDIDATES = ("chromium-headless-shell", "chrome-headless-shell")
# Flags that work on a headless server with no network. Without --disable-partial-raster,
# anti-aliased corners differ by 1 level between identical renders. --disable-frame-rate-limit is
# left out on purpose: it spares a frame wait per pointer move or screenshot (~8 ms idle) but
# makes the compositor draw back to back while a page is busy, 101 against 54 ms of CPU per
# MiniWoB click-button episode here; on 2 shared cores the CPU costs more than the wait
# (bench_env geomean 2.02-2.14x against 1.52-1.53x Farama, benchmarks/RESULTS.md session 5).
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu-vsync",
    "--disable-partial-raster",
    "--disable-smooth-scrolling",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
)


def find_chromium(headless: bool = True) -> str | None:
    """Path of a Chromium executable: $HANDEYE_CHROMIUM, else the first one on PATH (a headless
    shell first when `headless`), else None.

    None means "let Playwright use its own downloaded browser" (`playwright install chromium`).
    """
    explicit = os.environ.get(CHROMIUM_ENV_VAR)
    if explicit:
        if not (Path(explicit).is_file() and os.access(explicit, os.X_OK)):
            raise SetupError(
                f"{CHROMIUM_ENV_VAR}={explicit!r} is not an executable file; point it at a "
                "Chromium or Chrome binary, or unset it to search PATH"
            )
        return explicit
    names = (*HEADLESS_SHELL_CANDIDATES, *CHROMIUM_CANDIDATES) if headless else CHROMIUM_CANDIDATES
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


_AUTO_LOGGED: set[str] = set()


def resolve_frames(frames: str, scale: float = 1.0, headless: bool = True) -> str:
    """The frame mode a page runs in: `frames`, with "auto" (and "begin" at a device scale other
    than 1, whose screenshots `beginFrame` cannot take) resolved; the reason for a fallback to
    Chromium's clock is logged once per process."""
    if frames == "clock":
        return frames
    reason = ""
    if scale != 1.0:
        reason = f"device scale {scale:g} (beginFrame draws one pixel per CSS pixel)"
    elif frames == "auto":
        exe = find_chromium(headless) if headless else None
        if not headless:
            reason = "a headed browser"
        elif exe is None:
            reason = "no headless shell found (apt install chromium-headless-shell)"
        elif not any(name in Path(exe).name for name in HEADLESS_SHELL_CANDIDATES):
            reason = f"{exe} is not Chromium's headless shell"
    if not reason:
        return "begin"
    if reason not in _AUTO_LOGGED:
        _AUTO_LOGGED.add(reason)
        log.info("browser pages keep Chromium's frame clock: %s", reason)
    return "clock"


@dataclass
class PageHandle:
    """A Playwright page of its own context, with a CDP session for fast screenshots."""

    context: Any
    page: Any
    cdp: Any
    generation: int
    pool: BrowserPool = field(repr=False)
    clock: FrameClock | None = None  # frames on demand (frames="begin"); None: Chromium's clock

    @property
    def alive(self) -> bool:
        """False once the page, its context or the whole browser has gone away."""
        return self.pool.generation == self.generation and not self.page.is_closed()

    def screenshot(
        self, clip: tuple[float, float, float, float] | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """The viewport, or a CSS-pixel clip (x, y, w, h) at `scale`, as (H, W, 3) uint8.

        Without a clip the capture is 2-3x faster here (5-11 ms against 19-36 ms).
        """
        from PIL import Image

        if self.clock is not None:
            return self._frame_screenshot(clip, scale)
        params: dict[str, Any] = {"format": "png", "optimizeForSpeed": True}
        if clip is not None:
            x, y, w, h = clip
            params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": scale}
        reply = self.cdp.send("Page.captureScreenshot", params)
        img = Image.open(io.BytesIO(base64.b64decode(reply["data"])))
        return np.asarray(img.convert("RGB"))

    def _frame_screenshot(
        self, clip: tuple[float, float, float, float] | None, scale: float
    ) -> np.ndarray:
        """A screenshot drawn by one frame of the page's clock (the viewport, cropped to `clip`:
        `beginFrame` takes no clip; its pages have device scale 1, see `BrowserPool.new_page`)."""
        assert self.clock is not None
        return decode_frame(self.clock.frame(), self.clock.last_screenshot, clip)

    def screenshot_then_evaluate(
        self,
        function_js: str,
        arg: Any = None,
        clip: tuple[float, float, float, float] | None = None,
        scale: float = 1.0,
    ) -> tuple[np.ndarray, Any]:
        """A frames="begin" page's screenshot (as `screenshot`) and then a page function's value
        (as `evaluate` right after it), in one round trip."""
        assert self.clock is not None
        png, value = self.clock.after_frame(function_js, arg, screenshot=True)
        return decode_frame(png, self.clock.last_screenshot, clip), value

    def evaluate(self, function_js: str, arg: Any = None) -> Any:
        """Call a page function with a JSON argument, as `page.evaluate` does (straight over the
        page's own socket in frames="begin" mode: one hop less)."""
        if self.clock is not None:
            return self.clock.evaluate(function_js, arg)
        return self.page.evaluate(function_js, arg)

    def frames(self, interval_s: float | None = 0.0) -> contextlib.AbstractContextManager[None]:
        """A block in which frames keep coming every `interval_s` (issued by the clock in
        frames="begin" mode, by Chromium otherwise), for calls that wait for one; None: the
        block needs no frame."""
        if self.clock is None or interval_s is None:
            return contextlib.nullcontext()
        return self.clock.pumping(interval_s)

    def close(self) -> None:
        """Close this page's context; harmless if the browser already died."""
        if self.clock is not None:
            self.clock.close()
        try:
            self.context.close()
        except Exception as exc:  # noqa: BLE001 - a dead browser raises many kinds of errors
            log.debug("closing a page of a dead browser: %s", exc)


class BrowserPool:
    """Owns the Playwright driver and one Chromium; hands out pages; restarts after a crash."""

    def __init__(
        self, headless: bool = True, extra_args: tuple[str, ...] = (), frames: str = "clock"
    ) -> None:
        self.headless = headless
        self.extra_args = extra_args
        self.frames = checked_frames(frames)
        self._port = 0
        self._browser_cdp: Any = None
        self.generation = 0
        self._pw: Any = None
        self._browser: Any = None
        self._users = 0
        self._lock = threading.Lock()
        self._gate = threading.Lock()  # one frame in flight per browser (see FrameClock)

    def _start(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise missing_extra("playwright", "browser") from None
        from envs.browser.check import browser_failure, driver_failure

        if self._pw is None:
            try:
                self._pw = _acquire_driver(sync_playwright)
            except Exception as exc:  # noqa: BLE001 - the driver fails in many ways; diagnose all
                raise SetupError(driver_failure(exc)) from None
        exe = find_chromium(self.headless)
        args = list(CHROMIUM_FLAGS) + list(self.extra_args)
        if self.frames == "begin":
            self._port = free_port()
            args += [*BEGIN_FRAME_FLAGS, f"--remote-debugging-port={self._port}"]
        try:
            self._browser = self._pw.chromium.launch(
                executable_path=exe, headless=self.headless, args=args
            )
        except Exception as exc:  # noqa: BLE001 - a launch fails in many ways; diagnose all
            raise SetupError(browser_failure(exe, exc)) from None
        if self.frames == "begin":
            self._browser_cdp = self._browser.new_browser_cdp_session()
        self.generation += 1
        log.info("started Chromium %s (%s)", self._browser.version, exe or "playwright")

    @property
    def version(self) -> str:
        """The running Chromium's version ('' before the first page)."""
        return self._browser.version if self._browser is not None else ""

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    def new_page(self, width: int, height: int, scale: float = 1.0) -> PageHandle:
        """A fresh page in its own context with the given viewport and device scale factor."""
        with self._lock:
            if not self.connected:
                self._stop_browser()
                self._start()
            if self.frames == "begin":
                if scale != 1.0:  # beginFrame screenshots have one pixel per CSS pixel
                    raise EnvError("frames='begin' pages render at scale 1; use frames='clock'")
                context, page, clock = open_begin_frame_page(
                    self._browser, self._browser_cdp, self._port, width, height, scale, self._gate
                )
                cdp = context.new_cdp_session(page)
                return PageHandle(context, page, cdp, self.generation, self, clock)
            context = self._browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            return PageHandle(context, page, cdp, self.generation, self)

    def acquire(self) -> BrowserPool:
        self._users += 1
        return self

    def release(self) -> None:
        """Drop one user; the last one stops the browser and the driver."""
        self._users -= 1
        if self._users <= 0:
            self.shutdown()

    def _stop_browser(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            except Exception as exc:  # noqa: BLE001 - closing a crashed browser
                log.debug("closing a dead browser: %s", exc)
            self._browser = None
            self._browser_cdp = None

    def shutdown(self) -> None:
        """Stop Chromium and the Playwright driver."""
        self._stop_browser()
        if self._pw is not None:
            _release_driver(self._pw)
            self._pw = None
        self._users = 0

    def restart_browser(self) -> None:
        """Stop a Chromium whose page did not answer; the next page starts a new one (the old
        one's pages are gone, and their envs open new pages on their next reset)."""
        log.warning("restarting Chromium: a page of it did not answer")
        self._stop_browser()

    def kill_browser_for_test(self) -> None:
        """Simulate a crash: close the browser under the envs' feet (used by recovery tests)."""
        self._stop_browser()


# One Playwright driver per thread (its sync API allows one), shared by the thread's pools:
# [playwright, users].
_DRIVERS: dict[int, list[Any]] = {}


def _acquire_driver(sync_playwright: Any) -> Any:
    """This thread's Playwright, started on first use."""
    entry = _DRIVERS.get(threading.get_ident())
    if entry is None:
        entry = _DRIVERS[threading.get_ident()] = [sync_playwright().start(), 0]
    entry[1] += 1
    return entry[0]


def _release_driver(playwright: Any) -> None:
    """Drop one user of a thread's Playwright; the last one stops it."""
    for key, entry in list(_DRIVERS.items()):
        if entry[0] is playwright:
            entry[1] -= 1
            if entry[1] > 0:
                return
            del _DRIVERS[key]
    try:
        playwright.stop()
    except Exception as exc:  # noqa: BLE001
        log.debug("stopping playwright: %s", exc)


_POOLS: dict[tuple[int, str], BrowserPool] = {}


def shared_pool(frames: str = "clock") -> BrowserPool:
    """The process's shared pool for this thread (Playwright's sync API is per-thread) and
    frame mode (a BeginFrame-controlled browser runs apart: its flags differ)."""
    key = (threading.get_ident(), checked_frames(frames))
    pool = _POOLS.get(key)
    if pool is None:
        pool = _POOLS[key] = BrowserPool(frames=frames)
    return pool


def _playwright_errors() -> tuple[type[Exception], ...]:
    """Playwright's base error class; nothing to catch where Playwright is not installed."""
    try:
        from playwright.sync_api import Error
    except ImportError:
        return ()
    return (Error,)


@contextlib.contextmanager
def browser_errors() -> Iterator[None]:
    """Turn a Playwright error raised inside the block into an EnvError (the cause kept).

    Playwright raises one `Error` class (and subclasses) for a refused call, a failed load and
    a dead browser alike; callers catch EnvError and ask `PageHandle.alive` which it was.
    """
    try:
        yield
    except _playwright_errors() as exc:
        raise EnvError(
            f"the browser failed ({type(exc).__name__}: {exc}); call reset() to recover"
        ) from exc


def playwright_message(exc: BaseException) -> str:
    """The first line of what Playwright said, for an error raised by `browser_errors`."""
    return str(exc.__cause__ or exc).splitlines()[0]


_PLAYWRIGHT_KEY_NAMES = {
    "ctrl": "Control",
    "control": "Control",
    "alt": "Alt",
    "option": "Alt",
    "shift": "Shift",
    "meta": "Meta",
    "cmd": "Meta",
    "command": "Meta",
    "super": "Meta",
    "win": "Meta",
    "enter": "Enter",
    "return": "Enter",
    "esc": "Escape",
    "escape": "Escape",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Delete",
    "del": "Delete",
    "space": "Space",
    "up": "ArrowUp",
    "down": "ArrowDown",
    "left": "ArrowLeft",
    "right": "ArrowRight",
    "arrowup": "ArrowUp",
    "arrowdown": "ArrowDown",
    "arrowleft": "ArrowLeft",
    "arrowright": "ArrowRight",
    "pageup": "PageUp",
    "pagedown": "PageDown",
    "pgup": "PageUp",
    "pgdn": "PageDown",
    "home": "Home",
    "end": "End",
    "insert": "Insert",
}


def playwright_keys(chord: str) -> str:
    """Map a handeye chord ('ctrl+a', 'Enter', 'shift+tab') to Playwright's 'Control+a' form."""
    out = []
    for part in chord.split("+"):
        name = part.strip()
        low = name.lower()
        if low in _PLAYWRIGHT_KEY_NAMES:
            out.append(_PLAYWRIGHT_KEY_NAMES[low])
        elif len(low) > 1 and low[0] == "f" and low[1:].isdigit():
            out.append(name.upper())
        else:
            out.append(name)
    return "+".join(out)


SCROLL_NOTCH_PX = 50  # CSS pixels per scroll notch (small MiniWoB pages; the web env uses 100)
TWO_FRAMES_JS = page_file("envs.browser", "two_frames.js")


@dataclass(frozen=True)
class InputCall:
    """One Playwright call an action is made of: `page.<target>.<method>(*args, **kwargs)`
    ("page" calls the page itself); the sync and async executors run the same list."""

    target: str  # "mouse", "keyboard" or "page"
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def input_calls(
    action: Any, scale: float = 1.0, notch_px: float = SCROLL_NOTCH_PX
) -> list[InputCall]:
    """The Playwright calls that carry out a typed UI action, in order.

    Coordinates are observation pixels; a page rendered at device `scale` maps them to CSS
    pixels at the pixel centre. Actions without an effect on the page (Done) give no calls.
    """
    from contracts.actions import Click, DoubleClick, Drag, Hover, Key, Scroll, Type, Wait

    def css(x: int, y: int) -> tuple[float, float]:
        return (x + 0.5) / scale, (y + 0.5) / scale

    if isinstance(action, Click):
        click = InputCall("mouse", "click", css(action.x, action.y), {"button": action.button})
        held = [playwright_keys(k) for k in action.modifiers.split("+") if k]
        return [
            *(InputCall("keyboard", "down", (k,)) for k in held),
            click,
            *(InputCall("keyboard", "up", (k,)) for k in reversed(held)),
        ]
    if isinstance(action, DoubleClick):
        return [InputCall("mouse", "dblclick", css(action.x, action.y))]
    if isinstance(action, Hover):
        return [InputCall("mouse", "move", css(action.x, action.y))]
    if isinstance(action, Type):
        return [InputCall("keyboard", "type", (action.text,))]
    if isinstance(action, Key):
        return [InputCall("keyboard", "press", (playwright_keys(action.keys),))]
    if isinstance(action, Scroll):
        calls = [] if action.x is None else [InputCall("mouse", "move", css(action.x, action.y))]
        calls.append(InputCall("mouse", "wheel", (action.dx * notch_px, action.dy * notch_px)))
        # the wheel scrolls asynchronously; let it land
        return [*calls, InputCall("page", "evaluate", (TWO_FRAMES_JS,))]
    if isinstance(action, Drag):
        # Chromium coalesces pointer moves per frame; a frame between moves makes the page see
        # the same path however loaded the machine is.
        (x0, y0), (x1, y1) = css(action.x0, action.y0), css(action.x1, action.y1)
        calls = [InputCall("mouse", "move", (x0, y0)), InputCall("mouse", "down")]
        if action.via:  # a curved stroke: one move (and its frame) per waypoint, then the end
            stops = [css(x, y) for x, y in action.path[1:]]
        else:
            stops = [(x0 + t * (x1 - x0), y0 + t * (y1 - y0)) for t in (0.25, 0.5, 0.75, 1.0)]
        for stop in stops:
            calls.append(InputCall("mouse", "move", stop))
            calls.append(InputCall("page", "evaluate", (TWO_FRAMES_JS,)))
        return [*calls, InputCall("mouse", "up")]
    if isinstance(action, Wait):
        return [InputCall("page", "wait_for_timeout", (action.seconds * 1000,))]
    return []


def bound_call(page: Any, call: InputCall) -> Any:
    """The page's bound method that `call` names."""
    owner = page if call.target == "page" else getattr(page, call.target)
    return getattr(owner, call.method)


def refused_key(call: InputCall, exc: EnvError) -> ActionError:
    """The ActionError for a key press the browser refused (Playwright says "Unknown key")."""
    return ActionError(f"key {call.args[0]!r} was refused by the browser: {exc.__cause__}")


def perform(page: Any, action: Any, scale: float = 1.0, notch_px: float = SCROLL_NOTCH_PX) -> None:
    """Carry out a typed UI action on a Playwright page (sync API); see `input_calls`.

    A key the browser refuses raises ActionError.
    """
    for call in input_calls(action, scale, notch_px):
        if call.method == "press":
            try:
                with browser_errors():
                    bound_call(page, call)(*call.args, **call.kwargs)
            except EnvError as exc:
                raise refused_key(call, exc) from None
        else:
            bound_call(page, call)(*call.args, **call.kwargs)


def decode_frame(
    png: bytes | None, last: bytes | None, clip: tuple[float, float, float, float] | None
) -> np.ndarray:
    """A drawn frame's RGB pixels cut to `clip`; no PNG means nothing was damaged since the last
    drawn frame (`last`), so the page looks the same."""
    from PIL import Image

    png = png if png is not None else last
    if png is None:
        raise EnvError("the page drew no frame to capture; call reset() to recover")
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    if clip is None:
        return rgb
    x, y, w, h = (round(v) for v in clip)
    return rgb[y : y + h, x : x + w]
