"""A privileged expert that plays an env's own scripted solution, `info["privileged"]["oracle"]`.

The desktop and terminal envs put their task's solution there (typed actions from the
episode's start); the policy takes it from the first step's `info` and plays it one action per
step, then says `done()`.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Action, Done, Wait, as_action
from contracts.errors import HandeyeError
from contracts.keys import PRIVILEGED

ORACLE = "oracle"  # the key under info["privileged"]
NOT_READY_WAIT_S = 0.1  # the env could not read its task's state yet: try again next step


class OraclePolicy:
    """Plays `info["privileged"]["oracle"]` in order, then `Done()`."""

    name = "oracle"
    privileged = True

    def __init__(self) -> None:
        self._plan: list[Action] | None = None
        self._next = 0
        self.last_extra: dict[str, Any] = {}  # the oracle records nothing beside its actions

    def reset(self, instruction: str) -> None:
        """Forget the last episode's solution."""
        self._plan, self._next = None, 0

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The solution's next action (taken from `info` on the episode's first step)."""
        if self._plan is None:
            privileged = (info or {}).get(PRIVILEGED) or {}
            if ORACLE not in privileged:
                raise HandeyeError(
                    "the oracle policy needs info['privileged']['oracle'], which the desktop and"
                    " terminal envs provide; use the 'expert' or 'tabletop-expert' policy for"
                    " MiniWoB or tabletop tasks"
                )
            if privileged[ORACLE] is None:
                return Wait(NOT_READY_WAIT_S)
            self._plan = [as_action(a) for a in privileged[ORACLE]]
        if self._next >= len(self._plan):
            return Done()
        self._next += 1
        return self._plan[self._next - 1]

    def close(self) -> None:
        """Nothing to release."""
