"""Parsers for the grounding formats open VLMs answer in, each mapped to observation pixels.

One parser per format, `parse_xxx(text, frame) -> Grounding | None` (None: the format is
not in the reply), and `parse_grounding`, which tries them most-specific first, tries
`repair_reply` once when none matched, and raises GroundingError naming what it looked
for. Formats whose convention is fixed (`<|box_start|>` 0-1000, `<loc_N>` 0-1023, Molmo
0-100, relative 0-1) ignore the frame's kind; the others (Qwen JSON, tool calls, UI-TARS,
`<point>`, bare tuples) follow it, so one parser serves Qwen2.5-VL pixels and Qwen3-VL 0-1000.

Out-of-frame coordinates: a value up to `CLAMP_MARGIN` of the frame's size past an edge
is pulled onto the edge and the Grounding is marked `clamped=True` (models overshoot by a
few units, e.g. 1000 in 0-1000 or a box edge past the border); anything further out
raises GroundingError, because it means the reply uses another convention than the frame
says, and clicking the clamped edge would be a silent wrong click. Points are clamped to
the last pixel (w - 1, h - 1) so they round to a pixel inside the observation; boxes to
the image extent (w, h).
"""

from __future__ import annotations

import ast
import json
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, replace
from typing import Any

from contracts.actions import ACTION_TYPES, format_action, parse_action
from contracts.errors import ActionError, GroundingError
from perception.grounding import Box, Grounding, Point
from perception.grounding.model_actions import action_from_call, is_known_verb
from perception.grounding.reply_repair import repair_reply
from perception.grounding.resize import CoordinateFrame

CLAMP_MARGIN = 0.1
# Replies are parsed from their last 20k characters (answers come last; bounds the scan).
_MAX_TEXT = 20_000
# One way to match each number (not \d+\.?\d*), so a long run of digits costs linear time.
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_RE = re.compile(_NUM)
_DECODER = json.JSONDecoder()
_JSON_START = re.compile(r"[\[{]")


class _Mapper:
    """Maps model coordinates through a frame, checks range, clamps, and collects the results."""

    def __init__(self, frame: CoordinateFrame, fmt: str) -> None:
        self.frame, self.fmt = frame, fmt
        self.points: list[Point] = []
        self.boxes: list[Box] = []
        self.clamped = False

    def _axis(self, v: float, size: int, raw: float, axis: str, hi: float) -> float:
        margin = CLAMP_MARGIN * size
        if not (math.isfinite(v) and -margin <= v <= size + margin):
            f = self.frame
            raise GroundingError(
                f"{self.fmt}: {axis}={raw:g} ({f.kind}) maps to {v:.0f} px, far outside the "
                f"{f.obs_size[0]}x{f.obs_size[1]} observation (model image "
                f"{f.model_size[0]}x{f.model_size[1]}); the reply likely uses another coordinate "
                f"convention than {f.kind!r}: check the CoordinateFrame"
            )
        if v < 0 or v > size:
            self.clamped = True
        return min(max(v, 0.0), hi)

    def _xy(self, x: float, y: float, edge: int) -> tuple[float, float]:
        (w, h), (ox, oy) = self.frame.obs_size, self.frame.to_observation(x, y)
        return self._axis(ox, w, x, "x", w - edge), self._axis(oy, h, y, "y", h - edge)

    def point(self, x: float, y: float, label: str | None = None) -> Point:
        p = Point(*self._xy(x, y, 1), label)
        self.points.append(p)
        return p

    def box(self, x0: float, y0: float, x1: float, y1: float, label: str | None = None) -> Box:
        b = Box.from_corners(*self._xy(x0, y0, 0), *self._xy(x1, y1, 0), label)
        self.boxes.append(b)
        return b

    def shape(self, nums: Sequence[float], label: str | None = None) -> Point | None:
        """A point from 2 numbers or a box from 4 (its centre returned); None for other counts."""
        if len(nums) == 2:
            return self.point(nums[0], nums[1], label)
        if len(nums) == 4:
            c, (w, h) = self.box(*nums, label=label).center, self.frame.obs_size
            return Point(min(c.x, w - 1), min(c.y, h - 1), label)
        return None

    def locate(self, value: Any) -> Point | None:
        """A coordinate argument as the model wrote it (list, "(x,y)", box tokens), mapped."""
        return self.shape(_numbers(value) or [])

    def result(self, text: str, **kw: Any) -> Grounding | None:
        if not (self.points or self.boxes or kw.get("action") or kw.get("tool_call")):
            return None
        return Grounding(
            points=tuple(self.points),
            boxes=tuple(self.boxes),
            raw_text=text,
            format=self.fmt,
            clamped=self.clamped,
            **kw,
        )


