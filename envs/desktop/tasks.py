"""Desktop tasks: launch a real app on the display, say what to do, check the app's own report.

The apps in `envs/desktop/apps/` write their state (clicks, text, widget boxes in screen
pixels) to a JSON file; checkers and oracles read it (privileged: for reward, success and
scripted experts, never for a pixel policy's observation). A task is stateless; what one
episode drew (window position, button order, the word to type) lives in its `Episode`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np

from contracts.actions import Action, Click, Done, Type
from contracts.errors import EnvError
from envs.desktop.display import Display

log = logging.getLogger(__name__)

APPS_DIR = Path(__file__).parent / "apps"
FORM_APP = APPS_DIR / "form_app.py"
_FORM_SIZE = (360, 180)  # generous bound of the form window, for placing it on screen
_WORDS = ("hello", "maple", "orbit", "copper", "violet", "harbor", "falcon", "pepper")


@dataclass(frozen=True)
class Episode:
    """One seeded draw of a task: the instruction shown and the privileged facts behind it."""

    task: str
    instruction: str
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))


class DesktopTask(Protocol):
    """A task: draws an episode, names the app to launch, checks its state, knows a solution."""

    name: ClassVar[str]

    def setup(self, rng: np.random.Generator, screen: tuple[int, int]) -> Episode:
        """Draw the episode (where the window goes, what to type) for a screen of this size."""
        ...

    def command(self, episode: Episode, state_path: Path) -> list[str]:
        """The app's command line; the app writes its state JSON to `state_path`."""
        ...

    def success(self, episode: Episode, state: Mapping[str, Any]) -> bool:
        """Whether the app's reported state satisfies the instruction."""
        ...

    def oracle_actions(self, episode: Episode, state: Mapping[str, Any]) -> list[Action]:
        """A scripted solution in screen pixels, from the app's widget boxes (privileged)."""
        ...


class AppProcess:
    """A task's app on a display, in its own process group; ready when its state file appears."""

    def __init__(
        self, command: list[str], display: Display, state_path: Path, timeout_s: float = 15.0
    ) -> None:
        self.state_path = state_path
        self.state_path.unlink(missing_ok=True)
        # The app's stderr goes to a file: a pipe nobody drains could fill and block it.
        self._log = tempfile.TemporaryFile(prefix="handeye-app-")  # noqa: SIM115 - lives with the app
        self.proc = subprocess.Popen(
            command,
            env=display.child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while not self.state_path.exists():
            if self.proc.poll() is not None:
                self._log.seek(0)
                err = self._log.read().decode(errors="replace")
                self.close()
                raise EnvError(f"the app {command[-1]!r} exited at start:\n{err.strip()[-800:]}")
            if time.monotonic() > deadline:
                self.close()
                raise EnvError(f"the app did not report ready within {timeout_s} s")
            time.sleep(0.01)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def state(self) -> dict[str, Any]:
        """The app's last reported state (the file is replaced atomically, never half-written)."""
        try:
            return json.loads(self.state_path.read_text())
        except (OSError, ValueError) as exc:
            raise EnvError(f"cannot read the app's state {self.state_path}: {exc}") from None

    def state_age(self) -> float:
        """Seconds since the app last wrote its state (inf if it never did)."""
        try:
            return time.time() - self.state_path.stat().st_mtime
        except OSError:
            return float("inf")

    def close(self) -> None:
        """Stop the app and anything it started (SIGTERM, then SIGKILL); reap it."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=3)
            except ProcessLookupError:
                self.proc.wait(timeout=3)
        self._log.close()


def _centre(box: list[int]) -> tuple[int, int]:
    x0, y0, x1, y1 = box
    return (x0 + x1) // 2, (y0 + y1) // 2


@dataclass(frozen=True)
class _FormTask:
    """Shared by the form tasks: the Tk form at a random place, with a random button order."""

    name: ClassVar[str] = "form"

    def _draw(self, rng: np.random.Generator, screen: tuple[int, int]) -> dict[str, Any]:
        w, h = screen
        if w < _FORM_SIZE[0] + 40 or h < _FORM_SIZE[1] + 40:
            raise EnvError(f"the screen {w}x{h} is too small for the form app")
        return {
            "x": int(rng.integers(20, w - _FORM_SIZE[0] - 20)),
            "y": int(rng.integers(20, h - _FORM_SIZE[1] - 20)),
            "swap": bool(rng.integers(2)),
            "word": str(_WORDS[int(rng.integers(len(_WORDS)))]),
        }

    def command(self, episode: Episode, state_path: Path) -> list[str]:
        f = episode.facts
        cmd = [
            sys.executable,
            str(FORM_APP),
            str(state_path),
            "--x",
            str(f["x"]),
            "--y",
            str(f["y"]),
        ]
        return [*cmd, "--swap"] if f["swap"] else cmd


@dataclass(frozen=True)
class ClickOkTask(_FormTask):
    """Press the OK button (and not Cancel)."""

    name: ClassVar[str] = "click-ok"

    def setup(self, rng: np.random.Generator, screen: tuple[int, int]) -> Episode:
        return Episode(self.name, "Click the OK button, then call done().", self._draw(rng, screen))

    def success(self, episode: Episode, state: Mapping[str, Any]) -> bool:
        return state.get("ok_clicks", 0) >= 1 and state.get("cancel_clicks", 0) == 0

    def oracle_actions(self, episode: Episode, state: Mapping[str, Any]) -> list[Action]:
        return [Click(*_centre(state["widgets"]["ok"])), Done()]


@dataclass(frozen=True)
class TypeTextTask(_FormTask):
    """Put a given word in the text field."""

    name: ClassVar[str] = "type-text"

    def setup(self, rng: np.random.Generator, screen: tuple[int, int]) -> Episode:
        facts = self._draw(rng, screen)
        text = f'Type "{facts["word"]}" into the text field, then call done().'
        return Episode(self.name, text, facts)

    def success(self, episode: Episode, state: Mapping[str, Any]) -> bool:
        return state.get("text") == episode.facts["word"]

    def oracle_actions(self, episode: Episode, state: Mapping[str, Any]) -> list[Action]:
        return [Click(*_centre(state["widgets"]["entry"])), Type(episode.facts["word"]), Done()]


@dataclass(frozen=True)
class SubmitFormTask(_FormTask):
    """Type a word into the field and submit it with OK."""

    name: ClassVar[str] = "submit-form"

    def setup(self, rng: np.random.Generator, screen: tuple[int, int]) -> Episode:
        facts = self._draw(rng, screen)
        text = f'Enter "{facts["word"]}" in the text field and press OK, then call done().'
        return Episode(self.name, text, facts)

    def success(self, episode: Episode, state: Mapping[str, Any]) -> bool:
        return state.get("submitted") == episode.facts["word"] and state.get("cancel_clicks") == 0

    def oracle_actions(self, episode: Episode, state: Mapping[str, Any]) -> list[Action]:
        widgets = state["widgets"]
        entry, word, ok = _centre(widgets["entry"]), episode.facts["word"], _centre(widgets["ok"])
        return [Click(*entry), Type(word), Click(*ok), Done()]


TASKS: dict[str, DesktopTask] = {
    t.name: t for t in (ClickOkTask(), TypeTextTask(), SubmitFormTask())
}


def make_task(name: str) -> DesktopTask:
    """The task registered under `name`; EnvError listing the known ones otherwise."""
    try:
        return TASKS[name]
    except KeyError:
        raise EnvError(f"unknown desktop task {name!r}; known: {', '.join(TASKS)}") from None
