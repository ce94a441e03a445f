"""A dialog that pops up over the page and hides the step's target ("Your session is expiring.
Exit to home page? OK / Cancel"): when the target is missing and the page shows a button that
dismisses (Cancel, Close, No, Not now), the policy presses it once and looks for the target
again, unless the plan itself names that button.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Action, Click
from perception.screen.parser import UIElement, norm_text
from perception.screen.phrase_grounding import text_score
from policies.house.web.page_cues import grow
from policies.house.web.plan_state import StepState
from policies.house.web.view import View

# Words of a button that closes a dialog without doing what it offers.
# ("No" and a cross are left out: a page's own answer buttons read "No", "X" is a letter.)
DISMISS_WORDS = ("cancel", "close", "dismiss", "not now", "no thanks", "later", "skip")
MAX_DISMISS = 2  # dialogs closed while one step looks for its target
SURE = 0.85


def dismiss_button(view: View, named: set[str]) -> UIElement | None:
    """The first element that reads as a dismissing button and that the plan does not name."""
    for e in view.content():
        text = norm_text(e.text)
        if not text or text in named:
            continue
        if any(
            len(text) <= len(norm_text(word)) + 2 and text_score(word, e.text)[0] >= SURE
            for word in DISMISS_WORDS
        ):
            return e
    return None


def dismiss_step(
    policy: Any, view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None:
    """Click a dialog's dismissing button once the step's target is missing; None when there is
    none, the step already closed enough dialogs, or the plan names the button."""
    done = state.memo.get("dismissed", 0)
    if done >= MAX_DISMISS:
        return None
    button = dismiss_button(view, _named(policy))
    if button is None:
        return None
    state.memo["dismissed"] = done + 1
    if state.element is not None and state.element.box in policy._filled:
        policy._filled.remove(state.element.box)  # the field is typed into again
    state.tried.clear()  # what was hidden under the dialog may be found now
    state.failures = 0
    state.settles = 0
    state.phase = "start"
    notes["dismiss"] = button.describe()
    return Click(*button.center), grow(button.box, view.parse), "change"


def popup_guard(
    policy: Any, view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None:
    """Dismiss a dialog that popped up while this step was under way (focusing a field opened
    it: what was typed went nowhere), so the step starts again; None when none did."""
    named = _named(policy)
    shown = dismiss_button(view, named) is not None
    if "dialog_at_start" not in state.memo:
        state.memo["dialog_at_start"] = shown
        return None
    if shown and not state.memo["dialog_at_start"]:
        return dismiss_step(policy, view, state, notes)
    return None


def _named(policy: Any) -> set[str]:
    """The words of every target the plan names (a button the plan asks for is not closed)."""
    return {
        norm_text(s.target.text)
        for s in policy.plan.steps
        if s.target is not None and s.target.text
    }
