"""One Chromium driven by Playwright's async API on an event loop thread, for many pages at once.

`BrowserPool` (sync API) drives one page at a time: every call waits for its reply. A vector
env steps N pages together, so this pool runs one Playwright driver and one Chromium on a
background event loop and the vector env hands it a coroutine per page (`run`): while one
page waits for a compositor frame, the others are clicked, read and captured. Same browser,
flags and launch diagnosis as `BrowserPool`.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from contracts.errors import EnvError, SetupError, missing_extra
from envs.browser.pool import (
    CHROMIUM_FLAGS,
    bound_call,
    browser_errors,
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

    @property
    def alive(self) -> bool:
        """False once the page crashed, was closed, or its browser went away."""
        return (
            not self.crashed
            and self.pool.generation == self.generation
            and self.pool.connected
            and not self.page.is_closed()
        )

    async def screenshot(
        self, clip: tuple[float, float, float, float] | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """The viewport, or a CSS-pixel clip (x, y, w, h) at `scale`, as (H, W, 3) uint8: the
        same capture as `PageHandle.screenshot`."""
        from PIL import Image

        params: dict[str, Any] = {"format": "png", "optimizeForSpeed": True}
        if clip is not None:
            x, y, w, h = clip
            params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": scale}
        reply = await self.cdp.send("Page.captureScreenshot", params)
        img = Image.open(io.BytesIO(base64.b64decode(reply["data"])))
        return np.asarray(img.convert("RGB"))

    async def perform(self, action: Any, scale: float = 1.0) -> None:
        """Carry out a typed UI action (the same Playwright calls as the sync `perform`)."""
        for call in input_calls(action, scale):
            if call.method == "press":
                try:
                    with browser_errors():
                        await bound_call(self.page, call)(*call.args, **call.kwargs)
                except EnvError as exc:
                    raise refused_key(call, exc) from None
            else:
                await bound_call(self.page, call)(*call.args, **call.kwargs)

    async def close(self) -> None:
        """Close this page's context; harmless if the page or browser already died."""
        try:
            await self.context.close()
        except Exception as exc:  # noqa: BLE001 - a dead browser raises many kinds of errors
            log.debug("closing a page of a dead browser: %s", exc)


class AsyncBrowserPool:
    """Owns an event loop thread, the async Playwright driver and one Chromium; restarts it
    after a crash. A context manager: `close()` stops all three."""

    def __init__(self, headless: bool = True, extra_args: tuple[str, ...] = ()) -> None:
        self.headless = headless
        self.extra_args = extra_args
        self.generation = 0
        self._pw: Any = None
        self._browser: Any = None
        self._launch_lock: asyncio.Lock | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="handeye-browser-loop", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the pool's loop and wait for its result (from any other thread)."""
        if self._loop.is_closed():
            coro.close()
            raise EnvError("this browser pool was closed; make a new vector env")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

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
        from envs.browser.check import browser_failure, driver_failure

        if self._pw is None:
            try:
                self._pw = await async_playwright().start()
            except Exception as exc:  # noqa: BLE001 - the driver fails in many ways; diagnose all
                raise SetupError(driver_failure(exc)) from None
        exe = find_chromium(self.headless)
        args = list(CHROMIUM_FLAGS) + list(self.extra_args)
        try:
            self._browser = await self._pw.chromium.launch(
                executable_path=exe, headless=self.headless, args=args
            )
        except Exception as exc:  # noqa: BLE001 - a launch fails in many ways; diagnose all
            raise SetupError(browser_failure(exe, exc)) from None
        self.generation += 1
        log.info("started Chromium %s (%s) for a vector env", self._browser.version, exe)

    async def new_page(self, width: int, height: int, scale: float = 1.0) -> AsyncPageHandle:
        """A fresh page in its own context; (re)starts Chromium if it is not running."""
        if self._launch_lock is None:
            self._launch_lock = asyncio.Lock()
        async with self._launch_lock:
            if not self.connected:
                await self._stop_browser()
                await self._start()
        with browser_errors():
            context = await self._browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
        handle = AsyncPageHandle(context, page, cdp, self.generation, self)
        page.on("crash", lambda _page: setattr(handle, "crashed", True))
        return handle

    async def _stop_browser(self) -> None:
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception as exc:  # noqa: BLE001 - closing a crashed browser
                log.debug("closing a dead browser: %s", exc)
            self._browser = None

    async def _shutdown(self) -> None:
        await self._stop_browser()
        if self._pw is not None:
            try:
                await self._pw.stop()
            except Exception as exc:  # noqa: BLE001
                log.debug("stopping playwright: %s", exc)
            self._pw = None

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

    def __enter__(self) -> AsyncBrowserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
