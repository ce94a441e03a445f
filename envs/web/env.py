"""Any web page as a gymnasium env: a URL in a real Chromium page, seen as pixels, driven by
typed UI actions.

Backend: a page of the shared browser (envs.browser.pool). Task: the instruction given at reset
(there is no checker: an episode ends when the agent says `done()`). Adapter: this class.
The browser's own controls are emulated (envs.web.address_bar): `key("ctrl+l")`, `type(URL)`,
`key("Enter")` navigate; `alt+Left`/`alt+Right` go back/forward; `F5` reloads.

`info` carries what a person sees besides the page's pixels: the URL, the title, what has the
keyboard focus (`{"tag", "type", "name", "form"}`, e.g. a password field inside a form), the
address bar's text while it is being edited, and the last dialog's message. The safety layer
reads these; pixel policies never do (agent.session.visible_info).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from contracts.actions import UI_ACTIONS, Action, Done, Key, Type
from contracts.errors import ActionError, EnvError
from contracts.spaces import ActionSpace, text_space
from envs.browser.page_env import PageEnv
from envs.browser.page_scripts import page_file
from envs.browser.pool import (
    TWO_FRAMES_JS,
    BrowserPool,
    PageHandle,
    browser_errors,
    perform,
    playwright_keys,
    playwright_message,
)
from envs.web.address_bar import FOCUS_CHORDS, HISTORY_CHORDS, AddressBar, normalise_chord

log = logging.getLogger(__name__)

SCROLL_NOTCH_PX = 100  # CSS pixels per wheel notch, as Chromium scrolls on Linux
_POLL_MS = 15
_CAPTURE_TRIES = 8  # retries after waits of 15, 30, ... ms: about 0.4 s before a black frame
PAGE_STATE_JS = page_file("envs.web", "page_state.js")
_MAX_BOXES = 64  # element_boxes measures at most this many matches (one round trip each)
DESCRIBE_POINT_JS = page_file("envs.web", "describe_point.js")
ONE_TAB_JS = page_file("envs.web", "one_tab.js")


@dataclass(frozen=True)
class WebConfig:
    """Settings of one web env; each maps 1:1 to a `gymnasium.make` keyword."""

    url: str = "about:blank"
    viewport: tuple[int, int] = (1280, 720)  # CSS pixels (width, height)
    scale: float = 1.0  # device scale factor: observation pixels per CSS pixel
    instruction: str = ""  # used when reset() is given none
    load_timeout_s: float = 15.0  # per navigation; a slower page is reported, not waited for
    settle_ms: int = 0  # extra wait after each action for animations


class WebEnv(PageEnv):
    """A real page at any URL; observation = viewport pixels + instruction; typed UI actions."""

    def __init__(
        self,
        url: str = "about:blank",
        render_mode: str | None = None,
        pool: BrowserPool | None = None,
        navigation_guard: Callable[[str], str | None] | None = None,
        **config: Any,
    ) -> None:
        """navigation_guard(url) -> None to let a top-level navigation (link, form, script,
        address bar) load, or the reason to block it; blocked ones are reported in
        `info["error"]` and the page stays where it was."""
        self._guard = navigation_guard
        self._blocked: list[str] = []
        if "viewport" in config:
            config["viewport"] = tuple(int(v) for v in config["viewport"])
        self.config = WebConfig(url=url, **config)
        vw, vh = self.config.viewport
        if not (64 <= vw <= 4096 and 64 <= vh <= 4096):
            raise EnvError(f"viewport must be within 64..4096 CSS pixels, got {vw}x{vh}")
        if not 0.25 <= self.config.scale <= 4:
            raise EnvError(f"scale must be in [0.25, 4], got {self.config.scale}")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise EnvError(f"render_mode {render_mode!r} is not supported; use 'rgb_array' or None")
        self.render_mode = render_mode
        self.width = round(vw * self.config.scale)
        self.height = round(vh * self.config.scale)
        self.observation_space = spaces.Dict(
            {
                "screen": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
                "instruction": text_space(),
            }
        )
        self.action_space = ActionSpace(self.width, self.height, UI_ACTIONS, what="a UI action")
        self._init_page(pool, self.width, self.height)
        self._instruction = self.config.instruction
        self._bar = AddressBar()
        self._nav_pending = False
        self._dialog: str | None = None

    # ----------------------------------------------------------------- backend
    def _label(self) -> str:
        return "web env"

    def _open_page(self) -> PageHandle:
        """A blank page that keeps one tab, records navigations and dismisses dialogs."""
        vw, vh = self.config.viewport
        handle = self._pool.new_page(vw, vh, self.config.scale)
        handle.context.add_init_script(ONE_TAB_JS)
        handle.context.on("page", self._on_popup)
        page = handle.page
        page.set_default_timeout(self.config.load_timeout_s * 1000)
        page.on("request", self._on_request)
        page.on("load", self._on_load)
        if self._guard is not None:
            page.route("**/*", self._route)
        page.on("dialog", self._on_dialog)
        return handle

    def _on_request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._nav_pending = self._refusal(request.url) is None

    def _refusal(self, url: str) -> str | None:
        return None if self._guard is None else self._guard(url)

    def _route(self, route: Any, request: Any) -> None:
        """Abort a top-level navigation the guard refuses; let every other request through."""
        if request.is_navigation_request() and request.frame.parent_frame is None:
            reason = self._refusal(request.url)
            if reason is not None:
                self._blocked.append(f"blocked a navigation to {request.url}: {reason}")
                self._nav_pending = False
                route.fulfill(status=204)  # No Content: the browser stays on the current page
                return
        route.continue_()

    def _on_load(self, _page: Any) -> None:
        self._nav_pending = False

    def _on_dialog(self, dialog: Any) -> None:
        self._dialog = f"{dialog.type}: {dialog.message}"
        dialog.dismiss()

    def _on_popup(self, page: Any) -> None:
        """A tab the one-tab script could not stop (rare): close it, the env has one tab."""
        log.info("web env: closing a new tab (%s); this env keeps one tab", page.url)
        page.close()

    def _goto(self, url: str) -> str | None:
        """Load `url`; a page that fails to load is an error message, not an exception."""
        page = self._live().page
        try:
            with browser_errors():
                page.goto(url, wait_until="load")
        except EnvError as exc:  # Playwright raises one Error type for every network failure
            if not self._live().alive:
                raise
            return f"could not load {url}: {playwright_message(exc)}"
        finally:
            self._nav_pending = False
        return None

    def _settle(self, page: Any) -> str | None:
        """Let the page answer the action: two frames, then any navigation it started."""
        try:
            with browser_errors():
                page.evaluate(TWO_FRAMES_JS)
        except EnvError as exc:  # a navigation destroyed the context mid-evaluate
            log.debug("settle interrupted by navigation: %s", exc)
        deadline = time.monotonic() + self.config.load_timeout_s
        while self._nav_pending and time.monotonic() < deadline:
            page.wait_for_timeout(_POLL_MS)
        if self.config.settle_ms:
            page.wait_for_timeout(self.config.settle_ms)
        if self._nav_pending:
            self._nav_pending = False
            return f"the page is still loading after {self.config.load_timeout_s:.0f} s"
        return None

    def _capture(self) -> tuple[np.ndarray, str | None]:
        """The viewport and None; a black frame and why, when retries could not capture it."""
        handle = self._live()
        shot = None
        for attempt in range(_CAPTURE_TRIES):
            if attempt:  # the CDP session detaches when Chromium swaps renderers (e.g. for its
                # error page); the new renderer needs a moment, and a new session sees it
                handle.page.wait_for_timeout(_POLL_MS * attempt)
                handle.cdp = handle.context.new_cdp_session(handle.page)
            try:
                with browser_errors():
                    shot = handle.screenshot() if attempt == 0 else self._fallback_capture(handle)
                break
            except EnvError as exc:  # Playwright raises one Error type for all of these
                if not handle.alive:
                    raise
                log.debug("screenshot try %d failed (%s)", attempt + 1, exc)
        if shot is None:
            log.warning("web env: no screenshot after %d tries; the frame is black", _CAPTURE_TRIES)
            black = np.zeros((self.height, self.width, 3), np.uint8)
            return black, "the page could not be captured; the frame is black"
        if shot.shape[:2] != (self.height, self.width):  # rounding of a fractional scale
            out = np.zeros((self.height, self.width, 3), np.uint8)
            h, w = min(shot.shape[0], self.height), min(shot.shape[1], self.width)
            out[:h, :w] = shot[:h, :w]
            shot = out
        return shot, None

    @staticmethod
    def _fallback_capture(handle: PageHandle) -> np.ndarray:
        """A screenshot through the new CDP session, else through Playwright (slower)."""
        import io

        from PIL import Image

        try:
            with browser_errors():
                return handle.screenshot()
        except EnvError as exc:  # still detached: Playwright follows the page itself
            log.debug("CDP screenshot failed again (%s); using page.screenshot", exc)
            png = handle.page.screenshot(type="png")
            return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    # ------------------------------------------------------------ gymnasium API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Open the page (options: `url`, `instruction`, `keep_page` to stay where it is)."""
        super().reset(seed=seed)
        if self._closed:
            raise EnvError("this env was closed; make a new one")
        options = dict(options or {})
        self._instruction = str(options.get("instruction", self.config.instruction))
        url = options.get("url") or self.config.url
        keep = bool(options.get("keep_page")) and not options.get("url")
        self._bar.blur()
        self._dialog = None
        t0 = time.perf_counter()
        error = self._start_on_a_live_page(lambda: self._open(url, keep))
        t1 = time.perf_counter()
        try:
            with browser_errors():
                self._screen, lost = self._capture()
        except EnvError as exc:  # a crashed renderer still looks open: start on a new page
            log.warning("web env: capture after reset failed (%s); restarting the page", exc)
            self._drop_page()
            error = self._start_on_a_live_page(lambda: self._open(url, False))
            with browser_errors():
                self._screen, lost = self._capture()
        with browser_errors():
            self.last_timings = {"act": t1 - t0, "capture": time.perf_counter() - t1}
            return self._obs(), self._info(_joined(error, lost))

    def _open(self, url: str, keep: bool) -> str | None:
        fresh = self._handle is None or not self._handle.alive
        self._page()
        if keep and not fresh:
            return None
        return self._goto(url)

    def step(
        self, action: Action | str
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        t0 = time.perf_counter()
        error: str | None = None
        try:
            typed = self.action_space.parse(action)
        except ActionError as exc:
            typed, error = None, str(exc)
        self._dialog = None
        try:
            with browser_errors():
                page = self._live().page
                if typed is not None and not isinstance(typed, Done):
                    error = self._execute(page, typed) or error
                    error = self._settle(self._live().page) or error
                    error = _joined(*self._blocked, error)
                    self._blocked.clear()
        except ActionError as exc:
            error = str(exc)
        except EnvError as exc:  # the browser died mid-step: end the episode, keep the session
            return self._browser_lost(exc)
        t1 = time.perf_counter()
        try:
            with browser_errors():
                self._screen, lost = self._capture()
                self.last_timings = {"act": t1 - t0, "capture": time.perf_counter() - t1}
                info = self._info(_joined(error, lost))
        except EnvError as exc:  # e.g. the renderer crashed after the action ran
            return self._browser_lost(exc)
        if isinstance(typed, Done):
            info["answer"] = typed.answer
        return self._obs(), 0.0, isinstance(typed, Done), False, info

    def _execute(self, page: Any, action: Action) -> str | None:
        """Carry out one action; coordinates go from observation pixels to CSS pixels."""
        s = self.config.scale

        if action.points():
            self._bar.blur()  # a click or pointer move leaves the address bar
        if isinstance(action, Type):
            result = self._bar.type(action.text)
            if result.navigate:
                return self._goto(result.navigate)
            if not result.handled:
                page.keyboard.type(action.text)
        elif isinstance(action, Key):
            return self._press(page, action.keys)
        else:
            perform(page, action, s, SCROLL_NOTCH_PX)
        return None

    def _press(self, page: Any, chord: str) -> str | None:
        name = normalise_chord(chord)
        if name in FOCUS_CHORDS:
            self._bar.focus(page.url)
            return None
        if name in HISTORY_CHORDS:
            self._bar.blur()
            try:
                with browser_errors():
                    getattr(page, HISTORY_CHORDS[name])(wait_until="load")
            except EnvError as exc:  # no history entry, or the load failed
                if not self._live().alive:
                    raise
                return f"{chord}: {playwright_message(exc)}"
            return None
        result = self._bar.key(chord)
        if result.navigate:
            return self._goto(result.navigate)
        if not result.handled:
            try:
                with browser_errors():
                    page.keyboard.press(playwright_keys(chord))
            except EnvError as exc:
                if not self._live().alive:
                    raise
                cause = exc.__cause__
                raise ActionError(f"key {chord!r} was refused by the browser: {cause}") from None
        return None

    # ------------------------------------------------------------ public UI state
    def describe_point(self, x: int, y: int) -> dict[str, Any] | None:
        """What is under observation pixel (x, y): tag, type, name, text, link target, whether
        it submits a form. Public UI state (a person sees it, and the link in the status bar);
        the safety layer asks before a click. None off the page or when nothing is there."""
        if self._handle is None or not self._handle.alive:
            return None
        s = self.config.scale
        try:
            with browser_errors():
                return self._handle.page.evaluate(DESCRIBE_POINT_JS, [(x + 0.5) / s, (y + 0.5) / s])
        except EnvError as exc:  # a page mid-navigation has no document to ask
            log.debug("describe_point failed: %s", exc)
            return None

    def element_boxes(self, selector: str) -> list[tuple[int, int, int, int]]:
        """Boxes (x0, y0, x1, y1 in observation pixels, clipped to the viewport) of the visible
        elements matching `selector` (Playwright CSS, open shadow roots pierced). Privileged: for
        redacting recorded frames, never for a pixel policy; Playwright measures in its own
        world, so page scripts cannot hide an element from it. EnvError for a bad selector."""
        page, s = self._live().page, self.config.scale
        out = []
        with browser_errors():
            found = page.locator(selector)
            for i in range(min(found.count(), _MAX_BOXES)):
                box = found.nth(i).bounding_box(timeout=1000)
                if box is None:
                    continue
                x0, y0 = max(0, int(box["x"] * s)), max(0, int(box["y"] * s))
                x1 = min(self.width, int(np.ceil((box["x"] + box["width"]) * s)))
                y1 = min(self.height, int(np.ceil((box["y"] + box["height"]) * s)))
                if x1 > x0 and y1 > y0:
                    out.append((x0, y0, x1, y1))
        return out

    def mark_focused(self, attribute: str) -> None:
        """Set `attribute` on the focused element (e.g. to redact, in later frames, a field that
        got a secret); nothing when no element has the focus."""
        with browser_errors():
            self._live().page.evaluate(
                "(a) => { const el = document.activeElement;"
                " if (el && el !== document.body) el.setAttribute(a, ''); }",
                attribute,
            )

    def ui_state(self) -> dict[str, Any]:
        """The URL, title and focus as they are now (the last step's `info` may be stale: a
        page can navigate or move the focus on its own); for the safety layer."""
        return self._info(None)

    def _info(self, error: str | None) -> dict[str, Any]:
        page = self._live().page
        try:
            with browser_errors():
                state = page.evaluate(PAGE_STATE_JS)
        except EnvError as exc:  # e.g. a page still committing a navigation
            log.debug("page state unavailable: %s", exc)
            state = {"title": "", "focus": None}
        focus = state["focus"]
        if self._bar.active:
            focus = {"tag": "addressbar", "type": "url", "name": "address", "form": False}
        info: dict[str, Any] = {
            "url": page.url,
            "title": state["title"],
            "focus": focus,
            "address": self._bar.text,
            "instruction": self._instruction,
        }
        if self._dialog:
            info["dialog"] = self._dialog
        if error is not None:
            info["error"] = error
        return info

    def _drop_page(self) -> None:
        super()._drop_page()
        self._nav_pending = False


def _joined(*errors: str | None) -> str | None:
    """The errors of one step as one message, or None when there were none."""
    return "; ".join(e for e in errors if e) or None
