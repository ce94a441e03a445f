"""Model action vocabularies (UI-TARS, Qwen computer_use, OpenAI tools) as handeye actions.

Each model family names the same few acts differently (`left_single`, `left_click`,
`click`; `hotkey(key='ctrl c')`, `{"keys": ["Control", "c"]}`). This module maps a call's
name and arguments onto one canonical handeye action string built with `contracts.actions`,
so the planner only ever sees `click(34, 120)`, `key("ctrl+c")`, `scroll(0, 5, x=.., y=..)`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contracts.actions import (
    Click,
    Done,
    DoubleClick,
    Drag,
    Hover,
    Key,
    Scroll,
    Type,
    Wait,
    format_action,
)
from contracts.errors import ActionError, GroundingError
from perception.grounding import Point

# Wheel notches for a scroll that names a direction but no amount (UI-TARS `scroll(direction=)`).
SCROLL_NOTCHES = 5
# UI-TARS documents `wait()` as "sleep for 5 s, then look again".
DEFAULT_WAIT_S = 5.0

_KIND = {
    **dict.fromkeys(("click", "left_click", "left_single", "tap", "single_click"), "click"),
    **dict.fromkeys(("right_click", "right_single"), "right_click"),
    "middle_click": "middle_click",
    **dict.fromkeys(("double_click", "left_double", "double_tap"), "double_click"),
    **dict.fromkeys(("hover", "mouse_move", "move", "move_to", "moveto"), "hover"),
    **dict.fromkeys(("type", "type_text", "input_text", "write", "input"), "type"),
    **dict.fromkeys(("key", "hotkey", "press", "keypress", "key_press", "press_key"), "key"),
    "scroll": "scroll",
    "hscroll": "hscroll",
    **dict.fromkeys(("drag", "left_click_drag", "swipe", "select", "drag_and_drop"), "drag"),
    **dict.fromkeys(("wait", "sleep"), "wait"),
    **dict.fromkeys(("finished", "finish", "terminate", "done", "answer", "stop"), "done"),
}
_KEY_NAMES = {
    **dict.fromkeys(("ctrl", "control", "ctl"), "ctrl"),
    **dict.fromkeys(("alt", "option", "opt"), "alt"),
    "shift": "shift",
    **dict.fromkeys(("meta", "cmd", "command", "super", "win", "windows"), "meta"),
    **dict.fromkeys(("enter", "return", "kpenter"), "Enter"),
    **dict.fromkeys(("esc", "escape"), "Escape"),
    "tab": "Tab",
    "backspace": "Backspace",
    **dict.fromkeys(("delete", "del"), "Delete"),
    "space": "Space",
    **dict.fromkeys(("up", "arrowup"), "ArrowUp"),
    **dict.fromkeys(("down", "arrowdown"), "ArrowDown"),
    **dict.fromkeys(("left", "arrowleft"), "ArrowLeft"),
    **dict.fromkeys(("right", "arrowright"), "ArrowRight"),
    **dict.fromkeys(("pageup", "pgup", "prior"), "PageUp"),
    **dict.fromkeys(("pagedown", "pgdn", "next"), "PageDown"),
    "home": "Home",
    "end": "End",
    "insert": "Insert",
    **{f"f{i}": f"F{i}" for i in range(1, 13)},
}
_BUTTONS = {"click": "left", "right_click": "right", "middle_click": "middle"}
_DIRECTIONS = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}
_POINT_ARGS = ("coordinate", "start_box", "point", "start_point", "position", "box", "bbox")
_TEXT_ARGS = ("text", "content", "value", "string")
_KEY_ARGS = ("keys", "key", "hotkey", "combination", "text")

Locate = Callable[[Any], Point | None]


def canonical_keys(keys: str | Sequence[str]) -> str:
    """A chord in handeye's form ("ctrl+c", "Enter") from "ctrl c", "Ctrl+C", ["Control", "c"]."""
    parts = re.split(r"[+\s]+", keys.strip()) if isinstance(keys, str) else [str(k) for k in keys]
    names = [_KEY_NAMES.get(p.lower().replace("_", ""), p) for p in parts if p.strip()]
    return "+".join(names)


def is_known_verb(name: str) -> bool:
    """Whether `name` is an action this module can map (in any model family's spelling)."""
    return name.lower() in _KIND


def _first(args: Mapping[str, Any], names: Sequence[str]) -> Any:
    return next((args[n] for n in names if args.get(n) not in (None, "", [])), None)


def _where(args: Mapping[str, Any], names: Sequence[str], locate: Locate) -> Point | None:
    value = _first(args, names)
    if value is None and args.get("x") is not None and args.get("y") is not None:
        value = [args["x"], args["y"]]
    return None if value is None else locate(value)


