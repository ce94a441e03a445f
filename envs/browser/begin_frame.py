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
# "auto": "begin" where the browser is Chromium's headless shell, else "clock" (envs.browser.pool)
FRAME_CHOICES = ("auto", *FRAME_MODES)
SCREENSHOT = {"format": "png", "optimizeForSpeed": True}
FRAME = "HeadlessExperimental.beginFrame"
# Every drawn frame takes its screenshot: a frame with no damage comes without one, and then the
# page looks as the last drawn frame showed it, which must be known.
DRAW = {"screenshot": SCREENSHOT}
# A frame run only for its page work (input dispatched, animation callbacks, layout): no raster
# or draw, about 20 % less browser CPU; the next frame with a screenshot draws all that changed.
# Not for a wheel: the compositor scrolls only in frames it draws (the frames pumped while
# a command waits are drawn).
NO_DRAW = {"noDisplayUpdates": True}
# Calls f(arg) in a task after the next frame's animation callbacks (so after that frame's
# input and page work), as a promise of its value.
AFTER_FRAME_JS = """(f, arg) => new Promise((resolve, reject) => requestAnimationFrame(
  () => setTimeout(() => { try { resolve(f(arg)); } catch (e) { reject(e); } }, 0)))"""
NOT_A_SHELL = (
    "; frames='begin' needs Chromium's headless shell (apt install chromium-headless-shell, or"
    " point HANDEYE_CHROMIUM at one), or make the env with frames='clock'"
)
PUMP_IDLE_WAIT_S = 0.5  # how often an idle pump thread checks whether it should stop
QUIET_S = 0.1  # a reply this late is waiting for a frame: draw one
# A page function that runs after a frame (`FrameClock.after_frame`) replies this soon after it
# (~1 ms idle); later, its animation callback missed the frame and waits for one more.
PAGE_WORK_QUIET_S = 0.005
SOCKET_TIMEOUT_S = 30.0
# A frame this late may be held by a popup widget (a <select>'s list, a date picker): Chromium
# draws those in a widget of their own, and while one is open no drawn frame of the page
# completes (frames without display updates still do); the page is asked whether one is open.
POPUP_CHECK_S = 1.0
# A screenshot can fail while the renderer starts (DevTools says so): the first capture of a
# page draws frames this long before it gives up (5 s fell short once on a loaded machine).
FIRST_FRAME_WAIT_S = 10.0
# Widgets whose popup blocks drawn frames: a page that has one keeps Chromium's clock.
POPUP_WIDGETS_JS = """() => [...document.querySelectorAll('select, input')].some((el) =>
  el.tagName === 'SELECT' ? !el.multiple && el.size <= 1 : el.list !== null ||
  ['date', 'time', 'datetime-local', 'month', 'week', 'color'].includes(el.type))"""
OPEN_POPUP_JS = "!!document.querySelector('select:open, input:open')"


FRAME_PERIOD_S = 1 / 60  # Chromium's own clock: what a page sees while time passes


