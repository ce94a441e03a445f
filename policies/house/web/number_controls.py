"""Steps that set a number on a spinner (a plan step's number on a spinner target): "select 8
with the spinner" reads the field's number and presses the arrow keys the difference, or types
the number when none is read. Sliders are set by `sliders.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contracts.actions import Click, Key, Type
from perception.instructions.plan import Step
from perception.screen.shapes import find_shapes
from policies.house.web.plan_targets import number
from policies.house.web.view import View

_DIGITS = re.compile(r"^[-\u2212]?\d+$")
CONTROLS = {"spinner": "field"}  # plan target kind -> control (sliders: `sliders.py`)
INSET = 3  # pixels cut from a field's box so its frame is not read with its number
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class NumberGoal:
    """A number to set and the kind of control that holds it ("field")."""

    value: int
    control: str


def number_goal(step: Step) -> NumberGoal | None:
    """What a plan step that sets a number on a spinner asks for ("select 8 with the spinner"),
    or None."""
    if step.verb not in ("select", "click", "drag", "type") or step.target is None:
        return None
    control = CONTROLS.get(step.target.kind)
    value = (step.value or "").replace("\u2212", "-")
    if control is None or not value.lstrip("-").isdigit() or value.count("-") > 1:
        return None
    return NumberGoal(int(value), control)


def number_step(
    view: View, state: Any, goal: NumberGoal, notes: dict[str, Any], reader: Any = None
) -> Any:
    """(action, box, expectation) for the next move towards the goal, or None when set;
    `reader`: an `ocr.TextReader` for the field's glyphs."""
    return _field_step(view, state, goal, notes, reader)


def _field_step(
    view: View, state: Any, goal: NumberGoal, notes: dict[str, Any], reader: Any
) -> Any:
    """Read the field's number before focusing it (a focus ring joins its glyphs), click it,
    then press the arrow keys the difference (a spinner may refuse typing); with no number
    read, select its text and type the goal."""
    memo = state.__dict__.setdefault("number", {})
    if state.phase == "start":
        fields = [e for e in view.content() if e.kind == "text_input"]
        if not fields:
            return None
        field = fields[0]
        x0, y0, x1, y1 = field.box
        inset = (x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET)
        glyphs = find_shapes(view.frame, inset, reader=reader) if reader is not None else []
        # digits only, not the 1 px rule beside a spinner's arrows that reads "I"
        digits = [g for g in glyphs if _DIGITS.match(g.text) and g.box[2] - g.box[0] >= 2]
        read = "".join(g.text for g in sorted(digits, key=lambda g: g.box[0]))
        now = number(read.replace("−", "-")) if read.strip("-").isdigit() else None
        if read.startswith("-") and now is not None:
            now = -abs(now)
        memo["presses"] = None if now is None else goal.value - now
        notes["target"] = f"{field.describe()} reads {read!r}"
        state.phase = "number_focused"
        return Click(*field.center), None, "none"
    presses = memo.get("presses")
    if presses is not None:
        if presses == 0:
            return None
        memo["presses"] = presses - 1 if presses > 0 else presses + 1
        return Key("ArrowUp" if presses > 0 else "ArrowDown"), None, "none"
    if state.phase == "number_typed":
        return None
    if state.phase == "number_selected":
        state.phase = "number_typed"
        return Type(str(goal.value)), None, "none"
    state.phase = "number_selected"
    return Key("ctrl+a"), None, "none"
