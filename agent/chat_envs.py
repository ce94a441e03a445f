"""The envs a person drives from `handeye chat` / `handeye run`: a page at any URL, a terminal, a
desktop, each taking its instruction from the person instead of a task generator.

The terminal and desktop envs are built with an open task (no checker, no files): the episode
ends when the agent says `done()`. `TaskInstruction` (envs.wrappers) puts the person's words
in every observation and passes reset options the session loop cannot (it calls
`reset(seed=...)`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from contracts.actions import Action
from contracts.errors import HandeyeError
from envs.wrappers.task_instruction import TaskInstruction

ENV_KINDS = ("web", "terminal", "desktop")
DESKTOP_APPS = ("auto", "form", "none")
# A stand-in app for an open desktop task: reports an empty state and idles until stopped.
_IDLE_APP = (
    "import json, os, sys, time\n"
    "tmp = sys.argv[1] + '.tmp'\n"
    "open(tmp, 'w').write('{}')\n"
    "os.replace(tmp, sys.argv[1])\n"
    "time.sleep(10 ** 6)\n"
)


def parse_viewport(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise HandeyeError(f"viewport must look like 1280x720, got {text!r}") from None
    return w, h


@dataclass(frozen=True)
class EnvChoice:
    """Which env a session drives and how to open it (maps 1:1 to `--env`, `--url`, ...)."""

    kind: str = "web"
    url: str = "about:blank"
    viewport: tuple[int, int] = (1280, 720)  # web: CSS pixels; desktop: the Xvfb screen
    display: str = "xvfb"  # desktop: 'xvfb' (private), 'attach' ($DISPLAY) or ':N'
    app: str = "auto"  # desktop: 'form' (the demo form), 'none', 'auto' (form on a private Xvfb)

    def __post_init__(self) -> None:
        if self.kind not in ENV_KINDS:
            raise HandeyeError(f"unknown env {self.kind!r}; choose one of {', '.join(ENV_KINDS)}")
        if self.app not in DESKTOP_APPS:
            raise HandeyeError(f"unknown desktop app {self.app!r}; choose one of {DESKTOP_APPS}")

    @property
    def env_id(self) -> str:
        """The id episodes are recorded under."""
        return {
            "web": "handeye/web-v0",
            "terminal": "handeye/terminal-open",
            "desktop": "handeye/desktop-open",
        }[self.kind]

    def describe(self) -> str:
        """One line for people: 'web http://...', 'terminal', 'desktop on xvfb'."""
        if self.kind == "web":
            return f"web {self.url}"
        if self.kind == "desktop":
            return f"desktop on {self.display}"
        return "terminal"


@dataclass(frozen=True)
class OpenTerminalTask:
    """A terminal task with no files and no checker: the instruction comes from a person."""

    name: ClassVar[str] = "open"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Any:
        from envs.terminal.tasks import Episode

        return Episode(self.name, "")

    def success(self, episode: Any, state: Any) -> bool:
        """Unknown: nothing checks an open task, so the env never claims success."""
        return False

    def oracle_actions(self, episode: Any) -> list[Action]:
        return []


@dataclass(frozen=True)
class OpenDesktopTask:
    """A desktop task with no checker; `app` is the demo form app or an idle stand-in."""

    name: ClassVar[str] = "open"
    app: str = "form"

    def setup(self, rng: np.random.Generator, screen: tuple[int, int]) -> Any:
        from envs.desktop.tasks import TASKS, Episode

        if self.app == "form":
            drawn = TASKS["type-text"].setup(rng, screen)
            return Episode(self.name, "", dict(drawn.facts))
        return Episode(self.name, "")

    def command(self, episode: Any, state_path: Path) -> list[str]:
        from envs.desktop.tasks import TASKS

        if self.app == "form":
            return TASKS["type-text"].command(episode, state_path)
        return [sys.executable, "-c", _IDLE_APP, str(state_path)]

    def success(self, episode: Any, state: Mapping[str, Any]) -> bool:
        """Unknown: nothing checks an open task."""
        return False

    def oracle_actions(self, episode: Any, state: Mapping[str, Any]) -> list[Action]:
        return []


def make_env(
    choice: EnvChoice,
    max_steps: int = 30,
    navigation_guard: Callable[[str], str | None] | None = None,
) -> TaskInstruction:
    """Build the env a choice names, wrapped so it takes the person's instruction;
    `navigation_guard` (web) blocks the page navigations it gives a reason against."""
    if choice.kind == "web":
        from envs.web import WEB_ENV_ID, register_web_envs

        register_web_envs()
        env = gym.make(
            WEB_ENV_ID,
            url=choice.url,
            viewport=choice.viewport,
            max_episode_steps=max_steps,
            navigation_guard=navigation_guard,
        )
    elif choice.kind == "terminal":
        from envs.terminal.env import TerminalEnv

        env = TerminalEnv(task=OpenTerminalTask())
    else:
        from envs.desktop.env import DesktopEnv

        app = choice.app
        if app == "auto":
            app = "form" if choice.display == "xvfb" else "none"
        display = None if choice.display == "attach" else choice.display
        env = DesktopEnv(task=OpenDesktopTask(app), display=display, screen_size=choice.viewport)
    return TaskInstruction(env)


def reset_options(choice: EnvChoice) -> dict[str, Any]:
    """Reset options for a task: a web page stays where the last task (or the start) left it."""
    return {"keep_page": True} if choice.kind == "web" else {}