def _numbers(value: Any) -> list[float] | None:
    """The numbers in a coordinate value: a (nested) list of numbers or a string holding them."""
    if isinstance(value, str):
        return [float(n) for n in _NUM_RE.findall(value)]
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        out: list[float] = []
        for item in value:
            if isinstance(item, str):
                return None
            sub = _numbers(item)
            if sub is None:
                return None
            out += sub
        return out
    return None


def _json_values(text: str) -> Iterator[Any]:
    """Every top-level JSON object or array embedded in `text` (fences and prose around them)."""
    i = 0
    while (m := _JSON_START.search(text, i)) is not None:
        try:
            value, i = _DECODER.raw_decode(text, m.start())
        except ValueError:
            i = m.start() + 1
            continue
        yield value


def _walk_dicts(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk_dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_dicts(v)


def parse_qwen_json(text: str, frame: CoordinateFrame) -> Grounding | None:
    """Qwen2.5-VL/Qwen3-VL JSON `{"bbox_2d": [x0, y0, x1, y1], "label": ..}` or `{"point_2d": ..}`.

    Alone, in a list, or in a ```json fence; coordinates in the frame's units.
    """
    m = _Mapper(frame, "qwen_json")
    for value in _json_values(text):
        for d in _walk_dicts(value):
            label = d.get("label") if isinstance(d.get("label"), str) else None
            box, pt = _numbers(d.get("bbox_2d")), _numbers(d.get("point_2d"))
            if box is not None and len(box) == 4:
                m.box(*box, label=label)
            elif pt is not None and len(pt) == 2:
                m.point(*pt, label=label)
    return m.result(text)


_COMPUTER_TOOLS = ("computer_use", "computer", "mobile_use", "browser_use", "gui", "desktop")


def _as_call(obj: Any) -> tuple[str, dict] | None:
    """(tool name, arguments) from the JSON shapes models wrap a function call in."""
    if not isinstance(obj, dict):
        return None
    for key in ("tool_calls", "function_call", "function"):
        inner = obj.get(key)
        if isinstance(inner, list) and inner:
            inner = inner[0]
        if isinstance(inner, dict):
            return _as_call(inner)
    name = obj.get("name")
    args = next((obj[k] for k in ("arguments", "parameters", "args", "input") if k in obj), None)
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            return None
    if isinstance(name, str) and isinstance(args, dict):
        return name, args
    if isinstance(obj.get("action"), str) and is_known_verb(obj["action"]):
        return "computer", obj  # a bare computer-tool input: {"action": "left_click", ...}
    return None


def parse_tool_call(text: str, frame: CoordinateFrame) -> Grounding | None:
    """A tool call, mapped to a handeye action when it names one.

    Qwen `<tool_call>{"name": "computer_use", "arguments": {"action": "left_click",
    "coordinate": [x, y]}}</tool_call>`, OpenAI `{"type": "function", "function": {..}}` or a
    bare Anthropic computer-tool input `{"action": .., "coordinate": ..}`.
    """
    blocks = re.findall(r"<tool_call>(.*?)</tool_call>", text, re.S)
    candidates = [v for b in blocks for v in _json_values(b)] or list(_json_values(text))
    call = next((c for c in map(_as_call, candidates) if c is not None), None)
    if call is None:
        return None
    name, args = call
    verb = args.get("action") if name.lower() in _COMPUTER_TOOLS else name
    m = _Mapper(frame, "tool_call")
    action = action_from_call(str(verb), args, m.locate) if isinstance(verb, str) else None
    return m.result(text, action=action, tool_call={"name": name, "arguments": args})


def _call_span(text: str, start: int) -> int | None:
    """Index just past the ')' closing the call whose '(' is at `start`, skipping quoted text."""
    depth, quote, i = 0, None, start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_KWARG = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,)]+)")
