"""Target replies: a canonical handeye action written the way a model family answers.

The inverse of `perception.grounding.formats`, for supervised fine-tuning: Qwen2.5-VL and
Qwen3-VL answer the next_action prompt with a `computer_use` tool call (pixels of the
smart-resized image, or 0-1000), the point prompt with `{"point_2d": [x, y]}`; the generic
prompts ask for handeye's own `click(x, y)` or a bare `(x, y)` in 0-1000. Every reply is
parsed back through the same parsers the backend uses, so a training target is one the
policy can read.
"""

from __future__ import annotations

import json
from dataclasses import fields

from contracts.actions import (
    Action,
    Click,
    Done,
    DoubleClick,
    Drag,
    Hover,
    Key,
    Scroll,
    Type,
    Wait,
    as_action,
    format_action,
    parse_action,
    scale_action,
)
from contracts.errors import GroundingError, SetupError
from perception.grounding.formats import parse_grounding
from perception.grounding.resize import CoordinateFrame
from perception.vlm.families import Family
from perception.vlm.prompt_templates import load_prompt

TASKS = ("next_action", "point")
# The reply style each prompt folder asks for, per task.
_STYLES = {
    ("qwen2_5_vl", "next_action"): "tool_call",
    ("qwen3_vl", "next_action"): "tool_call",
    ("generic", "next_action"): "handeye",
    ("qwen2_5_vl", "point"): "qwen_json",
    ("qwen3_vl", "point"): "qwen_json",
    ("generic", "point"): "plain",
}
_BUTTON_VERBS = {"left": "left_click", "right": "right_click"}


def reply_style(family: Family, task: str = "next_action") -> str:
    """The grounding format the family's `task` prompt asks for (tool_call, handeye, ...)."""
    if task not in TASKS:
        raise SetupError(f"no training replies for prompt task {task!r}; use one of {TASKS}")
    folder = load_prompt(family.prompts, task).family
    style = _STYLES.get((folder, task))
    if style is None:
        known = sorted({f for f, _ in _STYLES})
        raise SetupError(
            f"no training replies for the {folder!r} prompts of family {family.name!r}; "
            f"families with reply writers: {known}"
        )
    return style


def reply_frame(
    family: Family, width: int, height: int, max_pixels: int | None = None
) -> CoordinateFrame:
    """The frame a family's replies about a width x height observation are written in."""
    return family.frame((width, height), family.resized(width, height, max_pixels))


def _model_units(action: Action, frame: CoordinateFrame) -> Action:
    ux, uy = frame.unit_px
    return scale_action(action, 1 / ux, 1 / uy)


def _tool_call(action: Action, where: str) -> str:
    args: dict[str, object]
    if isinstance(action, Click) and action.button in _BUTTON_VERBS:
        args = {"action": _BUTTON_VERBS[action.button], "coordinate": [action.x, action.y]}
    elif isinstance(action, DoubleClick):
        args = {"action": "double_click", "coordinate": [action.x, action.y]}
    elif isinstance(action, Hover):
        args = {"action": "mouse_move", "coordinate": [action.x, action.y]}
    elif isinstance(action, Type):
        args = {"action": "type", "text": action.text}
    elif isinstance(action, Key):
        args = {"action": "key", "keys": action.keys.split("+")}
    elif isinstance(action, Scroll) and action.dx == 0:
        args = {"action": "scroll", "pixels": -action.dy}
        if action.x is not None and action.y is not None:
            args["coordinate"] = [action.x, action.y]
    elif isinstance(action, Drag):
        args = {
            "action": "left_click_drag",
            "start_coordinate": [action.x0, action.y0],
            "coordinate": [action.x1, action.y1],
        }
    elif isinstance(action, Wait):
        args = {"action": "wait", "time": action.seconds}
    elif isinstance(action, Done):
        args = {"action": "terminate", "status": "success"}
        if action.answer is not None:
            args["text"] = action.answer
    else:
        raise GroundingError(
            f"{where}: {format_action(action)} cannot be written as a computer_use tool call "
            "(screen actions only: left/right click, double_click, hover, type, key, vertical "
            "scroll, drag, wait, done); build robot or other episodes with --family generic"
        )
    call = {"name": "computer_use", "arguments": args}
    return f"<tool_call>\n{json.dumps(call, ensure_ascii=False)}\n</tool_call>"


def _point(action: Action, style: str, where: str) -> str:
    if not (isinstance(action, Click) and action.button == "left"):
        raise GroundingError(
            f"{where}: the point prompt answers one point, so only click(x, y) can be a target; "
            f"got {format_action(action)} (use --prompt next_action)"
        )
    if style == "qwen_json":
        return json.dumps({"point_2d": [action.x, action.y]})
    return f"({action.x}, {action.y})"


def _close(a: Action, b: Action, tol: float) -> bool:
    if type(a) is not type(b):
        return False
    for f in fields(a):  # type: ignore[arg-type]
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if f.metadata.get("axis") and va is not None and vb is not None:
            if abs(va - vb) > tol:
                return False
        elif va != vb:
            return False
    return True


def render_reply(
    action: Action | str,
    family: Family,
    frame: CoordinateFrame,
    task: str = "next_action",
    where: str = "",
) -> str:
    """The reply `family` should give for `action` (observation pixels) under prompt `task`.

    The reply is parsed back with the family's parsers and must give the same action to
    within one model unit; GroundingError (naming `where`) when the format cannot say it.
    """
    where = where or "action"
    style = reply_style(family, task)
    obs_action = as_action(action)
    model_action = _model_units(obs_action, frame)
    if style == "tool_call":
        reply = _tool_call(model_action, where)
    elif style == "handeye":
        reply = format_action(model_action)
    else:
        reply = _point(model_action, style, where)
    try:
        parsed = parse_grounding(reply, frame, family.formats)
    except GroundingError as exc:
        raise GroundingError(f"{where}: the reply written for it does not parse: {exc}") from None
    back = parse_action(parsed.action) if parsed.action else None
    if back is None and parsed.target is not None:
        back = Click(round(parsed.target.x), round(parsed.target.y))
    tol = max(frame.unit_px) + 1
    if back is None or not _close(obs_action, back, tol):
        got = format_action(back) if back is not None else "nothing"
        raise GroundingError(
            f"{where}: {format_action(obs_action)} written as {reply!r} reads back as {got}; "
            f"the {style} format cannot express it"
        )
    return reply
