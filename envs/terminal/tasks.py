"""Terminal tasks: a seeded setup in a real directory, an instruction, a checker, an oracle.

Checkers read the real filesystem and screen (privileged: for reward, success and the
oracle only, never for a policy's observation). A task is stateless; what one episode drew
(file names, the expected answer) lives in its `Episode`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, Protocol

import numpy as np

from contracts.actions import Action, Done, Key, Type
from contracts.errors import EnvError

_WORDS = [
    "apple",
    "river",
    "stone",
    "cloud",
    "maple",
    "orbit",
    "tiger",
    "lemon",
    "piano",
    "rocket",
    "candle",
    "forest",
    "silver",
    "garden",
    "window",
    "copper",
    "harbor",
    "meadow",
    "pepper",
    "violet",
    "marble",
    "falcon",
]
_SECRET_WORDS = ["pineapple", "nebula", "walrus", "quartz", "saffron", "tornado", "mosaic"]
_FILE_STEMS = ["notes", "todo", "memo", "journal", "plan", "draft", "ideas", "readme"]
_DIR_NAMES = ["projects", "backup", "photos", "archive", "build", "reports", "music", "src"]


@dataclass(frozen=True)
class Episode:
    """One seeded draw of a task: the instruction shown and the privileged facts to check."""

    task: str
    instruction: str
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))


@dataclass(frozen=True)
class TerminalState:
    """What a checker reads: the episode's working directory, the screen text, the answer."""

    workdir: Path
    screen_text: str
    answer: str | None = None


class TerminalTask(Protocol):
    """A task: writes its files, says what to do, checks the real state, and knows a solution."""

    name: ClassVar[str]

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        """Write the episode's files into `workdir` and return what was drawn."""
        ...

    def success(self, episode: Episode, state: TerminalState) -> bool:
        """Whether the real state satisfies the instruction."""
        ...

    def oracle_actions(self, episode: Episode) -> list[Action]:
        """A scripted solution from privileged facts (for tests and expert data)."""
        ...


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


def _lines(rng: np.random.Generator, n: int, words: list[str] | tuple[str, ...]) -> str:
    """`n` lines of 3-6 random words, newline-terminated."""
    return "".join(
        " ".join(_pick(rng, words) for _ in range(int(rng.integers(3, 7)))) + "\n" for _ in range(n)
    )


def _run(command: str) -> list[Action]:
    return [Type(command), Key("Enter")]


def _number(answer: str | None) -> int | None:
    """The first integer in an answer ("42", "42 lines"), or None."""
    m = re.search(r"-?\d+", answer or "")
    return int(m.group()) if m else None


def _file_name(answer: str | None) -> str:
    """A file-name answer without quotes, "./" or a trailing slash."""
    text = (answer or "").strip().strip("'\"`").strip()
    return text.removeprefix("./").rstrip("/")


@dataclass(frozen=True)
class CreateFileTask:
    """Create a file holding one given word."""

    name: ClassVar[str] = "create-file"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        fname, word = f"{_pick(rng, _FILE_STEMS)}.txt", _pick(rng, _WORDS)
        return Episode(
            self.name,
            f"Create a file named {fname} in your home directory containing the word {word}, "
            "then call done().",
            {"file": fname, "word": word},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        path = state.workdir / episode.facts["file"]
        try:
            return (
                path.is_file() and path.read_text(errors="replace").strip() == episode.facts["word"]
            )
        except OSError:
            return False

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"echo {episode.facts['word']} > {episode.facts['file']}"), Done()]


@dataclass(frozen=True)
class MakeDirectoryTask:
    """Make a new directory."""

    name: ClassVar[str] = "make-directory"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        dname = f"{_pick(rng, _DIR_NAMES)}_{int(rng.integers(100)):02d}"
        return Episode(
            self.name,
            f"Make a directory named {dname} in your home directory, then call done().",
            {"dir": dname},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        return (state.workdir / episode.facts["dir"]).is_dir()

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"mkdir {episode.facts['dir']}"), Done()]