def _notches(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise GroundingError(f"scroll amount must be a number, got {value!r}")
    return int(round(value))


def _scroll(kind: str, args: Mapping[str, Any], at: Point | None) -> Scroll:
    direction = str(_first(args, ("direction", "scroll_direction")) or "").lower()
    amount = _first(args, ("amount", "scroll_amount", "clicks", "notches"))
    if args.get("scroll_direction") and amount is None:
        # Anthropic's schema requires scroll_amount; only UI-TARS `direction=` implies one.
        raise GroundingError("scroll_direction needs scroll_amount (wheel clicks)")
    if direction:
        if direction not in _DIRECTIONS:
            raise GroundingError(f"scroll direction must be one of {list(_DIRECTIONS)}")
        n = abs(_notches(amount)) if amount is not None else SCROLL_NOTCHES
        ux, uy = _DIRECTIONS[direction]
        dx, dy = ux * n, uy * n
    elif args.get("pixels") is not None:
        # Qwen computer_use: positive pixels scroll up (or right for hscroll), in wheel clicks.
        n = _notches(args["pixels"])
        dx, dy = (n, 0) if kind == "hscroll" else (0, -n)
    elif args.get("scroll_x") is not None or args.get("scroll_y") is not None:
        dx, dy = _notches(args.get("scroll_x") or 0), _notches(args.get("scroll_y") or 0)
    else:
        raise GroundingError("scroll names no direction, pixels or scroll_x/scroll_y")
    xy = (round(at.x), round(at.y)) if at else (None, None)
    return Scroll(dx, dy, *xy)


def _drag(name: str, args: Mapping[str, Any], locate: Locate) -> Drag | None:
    start = _where(args, ("start_box", "start_point", "start_coordinate", "coordinate"), locate)
    end = _where(args, ("end_box", "end_point", "end_coordinate", "coordinate2"), locate)
    if end is None and args.get("start_coordinate") is not None:
        end = _where(args, ("coordinate",), locate)
    if start is not None and end is not None:
        return Drag(start.x, start.y, end.x, end.y)
    if name.lower() == "left_click_drag":
        return None  # Qwen's drag starts wherever the pointer is: no start point to give.
    raise GroundingError(f"{name} needs a start and an end point, got arguments {dict(args)}")


def _build(kind: str, name: str, args: Mapping[str, Any], locate: Locate) -> Any:
    if kind in ("click", "right_click", "middle_click", "double_click", "hover"):
        at = _where(args, _POINT_ARGS, locate)
        if at is None:
            raise GroundingError(f"{name} needs a point (e.g. coordinate=[x, y]), got {dict(args)}")
        if kind == "double_click":
            return DoubleClick(at.x, at.y)
        if kind == "hover":
            return Hover(at.x, at.y)
        return Click(at.x, at.y, _BUTTONS[kind])
    if kind == "type":
        text = _first(args, _TEXT_ARGS)
        if not isinstance(text, str):
            raise GroundingError(f"{name} needs the text to type, got {dict(args)}")
        return Type(text)
    if kind == "key":
        keys = _first(args, _KEY_ARGS)
        if not keys:
            raise GroundingError(f"{name} needs the keys to press, got {dict(args)}")
        return Key(canonical_keys(keys))
    if kind in ("scroll", "hscroll"):
        return _scroll(kind, args, _where(args, _POINT_ARGS, locate))
    if kind == "drag":
        return _drag(name, args, locate)
    if kind == "wait":
        seconds = _first(args, ("time", "seconds", "duration"))
        return Wait(float(seconds) if seconds is not None else DEFAULT_WAIT_S)
    answer = _first(args, ("content", "text", "answer"))
    if answer is None and name.lower() == "answer":
        raise GroundingError("answer needs the answer text (text=...)")
    return Done(str(answer) if answer is not None else None)


def action_from_call(name: str, args: Mapping[str, Any], locate: Locate) -> str | None:
    """The canonical action for a model's call `name(**args)`, or None when handeye has no such act.

    `locate` turns one coordinate argument as the model wrote it (a list, "(x,y)",
    "<|box_start|>(x,y)<|box_end|>") into an observation-pixel Point. A known act with
    missing or invalid arguments raises GroundingError saying which.
    """
    kind = _KIND.get(name.lower())
    if kind is None:
        return None
    try:
        action = _build(kind, name, args, locate)
    except ActionError as exc:
        raise GroundingError(f"the model's {name} call is not a valid action: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise GroundingError(f"the model's {name} call has a bad argument: {exc}") from None
    return None if action is None else format_action(action)
