"""A policy that plays a fixed list of actions, one per step, then `done()`: for demos and tests.

It ignores the pixels (so it is not privileged) and starts the list over at every `reset`.
The list comes from `actions=[...]` or a text file with one action per line (`#` comments
and blank lines skipped); every action is parsed up front, so a typo fails before any step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.actions import Action, Done, parse_action
from contracts.errors import ActionError, HandeyeError


def read_script(path: str | Path) -> list[str]:
    """The action strings in a script file: one per line, blank lines and `#` comments skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HandeyeError(f"cannot read the action script {str(path)!r}: {exc}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class ScriptedConfig:
    """Options of the scripted policy: exactly one of `actions` and `file`."""

    actions: Sequence[Action | str] | None = None  # the actions in order, e.g. "click(3, 4)"
    file: str | Path | None = None  # a text file with one action per line (# comments skipped)
    answer: str | None = None  # the answer of the done() that ends the script


class ScriptedPolicy:
    """Replays `actions` (typed or canonical strings) in order, then says done."""

    name = "scripted"
    privileged = False

    def __init__(
        self,
        actions: Sequence[Action | str] | None = None,
        file: str | Path | None = None,
        answer: str | None = None,
    ) -> None:
        if (actions is None) == (file is None):
            raise HandeyeError(
                'the scripted policy needs exactly one of actions=["click(3, 4)", ...] or '
                "file=PATH (one action per line)"
            )
        items = list(actions) if actions is not None else read_script(file)  # type: ignore[arg-type]
        parsed: list[Action] = []
        for i, item in enumerate(items, 1):
            try:
                parsed.append(parse_action(item) if isinstance(item, str) else item)
            except ActionError as exc:
                raise HandeyeError(f"scripted action {i} is invalid: {exc}") from None
        self.actions = tuple(parsed)
        self.answer = answer
        self.last_extra: dict[str, Any] = {}
        self._next = 0

    def reset(self, instruction: str) -> None:
        """Start the script over."""
        self._next = 0

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The next scripted action; `done()` once the script is played out."""
        if self._next >= len(self.actions):
            action: Action = Done(self.answer)
        else:
            action = self.actions[self._next]
        self._next += 1
        self.last_extra = {"script_step": self._next}
        return action

    def close(self) -> None:
        """Nothing to release."""
