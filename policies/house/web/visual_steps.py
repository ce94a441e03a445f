"""Plan steps about drawn things: click "a large red circle", answer "how many blue items are
there?" or "how many sides does the shape have?" with the button showing the number, name the
figure with the button that describes it, and drag "all circles into the black box".

The plan says what to do: a target's `look` (size, colour, shape, glyph), a step's `question`
(count, sides, category) and `manner` (numbers in order, a line through, halfway between,
highlight, resize, the rest), all read by the instruction grammar; this module only finds the
shapes. Shapes come from `shapes.find_shapes` on the frame below the instruction banner, without
the insides of buttons and fields. Pixels only; no page is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.actions import Click, Drag
from perception.instructions.plan import ALL, Look, Step, Target
from perception.screen.parser import UIElement
from perception.screen.shape_queries import ShapeQuery, select
from perception.screen.shapes import Shape, find_shapes
from policies.house.web.list_drags import list_drag
from policies.house.web.number_controls import number_goal, number_step
from policies.house.web.page_cues import submit_button
from policies.house.web.plan_targets import number
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.text_drags import RESIZES, highlight_drag, resize_drag
from policies.house.web.view import View

# The kinds a step names that are widgets, not drawings: "the red button" is the grounder's.
WIDGET_KINDS = {"button", "link", "tab", "checkbox", "radio", "dropdown", "menu_item", "text"}
CATEGORY_WORDS = {
    "circle": {"circle", "circles", "round", "oval"},
    "rectangle": {"rectangle", "square", "box", "rectangles", "squares"},
    "triangle": {"triangle", "triangles"},
    "polygon": {"polygon", "pentagon", "hexagon", "heptagon"},
    "letter": {"letter", "letters", "character", "alphabet"},
    "digit": {"number", "numbers", "digit", "digits", "numeral"},
}
LINES = ("vertical", "horizontal", "diagonal")  # manners that draw a line through the target
LINE_SHARE = 0.2  # half a drawn line's length, as a share of the frame's shorter side
# Widget kinds whose frame and words are no drawing when the parser read words on them.
LABELLED = {"button", "link", "tab"}
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
DRAG_SHARE = 0.25  # a drag "up" moves this share of the drawing area's height
DIRECTIONS = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}


@dataclass
class VisualSteps:
    """Drawn-shape steps of the plan policy; `step` returns NOT_MINE for any other step."""

    reader: Any = None  # an `ocr.TextReader` for glyphs (None: letters and digits stay unread)
    _cache: dict[bytes, list[Shape]] = field(default_factory=dict)
    labels: list[Shape] = field(default_factory=list)  # glyphs on widgets, as last found
    _order_for: Any = None  # the plan step `_order` was read for
    _order: list[tuple[int, tuple[int, int]]] = field(default_factory=list)  # numbers to click

    def shapes(self, view: View, read: bool = False) -> list[Shape]:
        """Drawn shapes below the banner: not a labelled widget's frame or words, not the
        frames and labels of a row of like boxes (a row of buttons), no page-wide band;
        `read`: OCR the glyphs too (slower; needed for letters, digits and their sizes)."""
        key = view.frame.tobytes()[:: max(1, view.frame.size // 50000)]
        key += str(view.frame.shape).encode() + bytes([read])  # a side may pass 255 px
        if key in self._cache:
            return self._cache[key]
        banner = [view.parse.get(i).box for i in view.banner()]
        top = max((b[3] for b in banner), default=0)
        h, w = view.frame.shape[:2]
        found = find_shapes(view.frame, (0, top, w, h), reader=self.reader if read else None)
        found = [s for s in found if s.box[2] - s.box[0] < 0.9 * w]  # no band across the page
        # Widgets the parser read words on; an unlabelled one may be a drawing it mistook.
        widgets = [e.box for e in view.content() if e.kind in LABELLED and e.text.strip()]
        widgets += [f.box for f in _button_row(found)]
        out, labels = [], []
        for s in found:
            if s.kind == "glyph" and any(_inside(s.box, b) for b in widgets):
                labels.append(s)  # a widget's words
            elif not (not s.filled and any(_iou(s.box, b) >= 0.5 for b in widgets)):
                out.append(s)  # else a widget's frame
        self._cache.clear()
        self._cache[key] = out
        self.labels = labels
        return out

    def step(
        self,
        view: View,
        state: Any,
        notes: dict[str, Any],
        last: bool = False,
        previous: Step | None = None,
    ) -> Any:
        """(action, box to check, expectation), None when the step is done, or NOT_MINE;
        `last`: the step ends the plan (drags that end a plan are sent with its form's button);
        `previous`: the plan's step before (what "the rest" leaves out)."""
        step: Step = state.step
        goal = number_goal(step)
        if goal is not None:
            return number_step(
                view, state, goal, notes, self.reader
            )  # a spinner's or a slider's number
        if step.verb not in ("click", "drag", "expand") or step.target is None:
            return NOT_MINE
        if step.manner in LINES:
            if state.phase == "visual_sent":
                return None
            return self._draw_line(view, state, step.manner, step.target, notes)
        if step.verb == "drag" and state.phase == "visual_sent" and last:
            out = self._drag(view, state, step, notes, previous)
            if out is not None and out is not NOT_MINE:
                return out
            button = submit_button(view, [])
            if button is None:
                return None
            state.phase = "visual_submitted"  # a plan that moves things and stops sends them
            notes["target"] = button.describe()
            return Click(*button.center), None, "none"
        if state.phase == "visual_submitted":
            return None
        if state.phase == "visual_sent" and step.verb in ("click", "expand"):
            return None
        if step.verb == "click" and step.target.kind in ("text", "text_area"):
            move = None
            if step.target.kind == "text" and step.manner == "highlight":
                anchor = step.target.anchor
                move = highlight_drag(view, anchor.ordinal if anchor else step.target.ordinal)
            elif step.target.kind == "text_area" and step.manner in RESIZES:
                move = resize_drag(view, step.manner)
            if move is not None:
                state.phase = "visual_sent"
                notes["target"] = f"{step.target.kind} drag {move}"
                return Drag(*move), None, "none"
        if step.verb == "click" and step.manner in ("ascending", "descending"):
            return self._click_in_order(view, state, step.manner == "descending", notes)
        if step.verb == "expand":  # "expand the pie menu": a drawn control opens on a click
            return self._click_shape(view, state, step, notes)
        if step.verb == "drag":
            return self._drag(view, state, step, notes, previous)
        if step.target.kind in WIDGET_KINDS - {"button"}:
            return NOT_MINE
        answer: int | str | None = None
        if step.question == "sides":
            answer = self._sides(view)
        elif step.question == "count":
            look = step.about.look if step.about is not None else None
            if look is None:
                return NOT_MINE
            query = shape_query(look)
            found = select(query, self.shapes(view, read=True))
            answer = len(found)
            if query.char is not None and _answer_button(view, answer) is None:
                answer = sum(s.text == query.char for s in found)  # "U" is not "u"
            notes["counted"] = f"{look.to_dict()}: {answer}"
        elif step.question == "category":
            answer = self._category(view)
        elif step.manner == "midpoint":
            return self._midpoint(view, state, step.target, notes)
        elif step.target.kind != "button":
            return self._click_shape(view, state, step, notes)
        else:
            return NOT_MINE
        if answer is None:
            return NOT_MINE
        button = _answer_button(view, answer)
        if button is not None:
            state.phase = "visual_sent"
            notes["target"] = button.describe()
            return Click(*button.center), button.box, "change"
        label = next((g for g in self.labels if _says(g.text, answer)), None)
        if label is None:
            return NOT_MINE
        state.phase = "visual_sent"  # a button the parser could not read: its glyph says it
        notes["target"] = f"label {label.text!r} at {label.center}"
        return Click(*label.center), None, "none"

    def _click_shape(self, view: View, state: Any, step: Step, notes: dict[str, Any]) -> Any:
        query = _query(step)
        if query is None:
            return NOT_MINE
        read = bool(query.char or query.size or query.noun in ("letter", "digit", "any_glyph"))
        hits = [s for s in select(query, self.shapes(view, read)) if s.box not in state.tried]
        if not hits:
            return NOT_MINE
        state.phase = "visual_sent"
        notes["target"] = f"{hits[0].colour} {hits[0].kind} {hits[0].text} at {hits[0].center}"
        return Click(*hits[0].center), None, "none"

    def _click_in_order(self, view: View, state: Any, down: bool, notes: dict[str, Any]) -> Any:
        """Click the drawn numbers one a step, smallest first (largest first when `down`), from
        where they were first seen: a page may cover them after the first click."""
        if self._order_for is not state:  # a new step: read the numbers and remember them
            glyphs = self.shapes(view, True)
            read = [(number(g.text.strip().translate(DIGIT_LOOKALIKES)), g) for g in glyphs]
            order = sorted((n, g.center) for n, g in read if n is not None)
            self._order_for, self._order = state, order[::-1] if down else order
        if not self._order:
            return None if state.phase == "visual_order" else NOT_MINE
        n, center = self._order.pop(0)
        state.phase = "visual_order"
        notes["target"] = f"number {n} at {center}"
        return Click(*center), None, "none"

    def _midpoint(self, view: View, state: Any, ends_said: Target, notes: dict[str, Any]) -> Any:
        """Click halfway between the two things the target's look names."""
        ends = select(shape_query(ends_said.look), self.shapes(view))
        if len(ends) != 2:
            return NOT_MINE
        (ax, ay), (bx, by) = ends[0].center, ends[1].center
        state.phase = "visual_sent"
        notes["target"] = f"midpoint of {ends[0].center} and {ends[1].center}"
        return Click((ax + bx) // 2, (ay + by) // 2), None, "none"

    def _draw_line(
        self, view: View, state: Any, way: str, through: Target, notes: dict[str, Any]
    ) -> Any:
        """Draw a line the way asked (a drag) through the middle of the shape named."""
        anchors = select(shape_query(through.look), self.shapes(view))
        if not anchors:
            return NOT_MINE
        x, y = anchors[0].center
        reach = int(LINE_SHARE * min(view.frame.shape[:2]))
        dx, dy = {"vertical": (0, reach), "horizontal": (reach, 0)}.get(way, (reach, reach))
        state.phase = "visual_sent"
        notes["target"] = f"{way} line through {anchors[0].kind} at {anchors[0].center}"
        h, w = view.frame.shape[:2]
        x0, y0 = max(1, x - dx), max(1, y - dy)
        x1, y1 = min(w - 2, x + dx), min(h - 2, y + dy)
        return Drag(x0, y0, x1, y1), None, "none"

    def _sides(self, view: View) -> int | None:
        """Corners of the biggest drawn polygon (a circle has none to count)."""
        polys = [s for s in self.shapes(view, read=True) if s.corners >= 3]
        return max(polys, key=lambda s: s.box_area).corners if polys else None

    def _category(self, view: View) -> str | None:
        """What the biggest drawing is: a shape's kind, or "letter" / "digit"."""
        drawn = [s for s in self.shapes(view, read=True) if s.kind != "line"]
        if not drawn:
            return None
        biggest = max(drawn, key=lambda s: s.box_area)
        return biggest.kind if biggest.kind != "glyph" else biggest.category

    def _drag(
        self, view: View, state: Any, step: Step, notes: dict[str, Any], previous: Step | None
    ) -> Any:
        query = _query(step)
        look = step.target.look if step.target is not None else None
        if query is None and (step.value or "") in DIRECTIONS and look is not None:
            drawn = [s for s in self.shapes(view) if s.kind != "line"]
            # A shape's outline and its fill (or a letter on it) are one thing drawn.
            outer = [
                s
                for s in drawn
                if not any(_inside(s.box, o.box) and o.box_area > s.box_area for o in drawn)
            ]
            if look.shape == "any" and len(outer) == 1:
                query = shape_query(look)  # "drag the item up": the one thing drawn
        rest = step.manner == "rest" and step.destination is not None
        if query is None and not rest:  # an item of a list, named by its words
            if state.phase == "visual_sent":
                return None
            move = list_drag(view, step.target.text if step.target else "", step.value)
            if move is None:
                return NOT_MINE
            state.phase = "visual_sent"
            notes["target"] = f"list item {step.target.text if step.target else ''!r}"
            return Drag(*move), None, "none"
        shapes = self.shapes(view)
        where = step.destination.look if step.destination is not None else None
        dest = _container(where, shapes) if where is not None else None
        if step.destination is not None and dest is None:
            return NOT_MINE
        if dest is None and (step.value or "") not in DIRECTIONS:
            return NOT_MINE
        # Boxes as big as the one dropped into are places, not things to move.
        holders = [
            s
            for s in shapes
            if dest is not None and not s.filled and 2 * s.box_area >= dest.box_area
        ]
        if rest:  # "... and everything else into the white box": what the step before left
            before = _query(previous) if previous is not None else None
            chosen = select(before, shapes) if before is not None else []
            movers = [
                s
                for s in shapes
                if s not in holders
                and s not in chosen
                and s.kind not in ("glyph", "line")
                and not any(_inside(s.box, h.box) for h in holders)
            ]
        else:
            movers = [s for s in select(query, shapes) if s not in holders]
        if dest is not None:
            movers = [s for s in movers if not _inside(s.box, dest.box)]
        if step.target is None or step.target.ordinal != ALL:
            movers = movers[:1] if state.phase != "visual_sent" else []
        if not movers:
            return None if state.phase == "visual_sent" else NOT_MINE
        s = movers[0]
        state.phase = "visual_sent"
        if dest is None:
            dx, dy = DIRECTIONS[step.value or ""]
            reach = int(DRAG_SHARE * view.frame.shape[0])
            x1, y1 = s.center[0] + dx * reach, s.center[1] + dy * reach
            h, w = view.frame.shape[:2]
            x1, y1 = min(max(2, x1), w - 3), min(max(2, y1), h - 3)
        else:
            x1, y1 = _drop_point(dest, s, len(state.acted))
        state.acted.append(s.box)
        notes["target"] = f"{s.colour} {s.kind} at {s.center} -> ({x1}, {y1})"
        return Drag(s.center[0], s.center[1], x1, y1), None, "none"


def shape_query(look: Look | None) -> ShapeQuery:
    """The shape finder's query for a plan target's look (any drawn thing when None)."""
    if look is None:
        return ShapeQuery(noun="any")
    return ShapeQuery(look.size, look.colour, look.shape, look.char, look.place)


def _container(where: Look, shapes: list[Shape]) -> Shape | None:
    """The drawn shape a look names as a place to drop into; an outline (a box that can hold
    things) before a filled shape of the same description."""
    places = select(shape_query(where), shapes)
    hollow = [p for p in places if not p.filled]
    return (hollow or places or [None])[0]


def _drop_point(dest: Shape, mover: Shape, k: int) -> tuple[int, int]:
    """Where the k-th shape dropped into `dest` goes: spread along its middle row, so the
    shapes dropped before stay apart and each lands whole inside."""
    x0, y0, x1, y1 = dest.box
    cy = (y0 + y1) // 2
    half = mover.size // 2 + max(4, mover.size // 4)  # clear of the frame's line
    slots = max(1, (x1 - x0 - 2 * half) // max(1, 2 * half))
    if slots <= 1:
        return (x0 + x1) // 2, cy
    step = (x1 - x0 - 2 * half) / (slots - 1) if slots > 1 else 0
    return int(x0 + half + (k % slots) * step), cy


def _area(b: tuple[int, int, int, int]) -> int:
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when box `a` lies within box `b` (a pixel of slack)."""
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1


def _query(step: Step) -> ShapeQuery | None:
    """The shape the step's target looks like, or None when its words name no drawing."""
    look = step.target.look if step.target is not None else None
    if look is None or not look.visual:
        return None
    # A lone letter or digit ("Click on a X") is a drawing only when the plan saw no widget.
    lone = look.shape is None and look.colour is None and look.size is None
    if lone and (step.target.kind != "any" or step.target.text.strip() != look.char):
        return None
    return shape_query(look)


def _button_row(shapes: list[Shape]) -> list[Shape]:
    """Outlined boxes of one size side by side in a row (two or more), each with a letter or
    digit in it: a row of buttons (empty boxes alike are places to drop things into)."""
    glyphs = [s for s in shapes if s.kind == "glyph"]
    frames = [
        s
        for s in shapes
        if not s.filled
        and s.kind in ("rectangle", "polygon")
        and any(_inside(g.box, s.box) for g in glyphs)
    ]
    row = []
    for f in frames:
        fw, fh = f.box[2] - f.box[0], f.box[3] - f.box[1]
        twins = [
            g
            for g in frames
            if g is not f
            and abs(g.box[1] - f.box[1]) <= 2
            and abs((g.box[2] - g.box[0]) - fw) <= 2
            and abs((g.box[3] - g.box[1]) - fh) <= 2
        ]
        if twins:
            row.append(f)
    return row


def _says(text: str, answer: int | str) -> bool:
    """True when a label reads as the answer (a number, or a category's word)."""
    if isinstance(answer, int):
        return number(text.strip().translate(DIGIT_LOOKALIKES)) == answer
    return text.strip().lower() in CATEGORY_WORDS.get(answer, {answer})


def _answer_button(view: View, answer: int | str) -> UIElement | None:
    """The element whose label is the answer: the number, or a word for the category."""
    options = [e for e in view.content() if e.text and e.kind in LABELLED | {"text"}]
    return next((e for e in options if _says(e.text, answer)), None)


def visual_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """`VisualSteps.step` for a plan policy (built on first use with the parser's OCR reader)."""
    steps = policy.__dict__.get("_visual_steps")
    if steps is None:
        steps = policy.__dict__["_visual_steps"] = VisualSteps(
            reader=getattr(policy.parser, "reader", None)
        )
    index = policy._index
    last = index == len(policy.plan.steps) - 1
    previous = policy.plan.steps[index - 1] if index > 0 else None
    return steps.step(view, state, notes, last=last, previous=previous)