_UITARS_VERBS = (
    "click|left_single|left_double|right_single|hover|drag|select|hotkey|press|keydown|keyup|"
    "type|scroll|wait|finished|call_user|long_press|open_app|press_home|press_back|mouse_down|"
    "mouse_up|move_to"
)
_UITARS_CALL = re.compile(rf"\b({_UITARS_VERBS})\s*\(")


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        try:
            return str(ast.literal_eval(raw))
        except (ValueError, SyntaxError):
            return raw[1:-1]
    return raw


def parse_uitars(text: str, frame: CoordinateFrame) -> Grounding | None:
    """UI-TARS actions after `Action:`, mapped to handeye actions.

    `click(start_box='(x,y)')` (or `'<|box_start|>(x,y)<|box_end|>'`), `left_double`,
    `right_single`, `type(content=..)`, `hotkey(key='ctrl c')`, `scroll(start_box=..,
    direction='down')`, `drag(start_box=.., end_box=..)`, `wait()`, `finished(content=..)`.
    """
    after = text.find("Action:")
    body = text[after + len("Action:") :] if after >= 0 else text
    for match in _UITARS_CALL.finditer(body):
        end = _call_span(body, match.end() - 1)
        if end is None:
            continue
        inner = body[match.end() : end - 1].strip()
        args = {k: _unquote(v) for k, v in _KWARG.findall(inner)}
        if _KWARG.sub("", inner).strip(", \n\t"):
            continue  # positional arguments: not UI-TARS (maybe handeye's `scroll(0, 3, x=1, y=2)`)
        m = _Mapper(frame, "uitars")
        verb = match.group(1)
        action = action_from_call(verb, args, m.locate)
        if action is None:
            for key in ("start_box", "point", "start_point", "end_box", "end_point"):
                if key in args:
                    m.locate(args[key])
        return m.result(text, action=action, tool_call={"name": verb, "arguments": args})
    return None


_HANDEYE_CALL = re.compile(rf"\b({'|'.join(ACTION_TYPES)})\s*\(")


def parse_handeye(text: str, frame: CoordinateFrame) -> Grounding | None:
    """handeye's own canonical actions, `click(34, 120)`, with pixel fields in the frame's units."""
    for match in _HANDEYE_CALL.finditer(text):
        end = _call_span(text, match.end() - 1)
        if end is None:
            continue
        try:
            action = parse_action(text[match.start() : end])
        except ActionError:
            continue
        m = _Mapper(frame, "handeye")
        axes = [f for f in fields(action) if f.metadata.get("axis")]  # type: ignore[arg-type]
        changes = {}
        for fx, fy in zip(axes[::2], axes[1::2], strict=True):
            x, y = getattr(action, fx.name), getattr(action, fy.name)
            if x is not None and y is not None:
                p = m.point(x, y)
                changes[fx.name], changes[fy.name] = p.x, p.y
        return m.result(text, action=format_action(replace(action, **changes)))
    return None


_REF = r"(?:<\|object_ref_start\|>(.*?)<\|object_ref_end\|>\s*)?"
_BOX_TOKENS = re.compile(_REF + r"<\|box_start\|>(.*?)<\|box_end\|>", re.S)


def parse_box_tokens(text: str, frame: CoordinateFrame) -> Grounding | None:
    """Qwen2-VL/OS-Atlas `<|box_start|>(x0,y0),(x1,y1)<|box_end|>` (or one point) in 0-1000."""
    m = _Mapper(frame.with_kind("norm1000"), "box_tokens")
    for match in _BOX_TOKENS.finditer(text):
        if text[max(match.start() - 1, 0) : match.start()] in ("'", '"'):
            continue  # a quoted UI-TARS start_box='<|box_start|>..': its units are the frame's
        label, body = match.groups()
        m.shape(_numbers(body) or [], (label or "").strip() or None)
    return m.result(text)


