"""MiniWoB++ as a gymnasium env on Playwright + Chromium (no Selenium).

Backend: a page of the shared browser (envs.browser.pool). Task: the page's own JavaScript
(`genProblem`, reward globals). Adapter: this class. The observation is the 160x210 task
area's pixels plus the instruction text; the DOM and the task's fields are privileged and live
in `info["privileged"]` ("dom", "fields").
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
from contracts.keys import PRIVILEGED
from contracts.spaces import ActionSpace, text_space
from envs.browser.begin_frame import FRAME_CHOICES, FRAME_PERIOD_S, checked_frames
from envs.browser.frame_input import move_pointer, perform_with_frames, pointer_of
from envs.browser.page_env import PageEnv
from envs.browser.page_scripts import bind, page_file
from envs.browser.pool import BrowserPool, PageHandle, browser_errors, perform, resolve_frames
from envs.miniwob.tasks import CLOCKED, TASK_HEIGHT, TASK_WIDTH, get_task

log = logging.getLogger(__name__)

READY_POLL_S, READY_TIMEOUT_S = 0.01, 2.0
PAGE_VIEWPORT = (TASK_WIDTH + 170, TASK_HEIGHT + 40)  # CSS px: the task area and room to park
PARK_POINTER = (TASK_WIDTH + 100, 5)  # CSS px outside the task, so hover styles do not leak

_PAGE = "envs.miniwob"
START_EPISODE_JS = page_file(_PAGE, "start_episode.js")
PRELOAD_IMAGES_JS = page_file(_PAGE, "preload_images.js")
STYLE_JS = page_file(_PAGE, "add_style.js")
STILL_CSS = page_file(_PAGE, "still.css")
DARK_CSS = page_file(_PAGE, "dark.css")
TASK_LOADED_JS = page_file(_PAGE, "task_loaded.js")
TASK_READY_JS = page_file(_PAGE, "task_ready.js")
WARM_UP_JS = bind(
    page_file(_PAGE, "warm_up.js"), startEpisode=START_EPISODE_JS, preloadImages=PRELOAD_IMAGES_JS
)
_STATE_PARTS = {"state": page_file(_PAGE, "state.js"), "toJson": page_file(_PAGE, "to_json.js")}
# The state as one JSON string (json.loads is ~10x faster than Playwright rebuilding objects).
STATE_JS = bind(page_file(_PAGE, "state_json.js"), **_STATE_PARTS)
# One round trip at reset: start the episode, then read the state if the task is ready.
START_AND_STATE_JS = bind(
    page_file(_PAGE, "start_and_state.js"), startEpisode=START_EPISODE_JS, **_STATE_PARTS
)


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
    frames: str = "auto"  # "begin": the env draws each frame itself (BeginFrame control, the
    # headless shell only), so a screenshot waits for no 60 Hz tick: 3.0-3.5x Farama against
    # 1.7-1.8x, same pixels; "clock": Chromium's 60 Hz clock; "auto": "begin" on the headless
    # shell at scale 1, else "clock". A page with a popup widget (<select>) keeps the clock.


def checked_config(task: str, **config: Any) -> MiniWoBConfig:
    """The config for these keywords; EnvError for a reward mode or scale out of range."""
    checked = MiniWoBConfig(task=task, **config)
    if checked.reward not in ("raw", "timed"):
        raise EnvError(f"reward must be 'raw' or 'timed', got {checked.reward!r}")
    if not 0.25 <= checked.scale <= 4:
        raise EnvError(f"scale must be in [0.25, 4], got {checked.scale}")
    checked_frames(checked.frames, FRAME_CHOICES)
    get_task(checked.task)  # an unknown task fails here, before any browser starts
    return checked


def frame_size(config: MiniWoBConfig) -> tuple[int, int]:
    """(width, height) of the observation in pixels: the task area at the config's scale."""
    return round(TASK_WIDTH * config.scale), round(TASK_HEIGHT * config.scale)


