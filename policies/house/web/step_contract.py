"""What every step module of the plan policy keeps to, so its dispatch lists are plain lists of
step functions: one calling convention, `step(policy, view, state, notes)`, and one answer,
`NOT_MINE`, for a step that is none of the module's own (the next step function, then the
plan's own handling, takes it).

A step function otherwise returns (action, box to check, expectation), or None once its step
is done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from policies.house.web.view import View


class _NotMine:
    """The one answer a step function gives to a step that is none of its own."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_MINE"


NOT_MINE: Final[Any] = _NotMine()

StepFn = Callable[[Any, "View", Any, dict[str, Any]], Any]


def first_taken(
    steps: Sequence[StepFn], policy: Any, view: View, state: Any, notes: dict[str, Any]
) -> tuple[Any, StepFn | None]:
    """The answer of the first step function in `steps` that takes the step, and that function
    (NOT_MINE and None when none does)."""
    for step_fn in steps:
        out = step_fn(policy, view, state, notes)
        if out is not NOT_MINE:
            return out, step_fn
    return NOT_MINE, None
