"""Steps that set a number on a control: "select 8 with the spinner" types it into the
spinner's field, "select 157 with the slider" drags the slider's handle by what its value label
reads and nudges it with arrow keys until the label says the number.

Closed loop on pixels: the label is read after every move; no page or range is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contracts.actions import Click, Drag, Key, Type
from perception.instructions.plan import Step
from perception.screen.shapes import find_shapes
from policies.house.web.plan_targets import number
from policies.house.web.view import View

_SET = re.compile(
    r"\b(?:select|set|choose|pick|enter|put|move|drag)\s+(?:the\s+)?(?:(\S+)\s+to\s+(-?\d+)|"
    r"(-?\d+)\s+(?:with|on|using|in|into|via)\s+(?:the\s+)?(\w+(?:\s+\w+)?))",
    re.I,
)
_DIGITS = re.compile(r"^[-\u2212]?\d+$")
FIELD_WORDS = ("spinner", "stepper", "number field", "number box", "number input")
SLIDER_WORDS = ("slider", "range", "scale")
INSET = 3  # pixels cut from a field's box so its frame is not read with its number
MAX_NUDGES = 12  # arrow presses before the slider step gives up
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class NumberGoal:
    """A number to set and the kind of control that holds it ("field" or "slider")."""

    value: int
    control: str


def number_goal(instruction: str, step: Step) -> NumberGoal | None:
    """What "select 8 with the spinner" / "set the slider to 24" asks of this plan step (one
    that names the control, its kind or the number), or None."""
    m = _SET.search(instruction)
    if m is None or step.verb not in ("select", "click", "drag", "type") or step.target is None:
        return None
    said = step.target.text.lower()
    if step.target.kind != "slider" and not any(w and w.lower() in said for w in m.groups()):
        return None
    noun, value = (m.group(1), m.group(2)) if m.group(2) else (m.group(4), m.group(3))
    noun = noun.lower()
    if any(noun.startswith(w) for w in FIELD_WORDS):
        return NumberGoal(int(value), "field")
    if any(noun.startswith(w) for w in SLIDER_WORDS):
        return NumberGoal(int(value), "slider")
    return None


def number_step(
    view: View, state: Any, goal: NumberGoal, notes: dict[str, Any], reader: Any = None
) -> Any:
    """(action, box, expectation) for the next move towards the goal, or None when set;
    `reader`: an `ocr.TextReader` for the field's glyphs."""
    if goal.control == "field":
        return _field_step(view, state, goal, notes, reader)
    return _slider_step(view, state, goal, notes)


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


def _read_value(view: View, near: tuple[int, int]) -> tuple[int, Box] | None:
    """The number shown nearest `near` outside the banner (the slider's value label)."""
    shown = [(number(e.text), e) for e in view.content() if e.kind == "text"]
    shown = [(n, e) for n, e in shown if n is not None]
    if not shown:
        return None
    n, e = min(shown, key=lambda p: abs(p[1].center[0] - near[0]) + abs(p[1].center[1] - near[1]))
    return n, e.box


def _handle(view: View, near: tuple[int, int] | None) -> tuple[int, int] | None:
    """The slider's handle: a small unlabelled control (nearest `near` when given)."""
    small = [
        e
        for e in view.content()
        if e.kind in ("icon", "button") and not e.text.strip() and max(_size(e.box)) <= 40
    ]
    if not small:
        return None
    if near is None:
        return small[0].center
    return min(small, key=lambda e: abs(e.center[0] - near[0]) + abs(e.center[1] - near[1])).center


def _size(box: Box) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _slider_step(view: View, state: Any, goal: NumberGoal, notes: dict[str, Any]) -> Any:
    """Click the handle, press Home to learn where the low end is, drag by value-per-pixel,
    then nudge with the arrow keys while the label does not say the goal."""
    memo = state.__dict__.setdefault("slider", {})
    handle = _handle(view, memo.get("handle"))
    if handle is None:
        return None
    read = _read_value(view, handle)
    if read is None:
        return None
    value = read[0]
    notes["slider"] = f"handle {handle} reads {value}"
    if state.phase == "start":
        memo["handle"] = handle
        state.phase = "slider_focused"
        return Click(*handle), None, "none"
    if state.phase == "slider_focused":
        memo["first"] = (handle, value)
        state.phase = "slider_home"
        return Key("Home"), None, "none"
    if state.phase == "slider_home":
        (hx, hy), v0 = memo["first"]
        dx, dy = handle[0] - hx, handle[1] - hy
        if value != goal.value and v0 != value and (dx or dy):
            # the value changes by (v0 - value) over the handle's move (dx, dy)
            share = (goal.value - value) / (v0 - value)
            tx, ty = handle[0] - round(share * dx), handle[1] - round(share * dy)
            memo["handle"] = (tx, ty)
            state.phase = "slider_dragged"
            return Drag(handle[0], handle[1], tx, ty), None, "none"
        state.phase = "slider_dragged"
    if value == goal.value:
        return None
    memo["nudges"] = memo.get("nudges", 0) + 1
    if memo["nudges"] > MAX_NUDGES:
        return None
    return Key("ArrowUp" if value < goal.value else "ArrowDown"), None, "none"