_LOC_RUN = re.compile(r"((?:<loc_?\d{1,4}>\s*)+)([^<;\n]*)")


def parse_loc_tokens(text: str, frame: CoordinateFrame) -> Grounding | None:
    """PaliGemma-style `<locNNNN>` tokens in 0-1023, y before x: 4 make a box, 2 a point.

    A reply of just two tokens cannot be told from a box cut off after its first corner;
    it is read as a point. Two tokens ending a reply that also holds boxes are not.
    """
    m = _Mapper(frame.with_kind("loc1024"), "loc_tokens")
    runs = list(_LOC_RUN.finditer(text))
    counts = [len(re.findall(r"<loc_?\d{1,4}>", r.group(1))) for r in runs]
    for match, count in zip(runs, counts, strict=True):
        run, label = match.groups()
        vals = [float(v) for v in re.findall(r"<loc_?(\d{1,4})>", run)]
        name = label.strip() or None
        if count % 4 == 0:
            for i in range(0, count, 4):
                y0, x0, y1, x1 = vals[i : i + 4]
                m.box(x0, y0, x1, y1, name)
        elif count == 2 and not _half_box(text, match, counts):
            m.point(vals[1], vals[0], name)
    return m.result(text)


def _half_box(text: str, match: re.Match, counts: list[int]) -> bool:
    """Whether a 2-token run may be a box cut off after its first corner."""
    rest = text[match.end() :]
    cut_in_token = re.fullmatch(r"<(?:l(?:o(?:c_?\d*)?)?)?", rest) is not None
    return cut_in_token or (not rest.strip() and any(c % 4 == 0 for c in counts))


_MOLMO_TAG = re.compile(r"<(points?)\s+([^>]*)>")
_ATTR = re.compile(r"(\w+)\s*=\s*\"([^\"]*)\"")


def parse_molmo(text: str, frame: CoordinateFrame) -> Grounding | None:
    """Molmo `<point x="61.5" y="40.2" alt="..">` and `<points x1=.. y1=.. x2=..>` in 0-100."""
    m = _Mapper(frame.with_kind("norm100"), "molmo")
    for tag, attrs in _MOLMO_TAG.findall(text):
        a = dict(_ATTR.findall(attrs))
        label = a.get("alt") or None
        try:
            if tag == "point" and "x" in a and "y" in a:
                m.point(float(a["x"]), float(a["y"]), label)
            idx = sorted(int(k[1:]) for k in a if re.fullmatch(r"x\d+", k) and f"y{k[1:]}" in a)
            for i in idx:
                m.point(float(a[f"x{i}"]), float(a[f"y{i}"]), label)
        except ValueError:
            continue
    return m.result(text)


_POINT_TAG = re.compile(r"<(point|bbox)>\s*([^<]*?)\s*</\1>")


def parse_point_tag(text: str, frame: CoordinateFrame) -> Grounding | None:
    """`<point>x y</point>` and `<bbox>x0 y0 x1 y1</bbox>` (Seed-style), in the frame's units."""
    m = _Mapper(frame, "point_tag")
    for tag, body in _POINT_TAG.findall(text):
        nums = _numbers(body) or []
        if len(nums) == (2 if tag == "point" else 4):
            m.shape(nums)
    return m.result(text)


_TUPLE = re.compile(rf"[(\[]\s*({_NUM}(?:\s*,\s*{_NUM}){{1,3}})\s*[)\]]")


def parse_relative(text: str, frame: CoordinateFrame) -> Grounding | None:
    """Relative `(0.42, 0.77)` or `[x0, y0, x1, y1]` with every value in 0-1 (SeeClick, ShowUI)."""
    m = _Mapper(frame.with_kind("norm1"), "relative")
    for body in _TUPLE.findall(text):
        parts = [p.strip() for p in body.split(",")]
        if len(parts) in (2, 4) and any("." in p for p in parts):
            nums = [float(p) for p in parts]
            if all(0.0 <= n <= 1.0 for n in nums):
                m.shape(nums)
    return m.result(text)


