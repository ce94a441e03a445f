"""The plan policy's closed-loop and pixel-reasoning steps, tried before its own handling of a
step: waits until a shown number meets the step's condition (`value_watch`), drawn things
counted (`drawn_counts`), drawn menus (`drawn_menus`), scrolls until a box's end shows
(`scroll_loops`), terminals (`terminal_steps`), sliders (`sliders`), sequences watched, then
repeated (`sequence_repeat`), circles drawn round a thing (`curve_drags`), clicks aimed ahead
of moving things (`moving_targets`), colour pickers (`colour_picker`), keeping the pointer on a
moving shape (`pointer_tracking`), feedback loops that act, look at the next frame and act
again until a condition holds (`feedback_loops`), points placed by geometry (`angle_points`),
hover searches (`hover_search`) and board games (`board_games`).

Each keeps `step_contract`: it takes (policy, view, state, notes) and returns `NOT_MINE` for a
step that is none of its own, so the next one, then the plan's handling, goes on.
"""

from __future__ import annotations

from typing import Any

from policies.house.web.angle_points import angle_step
from policies.house.web.board_games import game_step
from policies.house.web.colour_picker import colour_step
from policies.house.web.curve_drags import curve_step
from policies.house.web.drawn_counts import count_step
from policies.house.web.drawn_menus import expand_step, label_step
from policies.house.web.feedback_loops import guess_step, produce_step
from policies.house.web.hover_search import search_step
from policies.house.web.moving_targets import moving_step
from policies.house.web.pointer_tracking import tracking_step
from policies.house.web.scroll_loops import scroll_step
from policies.house.web.sequence_repeat import sequence_step
from policies.house.web.sliders import slider_step
from policies.house.web.step_contract import NOT_MINE, StepFn, first_taken
from policies.house.web.terminal_steps import terminal_step
from policies.house.web.value_watch import watch_step
from policies.house.web.view import View

__all__ = ["INTERACTIVE_STEPS", "NOT_MINE", "interactive_step"]

# Tried in this order; the first that takes the step answers it.
INTERACTIVE_STEPS: list[StepFn] = [
    watch_step,
    count_step,
    label_step,
    scroll_step,
    terminal_step,
    slider_step,
    sequence_step,
    curve_step,
    moving_step,
    colour_step,
    tracking_step,
    produce_step,
    guess_step,
    angle_step,
    search_step,
    expand_step,
    game_step,
]


def interactive_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box to check, expectation), None when the step is done, or NOT_MINE."""
    out, step_fn = first_taken(INTERACTIVE_STEPS, policy, view, state, notes)
    if step_fn is not None and out is not None:
        notes["interactive"] = step_fn.__module__.rsplit(".", 1)[-1]
    return out
