"""One Chromium driven by Playwright's async API on an event loop thread, for many pages at once.

`BrowserPool` (sync API) drives one page at a time: every call waits for its reply. A vector
env steps N pages together, so this pool runs one Playwright driver and one Chromium on a
background event loop and the vector env hands it a coroutine per page (`run`): while one
page waits for a compositor frame, the others are clicked, read and captured. Same browser,
flags and launch diagnosis as `BrowserPool`.

With frames="begin" the browser runs under BeginFrame control and a page can be opened with
frames on demand (`new_page(begin=True)`): its screenshots, pointer events and page scripts
go over the page's own `FrameClock` socket, as in the single env, each blocking call on a
worker thread of the pool's own (one per page), so N pages still wait together.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from contracts.errors import EnvError, SetupError, missing_extra
from envs.browser.begin_frame import (
    BEGIN_FRAME_FLAGS,
    FRAME_PERIOD_S,
    FrameClock,
    checked_frames,
    free_port,
)
from envs.browser.frame_input import drag_done, pointer_of, run_on_clock
from envs.browser.pool import (
    CHROMIUM_FLAGS,
    bound_call,
    browser_errors,
    decode_frame,
    find_chromium,
    input_calls,
    refused_key,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class AsyncPageHandle:
    """A page of its own context, its CDP session, and whether its renderer crashed."""

    context: Any
    page: Any
    cdp: Any
    generation: int
    pool: AsyncBrowserPool = field(repr=False)
    crashed: bool = False
    clock: FrameClock | None = None  # frames on demand; None: Chromium's clock
    browser: Any = None  # the Chromium it lives in (a frames="begin" pool may run two)

    @property
    def alive(self) -> bool:
        """False once the page crashed, was closed, or its browser went away."""
        return (
            not self.crashed
            and self.pool.generation == self.generation
            and self.pool.connected
            and (self.browser is None or self.browser.is_connected())
            and not self.page.is_closed()
        )

    async def screenshot(
        self, clip: tuple[float, float, float, float] | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """The viewport, or a CSS-pixel clip (x, y, w, h) at `scale`, as (H, W, 3) uint8: the
        same capture as `PageHandle.screenshot`."""
        from PIL import Image

        if self.clock is not None:
            return decode_frame(
                await self.pool.blocking(self.clock.frame), self.clock.last_screenshot, clip
            )
        params: dict[str, Any] = {"format": "png", "optimizeForSpeed": True}
        if clip is not None:
            x, y, w, h = clip
            params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": scale}
        reply = await self.cdp.send("Page.captureScreenshot", params)
        img = Image.open(io.BytesIO(base64.b64decode(reply["data"])))
        return np.asarray(img.convert("RGB"))

    async def screenshot_then_evaluate(
        self,
        function_js: str,
        arg: Any = None,
        clip: tuple[float, float, float, float] | None = None,
    ) -> tuple[np.ndarray, Any]:
        """A frames-on-demand page's screenshot and then a page function's value, in one round
        trip (as `PageHandle.screenshot_then_evaluate`)."""
        assert self.clock is not None
        after = functools.partial(self.clock.after_frame, function_js, arg, screenshot=True)
        png, value = await self.pool.blocking(after)
        return decode_frame(png, self.clock.last_screenshot, clip), value

    async def evaluate(self, function_js: str, arg: Any = None, frames: bool = False) -> Any:
        """Call a page function with a JSON argument (over the page's own socket when it draws
        frames on demand; `frames`: draw them until it returns)."""
        if self.clock is not None:
            call = functools.partial(self.clock.evaluate, function_js, arg, frames)
            return await self.pool.blocking(call)
        with browser_errors():
            return await self.page.evaluate(function_js, arg)

    async def perform(self, action: Any, scale: float = 1.0) -> None:
        """Carry out a typed UI action (the same calls as the sync `perform`, and as
        `perform_with_frames` on a page that draws frames on demand)."""
        from contracts.actions import Drag

        calls = input_calls(action, scale)
        clock = self.clock
        if clock is not None and isinstance(action, Drag):
            with clock.pumping():  # Playwright's drag manager waits for frames
                for call in calls:
                    with browser_errors():
                        await bound_call(self.page, call)(*call.args, **call.kwargs)
            drag_done(pointer_of(clock), calls)
            return
        for call in calls:
            if clock is not None and await self.pool.blocking(
                run_on_clock, clock, pointer_of(clock), call
            ):
                continue
            try:
                with browser_errors():
                    await bound_call(self.page, call)(*call.args, **call.kwargs)
            except EnvError as exc:
                if call.method == "press":
                    raise refused_key(call, exc) from None
                raise

    async def settle(self, ms: float) -> None:
        """Let `ms` of page time pass (frames drawn at Chromium's rate on a frames-on-demand
        page)."""
        if self.clock is None:
            await self.page.wait_for_timeout(ms)
            return
        with self.clock.pumping(FRAME_PERIOD_S):
            await asyncio.sleep(ms / 1000)

    async def close(self) -> None:
        """Close this page's context, then its clock; harmless if the page or browser already
        died (closing the page first frees a clock call waiting on it)."""
        try:
            await self.context.close()
        except Exception as exc:  # noqa: BLE001 - a dead browser raises many kinds of errors
            log.debug("closing a page of a dead browser: %s", exc)
        if self.clock is not None:
            await self.pool.blocking(self.clock.close)


class AsyncBrowserPool:
    """Owns an event loop thread, the async Playwright driver and one Chromium; restarts it
    after a crash. A context manager: `close()` stops all three."""

    def __init__(
        self,
        headless: bool = True,
        extra_args: tuple[str, ...] = (),
        frames: str = "clock",
        workers: int = 8,
    ) -> None:
        self.headless = headless
        self.extra_args = extra_args
        self.frames = checked_frames(frames)
        self.generation = 0
        self._pw: Any = None
        self._browser: Any = None
        self._clock_browser: Any = None  # pages on Chromium's clock in a frames="begin" pool
        self._browser_cdp: Any = None
        self._port = 0
        self._launch_lock: asyncio.Lock | None = None
        self._gate = threading.Lock()  # one frame in flight per browser (see FrameClock)
        # blocking FrameClock calls, one thread per page so that N pages wait together
        self._workers = ThreadPoolExecutor(max(1, workers), thread_name_prefix="handeye-frames")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="handeye-browser-loop", daemon=True
        )
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Start `coro` on the pool's loop (from any other thread); its future."""
        if self._loop.is_closed():
            coro.close()
            raise EnvError("this browser pool was closed; make a new vector env")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the pool's loop and wait for its result (from any other thread)."""
        return self.submit(coro).result(timeout)

    async def blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on one of the pool's worker threads (a FrameClock call blocks)."""
        return await asyncio.get_running_loop().run_in_executor(self._workers, fn, *args)

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    @property
    def version(self) -> str:
        return self._browser.version if self._browser is not None else ""

    async def _start(self) -> None:
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            raise missing_extra("playwright", "browser") from None
        from envs.browser.check import driver_failure

        if self._pw is None:
            try:
                self._pw = await async_playwright().start()
            except Exception as exc:  # noqa: BLE001 - the driver fails in many ways; diagnose all
                raise SetupError(driver_failure(exc)) from None
        if self.frames == "begin":
            self._port = free_port()
        self._browser = await self._launch(self.frames == "begin")
        if self.frames == "begin":
            self._browser_cdp = await self._browser.new_browser_cdp_session()
        self.generation += 1

    async def _launch(self, begin: bool) -> Any:
        """A Chromium with the pool's flags (and BeginFrame control with `begin`)."""
        from envs.browser.check import browser_failure

        exe = find_chromium(self.headless)
        args = list(CHROMIUM_FLAGS) + list(self.extra_args)
        if begin:
            args += [*BEGIN_FRAME_FLAGS, f"--remote-debugging-port={self._port}"]
        try:
            browser = await self._pw.chromium.launch(
                executable_path=exe, headless=self.headless, args=args
            )
        except Exception as exc:  # noqa: BLE001 - a launch fails in many ways; diagnose all
            raise SetupError(browser_failure(exe, exc)) from None
        log.info("started Chromium %s (%s) for a vector env", browser.version, exe)
        return browser

    async def _clock_pages_browser(self) -> Any:
        """The browser for pages on Chromium's clock: the pool's own, or in a frames="begin"
        pool (whose pages draw only when told to) a second one, started on first use."""
        if self.frames != "begin":
            return self._browser
        if self._clock_browser is None or not self._clock_browser.is_connected():
            self._clock_browser = await self._launch(False)
        return self._clock_browser

    async def new_page(
        self, width: int, height: int, scale: float = 1.0, begin: bool = False
    ) -> AsyncPageHandle:
        """A fresh page in its own context, drawing frames on demand with `begin` (a
        frames="begin" pool, scale 1); (re)starts Chromium if it is not running."""
        if begin and (self.frames != "begin" or scale != 1.0):
            raise EnvError("frames-on-demand pages need a frames='begin' pool and scale 1")
        if self._launch_lock is None:
            self._launch_lock = asyncio.Lock()
        async with self._launch_lock:
            if not self.connected:
                await self._stop_browser()
                await self._start()
            clock = None
            with browser_errors():
                if begin:  # the new context's id is the one id it adds: hold the lock
                    context, page, clock = await self._open_begin_frame_page(width, height)
                else:
                    browser = await self._clock_pages_browser()
                    context = await browser.new_context(
                        viewport={"width": width, "height": height}, device_scale_factor=scale
                    )
                    page = await context.new_page()
                cdp = await context.new_cdp_session(page)
        handle = AsyncPageHandle(
            context, page, cdp, self.generation, self, clock=clock, browser=context.browser
        )
        page.on("crash", lambda _page: setattr(handle, "crashed", True))
        return handle

    async def _open_begin_frame_page(self, width: int, height: int) -> tuple[Any, Any, FrameClock]:
        """`open_begin_frame_page` on the async API (the caller holds the launch lock)."""
        ids = "browserContextIds"
        before = set((await self._browser_cdp.send("Target.getBrowserContexts"))[ids])
        context = await self._browser.new_context(viewport={"width": width, "height": height})
        added = set((await self._browser_cdp.send("Target.getBrowserContexts"))[ids]) - before
        if len(added) != 1:
            await context.close()
            raise EnvError(f"could not tell the new browser context apart ({len(added)} new ids)")
        params = {"url": "about:blank", "browserContextId": added.pop()}
        async with context.expect_page() as opened:
            target = await self._browser_cdp.send(
                "Target.createTarget", {**params, "enableBeginFrameControl": True}
            )
        url = f"ws://127.0.0.1:{self._port}/devtools/page/{target['targetId']}"
        clock = await self.blocking(FrameClock, url, self._gate)
        return context, await opened.value, clock

    async def _stop_browser(self) -> None:
        if self._browser is not None:
            await _close_browser(self._browser)
            self._browser = None
            self._browser_cdp = None

    async def _shutdown(self) -> None:
        await self._stop_browser()
        if self._clock_browser is not None:
            await _close_browser(self._clock_browser)
            self._clock_browser = None
        if self._pw is not None:
            try:
                await self._pw.stop()
            except Exception as exc:  # noqa: BLE001
                log.debug("stopping playwright: %s", exc)
            self._pw = None

    async def restart_browser(self) -> None:
        """Stop the frames-on-demand Chromium whose page did not answer (as `BrowserPool`'s); the
        next page starts a new one."""
        log.warning("restarting Chromium: a page of it did not answer")
        if self._launch_lock is None:
            self._launch_lock = asyncio.Lock()
        async with self._launch_lock:
            await self._stop_browser()

    def kill_browser_for_test(self) -> None:
        """Close the browser under the pages' feet (recovery tests)."""
        self.run(self._stop_browser())

    def close(self) -> None:
        """Stop Chromium, the driver and the loop thread (idempotent)."""
        if self._loop.is_closed():
            return
        try:
            self.run(self._shutdown(), timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self._workers.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> AsyncBrowserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _close_browser(browser: Any) -> None:
    try:
        await browser.close()
    except Exception as exc:  # noqa: BLE001 - closing a crashed browser
        log.debug("closing a dead browser: %s", exc)