@dataclass(frozen=True)
class CountLinesTask:
    """Count the lines of a generated file and answer with the number."""

    name: ClassVar[str] = "count-lines"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        fname, n = f"data_{int(rng.integers(100)):02d}.txt", int(rng.integers(5, 80))
        (workdir / fname).write_text(_lines(rng, n, _WORDS))
        return Episode(
            self.name,
            f'How many lines does the file {fname} have? Answer with done("<number>").',
            {"file": fname, "lines": str(n)},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        return _number(state.answer) == int(episode.facts["lines"])

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"wc -l {episode.facts['file']}"), Done(episode.facts["lines"])]


@dataclass(frozen=True)
class RenameFileTask:
    """Rename a file, keeping its contents."""

    name: ClassVar[str] = "rename-file"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        stems = list(_FILE_STEMS)
        src = f"{stems.pop(int(rng.integers(len(stems))))}.txt"
        dst = f"{_pick(rng, stems)}_{int(rng.integers(10, 100))}.txt"
        content = _lines(rng, int(rng.integers(2, 6)), _WORDS)
        (workdir / src).write_text(content)
        return Episode(
            self.name,
            f"Rename the file {src} to {dst}, then call done().",
            {"src": src, "dst": dst, "content": content},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        src, dst = state.workdir / episode.facts["src"], state.workdir / episode.facts["dst"]
        try:
            return (
                not src.exists() and dst.is_file() and dst.read_text() == episode.facts["content"]
            )
        except (OSError, UnicodeDecodeError):
            return False

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"mv {episode.facts['src']} {episode.facts['dst']}"), Done()]


@dataclass(frozen=True)
class FindWordTask:
    """Find which of several files holds a word, and answer with its name."""

    name: ClassVar[str] = "find-word"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        word = _pick(rng, _SECRET_WORDS)
        names = [f"file_{chr(ord('a') + i)}.txt" for i in range(int(rng.integers(4, 7)))]
        target = _pick(rng, names)
        for fname in names:
            lines = _lines(rng, int(rng.integers(3, 9)), _WORDS).splitlines()
            if fname == target:
                at = int(rng.integers(len(lines)))
                lines[at] = f"{lines[at]} {word}"
            (workdir / fname).write_text("\n".join(lines) + "\n")
        return Episode(
            self.name,
            f"Exactly one file in your home directory contains the word {word}. "
            'Which one? Answer with done("<file name>").',
            {"word": word, "file": target},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        return _file_name(state.answer) == episode.facts["file"]

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"grep -l {episode.facts['word']} *"), Done(episode.facts["file"])]


@dataclass(frozen=True)
class ShowFileTask:
    """Run a command that prints a file, so its (unseen) contents appear on screen."""

    name: ClassVar[str] = "show-file"

    def setup(self, workdir: Path, rng: np.random.Generator) -> Episode:
        fname = f"secret_{int(rng.integers(100)):02d}.txt"
        token = "key-" + "".join(_pick(rng, "0123456789abcdef") for _ in range(10))
        (workdir / fname).write_text(f"{token}\n")
        return Episode(
            self.name,
            f"Print the contents of the file {fname} to the terminal, then call done().",
            {"file": fname, "token": token},
        )

    def success(self, episode: Episode, state: TerminalState) -> bool:
        # The token is in no instruction, so it is on screen only if a command printed it.
        return episode.facts["token"] in state.screen_text

    def oracle_actions(self, episode: Episode) -> list[Action]:
        return [*_run(f"cat {episode.facts['file']}"), Done()]


TASKS: dict[str, type] = {
    cls.name: cls
    for cls in (
        CreateFileTask,
        MakeDirectoryTask,
        CountLinesTask,
        RenameFileTask,
        FindWordTask,
        ShowFileTask,
    )
}


def make_task(name: str) -> TerminalTask:
    """Build a task by its registered name; EnvError lists the known ones otherwise."""
    cls = TASKS.get(name)
    if cls is None:
        raise EnvError(f"unknown terminal task {name!r}; known: {', '.join(TASKS)}")
    return cls()
