"""The field a date is chosen in, when the step names it only as a date field: the empty outlined
box this plan has not typed into (a read-only field that opens a calendar shows no words and no
placeholder), found from the pixels; the select step then reads the calendar it opens.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Click
from policies.house.web.date_picker import parse_date
from policies.house.web.page_cues import overlaps
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

__all__ = ["date_field_step"]


def date_field_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """A click on the empty field a select step's date goes in (phase "opened" after it, so the
    calendar is read next); NOT_MINE when the step is no date for a date field, or the field
    is found by its words as usual (one reading "date")."""
    step = state.step
    if state.phase != "start" or step.verb != "select" or step.target is None:
        return NOT_MINE
    if step.target.kind != "date_field" or parse_date(step.value or "") is None:
        return NOT_MINE
    boxes = [
        m.element
        for m in policy._empty_boxes(view)
        if not any(overlaps(m.element.box, b) for b in policy._picked)
    ]
    if not boxes:
        return NOT_MINE
    field = boxes[0]
    notes["target"] = f"empty date field {field.box}"
    state.element, state.phase = field, "opened"
    policy._picked.append(field.box)
    return Click(*field.center), None, "none"
