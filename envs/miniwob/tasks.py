"""MiniWoB++ tasks: the HTML shipped in the `miniwob` PyPI package, found and named."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from agent.errors import EnvError, missing_extra

# Task area of every MiniWoB page: the 160x50 instruction strip over the 160x160 task.
TASK_WIDTH = 160
TASK_HEIGHT = 210


@dataclass(frozen=True)
class MiniWoBTask:
    """One MiniWoB task page."""

    name: str
    html: Path

    @property
    def url(self) -> str:
        return self.html.as_uri()

    @property
    def env_id(self) -> str:
        return f"handeye/miniwob-{self.name}-v0"


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
