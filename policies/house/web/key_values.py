"""A click on a value named by its key ("click on their email" on a card showing "Email:
ada@example.org"): the page shows the key and its value on one line, and the value is what is
clicked (a link, a number), not the key's word before the colon.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Action, Click
from perception.screen.parser import UIElement
from policies.house.web.page_cues import grow
from policies.house.web.plan_state import StepState
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

_KEYED = re.compile(r"^\s*([A-Za-z][A-Za-z .'-]{0,30}?)\s*:\s*(\S.*)$")
MAX_KEY_WORDS = 2
POSSESSIVES = ("their", "his", "her", "its", "your", "my", "our")
STEM = 4


def keyed_value(elements: list[UIElement], key: str) -> tuple[UIElement, str] | None:
    """The first line reading "<key>: <value>" (the key's stem, "phone" for "Phone number")
    and its value; None when no line does."""
    want = key.lower().split()
    for e in elements:
        m = _KEYED.match(e.text)
        if not m:
            continue
        have = m.group(1).lower().split()
        if any(w[:STEM] == h[:STEM] for w in want for h in have if min(len(w), len(h)) >= 3):
            return e, m.group(2).strip()
    return None


def keyed_value_step(
    policy: Any, view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None | object:
    """Click the value shown after the named key; None once clicked; NOT_MINE when the step
    is not a click on a bare key or no line shows that key with a value."""
    step = state.step
    target = step.target
    if step.verb != "click" or target is None or not target.text or target.relation is not None:
        return NOT_MINE
    if state.memo.get("keyed"):
        return None
    if len(target.text.split()) > MAX_KEY_WORDS:
        return NOT_MINE
    said = rf"\b(?:{'|'.join(POSSESSIVES)})\s+{re.escape(target.text.lower())}"
    if not re.search(said, policy.plan.text.lower()):
        return NOT_MINE  # "their email": a value someone has, not the word "email" itself
    found = keyed_value([e for e in view.content() if e.text.strip()], target.text)
    if found is None:
        return NOT_MINE
    line, value = found
    state.memo["keyed"] = True
    state.element = line
    notes["target"] = f"value {value!r} of {line.describe()}"
    return Click(*line.point_of(value)), grow(line.box, view.parse), "change"
