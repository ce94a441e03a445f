"""Frames on demand: pages that draw only when told to (`HeadlessExperimental.beginFrame`).

On the headless shell with `--enable-begin-frame-control`, a page created with
`enableBeginFrameControl` draws no frame until one is asked for, so a screenshot is one
`beginFrame` (no wait for the next 60 Hz tick) and an idle page costs no CPU. Whatever waits
for a frame (a lone pointer move, `requestAnimationFrame`, a wheel) must then be given frames:
`FrameClock.pumping()` issues them from a thread over the page's own DevTools socket while the
blocked Playwright call runs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from contracts.errors import EnvError, SetupError

log = logging.getLogger(__name__)

# `beginFrame` refuses to run without the second flag; the third lets a socket of our own reach
# the page (Playwright keeps its pipe to itself).
BEGIN_FRAME_FLAGS = ("--enable-begin-frame-control", "--run-all-compositor-stages-before-draw")
FRAME_MODES = ("clock", "begin")
SCREENSHOT = {"format": "png", "optimizeForSpeed": True}
PUMP_IDLE_WAIT_S = 0.5  # how often an idle pump thread checks whether it should stop
SOCKET_TIMEOUT_S = 30.0


FRAME_PERIOD_S = 1 / 60  # Chromium's own clock: what a page sees while time passes


def frame_interval(action: Any) -> float | None:
    """How often frames must come while a typed UI action runs, in seconds: None when its
    input needs no frame (a click or a key: the press flushes its pointer move), 0 (back to
    back) when a call waits for one (a lone move, a wheel, a drag), 1/60 while a Wait lets
    time pass as Chromium's clock would."""
    from contracts.actions import Drag, Hover, Scroll, Wait

    if isinstance(action, (Hover, Scroll, Drag)):
        return 0.0
    if isinstance(action, Wait):
        return FRAME_PERIOD_S
    return None


def checked_frames(frames: str) -> str:
    """`frames` if it names a frame mode, else EnvError saying which ones exist."""
    if frames not in FRAME_MODES:
        raise EnvError(f"frames must be one of {FRAME_MODES}, got {frames!r}")
    return frames


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (for `--remote-debugging-port`)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FrameClock:
    """Issues frames to one BeginFrame-controlled page over a DevTools websocket of its own."""

    def __init__(self, ws_url: str) -> None:
        try:
            import websocket  # websocket-client (the browser extra)
        except ImportError:
            raise SetupError(
                "frames='begin' needs websocket-client: pip install 'handeye[browser]'"
            ) from None
        self._errors: tuple[type[BaseException], ...] = (websocket.WebSocketException, OSError)
        try:
            self._ws = websocket.create_connection(
                ws_url, suppress_origin=True, timeout=SOCKET_TIMEOUT_S
            )
        except self._errors as exc:
            raise EnvError(f"could not reach the page's DevTools socket {ws_url}: {exc}") from exc
        self._id = 0
        self._lock = threading.Lock()
        self._pump_on = threading.Event()
        self._pump_interval_s = 0.0
        self._closed = False
        self.frames = 0  # frames issued so far (pumped ones included)
        self._thread = threading.Thread(target=self._pump, name="frame-pump", daemon=True)
        self._thread.start()

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One DevTools command on the page and its result; EnvError if the page went away."""
        with self._lock:
            if self._closed:
                raise EnvError("the page's frame clock was closed; call reset() to recover")
            self._id += 1
            msg_id = self._id
            try:
                self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params or {}}))
                while True:
                    reply = json.loads(self._ws.recv())
                    if reply.get("id") == msg_id:
                        break
            except self._errors as exc:
                raise EnvError(
                    f"the browser failed ({type(exc).__name__}: {exc}); call reset() to recover"
                ) from exc
        if "error" in reply:
            raise EnvError(f"{method} failed: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})

    def frame(self, screenshot: bool = False) -> bytes | None:
        """Draw one frame; with `screenshot`, the viewport's PNG as it drew it (None when the
        frame had no damage to draw)."""
        params: dict[str, Any] = {"screenshot": SCREENSHOT} if screenshot else {}
        result = self.send("HeadlessExperimental.beginFrame", params)
        self.frames += 1
        data = result.get("screenshotData")
        return base64.b64decode(data) if data else None

    @contextlib.contextmanager
    def pumping(self, interval_s: float = 0.0) -> Iterator[None]:
        """Issue frames back to back (or every `interval_s`) while the block runs, so that
        calls that wait for a frame (a pointer move, rAF) can finish."""
        self._pump_interval_s = interval_s
        self._pump_on.set()
        try:
            yield
        finally:
            self._pump_on.clear()

    def _pump(self) -> None:
        while not self._closed:
            if not self._pump_on.wait(PUMP_IDLE_WAIT_S):
                continue
            try:
                self.frame()
            except EnvError as exc:
                log.debug("frame pump stopped: %s", exc)
                self._pump_on.clear()
                continue
            if self._pump_interval_s:
                time.sleep(self._pump_interval_s)

    def close(self) -> None:
        """Stop the pump and close the socket; harmless twice."""
        self._pump_on.clear()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(*self._errors):
                self._ws.close()


def open_begin_frame_page(
    browser: Any, browser_cdp: Any, port: int, width: int, height: int, scale: float
) -> tuple[Any, Any, FrameClock]:
    """A new context with one page created over CDP under BeginFrame control, and its clock.

    Playwright's `new_page` cannot ask for BeginFrame control, so the target is created with
    `Target.createTarget` in the new context's browser context, and Playwright adopts it as a
    page of that context (it attaches to every target of its contexts). The caller holds the
    pool's lock: the context's CDP id is the one id that `new_context` added.
    """
    before = set(browser_cdp.send("Target.getBrowserContexts")["browserContextIds"])
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    added = set(browser_cdp.send("Target.getBrowserContexts")["browserContextIds"]) - before
    if len(added) != 1:
        context.close()
        raise EnvError(f"could not tell the new browser context apart ({len(added)} new ids)")
    params = {
        "url": "about:blank",
        "browserContextId": added.pop(),
        "enableBeginFrameControl": True,
    }
    with context.expect_page() as opened:
        target = browser_cdp.send("Target.createTarget", params)
    clock = FrameClock(f"ws://127.0.0.1:{port}/devtools/page/{target['targetId']}")
    return context, opened.value, clock
