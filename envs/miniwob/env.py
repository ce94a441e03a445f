"""MiniWoB++ as a gymnasium env on Playwright + Chromium (no Selenium).

Backend: a page of the shared browser (envs.browser.pool). Task: the page's own JavaScript
(`genProblem`, reward globals). Adapter: this class. The observation is the 160x210 task
area's pixels plus the instruction text; the DOM is privileged and lives in `info["dom"]`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from contracts.actions import UI_ACTIONS, Action, Done, Scroll
from contracts.errors import ActionError, EnvError
from contracts.spaces import ActionSpace, text_space
from envs.browser.page_env import PageEnv
from envs.browser.pool import BrowserPool, PageHandle, browser_errors, perform
from envs.miniwob.tasks import TASK_HEIGHT, TASK_WIDTH, get_task

log = logging.getLogger(__name__)

_READY_POLL_S, _READY_TIMEOUT_S = 0.01, 2.0

# Starts an episode; scroll offsets are reset first because containers that survive between
# episodes would otherwise keep the last episode's scroll position. So would jQuery UI widgets
# that outlive an episode (a date picker left open, an autocomplete list, a menu's open
# submenu and its pending timer): the next episode would start from the last one's state.
_START_JS = """([seed, mode, maxTime]) => {
  if (core.EP_TIMER !== null) core.endEpisode(0);
  if (window.jQuery) {
    if (jQuery.datepicker && jQuery.datepicker._datepickerShowing) {
      jQuery.datepicker._hideDatepicker();
    }
    jQuery('.ui-autocomplete').hide();
    jQuery('.ui-menu').each(function () {  // built once per page: close submenus, drop timers
      const menu = jQuery.data(this, 'ui-menu');
      if (!menu) return;
      menu.blur();
      menu._close(menu.element);
      clearTimeout(menu.timer);
    });
  }
  // Blur, and move Tab's starting point to the top of the page: Chromium keeps it at the
  // last focused element, so Tab would go on from the last episode's field.
  const top = document.createElement('span');
  top.tabIndex = -1;
  document.body.prepend(top);
  top.focus();
  top.remove();
  for (const el of document.querySelectorAll('*')) {
    if (el.scrollTop) el.scrollTop = 0;
    if (el.scrollLeft) el.scrollLeft = 0;
  }
  Math.seedrandom(seed);
  core.setDataMode(mode);
  if (maxTime !== null) core.EPISODE_MAX_TIME = maxTime;
  core.startEpisodeReal();
  return WOB_TASK_READY;
}"""

# Loads every image the page's stylesheets name (icons, game marks set by a class later) once,
# at page load: an image first fetched when a step adds its class arrives a frame or more later,
# so the same action could show it or not depending on load.
_PRELOAD_IMAGES_JS = """async () => {
  const urls = new Set();
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const rule of rules) {
      for (const m of rule.cssText.matchAll(/url\\(["']?([^"')]+)["']?\\)/g)) {
        urls.add(new URL(m[1], sheet.href || document.baseURI).href);
      }
    }
  }
  window.__handeyePreloaded = [...urls].map((u) => { const i = new Image(); i.src = u; return i; });
  await Promise.all(window.__handeyePreloaded.map((i) => i.decode().catch(() => null)));
  return urls.size;
}"""

# Adds a stylesheet; with `still`, jQuery animations also finish at once.
STYLE_JS = """([css, still]) => {
  const sheet = document.createElement('style');
  sheet.textContent = css;
  document.head.appendChild(sheet);
  if (still && window.jQuery) jQuery.fx.off = true;
}"""

# A throw-away first episode lets images and fonts load, so that episode one of a fresh page
# renders like every later one. Returns the page's own episode timer (ms).
WARM_UP_JS = f"""async (mode) => {{
  const maxTime = core.EPISODE_MAX_TIME;
  ({_START_JS})([0, mode, null]);
  await document.fonts.ready;
  await new Promise((r) => setTimeout(r, 50));
  await ({_PRELOAD_IMAGES_JS})();
  core.endEpisode(0);
  return maxTime;
}}"""

# Reward globals, the instruction and (optionally) the DOM flattened with parent refs, in one call.
# Refs are renumbered in document order: the page's own ref codes depend on how many episodes
# ran before, which would make the same seed give different info. MiniWoB's `tampered` flag is
# dropped: the page sets it on a `click` event, and whether a click follows a drag depends on
# where the dragged element is at mouseup (timing), so the same seed and drag gave either.
_STATE_BODY = """(withDom) => {
  const out = {done: WOB_DONE_GLOBAL, reward: WOB_REWARD_GLOBAL, raw: WOB_RAW_REWARD_GLOBAL,
               reason: WOB_REWARD_REASON, ready: WOB_TASK_READY};
  const u = core.getUtterance();
  out.utterance = (typeof u === 'object') ? u.utterance : u;
  out.fields = (typeof u === 'object') ? u.fields : null;
  if (withDom) {
    const flat = [];
    const walk = (node, parent) => {
      if (!node) return;
      const {children, tampered, ...rest} = node;  // tampered: timing-dependent, see above
      rest.ref = flat.length + 1;
      if (typeof rest.classes === 'string') {  // a set: event order must not change it
        rest.classes = rest.classes.split(/\\s+/).filter(Boolean).sort().join(' ');
      } else {
        rest.classes = '';
      }
      rest.parent = parent;
      flat.push(rest);
      (children || []).forEach((c) => walk(c, rest.ref));
    };
    walk(core.getDOMInfo(), null);
    out.dom = flat;
  }
  return out;
}"""
# The state comes back as one JSON string: Playwright validates and rebuilds a returned object
# value by value in Python, which cost ~1 ms per DOM read here; json.loads takes ~0.1 ms.
# Undefined becomes null, as Playwright returns it (JSON.stringify would drop the key).
_TO_JSON = "(v) => JSON.stringify(v, (k, x) => (x === undefined ? null : x))"
_STATE_JS = f"(withDom) => ({_TO_JSON})(({_STATE_BODY})(withDom))"
# One round trip at reset: start the episode, then read the state if the task is ready.
_START_AND_STATE_JS = f"""([seed, mode, maxTime, withDom]) => {{
  const ready = ({_START_JS})([seed, mode, maxTime]);
  return ready ? ({_TO_JSON})(({_STATE_BODY})(withDom)) : null;
}}"""


@dataclass(frozen=True)
class MiniWoBConfig:
    """Settings of one MiniWoB env; each maps 1:1 to a `gymnasium.make` keyword."""

    task: str = "click-button"
    scale: float = 1.0  # device scale factor: 1.5 renders the page at 240x315 observation pixels
    reward: str = "raw"  # "raw": +1/-1 as the task judges; "timed": decays over the page's timer
    episode_max_time_s: float | None = None  # None keeps the task's own page timer (mostly 10 s)
    dom_in_info: bool = True  # privileged DOM for experts, labels and evaluation
    capture_final_frame: bool = True  # False: zeros on termination, as Farama does (faster)
    settle_ms: int = 0  # extra wait after each action for animations
    data_mode: str = "train"
    dark_theme: bool = False  # inject a dark colour scheme (robustness tests)
    animations: bool = False  # False: jQuery/CSS animations finish at once and the caret is
    # hidden, so a frame shows a settled page and the same seed gives the same pixels


class MiniWoBEnv(PageEnv):
    """A MiniWoB++ task in a real Chromium page; typed UI actions in observation pixels."""

    def __init__(
        self,
        task: str = "click-button",
        render_mode: str | None = None,
        pool: BrowserPool | None = None,
        **config: Any,
    ) -> None:
        self.config = MiniWoBConfig(task=task, **config)
        if self.config.reward not in ("raw", "timed"):
            raise EnvError(f"reward must be 'raw' or 'timed', got {self.config.reward!r}")
        if not 0.25 <= self.config.scale <= 4:
            raise EnvError(f"scale must be in [0.25, 4], got {self.config.scale}")
        self.task = get_task(self.config.task)
        self.render_mode = render_mode
        self.width = round(TASK_WIDTH * self.config.scale)
        self.height = round(TASK_HEIGHT * self.config.scale)
        self.observation_space = spaces.Dict(
            {
                "screen": spaces.Box(0, 255, (self.height, self.width, 3), np.uint8),
                "instruction": text_space(512),
            }
        )
        self.action_space = ActionSpace(self.width, self.height, UI_ACTIONS, what="a UI action")
        self._init_page(pool, self.width, self.height)
        self._task_max_time_ms: float | None = None
        self._instruction = ""
        self._done = True
        self._pointer_in_task = True

    # ----------------------------------------------------------------- backend
    def _label(self) -> str:
        return self.task.name

    def _open_page(self) -> PageHandle:
        """A page with the task loaded, its images and fonts in, and no episode running."""
        handle = self._pool.new_page(TASK_WIDTH + 170, TASK_HEIGHT + 40, self.config.scale)
        handle.page.goto(self.task.url)
        handle.page.wait_for_function("typeof core !== 'undefined' && !!core.cover_div")
        if not self.config.animations:
            handle.page.evaluate(STYLE_JS, [_STILL_CSS, True])
        if self.config.dark_theme:
            handle.page.evaluate(STYLE_JS, [_DARK_CSS, False])
        self._task_max_time_ms = handle.page.evaluate(WARM_UP_JS, self.config.data_mode)
        self._pointer_in_task = True
        return handle

    def _state(self, with_dom: bool) -> dict[str, Any]:
        return json.loads(self._live().page.evaluate(_STATE_JS, with_dom))

    def _capture(self) -> np.ndarray:
        """The task area's pixels: at scale 1 the whole (small) viewport cropped in numpy,
        since a clipped screenshot costs 19-36 ms against 5-11 ms for the viewport here."""
        handle = self._live()
        if self.config.scale != 1.0:
            clip = (0, 0, TASK_WIDTH, TASK_HEIGHT)
            return handle.screenshot(clip, self.config.scale)[: self.height, : self.width]
        return np.ascontiguousarray(handle.screenshot()[: self.height, : self.width])

    # ------------------------------------------------------------ gymnasium API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        if self._closed:
            raise EnvError("this env was closed; make a new one")
        episode_seed = int(self.np_random.integers(2**31 - 1))
        max_time = self.config.episode_max_time_s
        state = self._start_on_a_live_page(lambda: self._start_episode(episode_seed, max_time))
        self._done = False
        t0 = time.perf_counter()
        with browser_errors():
            self._screen = self._capture()
        self.last_timings = {"capture": time.perf_counter() - t0}
        return self._obs(), self._info(state, episode_seed=episode_seed)

    def _start_episode(self, episode_seed: int, max_time_s: float | None) -> dict[str, Any]:
        page = self._page().page
        if self._pointer_in_task:
            # Park the pointer outside the task so hover styles do not leak between episodes.
            page.mouse.move(TASK_WIDTH + 100, 5)
            self._pointer_in_task = False
        if self.task.reset_fix:
            page.evaluate(self.task.reset_fix)
        max_ms = self._task_max_time_ms if max_time_s is None else max_time_s * 1000
        args = [episode_seed, self.config.data_mode, max_ms, self.config.dom_in_info]
        reply = page.evaluate(_START_AND_STATE_JS, args)
        state = None if reply is None else json.loads(reply)
        deadline = time.monotonic() + _READY_TIMEOUT_S
        while state is None and time.monotonic() < deadline:
            time.sleep(_READY_POLL_S)
            if page.evaluate("WOB_TASK_READY"):
                state = self._state(self.config.dom_in_info)
        if state is None:
            raise EnvError(f"MiniWoB task {self.task.name} did not become ready in 2 s")
        self._instruction = state["utterance"] or ""
        return state

    def step(
        self, action: Action | str
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        if self._done:
            raise EnvError("step() called on a finished episode; call reset() first")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        error = None
        try:
            typed = self.action_space.parse(action)
        except ActionError as exc:
            typed, error = None, str(exc)
        capture_first = self.config.capture_final_frame
        try:
            with browser_errors():
                if typed is not None:
                    try:
                        self._execute(typed)
                    except ActionError as exc:
                        error = str(exc)
                timings["act"] = time.perf_counter() - t0
                # Capturing first waits for the frame that shows the action, so the DOM read
                # after it (hover styles, focus) describes the same moment as the pixels.
                if capture_first:
                    self._screen = self._capture()
                    timings["capture"] = time.perf_counter() - t0 - timings["act"]
                state = self._state(self.config.dom_in_info)
        except EnvError as exc:  # the browser died mid-step: end the episode, keep the session
            self._done = True
            return self._browser_lost(exc)
        terminated = bool(state["done"]) or isinstance(typed, Done)
        reward = 0.0
        if state["done"]:
            reward = float(state["raw"] if self.config.reward == "raw" else state["reward"])
        if not capture_first:
            t1 = time.perf_counter()
            with browser_errors():
                self._screen = np.zeros_like(self._screen) if terminated else self._capture()
            timings["capture"] = time.perf_counter() - t1
        self._done = terminated
        self.last_timings = timings
        info = self._info(state)
        if error is not None:
            info["error"] = error
        return self._obs(), reward, terminated, False, info

    def _execute(self, action: Action) -> None:
        """Carry out one typed action on the page; coordinates go from observation to CSS px."""
        page = self._live().page
        s = self.config.scale
        if action.points() or isinstance(action, Scroll):
            self._pointer_in_task = True

        perform(page, action, s)
        if self.config.settle_ms:
            page.wait_for_timeout(self.config.settle_ms)

    def _info(self, state: dict[str, Any], **extra: Any) -> dict[str, Any]:
        info: dict[str, Any] = {"task": self.task.name, "instruction": self._instruction, **extra}
        if state["done"]:
            info["success"] = state["raw"] > 0
            info["raw_reward"] = state["raw"]
            info["reason"] = state["reason"]
        if state.get("fields"):
            info["fields"] = state["fields"]
        if "dom" in state:
            info["dom"] = _scale_dom(state["dom"], self.config.scale)
        return info


def _scale_dom(dom: list[dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    """DOM boxes from CSS pixels to observation pixels."""
    if scale == 1.0:
        return dom
    for el in dom:
        for k in ("left", "top", "width", "height"):
            el[k] = el[k] * scale
    return dom


_STILL_CSS = """
*, *::before, *::after { transition: none !important; animation: none !important;
  caret-color: transparent !important; }
"""

_DARK_CSS = """
html, body, #wrap, #area, #query, div, span, p, td, th, li, label, form, table {
  background-color: #1e1f22 !important; color: #e6e6e6 !important; border-color: #555 !important; }
#query { background-color: #2b2d31 !important; }
input, textarea, select, button { background-color: #2f3136 !important; color: #f0f0f0 !important;
  border: 1px solid #777 !important; }
a { color: #8ab4f8 !important; }
"""