def miniwob_spaces(config: MiniWoBConfig) -> tuple[spaces.Dict, ActionSpace]:
    """The observation space (screen + instruction) and the UI action space of one env."""
    width, height = frame_size(config)
    observation = spaces.Dict(
        {
            "screen": spaces.Box(0, 255, (height, width, 3), np.uint8),
            "instruction": text_space(512),
        }
    )
    return observation, ActionSpace(width, height, UI_ACTIONS, what="a UI action")


class MiniWoBEnv(PageEnv):
    """A MiniWoB++ task in a real Chromium page; typed UI actions in observation pixels."""

    def __init__(
        self,
        task: str = "click-button",
        render_mode: str | None = None,
        pool: BrowserPool | None = None,
        **config: Any,
    ) -> None:
        self.config = checked_config(task, **config)
        self.task = get_task(self.config.task)
        self.render_mode = render_mode
        self.width, self.height = frame_size(self.config)
        self.observation_space, self.action_space = miniwob_spaces(self.config)
        frames = resolve_frames(self.config.frames, self.config.scale)
        if self.config.frames == "auto" and self.task.name in CLOCKED:
            frames = "clock"  # its animation must run between steps (tasks.CLOCKED)
        self._init_page(pool, self.width, self.height, frames)
        self._task_max_time_ms: float | None = None
        self._instruction = ""
        self._done = True
        self._pointer_in_task = True

    # ----------------------------------------------------------------- backend
    def _label(self) -> str:
        return self.task.name

    def _open_page(self) -> PageHandle:
        """A page with the task loaded, its images and fonts in, and no episode running."""
        handle = self._pool.new_page(*PAGE_VIEWPORT, self.config.scale)
        with handle.frames():  # loading waits for frames (rAF polling, fonts)
            handle.page.goto(self.task.url)
            handle.page.wait_for_function(TASK_LOADED_JS)
            if not self.config.animations:
                handle.page.evaluate(STYLE_JS, [STILL_CSS, True])
            if self.config.dark_theme:
                handle.page.evaluate(STYLE_JS, [DARK_CSS, False])
            self._task_max_time_ms = handle.page.evaluate(WARM_UP_JS, self.config.data_mode)
        if handle.clock is not None:  # frames drawn on demand draw the task area alone
            handle.clock.draw_only(PAGE_VIEWPORT, (TASK_WIDTH, TASK_HEIGHT))
        self._pointer_in_task = True
        return handle

    def _state(self, with_dom: bool) -> dict[str, Any]:
        return json.loads(self._live().evaluate(STATE_JS, with_dom))

    def _capture(self) -> np.ndarray:
        """The task area's pixels: at scale 1 the whole (small) viewport cropped in numpy,
        since a clipped screenshot costs 19-36 ms against 5-11 ms for the viewport here."""
        handle = self._live()
        if self.config.scale != 1.0:
            clip = (0, 0, TASK_WIDTH, TASK_HEIGHT)
            return handle.screenshot(clip, self.config.scale)[: self.height, : self.width]
        return np.ascontiguousarray(handle.screenshot()[: self.height, : self.width])

    def _capture_and_state(self) -> tuple[np.ndarray, dict[str, Any]]:
        """`_capture`, then `_state`, in one round trip (a frames="begin" page only)."""
        handle = self._live()
        clip = (0, 0, TASK_WIDTH, TASK_HEIGHT)
        rgb, reply = handle.screenshot_then_evaluate(
            STATE_JS, self.config.dom_in_info, clip, self.config.scale
        )
        return np.ascontiguousarray(rgb[: self.height, : self.width]), json.loads(reply)

    # ------------------------------------------------------------ gymnasium API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        if self._closed:
            raise EnvError("this env was closed; make a new one")
        episode_seed = int(self.np_random.integers(2**31 - 1))
        max_time = self.config.episode_max_time_s
        timings: dict[str, float] = {}

        def start() -> dict[str, Any]:
            # the first capture is part of the start: a new page whose renderer draws nothing
            # is dropped and the episode started once more, as when the start itself fails
            state = self._start_episode(episode_seed, max_time)
            t0 = time.perf_counter()
            self._screen = self._capture()
            timings["capture"] = time.perf_counter() - t0
            return state

        state = self._start_on_a_live_page(start)
        self._done = False
        self.last_timings = timings
        return self._obs(), self._info(state, episode_seed=episode_seed)

    def _start_episode(self, episode_seed: int, max_time_s: float | None) -> dict[str, Any]:
        handle = self._page()
        page = handle.page
        max_ms = self._task_max_time_ms if max_time_s is None else max_time_s * 1000
        args = [episode_seed, self.config.data_mode, max_ms, self.config.dom_in_info]
        # Park the pointer outside the task so hover styles do not leak between episodes.
        park = self._pointer_in_task
        self._pointer_in_task = False
        if handle.clock is not None and park and not self.task.reset_fix:
            # the move, the frame it waits for, and the start after it: one round trip
            _, reply = handle.clock.after_frame(
                START_AND_STATE_JS, args, before=[pointer_of(handle.clock).move(*PARK_POINTER)]
            )
        else:
            if park and handle.clock is None:
                page.mouse.move(*PARK_POINTER)
            elif park:  # a lone move waits for a frame, which the clock draws
                move_pointer(handle, *PARK_POINTER)
            if self.task.reset_fix:
                handle.evaluate(self.task.reset_fix)
            reply = handle.evaluate(START_AND_STATE_JS, args)
        state = None if reply is None else json.loads(reply)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while state is None and time.monotonic() < deadline:
            time.sleep(READY_POLL_S)
            if handle.evaluate(TASK_READY_JS):
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
                if capture_first and self._live().clock is not None:
                    # one round trip: the frame's screenshot, then the state read after it
                    self._screen, state = self._capture_and_state()
                    timings["capture_and_state"] = time.perf_counter() - t0 - timings["act"]
                else:
                    if capture_first:
                        self._screen = self._capture()
                        timings["capture"] = time.perf_counter() - t0 - timings["act"]
                    state = self._state(self.config.dom_in_info)
        except EnvError as exc:  # the browser died mid-step: end the episode, keep the session
            self._done = True
            return self._browser_lost(exc)
        terminated, reward = step_outcome(state, typed, self.config.reward)
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
        handle = self._live()
        s = self.config.scale
        if action.points() or isinstance(action, Scroll):
            self._pointer_in_task = True
        if handle.clock is None:
            perform(handle.page, action, s)
        else:
            perform_with_frames(handle, action, s)
        if self.config.settle_ms:
            with handle.frames(FRAME_PERIOD_S):
                handle.page.wait_for_timeout(self.config.settle_ms)

    def _info(self, state: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return episode_info(self.task.name, self._instruction, state, self.config.scale, **extra)


def episode_info(
    task: str, instruction: str, state: dict[str, Any], scale: float, **extra: Any
) -> dict[str, Any]:
    """The info of a reset or step from the page's state (shared with the vector env)."""
    info: dict[str, Any] = {"task": task, "instruction": instruction, **extra}
    if state["done"]:
        info["success"] = state["raw"] > 0
        info["raw_reward"] = state["raw"]
        info["reason"] = state["reason"]
    privileged: dict[str, Any] = {}
    if state.get("fields"):
        privileged["fields"] = state["fields"]
    if "dom" in state:
        privileged["dom"] = _scale_dom(state["dom"], scale)
    info[PRIVILEGED] = privileged
    return info


def step_outcome(state: dict[str, Any], action: Action | None, reward: str) -> tuple[bool, float]:
    """(terminated, reward) of a step: the task ended it, or the agent said Done."""
    terminated = bool(state["done"]) or isinstance(action, Done)
    value = 0.0
    if state["done"]:
        value = float(state["raw"] if reward == "raw" else state["reward"])
    return terminated, value


def _scale_dom(dom: list[dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    """DOM boxes from CSS pixels to observation pixels."""
    if scale == 1.0:
        return dom
    for el in dom:
        for k in ("left", "top", "width", "height"):
            el[k] = el[k] * scale
    return dom
