"""Gymnasium spaces for handeye's typed actions and text observations."""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from gymnasium import spaces

from contracts.actions import (
    ACTION_TYPES,
    Action,
    Click,
    Done,
    DoubleClick,
    Drag,
    EEDelta,
    Hover,
    Key,
    Pick,
    Place,
    Push,
    Scroll,
    Type,
    Wait,
    as_action,
    check_bounds,
    format_action,
)
from contracts.errors import ActionError

_SAMPLE_TEXT = string.ascii_letters + string.digits + " "
_SAMPLE_KEYS = ("Enter", "Tab", "Backspace", "ctrl+a", "Escape", "ArrowDown")


class AnyText(spaces.Text):
    """A Text space that holds any printable text (any script, emoji, tabs and newlines).

    gymnasium's Text checks membership in an explicit charset; listing all of Unicode would
    cost ~0.4 s per import, so `contains` checks printability instead and `sample` draws
    from a small alphabet.
    """

    def contains(self, x: Any) -> bool:
        return (
            isinstance(x, str)
            and self.min_length <= len(x) <= self.max_length
            and all(c.isprintable() or c in "\t\n" for c in x)
        )


def text_space(max_length: int = 4096) -> spaces.Text:
    """A Text space that accepts any printable instruction or screen text."""
    return AnyText(max_length=max_length, min_length=0, charset=_SAMPLE_TEXT)


class ActionSpace(spaces.Space):
    """Typed actions (or their canonical strings) whose pixels lie inside a width x height frame.

    `parse()` is the one action check every env and wrapper runs; `contains()` asks it, and
    `sample()` draws valid actions of the allowed kinds, so random agents and `check_env`
    exercise the real executor. `what` names the actions in errors ("a UI action").
    """

    def __init__(
        self,
        width: int,
        height: int,
        kinds: tuple[str, ...],
        seed: int | np.random.Generator | None = None,
        what: str = "an action of this env",
    ) -> None:
        unknown = [k for k in kinds if k not in ACTION_TYPES]
        if unknown:
            raise ActionError(f"unknown action kinds {unknown}; known: {list(ACTION_TYPES)}")
        self.width, self.height, self.kinds = int(width), int(height), tuple(kinds)
        self.what = what
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def _xy(self) -> tuple[int, int]:
        rng = self.np_random
        return int(rng.integers(self.width)), int(rng.integers(self.height))

    def sample(self, mask: Any = None, probability: Any = None) -> Action:
        """A random valid action of one of the allowed kinds."""
        rng = self.np_random
        kind = self.kinds[int(rng.integers(len(self.kinds)))]
        if kind in ("click", "double_click", "hover", "pick", "place"):
            cls = {
                "click": Click,
                "double_click": DoubleClick,
                "hover": Hover,
                "pick": Pick,
                "place": Place,
            }[kind]
            return cls(*self._xy())
        if kind in ("drag", "push"):
            return (Drag if kind == "drag" else Push)(*self._xy(), *self._xy())
        if kind == "type":
            n = int(rng.integers(1, 8))
            return Type("".join(rng.choice(list(_SAMPLE_TEXT), size=n)))
        if kind == "key":
            return Key(str(rng.choice(_SAMPLE_KEYS)))
        if kind == "scroll":
            return Scroll(0, int(rng.integers(-3, 4)), *self._xy())
        if kind == "wait":
            return Wait(0.0)
        if kind == "ee_delta":
            d = rng.uniform(-0.02, 0.02, size=4)
            return EEDelta(*map(float, d), grip=float(rng.choice([-1.0, 1.0])))
        return Done()

    def parse(self, action: Action | str) -> Action:
        """The typed action for an action or its string; ActionError if it is malformed, of a
        kind this space does not allow, or has a point outside the width x height frame."""
        typed = as_action(action)
        if typed.name not in self.kinds:
            raise ActionError(
                f"{format_action(typed)} is not {self.what}; use one of {list(self.kinds)}"
            )
        check_bounds(typed, self.width, self.height)
        return typed

    def contains(self, x: Any) -> bool:
        try:
            self.parse(x)
        except ActionError:
            return False
        return True

    def to_jsonable(self, sample_n: list[Any]) -> list[str]:
        return [format_action(as_action(a)) for a in sample_n]

    def from_jsonable(self, sample_n: list[str]) -> list[Action]:
        return [as_action(s) for s in sample_n]

    def __repr__(self) -> str:
        return f"ActionSpace({self.width}x{self.height}, kinds={self.kinds})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ActionSpace) and (other.width, other.height, other.kinds) == (
            self.width,
            self.height,
            self.kinds,
        )
