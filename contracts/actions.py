"""Typed actions shared by every policy and env, each with one canonical string form.

`click(34, 120)` parses to `Click(34, 120)` and formats back to the same string. Pixel
coordinates are integers in the observation the policy saw; motor deltas are floats in
metres/radians. This module is the one contract envs and policies both import.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, ClassVar

from contracts.errors import ActionError

_X = {"axis": "x"}
_Y = {"axis": "y"}
BUTTONS = ("left", "right", "middle")
MODIFIERS = ("ctrl", "shift", "alt", "meta")  # keys a click may hold ("ctrl+shift")


def _px(axis: dict[str, str]) -> Any:
    return field(metadata={"kind": "px", **axis})


def _coerce_px(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ActionError(f"{name} must be a pixel coordinate (a number), got {value!r}")
    if not math.isfinite(value):
        raise ActionError(f"{name} must be finite, got {value!r}")
    value = int(round(value))
    if value < 0:
        raise ActionError(f"{name}={value} is negative; pixel coordinates start at 0")
    return value


def _coerce_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ActionError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _encodable(text: str) -> bool:
    """Whether `text` is valid Unicode (no lone surrogates), so a keyboard or a pty can take it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _ActionBase:
    """Validation and string form shared by every action dataclass."""

    name: ClassVar[str]

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            kind = f.metadata.get("kind")
            if kind == "px" and not (value is None and f.default is None):
                object.__setattr__(self, f.name, _coerce_px(f"{self.name}.{f.name}", value))
            elif kind == "float":
                object.__setattr__(self, f.name, _coerce_float(f"{self.name}.{f.name}", value))
            elif kind == "str" and not (
                isinstance(value, str) or (value is None and f.default is None)
            ):
                raise ActionError(f"{self.name}.{f.name} must be a string, got {value!r}")
            if kind == "str" and isinstance(value, str) and not _encodable(value):
                raise ActionError(
                    f"{self.name}.{f.name} holds lone surrogates (text decoded from bad bytes); "
                    "give valid Unicode text"
                )
        self._validate()

    def _validate(self) -> None:
        """Per-kind checks beyond field types."""

    def __str__(self) -> str:
        return format_action(self)  # type: ignore[arg-type]

    def points(self) -> list[tuple[int, int]]:
        """The pixel points this action touches, in observation pixels (for bounds and drawing)."""
        xs = [getattr(self, f.name) for f in fields(self) if f.metadata.get("axis") == "x"]  # type: ignore[arg-type]
        ys = [getattr(self, f.name) for f in fields(self) if f.metadata.get("axis") == "y"]  # type: ignore[arg-type]
        return [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]


@dataclass(frozen=True)
class Click(_ActionBase):
    """Press and release a mouse button at (x, y), holding `modifiers` ("ctrl", "shift+ctrl")
    down meanwhile: ctrl/shift+click add to a multi-select list's selection."""

    name: ClassVar[str] = "click"
    x: int = _px(_X)
    y: int = _px(_Y)
    button: str = field(default="left", metadata={"kind": "str"})
    modifiers: str = field(default="", metadata={"kind": "str"})

    def _validate(self) -> None:
        if self.button not in BUTTONS:
            raise ActionError(f"click button must be one of {BUTTONS}, got {self.button!r}")
        held = self.modifiers.split("+") if self.modifiers else []
        bad = [k for k in held if k not in MODIFIERS] + [k for k in set(held) if held.count(k) > 1]
        if bad:
            raise ActionError(
                f"click modifiers must be '+'-joined keys of {MODIFIERS}, each once, "
                f"e.g. 'ctrl' or 'ctrl+shift'; got {self.modifiers!r}"
            )


@dataclass(frozen=True)
class DoubleClick(_ActionBase):
    """Double-click the left button at (x, y)."""

    name: ClassVar[str] = "double_click"
    x: int = _px(_X)
    y: int = _px(_Y)


@dataclass(frozen=True)
class Hover(_ActionBase):
    """Move the pointer to (x, y) without clicking (opens hover menus)."""

    name: ClassVar[str] = "hover"
    x: int = _px(_X)
    y: int = _px(_Y)


@dataclass(frozen=True)
class Type(_ActionBase):
    """Type text into whatever has keyboard focus."""

    name: ClassVar[str] = "type"
    text: str = field(metadata={"kind": "str"})


@dataclass(frozen=True)
class Key(_ActionBase):
    """Press a key or chord, e.g. "Enter", "ctrl+a", "shift+Tab"."""

    name: ClassVar[str] = "key"
    keys: str = field(metadata={"kind": "str"})

    def _validate(self) -> None:
        parts = self.keys.split("+")
        if not self.keys or any(not p.strip() for p in parts):
            raise ActionError(
                f"key chord {self.keys!r} is malformed; use names joined by '+', e.g. 'ctrl+a'"
            )