def checked_frames(frames: str, choices: tuple[str, ...] = FRAME_MODES) -> str:
    """`frames` if it is one of `choices`, else EnvError saying which ones exist."""
    if frames not in choices:
        raise EnvError(f"frames must be one of {choices}, got {frames!r}")
    return frames


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (for `--remote-debugging-port`)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FrameClock:
    """Issues frames to one BeginFrame-controlled page over a DevTools websocket of its own.

    `gate` is held while a frame of this page is in flight; the clocks of one browser share it:
    two pages' frames in flight at once crash Chromium's GPU process ("Got overlapping
    IssueExternalBeginFrame"), and with it the browser.
    """

    def __init__(self, ws_url: str, gate: threading.Lock | None = None) -> None:
        try:
            import websocket  # websocket-client (the browser extra)
        except ImportError:
            raise SetupError(
                "frames='begin' needs websocket-client: pip install 'handeye[browser]'"
            ) from None
        self._errors: tuple[type[BaseException], ...] = (websocket.WebSocketException, OSError)
        self._quiet: type[BaseException] = websocket.WebSocketTimeoutException
        try:
            # Chromium sends valid UTF-8; checking it in pure Python cost more than the frame.
            self._ws = websocket.create_connection(
                ws_url, suppress_origin=True, timeout=SOCKET_TIMEOUT_S, skip_utf8_validation=True
            )
        except self._errors as exc:
            raise EnvError(f"could not reach the page's DevTools socket {ws_url}: {exc}") from exc
        self._ws.settimeout(QUIET_S)
        self._id = 0
        self._lock = threading.Lock()
        self._gate = gate or threading.Lock()
        self._gate_held = False
        self._pump_on = threading.Event()
        self._pump_interval_s = 0.0
        self._closed = False
        self.popup_blocked = False  # a popup widget held a drawn frame: the page needs the clock
        # The page did not answer in SOCKET_TIMEOUT_S: a frame that never completes wedges the
        # frame pipeline its browser's pages share (a busy page looks the same from here), so its
        # owner restarts the browser rather than only the page.
        self.stalled = False
        self.frames = 0  # frames issued so far (pumped ones included)
        self._last_screenshot = ""  # base64, as it came
        self.pointer: Any = None  # the page's pointer state (envs.browser.frame_input.Pointer)
        self._thread = threading.Thread(target=self._pump, name="frame-pump", daemon=True)
        self._thread.start()

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One DevTools command on the page and its result; EnvError if the page went away."""
        return self.batch([(method, params or {})])[0]

    def batch(
        self,
        commands: list[tuple[str, dict[str, Any]]],
        frames: bool = False,
        page_work_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Send the commands at once and return their results in order; with `frames`, draw
        frames until every reply is in (for input or scripts that wait for a frame). With
        `page_work_only` those frames run page work alone (undrawn: the next drawn frame draws
        what they changed), each once no reply came for PAGE_WORK_QUIET_S."""
        with self._lock:
            if self._closed:
                raise EnvError("the page's frame clock was closed; call reset() to recover")
            try:
                pump = NO_DRAW if page_work_only else DRAW
                quiet = PAGE_WORK_QUIET_S if page_work_only else QUIET_S
                self._ws.settimeout(quiet)
                replies = self._exchange(commands, frames, pump, eager=not page_work_only)
            except self._errors as exc:
                raise EnvError(
                    f"the browser failed ({type(exc).__name__}: {exc}); call reset() to recover"
                ) from exc
        results = []
        for (method, _), reply in zip(commands, replies, strict=True):
            if "error" in reply:
                error = reply["error"]
                hint = NOT_A_SHELL if method == FRAME else ""
                raise EnvError(f"{method} failed: {error.get('message', error)}{hint}")
            results.append(reply.get("result", {}))
        return results

    def _exchange(
        self,
        commands: list[tuple[str, dict[str, Any]]],
        frames: bool,
        pump: dict[str, Any],
        eager: bool,
    ) -> list[dict[str, Any]]:
        """The replies to `commands`, in order (the caller holds the lock). With `frames`, a
        `pump` frame is issued whenever other commands are still waiting and no frame is under
        way (`eager`), or no reply came for the socket's timeout."""
        try:
            return self._exchange_gated(commands, frames, pump, eager)
        finally:
            self._free_gate()

    def _hold_gate(self) -> None:
        """Hold the browser's frame gate (before a frame goes out)."""
        if not self._gate_held:
            if not self._gate.acquire(timeout=SOCKET_TIMEOUT_S):
                raise EnvError(f"another page's frame took over {SOCKET_TIMEOUT_S:.0f} s")
            self._gate_held = True

    def _free_gate(self) -> None:
        if self._gate_held:
            self._gate_held = False
            self._gate.release()

    def _post_frame(self, params: dict[str, Any]) -> int:
        self._hold_gate()
        return self._post(FRAME, params)

    def _exchange_gated(
        self,
        commands: list[tuple[str, dict[str, Any]]],
        frames: bool,
        pump: dict[str, Any],
        eager: bool,
    ) -> list[dict[str, Any]]:
        if any(method == FRAME for method, _ in commands):
            self._hold_gate()
        ids = [self._post(method, params) for method, params in commands]
        frame_ids = {i for i, (method, _) in zip(ids, commands, strict=True) if method == FRAME}
        pending, replies = set(ids), {}
        pumped = self._post_frame(pump) if frames and not frame_ids else None
        start = time.monotonic()
        deadline, probe, probe_at = start + SOCKET_TIMEOUT_S, None, start + POPUP_CHECK_S
        while pending or pumped is not None:
            now = time.monotonic()
            if now > deadline:
                self.stalled = True
                raise EnvError(
                    f"the page did not answer in {SOCKET_TIMEOUT_S:.0f} s; call reset() to recover"
                )
            try:
                reply = json.loads(self._ws.recv())
            except self._quiet:  # something waits for a frame (a timer's rAF): draw one,
                # whatever the caller expected; a frame that long in coming: is a popup open?
                if pumped is None and not pending & frame_ids:
                    pumped = self._post_frame(pump)
                elif probe is None and now > probe_at:
                    probe = self._post("Runtime.evaluate", _evaluation(OPEN_POPUP_JS))
                continue
            msg_id = reply.get("id")
            if msg_id is not None and msg_id == probe:
                if reply.get("result", {}).get("result", {}).get("value"):
                    self.popup_blocked = True
                    self._close_popup(pumped if pumped is not None else min(pending & frame_ids))
                    raise EnvError(
                        "a popup widget (a <select>'s list, a date or colour picker) opened on a"
                        " frames='begin' page, which cannot draw while it is open; the env"
                        " keeps Chromium's clock from the next reset on (frames='clock')"
                    )
                probe, probe_at = None, time.monotonic() + POPUP_CHECK_S
                continue
            if msg_id is not None and (msg_id == pumped or msg_id in frame_ids):
                self._keep_screenshot(reply)
            if msg_id is not None and msg_id == pumped:
                pumped = None
            elif msg_id in pending:
                pending.discard(msg_id)
                replies[msg_id] = reply
            else:
                continue
            if pumped is None and not pending & frame_ids:
                self._free_gate()  # no frame of this page in flight
            waiting = pending - frame_ids and not pending & frame_ids
            if eager and frames and pumped is None and waiting:
                pumped = self._post_frame(pump)
        self.frames += len(frame_ids)
        return [replies[i] for i in ids]

    def _close_popup(self, frame_id: int) -> None:
        """Close an open popup with Escape and wait (briefly) for the frame it held, so that
        no frame of this page stays in flight when the gate opens for the others."""
        for kind in ("rawKeyDown", "keyUp"):
            key = {"type": kind, "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27}
            self._post("Input.dispatchKeyEvent", key)
        deadline = time.monotonic() + POPUP_CHECK_S
        while time.monotonic() < deadline:
            with contextlib.suppress(self._quiet):
                if json.loads(self._ws.recv()).get("id") == frame_id:
                    return

    def _keep_screenshot(self, reply: dict[str, Any]) -> None:
        """Remember the PNG of a drawn frame: a later frame with no damage looks the same."""
        data = reply.get("result", {}).get("screenshotData")
        if data:
            self._last_screenshot = data

    @property
    def last_screenshot(self) -> bytes | None:
        """The PNG of the last frame drawn with damage (None before the first)."""
        return base64.b64decode(self._last_screenshot) if self._last_screenshot else None

    def _post(self, method: str, params: dict[str, Any]) -> int:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        return self._id

    def evaluate(
        self, function_js: str, arg: Any = None, frames: bool = False, call: bool = True
    ) -> Any:
        """Call a page function with a JSON argument in the page's main world and return its
        (awaited) value, as `page.evaluate` does (`call=False`: `function_js` is an expression
        to evaluate as it is); with `frames`, draw frames until it returns."""
        expression = f"({function_js})({json.dumps(arg)})" if call else function_js
        return _value(self.batch([("Runtime.evaluate", _evaluation(expression))], frames)[0])

    def after_frame(
        self,
        function_js: str,
        arg: Any = None,
        before: list[tuple[str, dict[str, Any]]] | None = None,
        screenshot: bool = False,
    ) -> tuple[bytes | None, Any]:
        """Send `before` (input events), draw a frame, and call a page function once that
        frame's page work is done, all in one round trip; the frame's PNG (with `screenshot`)
        and the function's value. The call is what a `page.evaluate` sent after the frame would
        see: input is dispatched and animation callbacks run in the frame, the call after it."""
        expression = f"({AFTER_FRAME_JS})({function_js}, {json.dumps(arg)})"
        params = DRAW if screenshot else NO_DRAW
        # The call goes first, so that its animation callback is asked for before the frame
        # starts and runs in it (sent after, it often missed the frame and waited for one more);
        # frames pumped until it returns only run page work: the next drawn frame draws it.
        commands = [*(before or []), ("Runtime.evaluate", _evaluation(expression)), (FRAME, params)]
        *_, result, shot = self.batch(commands, frames=True, page_work_only=True)
        data = shot.get("screenshotData")
        png = base64.b64decode(data) if data else None
        if png is None and not self._last_screenshot:
            png = self.frame()  # the renderer was starting: draw until it captures
        return png, _value(result)

    def draw_only(self, layout: tuple[int, int], drawn: tuple[int, int]) -> None:
        """Lay the page out in a `layout` (width, height) CSS-pixel window but draw and capture
        only its top-left `drawn` part, so each frame rasters, composites and encodes fewer
        pixels while the page sees the same window (same layout, same pixels where drawn)."""
        metrics = {"width": layout[0], "height": layout[1], "deviceScaleFactor": 1}
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {**metrics, "mobile": False, "dontSetVisibleSize": True},
        )
        self.send("Emulation.setVisibleSize", {"width": drawn[0], "height": drawn[1]})

    def frame(self) -> bytes | None:
        """Draw one frame; the viewport's PNG as it drew it (None when the frame had no damage
        to draw: the page looks as in `last_screenshot`). Before the page's first capture it
        draws until one comes: a screenshot can fail while the renderer starts."""
        data = self.send(FRAME, DRAW).get("screenshotData")
        deadline = time.monotonic() + FIRST_FRAME_WAIT_S
        while not data and not self._last_screenshot and time.monotonic() < deadline:
            time.sleep(FRAME_PERIOD_S)
            data = self.send(FRAME, DRAW).get("screenshotData")
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


def _evaluation(expression: str) -> dict[str, Any]:
    """`Runtime.evaluate` parameters: the awaited value, returned as JSON."""
    return {"expression": expression, "returnByValue": True, "awaitPromise": True}


def _value(result: dict[str, Any]) -> Any:
    """The value of a `Runtime.evaluate` result; EnvError with the page's message if it threw."""
    if "exceptionDetails" in result:
        details = result["exceptionDetails"]
        text = details.get("exception", {}).get("description") or details.get("text")
        raise EnvError(f"a page script failed: {text}")
    return result["result"].get("value")


def open_begin_frame_page(
    browser: Any,
    browser_cdp: Any,
    port: int,
    width: int,
    height: int,
    scale: float,
    gate: threading.Lock | None = None,
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
    clock = FrameClock(f"ws://127.0.0.1:{port}/devtools/page/{target['targetId']}", gate)
    return context, opened.value, clock
