"""Steps that set a number on a control (a plan step's number on a spinner or slider target):
"select 8 with the spinner" types it into the spinner's field, "select 157 with the slider"
drags the slider's handle by what its value label reads and nudges it with arrow keys until
the label says the number.

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

_DIGITS = re.compile(r"^[-\u2212]?\d+$")
CONTROLS = {"spinner": "field", "slider": "slider"}  # plan target kind -> control
MIN_TRACK = 30  # pixels: a shorter thin stroke is no slider's track
GROW = 8  # pixels a value label's box is widened by to read it again
TOUCH = 3  # pixels between strokes of one track
INSET = 3  # pixels cut from a field's box so its frame is not read with its number
MAX_NUDGES = 20  # arrow presses before the slider step gives up
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class NumberGoal:
    """A number to set and the kind of control that holds it ("field" or "slider")."""

    value: int
    control: str


def number_goal(step: Step) -> NumberGoal | None:
    """What a plan step that sets a number on a spinner or slider asks for ("select 8 with the
    spinner", "set the slider to 24"), or None."""
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
    if goal.control == "field":
        return _field_step(view, state, goal, notes, reader)
    return _slider_step(view, state, goal, notes, reader)


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


def _signed(text: str) -> int | None:
    """The whole number a label shows, minus sign included ("-70", "−70"; "□-90" and "O-50"
    when the handle touches it), or None."""
    t = text.strip().replace("\u2212", "-").replace(" ", "")
    m = re.fullmatch(r"[^\d\s-]?(-?\d{1,6})", t)  # a handle joined to its label reads as a mark
    return int(m.group(1)) if m else None


def _read_value(view: View, track: Box, reader: Any) -> int | None:
    """The number shown nearest the track, centred off it (its value label): the parse's
    numbers, else the drawn glyphs nearest the track, read again on a wider box (the parse's
    box can cut a digit off: "15" for "157")."""
    cx, cy = (track[0] + track[2]) // 2, (track[1] + track[3]) // 2

    def far(box: Box) -> int:
        return abs((box[0] + box[2]) // 2 - cx) + abs((box[1] + box[3]) // 2 - cy)

    texts = [
        e
        for e in view.content()
        if e.kind == "text"
        and not _inside((*e.center, *e.center), track)
        and _signed(e.text) is not None
    ]
    shown = [e.box for e in texts]
    parsed = None
    if not shown:
        top = view.banner_bottom()
        h, w = view.frame.shape[:2]
        widgets = [e.box for e in view.content() if e.kind != "text"]
        shown = [
            g.box
            for g in find_shapes(view.frame, (0, top, w, h))
            if g.kind == "glyph"
            and not _overlap(g.box, track)
            and not any(_overlap(g.box, b) for b in widgets)
        ]
        if not shown:
            return None
        first = min(shown, key=far)
        line = [first]  # the glyphs on its line, a few pixels apart
        for g in sorted(shown, key=lambda g: abs(g[0] - first[0])):
            if g[1] < first[3] and first[1] < g[3] and any(_overlap(g, x, TOUCH) for x in line):
                line.append(g)
        label = (min(g[0] for g in line), min(g[1] for g in line), max(g[2] for g in line))
        label = (*label, max(g[3] for g in line))
    else:
        label = min(shown, key=far)
        parsed = _signed(next(e.text for e in texts if e.box == label))
    if reader is None:
        return parsed
    h, w = view.frame.shape[:2]
    x0, y0, x1, y1 = label
    wide = (max(0, x0 - GROW), max(0, y0 - GROW // 2), min(w, x1 + GROW), min(h, y1 + GROW // 2))
    if wide[0] < track[2] <= x0:  # not into the track on its left
        wide = (track[2] + 1, *wide[1:])
    again = _signed(reader.read(view.frame, [(wide, "text")])[0][0])
    return parsed if again is None else again


def _overlap(a: Box, b: Box, gap: int = 0) -> bool:
    return a[0] <= b[2] + gap and b[0] <= a[2] + gap and a[1] <= b[3] + gap and b[1] <= a[3] + gap


def _track(view: View) -> tuple[Box, tuple[int, int]] | None:
    """The slider's track: the longest group of touching grey strokes (not black glyphs) that
    is long and thin, and the point to click on it (its handle when the parser found one)."""
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    labelled = [e.box for e in view.content() if e.kind != "text" and e.text.strip()]
    strokes = [
        s.box
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.colour != "black"
        and s.box[2] - s.box[0] < 0.9 * w  # no band across the page
        and not any(_overlap(s.box, b, -TOUCH) for b in labelled)  # no button's frame
    ]
    best: Box | None = None
    for seed in strokes:
        box, grown = seed, True
        while grown:
            grown = False
            for b in strokes:
                if _overlap(b, box, TOUCH) and not _inside(b, box):
                    box = (
                        min(box[0], b[0]),
                        min(box[1], b[1]),
                        max(box[2], b[2]),
                        max(box[3], b[3]),
                    )
                    grown = True
        long, thin = max(_size(box)), min(_size(box))
        slim = long >= MIN_TRACK and long >= 3 * max(thin, 1)
        if slim and (best is None or long > max(_size(best))):
            best = box
    if best is None:
        return None
    small = [
        e.center
        for e in view.content()
        if e.kind in ("icon", "button")
        and not e.text.strip()
        and _inside((*e.center, *e.center), best)
    ]
    return best, small[0] if small else ((best[0] + best[2]) // 2, (best[1] + best[3]) // 2)


def _inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def _size(box: Box) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _ends(track: Box) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where the handle sits at the low and the high end: bottom to top on an upright track,
    left to right on a lying one."""
    x0, y0, x1, y1 = track
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    if y1 - y0 > x1 - x0:
        return (cx, y1 - 1), (cx, y0 + 1)
    return (x0 + 1, cy), (x1 - 1, cy)


def _slider_step(
    view: View, state: Any, goal: NumberGoal, notes: dict[str, Any], reader: Any
) -> Any:
    """Find the track, click its handle, read the values at its ends (Home, End), drag the
    handle to where the goal lies between them, then nudge with the arrow keys while the label
    does not say the goal."""
    memo = state.__dict__.setdefault("slider", {})
    if state.phase == "start":
        found = _track(view)
        if found is None:
            return None
        memo["track"], handle = found
        state.phase = "slider_focused"
        notes["slider"] = f"track {memo['track']} handle {handle}"
        return Click(*handle), None, "none"
    track = memo["track"]
    value = _read_value(view, track, reader)
    notes["slider"] = f"track {track} reads {value}"
    if value is None:
        return None
    if state.phase == "slider_focused":
        state.phase = "slider_low"
        return Key("Home"), None, "none"
    if state.phase == "slider_low":
        memo["low"] = value
        state.phase = "slider_high"
        return Key("End"), None, "none"
    low_end, high_end = _ends(track)
    if state.phase == "slider_high":
        memo["high"] = value
        state.phase = "slider_dragged"
        if value == memo["low"]:
            return None
        share = (goal.value - memo["low"]) / (value - memo["low"])
        share = min(1.0, max(0.0, share))
        to = (
            round(low_end[0] + share * (high_end[0] - low_end[0])),
            round(low_end[1] + share * (high_end[1] - low_end[1])),
        )
        memo["at"] = to
        return Drag(*high_end, *to), None, "none"
    if value == goal.value:
        return None
    memo["nudges"] = memo.get("nudges", 0) + 1
    if memo["nudges"] > MAX_NUDGES:
        return None
    return Key("ArrowUp" if value < goal.value else "ArrowDown"), None, "none"