@dataclass(frozen=True)
class Scroll(_ActionBase):
    """Scroll by (dx, dy) wheel notches (dy > 0: down, dx > 0: right), at (x, y) when given."""

    name: ClassVar[str] = "scroll"
    dx: int = field(metadata={"kind": "int"})
    dy: int = field(metadata={"kind": "int"})
    x: int | None = field(default=None, metadata={"kind": "px", **_X})
    y: int | None = field(default=None, metadata={"kind": "px", **_Y})

    def _validate(self) -> None:
        for n in ("dx", "dy"):
            v = getattr(self, n)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ActionError(f"scroll.{n} must be an integer number of notches, got {v!r}")
        if (self.x is None) != (self.y is None):
            raise ActionError("scroll needs both x and y, or neither")


@dataclass(frozen=True)
class Drag(_ActionBase):
    """Press at (x0, y0), move to (x1, y1), release; `via` lists waypoints passed on the way
    ("x y;x y", observation pixels) for a curved stroke, e.g. a circle drawn by hand."""

    name: ClassVar[str] = "drag"
    x0: int = _px(_X)
    y0: int = _px(_Y)
    x1: int = _px(_X)
    y1: int = _px(_Y)
    via: str = field(default="", metadata={"kind": "str"})

    def _validate(self) -> None:
        waypoints(self.via)

    @property
    def path(self) -> list[tuple[int, int]]:
        """Every point the pointer passes, in order: the press, the waypoints, the release."""
        return [(self.x0, self.y0), *waypoints(self.via), (self.x1, self.y1)]

    def points(self) -> list[tuple[int, int]]:
        """The press, the waypoints and the release point (for bounds and drawing)."""
        return self.path


def waypoints(via: str) -> list[tuple[int, int]]:
    """The (x, y) pixel points of a drag's `via` text ("12 30;14 33"); ActionError if malformed."""
    points = []
    for part in via.split(";") if via.strip() else []:
        xy = part.split()
        if len(xy) != 2 or not all(v.isdigit() for v in xy):
            raise ActionError(
                f"drag via {via!r} is malformed at {part!r}; write waypoints as 'x y;x y' in "
                'non-negative integer pixels, e.g. via="12 30;14 33"'
            )
        points.append((int(xy[0]), int(xy[1])))
    return points


def format_waypoints(points: list[tuple[int, int]]) -> str:
    """The `via` text of a drag passing `points` (the inverse of `waypoints`)."""
    return ";".join(f"{int(x)} {int(y)}" for x, y in points)


@dataclass(frozen=True)
class Wait(_ActionBase):
    """Do nothing for `seconds` (0-60), letting the page or scene settle."""

    name: ClassVar[str] = "wait"
    seconds: float = field(default=0.5, metadata={"kind": "float", "positional": True})

    def _validate(self) -> None:
        if not 0 <= self.seconds <= 60:
            raise ActionError(f"wait seconds must be in [0, 60], got {self.seconds}")


@dataclass(frozen=True)
class Done(_ActionBase):
    """Declare the task finished, with an optional answer."""

    name: ClassVar[str] = "done"
    answer: str | None = field(default=None, metadata={"kind": "str", "positional": True})


@dataclass(frozen=True)
class EEDelta(_ActionBase):
    """End-effector displacement (metres, radians) and gripper command (-1 open .. 1 closed)."""

    name: ClassVar[str] = "ee_delta"
    dx: float = field(metadata={"kind": "float"})
    dy: float = field(metadata={"kind": "float"})
    dz: float = field(metadata={"kind": "float"})
    dyaw: float = field(default=0.0, metadata={"kind": "float"})
    grip: float = field(default=0.0, metadata={"kind": "float"})

    def _validate(self) -> None:
        if not -1.0 <= self.grip <= 1.0:
            raise ActionError(f"ee_delta grip must be in [-1, 1], got {self.grip}")


@dataclass(frozen=True)
class Pick(_ActionBase):
    """Grasp the object seen at image pixel (x, y); the planner lifts it to 3D."""

    name: ClassVar[str] = "pick"
    x: int = _px(_X)
    y: int = _px(_Y)


@dataclass(frozen=True)
class Place(_ActionBase):
    """Put the held object down at image pixel (x, y)."""

    name: ClassVar[str] = "place"
    x: int = _px(_X)
    y: int = _px(_Y)


@dataclass(frozen=True)
class Push(_ActionBase):
    """Push from image pixel (x0, y0) towards (x1, y1)."""

    name: ClassVar[str] = "push"
    x0: int = _px(_X)
    y0: int = _px(_Y)
    x1: int = _px(_X)
    y1: int = _px(_Y)


