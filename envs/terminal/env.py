"""The terminal as a gymnasium env: bash in a real pty, seen as screen pixels and screen text.

Reward rule: an episode ends when the agent sends `done(...)`; the reward is 1.0 if the
task's checker passes at that moment (file made, right answer, output on screen), else 0.0.
Every task ends the same way, so a policy must both do the work and say it is finished; the
checker's live verdict is reported each step under `info["privileged"]["success"]`, and its
scripted solution (typed actions from the episode's start) under `info["privileged"]["oracle"]`.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from contracts.actions import Action, Done, Key, Type, Wait
from contracts.errors import ActionError, EnvError
from contracts.spaces import ActionSpace, text_space
from envs.terminal.backend import TerminalBackend, TerminalConfig
from envs.terminal.render import ScreenRenderer
from envs.terminal.tasks import Episode, TerminalState, TerminalTask, make_task

KINDS = ("type", "key", "wait", "done")
# Keys after which the shell runs something and prints a fresh prompt when it is finished.
_PROMPT_KEYS = {"enter", "return", "ctrl+c", "ctrl+d"}


class TerminalEnv(gym.Env):
    """bash in a pty; observation = screen image + screen text + instruction; typed actions."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        task: str | TerminalTask = "create-file",
        render_mode: str | None = None,
        cols: int = 80,
        rows: int = 24,
        font_size: int = 14,
        quiet_s: float = 0.05,
        step_timeout_s: float = 2.0,
    ) -> None:
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise EnvError(f"render_mode {render_mode!r} is not supported; use 'rgb_array' or None")
        self.task = make_task(task) if isinstance(task, str) else task
        self.render_mode = render_mode
        self.config = TerminalConfig(cols=cols, rows=rows, quiet_s=quiet_s)
        self.step_timeout_s = step_timeout_s
        self.renderer = ScreenRenderer(cols, rows, font_size)
        h, w = self.renderer.height, self.renderer.width
        self._text_space = text_space(max_length=rows * (cols + 1))
        self.observation_space = spaces.Dict(
            {
                "screen": spaces.Box(0, 255, (h, w, 3), np.uint8),
                "text": self._text_space,
                "instruction": text_space(),
            }
        )
        self.action_space = ActionSpace(w, h, KINDS, what="a terminal action")
        self._backend: TerminalBackend | None = None
        self._episode: Episode | None = None
        self._screen = np.zeros((h, w, 3), np.uint8)

    # ---- gymnasium contract -----------------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start a fresh shell in a fresh temp HOME and lay out the task's files there."""
        super().reset(seed=seed)
        self._close_backend()
        self._backend = TerminalBackend(self.config)
        self._episode = self.task.setup(self._backend.workdir, self.np_random)
        return self._observe(), self._info(None, answer=None)

    def step(self, action: Action | str) -> tuple[dict[str, Any], float, bool, bool, dict]:
        """Send one typed action to the pty, let output settle, and observe the screen."""
        backend = self._require_backend()
        error: str | None = None
        reward, terminated, answer = 0.0, False, None
        try:
            act = self.action_space.parse(action)
            if not backend.alive:
                raise EnvError(self._dead_message())
            if isinstance(act, Done):
                answer = act.answer
                terminated = True
                reward = 1.0 if self._success(answer) else 0.0
            else:
                self._execute(backend, act)
        except (ActionError, EnvError) as exc:
            error = str(exc)
        if not backend.alive:
            terminated = True
            error = error or self._dead_message()
        return self._observe(), reward, terminated, False, self._info(error, answer=answer)

    def render(self) -> np.ndarray | None:
        """The last screen image (H x W x 3 uint8) in 'rgb_array' mode."""
        return self._screen.copy() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Kill the shell and everything it started; delete the episode's directory."""
        self._close_backend()
        super().close()

    # ---- pixels <-> cells, for policies that point at the screen ----------------------------

    def cell_at(self, x: int, y: int) -> tuple[int, int]:
        """The (col, row) terminal cell under screen pixel (x, y)."""
        return self.renderer.cell_at(x, y)

    def cell_box(self, col: int, row: int) -> tuple[int, int, int, int]:
        """Pixel box (x0, y0, x1, y1), end-exclusive, of terminal cell (col, row)."""
        return self.renderer.cell_box(col, row)

    @property
    def episode(self) -> Episode | None:
        """The current episode's draw (privileged: for experts and evaluation)."""
        return self._episode

    @property
    def backend(self) -> TerminalBackend | None:
        """The live pty backend (privileged: the real process and its working directory)."""
        return self._backend

    # ---- phases -----------------------------------------------------------------------------

    def _execute(self, backend: TerminalBackend, act: Action) -> None:
        if isinstance(act, Type):
            until, pending = self._echo_checks(backend, act.text)
            backend.send_text(act.text)
            backend.wait_idle(self.step_timeout_s, until=until, pending=pending)
        elif isinstance(act, Key):
            backend.send_keys(act.keys)
            if act.keys.replace(" ", "").lower() in _PROMPT_KEYS:
                backend.wait_settled(self.step_timeout_s)
            else:
                backend.wait_idle(self.step_timeout_s)
        elif isinstance(act, Wait):
            backend.pump_for(act.seconds)

    @staticmethod
    def _echo_checks(backend: TerminalBackend, text: str) -> tuple[Any, Any]:
        """Checks that typed `text` is echoed before the cursor, or still on its way.

        Call before sending. bash echoes typed keys as readline reads them, late or in pieces
        on a busy machine; while the shell owns the terminal and the line shows none or only
        a prefix of `text`, the step keeps waiting (up to its timeout) instead of stopping at
        the first silence. (None, None) where no echo can be predicted.
        """
        if not text or not text.isprintable() or len(text) > backend.config.cols // 2:
            return None, None
        line_before = backend.cursor_line()

        def echoed() -> bool:
            return backend.cursor_line()[0].endswith(text)

        def on_its_way() -> bool:
            line = backend.cursor_line()
            if line == line_before:
                return backend.foreground_is_shell()
            return any(line[0].endswith(text[:k]) for k in range(1, len(text)))

        return echoed, on_its_way

    def _success(self, answer: str | None) -> bool:
        assert self._backend is not None and self._episode is not None
        state = TerminalState(self._backend.workdir, self._backend.screen_text(), answer)
        return bool(self.task.success(self._episode, state))

    def _observe(self) -> dict[str, Any]:
        backend = self._require_backend()
        self._screen = self.renderer.render(backend.screen)
        text = backend.screen_text()
        if not self._text_space.contains(text):  # keep the observation inside its space
            text = "".join(c if self._text_space.contains(c) else "?" for c in text)
        assert self._episode is not None
        return {
            "screen": self._screen.copy(),
            "text": text,
            "instruction": self._episode.instruction,
        }

    def _info(self, error: str | None, answer: str | None) -> dict[str, Any]:
        backend = self._require_backend()
        assert self._episode is not None
        return {
            "error": error,
            "cursor": backend.cursor(),
            "privileged": {
                "task": self.task.name,
                "facts": dict(self._episode.facts),
                "success": self._success(answer),
                "alive": backend.alive,
                "exit": backend.exit_reason(),
                "oracle": self.task.oracle_actions(self._episode),
            },
        }

    def _dead_message(self) -> str:
        reason = self._backend.exit_reason() if self._backend else "never started"
        return f"the shell has {reason}; call reset() to start a new one"

    def _require_backend(self) -> TerminalBackend:
        if self._backend is None:
            raise EnvError("the terminal env is not running; call reset() before step()")
        return self._backend

    def _close_backend(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
