"""`PageEnv`: the page lifecycle the browser envs share (open, reopen after a crash, close).

Subclasses say how a fresh page is set up (`_open_page`); this base keeps one live page per env,
replaces a crashed one only between episodes (`_page`, `_start_on_a_live_page`), refuses a lost
one mid-episode (`_live`), ends an episode whose browser died (`_browser_lost`) and hands the
pool back once on `close`. A frames="begin" page that has a popup widget (a `<select>`, a date
or colour picker: no drawn frame completes while its popup is open) is replaced by a page on
Chromium's clock, and the env stays on the clock from then on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import gymnasium as gym
import numpy as np

from contracts.errors import EnvError
from envs.browser.begin_frame import POPUP_WIDGETS_JS
from envs.browser.pool import BrowserPool, PageHandle, browser_errors, shared_pool

log = logging.getLogger(__name__)

T = TypeVar("T")


class PageEnv(gym.Env):
    """A gymnasium env backed by one Chromium page from a shared `BrowserPool`."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def _init_page(
        self, pool: BrowserPool | None, width: int, height: int, frames: str = "clock"
    ) -> None:
        """State every page env starts with: a pool lease (the thread's shared pool for the
        frame mode unless one is given), no page yet, a black screen."""
        self._pool = (pool or shared_pool(frames)).acquire()
        self.frames = self._pool.frames  # the mode this env's pages run in now
        self._handle: PageHandle | None = None
        self._screen = np.zeros((height, width, 3), np.uint8)
        self._closed = False
        # Seconds spent in the last reset/step ("act", "capture"), kept out of `info` so that
        # info stays deterministic for a given seed and action.
        self.last_timings: dict[str, float] = {}

    def _open_page(self) -> PageHandle:
        """A new page set up for this env (subclasses load their content here)."""
        raise NotImplementedError

    def _page(self) -> PageHandle:
        """The live page; a new one (in a restarted browser if need be) after a crash."""
        if self._handle is not None and self._handle.alive:
            return self._handle
        if self._handle is not None:
            log.warning("%s: the browser page was lost; opening a new one", self._label())
            self._handle.close()
            self._handle = None
        handle = self._open_page()
        if handle.clock is not None and handle.evaluate(POPUP_WIDGETS_JS):
            handle.close()
            self._use_the_clock("the page has a popup widget (a <select>, a date or colour picker)")
            handle = self._open_page()
        self._handle = handle
        return handle

    def _use_the_clock(self, reason: str) -> None:
        """Run this env's pages on Chromium's clock from now on (the thread's shared pool)."""
        log.info("%s: %s; its pages keep Chromium's frame clock", self._label(), reason)
        self._pool.release()
        self._pool = shared_pool("clock").acquire()
        self.frames = "clock"

    def _live(self) -> PageHandle:
        """The page of the running episode; never silently replaced mid-episode."""
        if self._handle is None or not self._handle.alive:
            raise EnvError("the browser page of this episode is gone (crashed or closed)")
        return self._handle

    def _start_on_a_live_page(self, start: Callable[[], T]) -> T:
        """Run an episode's `start`; if the browser fails, run it once more on a new page."""
        try:
            with browser_errors():
                return start()
        except EnvError as exc:
            log.warning("%s: reset failed (%s); restarting the page", self._label(), exc)
            self._drop_page()
            with browser_errors():
                return start()

    def _browser_lost(
        self, exc: EnvError
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """The step result when the browser died mid-step: the episode is truncated with a black
        frame and the session goes on (the next reset opens a new page)."""
        cause = exc.__cause__ or exc
        log.warning("%s: browser failed during step: %s", self._label(), cause)
        self._drop_page()
        self._screen = np.zeros_like(self._screen)
        info = {"error": f"browser failed: {type(cause).__name__}: {cause}", "browser_lost": True}
        return self._obs(), 0.0, False, True, info

    def _label(self) -> str:
        """What log lines call this env."""
        return type(self).__name__

    def _obs(self) -> dict[str, Any]:
        return {"screen": self._screen, "instruction": self._instruction}

    def render(self) -> np.ndarray | None:
        return self._screen if self.render_mode == "rgb_array" else None

    def _drop_page(self) -> None:
        if self._handle is not None:
            self._handle.close()
            clock, self._handle = self._handle.clock, None
            if clock is not None and clock.stalled:
                self._pool.restart_browser()
            if clock is not None and clock.popup_blocked:
                self._use_the_clock("a popup widget opened mid-episode")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._drop_page()
        self._pool.release()
