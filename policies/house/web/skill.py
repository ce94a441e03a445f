"""The skill contract and the registry that picks a skill from an instruction's wording."""

from __future__ import annotations

from typing import Protocol

from contracts.actions import Action
from policies.house.web.view import View


class Skill(Protocol):
    """Plans one kind of instruction; built per episode by `match`, so it may keep state."""

    name: str
    finished: bool | None  # the task is done; None: this skill cannot tell (its policy guesses)

    def act(self, view: View) -> Action:
        """The next action for this step's view."""
        ...


class SkillType(Protocol):
    """A skill class: `match` reads the instruction and returns a skill, or None if not its kind."""

    @classmethod
    def match(cls, instruction: str) -> Skill | None: ...


def registry() -> list[SkillType]:
    """Every skill, most specific first (the first whose `match` accepts an instruction wins)."""
    from policies.house.web import skills_click, skills_form, skills_read, skills_widgets

    return [*skills_read.SKILLS, *skills_form.SKILLS, *skills_widgets.SKILLS, *skills_click.SKILLS]


def choose(instruction: str) -> Skill | None:
    """The first skill that accepts `instruction`."""
    for kind in registry():
        skill = kind.match(instruction)
        if skill is not None:
            return skill
    return None
