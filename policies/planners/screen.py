"""The planner of the VLM policy: a grounding and the history become one checked, typed action.

It turns the model's action (or its bare point, as a click or a pick) into a typed action
in the observation's pixels, rejects kinds the env does not take and points outside the
frame, and detects loops: the same action chosen again on a screen it did not change.
Each refusal is a typed error the policy can answer by asking the model once more.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import (
    ACTION_TYPES,
    MOTOR_ACTIONS,
    UI_ACTIONS,
    Action,
    check_bounds,
    format_action,
    parse_action,
)
from contracts.errors import ActionError, GroundingError
from perception.grounding import Grounding

POINT_ACTIONS = ("click", "double_click", "hover", "pick", "place")


def frame_digest(frame: np.ndarray) -> str:
    """A short hash of a frame's pixels, to tell an unchanged screen from a changed one."""
    return hashlib.blake2b(np.ascontiguousarray(frame).tobytes(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class ScreenPlannerConfig:
    """point_action: what a bare point becomes. allowed: action kinds the env takes.

    loop_window: that many identical actions in a row on an unchanged frame are a loop.
    """

    point_action: str = "click"
    allowed: tuple[str, ...] = UI_ACTIONS
    loop_window: int = 3

    def __post_init__(self) -> None:
        if self.point_action not in POINT_ACTIONS:
            raise ActionError(f"point_action must be one of {POINT_ACTIONS}")
        unknown = [k for k in self.allowed if k not in ACTION_TYPES]
        if unknown:
            raise ActionError(f"unknown action kinds {unknown}; known: {list(ACTION_TYPES)}")
        if self.loop_window < 2:
            raise ActionError(f"loop_window must be >= 2, got {self.loop_window}")

    @classmethod
    def for_observation(cls, obs: dict[str, Any], loop_window: int = 3) -> ScreenPlannerConfig:
        """Screen observations take UI actions (a point clicks); camera ones motor (it picks)."""
        if "screen" in obs:
            return cls("click", UI_ACTIONS, loop_window)
        return cls("pick", MOTOR_ACTIONS, loop_window)


class Planner:
    """Turns groundings into actions and remembers what it did (the prompt's history)."""

    def __init__(self, config: ScreenPlannerConfig | None = None) -> None:
        self.config = config or ScreenPlannerConfig()
        self._taken: deque[tuple[str, str]] = deque(maxlen=64)
        self.history: list[str] = []

    def reset(self) -> None:
        """Forget the previous episode."""
        self._taken.clear()
        self.history = []

    def to_action(self, grounding: Grounding) -> Action:
        """The typed action a grounding asks for: its action, else its target point."""
        if grounding.action is not None:
            try:
                return parse_action(grounding.action)
            except ActionError as exc:
                raise GroundingError(f"the model's action is invalid: {exc}") from None
        target = grounding.target
        if target is None:
            raise GroundingError(
                f"the reply ({grounding.format}) names neither an action nor a point: "
                f"{grounding.raw_text[:200]!r}"
            )
        return ACTION_TYPES[self.config.point_action](round(target.x), round(target.y))

    def plan(self, grounding: Grounding, size: tuple[int, int], digest: str = "") -> Action:
        """The checked action for a grounding on a frame of `size` (w, h) pixels.

        Raises ActionError for a kind the env does not take, a point outside the frame,
        or a loop (the action repeats `loop_window` times on the unchanged frame `digest`).
        """
        action = self.to_action(grounding)
        if action.name not in self.config.allowed:
            raise ActionError(
                f"{format_action(action)} is not an action this env takes; "
                f"allowed: {', '.join(self.config.allowed)}"
            )
        check_bounds(action, *size)
        text, n = format_action(action), self.config.loop_window
        recent = list(self._taken)[-(n - 1) :]
        if digest and len(recent) == n - 1 and all(r == (text, digest) for r in recent):
            raise ActionError(
                f"loop: {text} chosen {n} times in a row and the screen did not change; "
                "choose a different action"
            )
        return action

    def commit(self, action: Action, digest: str = "") -> None:
        """Record an action as taken (it enters the history the model reads next step)."""
        text = format_action(action)
        self._taken.append((text, digest))
        self.history.append(text)
