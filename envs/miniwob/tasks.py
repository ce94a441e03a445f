"""MiniWoB++ tasks: the HTML shipped in the `miniwob` PyPI package, found and named."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from contracts.errors import EnvError, missing_extra
from envs.browser.page_scripts import page_file
from envs.registration import family_env_id

# Task area of every MiniWoB page: the 160x50 instruction strip over the 160x160 task.
TASK_WIDTH = 160
TASK_HEIGHT = 210


# Tasks whose pixels one seed cannot pin (wall-clock timers, today's date); they are registered
# with `nondeterministic=True` (gymnasium's flag) and check_env skips that check. Images that a
# step's class change shows (email-inbox icons, tic-tac-toe marks) are preloaded with the page
# (see preload_images.js), so those pages are deterministic.
NONDETERMINISTIC = {
    "chase-circle": "the target moves on a timer",
    "simon-says": "the sequence flashes on a timer",
    "click-pie": "the pie opens on a timer and consumes random numbers as it animates",
    "click-pie-nodelay": "random numbers consumed while the pie is drawn",
    "stock-market": "prices update on setInterval",
    "drag-cube": "a setInterval physics loop moves the cube",
    "terminal": "a blinking cursor and today's date in the page",
    "book-flight": "today's date is highlighted in the date picker",
    "book-flight-nodelay": "today's date is highlighted in the date picker",
    "moving-items": "circles slide on timers (d3 transitions), and a clicked episode ends "
    "9.9 s later on a timer that can outlive it",
}

# Pages whose animation advances on drawn frames (d3 transitions) while the page's own timer
# races it: frames drawn on demand stall the animation between steps, so the page's timer ends
# the episode first. These keep Chromium's clock when the frame mode is "auto".
CLOCKED = {
    "chase-circle": "4 x 2 s + 1.9 s of transitions end the episode 0.1 s before its 10 s timer",
}

# Page state a task's own genProblem forgets to clear, undone at reset before the episode
# starts, so the same seed starts from the same page whatever ran before (<task>.reset.js).
RESET_FIXES = {
    task: page_file("envs.miniwob", f"{task}.reset.js")
    for task in ("hot-cold", "moving-items", "simon-says")
}


@dataclass(frozen=True)
class MiniWoBTask:
    """One MiniWoB task page."""

    name: str
    html: Path

    @property
    def url(self) -> str:
        return self.html.as_uri()

    @property
    def nondeterministic(self) -> bool:
        return self.name in NONDETERMINISTIC

    @property
    def reset_fix(self) -> str | None:
        """JavaScript that clears what this page's genProblem leaves behind, if anything."""
        return RESET_FIXES.get(self.name)

    @property
    def env_id(self) -> str:
        return family_env_id("miniwob", self.name)


def html_root() -> Path:
    """Folder of the task pages inside the installed `miniwob` package (imported only to locate)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("miniwob")
    except ImportError:
        spec = None
    if spec is None or spec.origin is None:
        raise missing_extra("miniwob", "browser")
    root = Path(spec.origin).parent / "html" / "miniwob"
    if not root.is_dir():
        raise EnvError(f"the miniwob package at {root.parent} has no html/miniwob folder")
    return root


@functools.cache
def all_tasks() -> dict[str, MiniWoBTask]:
    """Every task page the package ships, by name (e.g. 'click-button')."""
    return {p.stem: MiniWoBTask(p.stem, p) for p in sorted(html_root().glob("*.html"))}


def get_task(name: str) -> MiniWoBTask:
    """Look a task up by name, with close matches in the error."""
    tasks = all_tasks()
    if name in tasks:
        return tasks[name]
    import difflib

    close = difflib.get_close_matches(name, tasks, n=5)
    raise EnvError(
        f"unknown MiniWoB task {name!r}; close matches: {close or 'none'}; "
        "`handeye list-envs` lists all"
    )
