"""Versioned prompt templates per model family, read from `perception/vlm/prompts/<family>/`.

A template file `<task>_v<N>.txt` holds a `[system]` section (optional) and a `[user]`
section, with `$instruction`, `$history`, `$width` and `$height` (the model image's size,
in the units the family answers in) substituted by `string.Template`, so the JSON in a
prompt needs no escaping. Tasks: "point" (point at an element), "next_action" (choose
the next action given the history), "robot_point" (point at an object for a robot).
A family without a task's file uses the generic one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template

from contracts.actions import format_action, parse_action, scale_action
from contracts.errors import ActionError, SetupError
from perception.grounding.resize import CoordinateFrame

TASKS = ("point", "next_action", "robot_point")
_NAME = re.compile(r"^(?P<task>[a-z_]+?)(?:_v(?P<version>\d+))?$")
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.M)


@dataclass(frozen=True)
class PromptTemplate:
    """A system + user prompt pair, identified by family, task and version."""

    family: str
    task: str
    version: int
    system: str
    user: str

    @property
    def name(self) -> str:
        return f"{self.family}/{self.task}_v{self.version}"

    def render(
        self, instruction: str, history: Sequence[str], width: int, height: int
    ) -> tuple[str, str]:
        """(system, user) texts with the instruction, history lines and image size filled in."""
        lines = "\n".join(f"{i}. {h}" for i, h in enumerate(history, 1)) or "none"
        values = {"instruction": instruction, "history": lines, "width": width, "height": height}
        try:
            return (
                Template(self.system).substitute(values).strip(),
                Template(self.user).substitute(values).strip(),
            )
        except (KeyError, ValueError) as exc:
            raise SetupError(f"prompt {self.name} has an unknown placeholder: {exc}") from None


def _folder(family: str):  # noqa: ANN202 - an importlib Traversable
    return resources.files("perception.vlm").joinpath("prompts", family)


def _versions(family: str, task: str) -> list[int]:
    folder = _folder(family)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        m = re.fullmatch(rf"{task}_v(\d+)\.txt", entry.name)
        if m:
            found.append(int(m.group(1)))
    return sorted(found)


@lru_cache(maxsize=64)
def load_prompt(family: str, prompt: str) -> PromptTemplate:
    """The template `prompt` ("point" = latest version, or "point_v1") of a family's folder."""
    m = _NAME.match(prompt)
    if m is None or m.group("task") not in TASKS:
        raise SetupError(f"unknown prompt {prompt!r}; tasks: {', '.join(TASKS)} (e.g. point_v1)")
    task, version = m.group("task"), m.group("version")
    for folder in dict.fromkeys((family, "generic")):
        versions = _versions(folder, task)
        chosen = int(version) if version else (versions[-1] if versions else None)
        if chosen in versions:
            text = _folder(folder).joinpath(f"{task}_v{chosen}.txt").read_text(encoding="utf-8")
            system, user = _split(text, f"{folder}/{task}_v{chosen}")
            return PromptTemplate(folder, task, chosen, system, user)
    raise SetupError(f"no prompt template {prompt!r} for family {family!r} (nor a generic one)")


def _split(text: str, name: str) -> tuple[str, str]:
    parts = _SECTION.split(text)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if "user" not in sections:
        raise SetupError(f"prompt template {name} has no [user] section")
    return sections.get("system", ""), sections["user"]


def history_in_model_units(history: Sequence[str], frame: CoordinateFrame) -> list[str]:
    """Past actions (observation pixels) rewritten in the model's coordinate units.

    The model reads its history in the units it answers in; entries that are not
    handeye actions (notes, errors) pass through unchanged.
    """
    ux, uy = frame.unit_px
    out = []
    for entry in history:
        try:
            action = parse_action(entry)
        except ActionError:
            out.append(entry)
            continue
        out.append(format_action(scale_action(action, 1 / ux, 1 / uy)))
    return out
