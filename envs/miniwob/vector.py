"""MiniWoB++ as a gymnasium `VectorEnv`: N pages of one Chromium stepped at once.

`gym.make_vec("handeye/miniwob-<task>-v0", num_envs=N)` lands here (the ids' vector entry
point). Each sub-env is a page that runs the single env's protocol (`MiniWoBEnv`: the same
page scripts, input calls, capture and info, so the same seeds and actions give the same
observations), written against Playwright's async API so that one step of the vector env
sends every page its action and waits for all of them together: while one page waits for a
compositor frame the others are clicked, read and captured.

Pages draw frames on demand as the single env's do (`frames`, "auto" by default: BeginFrame
control on the headless shell), each page's calls on a worker thread of the pool; a page with a
popup widget (a `<select>`) is opened on Chromium's clock in the same browser instead.

Autoreset follows gymnasium (`AutoresetMode`, NEXT_STEP by default). A page whose renderer
crashes or times out ends its episode truncated, with `info["error"]` and a black frame; the
other pages go on, and the crashed one is reset on a new page like any finished episode.
An action of `None` leaves its sub-env untouched for that step (reward 0, nothing in info).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space, concatenate, create_empty_array

from contracts.actions import Action, Scroll
from contracts.errors import ActionError, EnvError
from envs.browser.async_pool import AsyncBrowserPool, AsyncPageHandle
from envs.browser.begin_frame import POPUP_WIDGETS_JS
from envs.browser.frame_input import pointer_of
from envs.browser.pool import browser_errors, resolve_frames
from envs.miniwob import env as single
from envs.miniwob.env import (
    MiniWoBConfig,
    checked_config,
    episode_info,
    frame_size,
    miniwob_spaces,
    step_outcome,
)
from envs.miniwob.tasks import get_task

log = logging.getLogger(__name__)

StepResult = tuple[dict[str, Any], float, bool, bool, dict[str, Any]]
# One frame is in flight per browser at a time (see FrameClock), so pages beyond this many go to
# another Chromium, whose frames are drawn side by side with the first one's.
PAGES_PER_BROWSER = 8


class MiniWoBPage:
    """One sub-env: a page and its episode, the async twin of `MiniWoBEnv`'s page protocol."""

    def __init__(self, pool: AsyncBrowserPool, config: MiniWoBConfig, max_steps: int | None):
        self.pool, self.config, self.max_steps = pool, config, max_steps
        self.frames = pool.frames  # "clock" once a popup widget showed up on this page's task
        self.task = get_task(config.task)
        self.width, self.height = frame_size(config)
        self.handle: AsyncPageHandle | None = None
        self.screen = np.zeros((self.height, self.width, 3), np.uint8)
        self.instruction = ""
        self.task_max_time_ms: float | None = None
        self.pointer_in_task = True
        self.np_random: np.random.Generator | None = None
        self.steps = 0

    # ----------------------------------------------------------------- backend
    async def _open_page(self) -> AsyncPageHandle:
        begin = self.frames == "begin"
        handle = await self.pool.new_page(*single.PAGE_VIEWPORT, self.config.scale, begin)
        page = handle.page
        pumping = handle.clock.pumping() if handle.clock else contextlib.nullcontext()
        with browser_errors(), pumping:  # loading waits for frames (rAF polling, fonts)
            await page.goto(self.task.url)
            await page.wait_for_function(single.TASK_LOADED_JS)
            if not self.config.animations:
                await page.evaluate(single.STYLE_JS, [single.STILL_CSS, True])
            if self.config.dark_theme:
                await page.evaluate(single.STYLE_JS, [single.DARK_CSS, False])
            self.task_max_time_ms = await page.evaluate(single.WARM_UP_JS, self.config.data_mode)
        if handle.clock is not None:  # as MiniWoBEnv._open_page: draw the task area alone
            area = (single.TASK_WIDTH, single.TASK_HEIGHT)
            await self.pool.blocking(handle.clock.draw_only, single.PAGE_VIEWPORT, area)
        self.pointer_in_task = True
        return handle

    async def _page(self) -> AsyncPageHandle:
        """The live page; a new one (in a restarted browser if need be) after a crash."""
        if self.handle is not None and self.handle.alive:
            return self.handle
        await self.drop_page()
        handle = await self._open_page()
        if handle.clock is not None and await handle.evaluate(POPUP_WIDGETS_JS):
            log.info("%s: the page has a popup widget; it keeps Chromium's clock", self.task.name)
            await handle.close()
            self.frames = "clock"
            handle = await self._open_page()
        self.handle = handle
        return handle

    def _live(self) -> AsyncPageHandle:
        if self.handle is None or not self.handle.alive:
            raise EnvError("the browser page of this episode is gone (crashed or closed)")
        return self.handle

    async def drop_page(self) -> None:
        if self.handle is not None:
            handle, self.handle = self.handle, None
            await handle.close()
            if handle.clock is not None and handle.clock.stalled:
                await self.pool.restart_browser()
            if handle.clock is not None and handle.clock.popup_blocked:
                log.info("%s: a popup widget opened; the page keeps the clock", self.task.name)
                self.frames = "clock"

    async def _capture(self) -> np.ndarray:
        handle = self._live()
        if self.config.scale != 1.0:  # a clipped capture at scale, as MiniWoBEnv._capture
            clip = (0, 0, single.TASK_WIDTH, single.TASK_HEIGHT)
            return (await handle.screenshot(clip, self.config.scale))[: self.height, : self.width]
        return np.ascontiguousarray((await handle.screenshot())[: self.height, : self.width])

    async def _capture_and_state(self) -> tuple[np.ndarray, dict[str, Any]]:
        """`_capture`, then `_state`, in one round trip (a frames-on-demand page only)."""
        clip = (0, 0, single.TASK_WIDTH, single.TASK_HEIGHT)
        rgb, reply = await self._live().screenshot_then_evaluate(
            single.STATE_JS, self.config.dom_in_info, clip
        )
        return np.ascontiguousarray(rgb[: self.height, : self.width]), json.loads(reply)

    async def _state(self, with_dom: bool) -> dict[str, Any]:
        return json.loads(await self._live().evaluate(single.STATE_JS, with_dom))

    async def _start_episode(self, episode_seed: int) -> dict[str, Any]:
        handle = await self._page()
        park, self.pointer_in_task = self.pointer_in_task, False
        max_s = self.config.episode_max_time_s
        max_ms = self.task_max_time_ms if max_s is None else max_s * 1000
        args = [episode_seed, self.config.data_mode, max_ms, self.config.dom_in_info]
        clock = handle.clock
        if clock is not None and park and not self.task.reset_fix:
            # the move, the frame it waits for, and the start after it: one round trip
            move = [pointer_of(clock).move(*single.PARK_POINTER)]
            start = functools.partial(
                clock.after_frame, single.START_AND_STATE_JS, args, before=move
            )
            reply = (await self.pool.blocking(start))[1]
        else:
            if park and clock is None:
                await handle.page.mouse.move(*single.PARK_POINTER)
            elif park:  # a lone move waits for a frame, which the clock draws
                move = [pointer_of(clock).move(*single.PARK_POINTER)]
                await self.pool.blocking(functools.partial(clock.batch, move, frames=True))
            if self.task.reset_fix:
                await handle.evaluate(self.task.reset_fix)
            reply = await handle.evaluate(single.START_AND_STATE_JS, args)
        state = None if reply is None else json.loads(reply)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + single.READY_TIMEOUT_S
        while state is None and loop.time() < deadline:
            await asyncio.sleep(single.READY_POLL_S)
            if await handle.evaluate(single.TASK_READY_JS):
                state = await self._state(self.config.dom_in_info)
        if state is None:
            raise EnvError(f"MiniWoB task {self.task.name} did not become ready in 2 s")
        self.instruction = state["utterance"] or ""
        return state

    def obs(self) -> dict[str, Any]:
        return {"screen": self.screen, "instruction": self.instruction}

    # ------------------------------------------------------------ episode API
    async def reset(self, seed: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start an episode (once more on a new page if the browser fails), as `reset` does."""
        if seed is not None or self.np_random is None:
            self.np_random, _ = seeding.np_random(seed)
        episode_seed = int(self.np_random.integers(2**31 - 1))
        try:
            with browser_errors():
                state = await self._start_episode(episode_seed)
                self.screen = await self._capture()
        except EnvError as exc:
            log.warning("%s: reset failed (%s); restarting the page", self.task.name, exc)
            await self.drop_page()
            with browser_errors():
                state = await self._start_episode(episode_seed)
                self.screen = await self._capture()
        self.steps = 0
        info = episode_info(
            self.task.name, self.instruction, state, self.config.scale, episode_seed=episode_seed
        )
        return self.obs(), info

    async def step(self, action: Action | str, action_space: Any) -> StepResult:
        """One step, as `MiniWoBEnv.step` under gymnasium's TimeLimit."""
        error = None
        try:
            typed = action_space.parse(action)
        except ActionError as exc:
            typed, error = None, str(exc)
        capture_first = self.config.capture_final_frame
        self.steps += 1
        try:
            with browser_errors():
                if typed is not None:
                    try:
                        await self._execute(typed)
                    except ActionError as exc:
                        error = str(exc)
                if capture_first and self._live().clock is not None:
                    self.screen, state = await self._capture_and_state()
                else:
                    if capture_first:
                        self.screen = await self._capture()
                    state = await self._state(self.config.dom_in_info)
            terminated, reward = step_outcome(state, typed, self.config.reward)
            if not capture_first:
                with browser_errors():
                    self.screen = (
                        np.zeros_like(self.screen) if terminated else await self._capture()
                    )
        except EnvError as exc:
            return await self.lost(exc)
        info = episode_info(self.task.name, self.instruction, state, self.config.scale)
        if error is not None:
            info["error"] = error
        return self.obs(), reward, terminated, self._out_of_steps(), info

    def _out_of_steps(self) -> bool:
        return self.max_steps is not None and self.steps >= self.max_steps

    async def _execute(self, action: Action) -> None:
        handle = self._live()
        if action.points() or isinstance(action, Scroll):
            self.pointer_in_task = True
        await handle.perform(action, self.config.scale)
        if self.config.settle_ms:
            await handle.settle(self.config.settle_ms)

    async def lost(self, exc: BaseException) -> StepResult:
        """The step result when the page died or hung: truncated, black frame, `info["error"]`."""
        cause = exc.__cause__ or exc
        log.warning("%s: browser failed during step: %s", self.task.name, cause)
        await self.drop_page()
        self.screen = np.zeros_like(self.screen)
        info = {"error": f"browser failed: {type(cause).__name__}: {cause}", "browser_lost": True}
        return self.obs(), 0.0, False, True, info


class MiniWoBVectorEnv(VectorEnv):
    """N MiniWoB pages (`pages_per_browser` to a Chromium), stepped concurrently;
    `MiniWoBEnv`'s keywords per page."""

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        task: str = "click-button",
        num_envs: int = 1,
        max_episode_steps: int | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        render_mode: str | None = None,
        step_timeout_s: float = 60.0,
        pages_per_browser: int = PAGES_PER_BROWSER,
        **config: Any,
    ) -> None:
        if num_envs < 1 or pages_per_browser < 1:
            raise EnvError(
                f"num_envs and pages_per_browser must be >= 1, got {num_envs}, {pages_per_browser}"
            )
        self.config = checked_config(task, **config)
        self.num_envs = num_envs
        self.render_mode = render_mode
        self.autoreset_mode = AutoresetMode(autoreset_mode)
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        self.step_timeout_s = step_timeout_s
        self.single_observation_space, self.single_action_space = miniwob_spaces(self.config)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        frames = resolve_frames(self.config.frames, self.config.scale)
        per = pages_per_browser
        self.pools = [
            AsyncBrowserPool(frames=frames, workers=min(per, num_envs - first))
            for first in range(0, num_envs, per)
        ]
        self.pool = self.pools[0]
        self.pages = [
            MiniWoBPage(self.pools[i // per], self.config, max_episode_steps)
            for i in range(num_envs)
        ]
        self._needs_reset = np.ones(num_envs, dtype=np.bool_)  # finished or never started
        self._obs: list[dict[str, Any]] = [p.obs() for p in self.pages]
        self._closed_pool = False

    # -------------------------------------------------------------- plumbing
    def _gather(self, jobs: list[tuple[int, Any]]) -> list[Any]:
        """Run one coroutine per sub-env (index, coroutine) together, each on its page's browser
        loop; their results (or exceptions) in order."""

        async def all_of(coros: list[Any]) -> list[Any]:
            return await asyncio.gather(*coros, return_exceptions=True)

        results: list[Any] = [None] * len(jobs)
        running = []
        for pool in self.pools:
            mine = [k for k, (i, _) in enumerate(jobs) if self.pages[i].pool is pool]
            if mine:
                running.append((mine, pool.submit(all_of([jobs[k][1] for k in mine]))))
        for mine, future in running:
            for k, result in zip(mine, future.result(), strict=True):
                results[k] = result
        return results

    async def _reset_one(self, i: int, seed: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return await asyncio.wait_for(self.pages[i].reset(seed), self.step_timeout_s)
        except asyncio.TimeoutError:  # builtin TimeoutError only from Python 3.11
            await self.pages[i].drop_page()
            raise EnvError(
                f"sub-env {i} ({self.config.task}) did not reset in {self.step_timeout_s:g} s"
            ) from None

    def _batch(self) -> dict[str, Any]:
        out = create_empty_array(self.single_observation_space, self.num_envs)
        return concatenate(self.single_observation_space, self._obs, out)

    # ---------------------------------------------------------- gymnasium API
    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Reset every sub-env, or those in `options["reset_mask"]`; an int seed s seeds s + i."""
        if seed is None:
            seeds: list[int | None] = [None] * self.num_envs
        elif isinstance(seed, int):
            seeds = [seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise EnvError(f"reset got {len(seeds)} seeds for {self.num_envs} envs")
        mask = np.ones(self.num_envs, dtype=np.bool_)
        if options and "reset_mask" in options:
            mask = np.asarray(options["reset_mask"], dtype=np.bool_)
            if mask.shape != (self.num_envs,):
                raise EnvError(f"reset_mask must have shape ({self.num_envs},), got {mask.shape}")
        chosen = [i for i in range(self.num_envs) if mask[i]]
        results = self._gather([(i, self._reset_one(i, seeds[i])) for i in chosen])
        infos: dict[str, Any] = {}
        for i, result in zip(chosen, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            self._obs[i], info = result
            self._needs_reset[i] = False
            infos = self._add_info(infos, info, i)
        return self._batch(), infos

    def step(
        self, actions: Sequence[Action | str | None]
    ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every sub-env at once; finished ones are reset per `autoreset_mode`."""
        actions = list(actions)
        if len(actions) != self.num_envs:
            raise EnvError(f"step got {len(actions)} actions for {self.num_envs} envs")
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminated = np.zeros(self.num_envs, dtype=np.bool_)
        truncated = np.zeros(self.num_envs, dtype=np.bool_)
        mode = self.autoreset_mode
        coros, who, resets = [], [], []
        for i, action in enumerate(actions):
            if self._needs_reset[i] and mode == AutoresetMode.NEXT_STEP:
                coros.append((i, self._reset_one(i, None)))
                resets.append(i)
            elif action is None:
                continue
            elif self._needs_reset[i]:
                raise EnvError(
                    f"sub-env {i}'s episode has ended; reset it first "
                    "(reset(options={'reset_mask': mask})) or pass None as its action"
                )
            else:
                coros.append((i, self._step_one(i, action)))
            who.append(i)
        infos: dict[str, Any] = {}
        for i, result in zip(who, self._gather(coros), strict=True):
            if isinstance(result, BaseException):
                raise result
            if i in resets:
                self._obs[i], info = result
                self._needs_reset[i] = False
            else:
                obs, rewards[i], terminated[i], truncated[i], info = result
                self._obs[i] = obs
                ended = terminated[i] or truncated[i]
                self._needs_reset[i] = ended and mode != AutoresetMode.SAME_STEP
            infos = self._add_info(infos, info, i)
        return self._batch(), rewards, terminated, truncated, infos

    async def _step_one(self, i: int, action: Action | str) -> StepResult:
        """Step sub-env i; a timed-out or crashed page becomes a truncated episode. Under
        SAME_STEP a finished episode is reset here, its last step kept in final_obs/info."""
        page = self.pages[i]
        try:
            result = await asyncio.wait_for(
                page.step(action, self.single_action_space), self.step_timeout_s
            )
        except asyncio.TimeoutError as exc:  # a hung page: drop it like a crashed one
            result = await page.lost(EnvError(f"no reply in {self.step_timeout_s:g} s: {exc}"))
        obs, reward, term, trunc, info = result
        if self.autoreset_mode == AutoresetMode.SAME_STEP and (term or trunc):
            new_obs, new_info = await page.reset(None)
            return new_obs, reward, term, trunc, {**new_info, "final_obs": obs, "final_info": info}
        return result

    def render(self) -> tuple[np.ndarray, ...] | None:
        if self.render_mode != "rgb_array":
            return None
        return tuple(p.screen for p in self.pages)

    def __enter__(self) -> MiniWoBVectorEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close_extras(self, **kwargs: Any) -> None:
        if self._closed_pool:
            return
        self._closed_pool = True
        for pool in self.pools:
            mine = [p for p in self.pages if p.pool is pool]
            try:
                pool.run(asyncio.gather(*(p.drop_page() for p in mine)), timeout=30)
            except Exception as exc:  # noqa: BLE001 - closing after a crash must not raise
                log.debug("closing the vector env's pages: %s", exc)
            pool.close()
