"""A real X desktop as a gymnasium env: screen pixels and an instruction in, typed UI actions out.

The backend is an X display (a private Xvfb, or $DISPLAY), captured with mss and driven with
pyautogui (xdotool as the fallback); the task launches its app each episode. Actions are in
observation pixels: when `obs_size` differs from the screen, the screenshot is resized and
actions are mapped back to pointer coordinates (`PointerMap`).

Reward rule (as in the terminal env): the episode ends when the agent sends `done(...)`; the
reward is 1.0 if the task's checker passes then, else 0.0. The checker's live verdict is in
`info["privileged"]["success"]`, the task's scripted solution (typed actions in observation
pixels, from the episode's start) in `info["privileged"]["oracle"]`. A tripped failsafe
truncates the episode without acting.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from contracts.actions import UI_ACTIONS, Action, Done, Wait
from contracts.errors import ActionError, EnvError
from contracts.spaces import ActionSpace, text_space
from envs.desktop.display import Display, open_display
from envs.desktop.input import DesktopInput, Failsafe
from envs.desktop.input_backends import XdotoolBackend, make_backend
from envs.desktop.tasks import AppProcess, DesktopTask, Episode, make_task
from perception.capture.sources import MssSource

log = logging.getLogger(__name__)


StepResult = tuple[dict[str, Any], float, bool, bool, dict[str, Any]]


class DesktopEnv(gym.Env):
    """An X display with a task's app on it; observation = screen image + instruction."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        task: str | DesktopTask = "click-ok",
        display: str | Display | None = "xvfb",
        screen_size: tuple[int, int] = (1280, 720),
        obs_size: tuple[int, int] | None = None,
        input_backend: str = "auto",
        settle_s: float = 0.03,
        quiet_s: float = 0.05,
        max_settle_s: float = 1.0,
        abort_file: str | Path | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise EnvError(f"render_mode {render_mode!r} is not supported; use 'rgb_array' or None")
        self.task = make_task(task) if isinstance(task, str) else task
        self.render_mode = render_mode
        self.settle_s, self.quiet_s, self.max_settle_s = settle_s, quiet_s, max_settle_s
        self.display = open_display(display, screen_size)
        self._owns_display = not isinstance(display, Display)
        self._source: MssSource | None = None
        self._input_backend = input_backend
        self.input: DesktopInput | None = None
        try:
            self.screen_size = self.display.size
            self.obs_size = tuple(obs_size) if obs_size is not None else self.screen_size
            w, h = self.obs_size
            self._connect(Failsafe(abort_file))
        except BaseException:
            self._disconnect()
            self._close_display()
            raise
        self.observation_space = spaces.Dict(
            {"screen": spaces.Box(0, 255, (h, w, 3), np.uint8), "instruction": text_space()}
        )
        self.action_space = ActionSpace(w, h, UI_ACTIONS, what="a desktop action")
        self._workdir = Path(tempfile.mkdtemp(prefix="handeye-desktop-"))
        self._app: AppProcess | None = None
        self._episode: Episode | None = None
        self._screen = np.zeros((h, w, 3), np.uint8)

    # ---- gymnasium contract -----------------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Close the last episode's app, draw a new episode and launch its app."""
        super().reset(seed=seed)
        self._close_app()
        if not self.display.alive:
            self._restart_display()
        self._episode = self.task.setup(self.np_random, self.screen_size)
        state_path = self._workdir / "state.json"
        if self.display.owned:  # a fixed start for the pointer; never move a person's pointer
            self.input.backend.warp(*(v // 2 for v in self.input.screen))
        self._app = AppProcess(
            self.task.command(self._episode, state_path), self.display, state_path
        )
        self._settle()
        return self._observe(), self._info(None, None, answer=None)

    def step(self, action: Action | str) -> StepResult:
        """Perform one typed UI action (observation pixels), let the app redraw, observe."""
        app = self._require_app()
        error = failsafe = answer = None
        reward, terminated, truncated = 0.0, False, False
        try:
            try:
                act = self.action_space.parse(action)
                if isinstance(act, Done):
                    answer, terminated = act.answer, True
                    reward = 1.0 if self._success(grace_s=2.0) else 0.0
                elif isinstance(act, Wait):
                    time.sleep(act.seconds)
                    self._settle()
                elif (failsafe := self.input.failsafe_reason()) is not None:
                    error, truncated = failsafe, True
                else:
                    self.input.perform(act)
                    self._settle()
            except (ActionError, EnvError) as exc:
                error = str(exc)
            obs = self._observe()
        except Exception as exc:  # mss / Xlib errors of many kinds once the X server is gone
            if not self._display_gone():
                raise
            return self._display_lost(exc)
        if not self.display.alive:
            return self._display_lost(None)
        if not app.alive:
            terminated = True
            error = error or f"the app exited with code {app.proc.returncode}; call reset()"
        return obs, reward, terminated, truncated, self._info(error, failsafe, answer)

    def render(self) -> np.ndarray | None:
        """The last screen image (H x W x 3 uint8, observation size) in 'rgb_array' mode."""
        return self._screen.copy() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Stop the app, release the screen grabber, kill the display if this env started it."""
        self._close_app()
        self._disconnect()
        self._close_display()
        if getattr(self, "_workdir", None) is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        super().close()

    # ---- privileged helpers (experts, tests, evaluation) ------------------------------------

    @property
    def failsafe(self) -> Failsafe:
        """The failsafe guarding this env's input; `trip()` on it stops input from any thread."""
        return self.input.failsafe

    @property
    def episode(self) -> Episode | None:
        """The current episode's draw (privileged)."""
        return self._episode

    def app_state(self) -> dict[str, Any]:
        """The app's own report: clicks, text, widget boxes in screen pixels (privileged)."""
        return self._require_app().state()

    def oracle_actions(self, state: dict[str, Any] | None = None) -> list[Action]:
        """The task's scripted solution, in observation pixels, from the app's `state` (read
        now when not given) (privileged)."""
        assert self._episode is not None
        actions = self.task.oracle_actions(self._episode, state or self.app_state())
        return [self.input.map.unmap_action(a) for a in actions]

    # ---- phases -----------------------------------------------------------------------------

    def _settle(self) -> None:
        """Wait `settle_s`, then until the screen has been still for `quiet_s` (at most
        `max_settle_s`), so the observation shows the app's answer to the action."""
        assert self._source is not None, "the env is closed"
        start = time.monotonic()
        time.sleep(self.settle_s)
        last, last_change = self._source.grab(), time.monotonic()
        while time.monotonic() - start < self.max_settle_s:
            time.sleep(0.01)
            shot = self._source.grab()
            if shot is not last:  # MssSource returns the same array while pixels are unchanged
                last, last_change = shot, time.monotonic()
            elif time.monotonic() - last_change >= self.quiet_s:
                return

    def _success(self, grace_s: float = 0.0) -> bool:
        """The checker's verdict; with `grace_s`, give a lagging app that long to catch up
        (until it passes, or the app's state file has been still for 0.3 s)."""
        if self._app is None or self._episode is None:
            return False
        deadline = time.monotonic() + grace_s
        while True:
            try:
                if self.task.success(self._episode, self._app.state()):
                    return True
            except EnvError as exc:
                log.debug("app state unreadable: %s", exc)
            if time.monotonic() >= deadline or self._app.state_age() >= 0.3:
                return False
            time.sleep(0.02)

    def _observe(self) -> dict[str, Any]:
        from PIL import Image

        assert self._source is not None, "the env is closed"
        shot = self._source.grab()
        if (shot.shape[1], shot.shape[0]) != self.obs_size:
            shot = np.asarray(
                Image.fromarray(shot).resize(self.obs_size, Image.Resampling.BILINEAR)
            )
        else:  # the grabber hands back one array while the screen is unchanged: obs own theirs
            shot = shot.copy()
        self._screen = shot
        assert self._episode is not None
        return {"screen": shot, "instruction": self._episode.instruction}

    def _info(self, error: str | None, failsafe: str | None, answer: str | None) -> dict[str, Any]:
        app = self._require_app()
        assert self._episode is not None
        try:
            state: dict[str, Any] | None = app.state()
        except EnvError:
            state = None
        return {
            "error": error,
            "failsafe": failsafe,
            "pointer": self.input.pointer_in_image(),
            "privileged": {
                "task": self.task.name,
                "facts": dict(self._episode.facts),
                "state": state,
                "success": self._success(),
                "answer": answer,
                "app_alive": app.alive,
                "oracle": self.oracle_actions(state) if state is not None else None,
            },
        }

    def _connect(self, failsafe: Failsafe) -> None:
        """Screen grabber and input on `self.display` (again after a lost display)."""
        self._source = MssSource(monitor=0, display=self.display.name)
        fallback = XdotoolBackend(self.display.name) if shutil.which("xdotool") else None
        self.input = DesktopInput(
            make_backend(self._input_backend, self.display.name),
            self.obs_size,
            failsafe,
            text_fallback=fallback,
        )

    def _disconnect(self) -> None:
        """Release the grabber and the input's X connections (quietly: the server may be gone)."""
        for part in (self._source, getattr(self, "input", None)):
            if part is None:
                continue
            try:
                part.close()
            except Exception as exc:  # noqa: BLE001 - closing over a dead X connection
                log.debug("closing %s after the display went away: %s", type(part).__name__, exc)
        self._source, self.input = None, None

    def _display_gone(self, wait_s: float = 1.0) -> bool:
        """Whether the X server is gone, allowing a killed one up to `wait_s` to finish dying
        (its clients see the connection drop before the process has exited)."""
        deadline = time.monotonic() + wait_s
        while self.display.alive:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _restart_display(self) -> None:
        """Start a fresh Xvfb after ours died; a display we attached to is not ours to start."""
        if not self._owns_display:
            raise EnvError(
                f"the X display {self.display.name} is gone; start it again, or let handeye run "
                "its own with display='xvfb'"
            )
        log.warning("Xvfb %s died; starting a new one", self.display.name)
        failsafe = self.input.failsafe if self.input is not None else Failsafe(None)
        self._disconnect()
        self._close_display()
        self.display = open_display("xvfb", self.screen_size)
        self._connect(failsafe)

    def _display_lost(
        self, exc: Exception | None
    ) -> tuple[dict[str, Any], float, bool, bool, dict]:
        """End the episode (truncated) with a black frame when the X server died mid-step."""
        why = f": {type(exc).__name__}: {exc}" if exc is not None else ""
        log.warning("display %s lost during a step%s", self.display.name, why)
        self._close_app()
        self._screen = np.zeros_like(self._screen)
        assert self._episode is not None
        info = {
            "error": f"the X display {self.display.name} went away{why}; reset() starts a new one",
            "display_lost": True,
            "failsafe": None,
            "pointer": None,
            "privileged": {"task": self.task.name, "facts": dict(self._episode.facts)},
        }
        obs = {"screen": self._screen.copy(), "instruction": self._episode.instruction}
        return obs, 0.0, False, True, info

    def _require_app(self) -> AppProcess:
        if self._app is None:
            raise EnvError("the desktop env is not running; call reset() before step()")
        return self._app

    def _close_app(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def _close_display(self) -> None:
        if getattr(self, "_owns_display", False) and getattr(self, "display", None) is not None:
            self.display.close()
            self.display = None