Action = (
    Click
    | DoubleClick
    | Hover
    | Type
    | Key
    | Scroll
    | Drag
    | Wait
    | Done
    | EEDelta
    | Pick
    | Place
    | Push
)
ACTION_TYPES: dict[str, type] = {
    cls.name: cls
    for cls in (Click, DoubleClick, Hover, Type, Key, Scroll, Drag, Wait, Done)
    + (EEDelta, Pick, Place, Push)
}
UI_ACTIONS = ("click", "double_click", "hover", "type", "key", "scroll", "drag", "wait", "done")
MOTOR_ACTIONS = ("ee_delta", "pick", "place", "push", "wait", "done")


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_action(action: Action) -> str:
    """The canonical string: required fields positional, optional ones as keywords when set.

    A lone optional argument marked positional (`done("42")`, `wait(1.0)`) is written bare.
    """
    parts = []
    for f in fields(action):  # type: ignore[arg-type]
        value = getattr(action, f.name)
        if f.default is MISSING:
            parts.append(_format_value(value))
        elif value != f.default:
            prefix = "" if f.metadata.get("positional") else f"{f.name}="
            parts.append(f"{prefix}{_format_value(value)}")
    return f"{action.name}({', '.join(parts)})"


def _literal(node: ast.expr, text: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, RecursionError, MemoryError):
        try:
            shown = repr(ast.unparse(node)[:80])
        except RecursionError:  # e.g. thousands of nested unary minuses
            shown = "(nested too deeply)"
        raise ActionError(
            f"argument {shown} in {text[:200]!r} is not a literal number or string"
        ) from None
    if value is not None and not isinstance(value, (int, float, str)):
        raise ActionError(f"argument {value!r} in {text!r} must be a number or a string")
    return value


def parse_action(text: str) -> Action:
    """Parse `name(arg, ..., key=value)` into a typed action; raises ActionError saying why not."""
    if not isinstance(text, str):
        raise ActionError(f"an action string is needed, got {type(text).__name__}")
    src = text.strip()
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        why = getattr(exc, "msg", None) or type(exc).__name__
        raise ActionError(
            f"cannot parse action {text[:200]!r}: {why}; expected e.g. click(34, 120)"
        ) from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ActionError(f"action {text!r} must look like name(args), e.g. click(34, 120)")
    cls = ACTION_TYPES.get(call.func.id)
    if cls is None:
        raise ActionError(
            f"unknown action kind {call.func.id!r} in {text!r}; known: {', '.join(ACTION_TYPES)}"
        )
    names = [f.name for f in fields(cls)]
    args = [_literal(a, text) for a in call.args]
    if len(args) > len(names):
        raise ActionError(
            f"{cls.name} takes at most {len(names)} arguments ({names}), got {text!r}"
        )
    kwargs = dict(zip(names, args, strict=False))
    for kw in call.keywords:
        if kw.arg not in names:
            raise ActionError(f"{cls.name} has no argument {kw.arg!r}; it takes {names}")
        if kw.arg in kwargs:
            raise ActionError(f"{cls.name} argument {kw.arg!r} given twice in {text!r}")
        kwargs[kw.arg] = _literal(kw.value, text)
    missing = [f.name for f in fields(cls) if f.default is MISSING and f.name not in kwargs]
    if missing:
        raise ActionError(f"{cls.name} is missing {missing} in {text!r}")
    return cls(**kwargs)


def as_action(value: Action | str) -> Action:
    """Accept a typed action or its string form."""
    if isinstance(value, str):
        return parse_action(value)
    if type(value) not in ACTION_TYPES.values():
        raise ActionError(f"not an action: {value!r}; use contracts.actions types or their strings")
    return value


def check_bounds(action: Action, width: int, height: int) -> None:
    """Raise ActionError if any pixel point of `action` lies outside a width x height frame."""
    for x, y in action.points():
        if not (0 <= x < width and 0 <= y < height):
            raise ActionError(
                f"{format_action(action)} is outside the {width}x{height} observation; "
                f"x must be in [0, {width - 1}] and y in [0, {height - 1}]"
            )


def scale_action(action: Action, sx: float, sy: float) -> Action:
    """Map an action's pixel coordinates by factors (sx, sy), e.g. from a resized frame."""

    def scaled(value: int, factor: float) -> int:
        return int(math.floor((value + 0.5) * factor))

    changes: dict[str, Any] = {}
    for f in fields(action):  # type: ignore[arg-type]
        value = getattr(action, f.name)
        axis = f.metadata.get("axis")
        if axis and value is not None:
            changes[f.name] = scaled(value, sx if axis == "x" else sy)
    if isinstance(action, Drag) and action.via:
        path = [(scaled(x, sx), scaled(y, sy)) for x, y in waypoints(action.via)]
        changes["via"] = format_waypoints(path)
    return replace(action, **changes) if changes else action