_NUMS = rf"\s*({_NUM}(?:\s*,\s*{_NUM}){{1,3}})\s*"
_BARE = re.compile(rf"[\s`'\"]*(?:\({_NUMS}\)|\[{_NUMS}\])[\s`'\".]*")


def parse_plain(text: str, frame: CoordinateFrame) -> Grounding | None:
    """A reply that is only `(x, y)`, `[x, y]` or `[x0, y0, x1, y1]`, in the frame's units."""
    full = _BARE.fullmatch(text)
    if full is None:
        return None
    m = _Mapper(frame, "plain")
    body = full.group(1) or full.group(2)
    m.shape([float(p) for p in body.split(",")])
    return m.result(text)


Parser = Callable[[str, CoordinateFrame], "Grounding | None"]
FORMATS: dict[str, tuple[Parser, str]] = {
    "tool_call": (
        parse_tool_call,
        '<tool_call>{"name": .., "arguments": {.."coordinate": [x, y]}}',
    ),
    "uitars": (parse_uitars, "UI-TARS click(start_box='(x,y)'), type(content=..), hotkey(key=..)"),
    "handeye": (parse_handeye, "handeye click(x, y)"),
    "qwen_json": (parse_qwen_json, '{"bbox_2d": [x0, y0, x1, y1]} / {"point_2d": [x, y]}'),
    "box_tokens": (parse_box_tokens, "<|box_start|>(x0,y0),(x1,y1)<|box_end|> in 0-1000"),
    "loc_tokens": (parse_loc_tokens, "<locNNNN> tokens in 0-1023"),
    "molmo": (parse_molmo, '<point x=".." y=".."> in 0-100'),
    "point_tag": (parse_point_tag, "<point>x y</point>"),
    "relative": (parse_relative, "(0.42, 0.77) in 0-1"),
    "plain": (parse_plain, "a bare (x, y) or [x0, y0, x1, y1]"),
}


def _first_match(text: str, frame: CoordinateFrame, names: Sequence[str]) -> Grounding | None:
    for name in names:
        g = FORMATS[name][0](text, frame)
        if g is not None:
            return g
    return None


def parse_grounding(
    text: str, frame: CoordinateFrame, formats: Sequence[str] | None = None
) -> Grounding:
    """Parse a model reply into a Grounding in observation pixels, trying `formats` in order.

    Parses what follows a closing `</think>` when there is one. Tries every known format
    (most specific first) unless `formats` names some; when none matches it repairs the
    reply once (`repair_reply`) and tries again. Raises GroundingError naming the formats
    looked for and showing the start of the reply.
    """
    t0 = time.perf_counter()
    names = list(FORMATS) if formats is None else list(formats)
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise GroundingError(f"unknown grounding formats {unknown}; known: {list(FORMATS)}")
    if not isinstance(text, str):
        raise GroundingError(f"a model reply must be text, got {type(text).__name__}")
    # Reasoning models think first (`<think>..</think>`); coordinates in the thought are drafts.
    answer = text.rsplit("</think>", 1)[-1][-_MAX_TEXT:]
    shown = text if len(text) <= 300 else text[:300] + f"... ({len(text)} chars)"
    try:
        grounding = _first_match(answer, frame, names)
    except GroundingError as exc:
        raise GroundingError(f"{exc}. Reply: {shown!r}") from None
    if grounding is None and (fixed := repair_reply(answer)) is not None:
        try:
            grounding = _first_match(fixed, frame, names)
        except GroundingError as exc:
            raise GroundingError(
                f"the reply is broken (cut off or malformed) and after repair: {exc}. "
                f"Reply: {shown!r}"
            ) from None
        if grounding is not None:
            grounding = replace(grounding, repaired=True)
    if grounding is None:
        looked = "; ".join(f"{n} ({FORMATS[n][1]})" for n in names)
        raise GroundingError(
            f"no point, box or action found in the model reply, even after repair; looked for: "
            f"{looked}. Reply: {shown!r}. Check the prompt asks for one of these formats."
        )
    timings = {**grounding.timings, "parse": time.perf_counter() - t0}
    return replace(grounding, raw_text=text, timings=timings)
