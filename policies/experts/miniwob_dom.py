"""A read-only view of MiniWoB's flattened DOM (`info["privileged"]["dom"]`) and the actions
experts build on it.

The env hands experts the list of element dicts from `core.getDOMInfo()` (boxes in observation
pixels, a `parent` ref per element). `DomView` indexes it once per step so task solvers can find
elements by tag, id, class or text and turn them into typed actions (click the centre, fill a
field, scroll an element into the frame) without keeping state between steps.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.actions import Action, Click, Key, Scroll, Type

FRAME_WIDTH, FRAME_HEIGHT = 160, 210  # MiniWoB task area in observation pixels at scale 1
SCROLL_NOTCH_PX = 50  # CSS pixels the env scrolls per wheel notch


@dataclass(frozen=True)
class Node:
    """One element of the page (or a text piece, tag "t"), with its box in observation pixels.

    `index` is the element's position in the DOM list and `parent` its parent's index: MiniWoB's
    own refs can repeat within one list (see `DomView`), positions cannot.
    """

    index: int
    parent: int | None
    ref: int
    tag: str
    left: float
    top: float
    width: float
    height: float
    text: str | None = None
    value: Any = None
    id: str = ""
    classes: str = ""
    focused: bool = False
    bg_color: str = ""

    @classmethod
    def from_info(cls, el: dict[str, Any], index: int, parent: int | None) -> Node:
        classes = el.get("classes")
        return cls(
            index=index,
            parent=parent,
            ref=el["ref"],
            tag=el["tag"],
            left=el["left"],
            top=el["top"],
            width=el["width"],
            height=el["height"],
            text=el.get("text"),
            value=el.get("value"),
            id=el.get("id") or "",
            classes=classes if isinstance(classes, str) else "",  # SVG gives an object
            focused=bool(el.get("focused")),
            bg_color=el.get("bgColor") or "",
        )

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def has_class(self, name: str) -> bool:
        return name in self.classes.split()


class DomView:
    """Index over one step's DOM list: lookups by tree position, tag, id, class and text.

    The list is the page's tree flattened depth-first with each element's parent ref. Refs of
    elements kept from an earlier episode (body, #wrap, #area) can equal refs handed to new
    elements, so a parent is resolved among the open ancestors carrying that ref, preferring
    the nearest whose box holds the element.
    """

    def __init__(
        self,
        elements: Iterable[dict[str, Any]],
        width: int = FRAME_WIDTH,
        height: int = FRAME_HEIGHT,
    ) -> None:
        self.nodes: list[Node] = []
        stack: list[Node] = []  # the open ancestors of the element being read
        for i, el in enumerate(elements):
            depth = _parent_depth(stack, el)
            del stack[depth + 1 :]
            node = Node.from_info(el, i, stack[depth].index if depth >= 0 else None)
            self.nodes.append(node)
            stack.append(node)
        self.width, self.height = width, height
        self.scale = width / FRAME_WIDTH  # observation pixels per CSS pixel
        self._children: dict[int | None, list[Node]] = {}
        for n in self.nodes:
            self._children.setdefault(n.parent, []).append(n)

    def children(self, node: Node) -> list[Node]:
        return self._children.get(node.index, [])

    def descendants(self, node: Node) -> Iterator[Node]:
        for child in self.children(node):
            yield child
            yield from self.descendants(child)

    def ancestors(self, node: Node) -> Iterator[Node]:
        while node.parent is not None:
            node = self.nodes[node.parent]
            yield node

    def text(self, node: Node) -> str:
        """All text under `node` (its own and its descendants'), space-joined."""
        parts = [node.text] if node.text else []
        parts += [d.text for d in self.descendants(node) if d.text]
        return " ".join(parts)

    def text_is(self, node: Node, text: str) -> bool:
        """Whether `node` reads `text`, ignoring whitespace: MiniWoB splits a text node into
        one piece per rendered line, which loses whether a line broke at a space or a hyphen."""
        return _squash(self.text(node)) == _squash(text)

    def find(
        self,
        tag: str | None = None,
        *,
        id: str | None = None,
        cls: str | None = None,
        text: str | None = None,
        within: Node | None = None,
        where: Callable[[Node], bool] | None = None,
    ) -> list[Node]:
        """Elements matching every given filter; `text` is the element's full text (`text_is`)."""
        pool: Iterable[Node] = self.nodes if within is None else self.descendants(within)
        out = []
        for n in pool:
            if tag is not None and n.tag != tag:
                continue
            if id is not None and n.id != id:
                continue
            if cls is not None and not n.has_class(cls):
                continue
            if text is not None and not self.text_is(n, text):
                continue
            if where is not None and not where(n):
                continue
            out.append(n)
        return out

    def first(self, tag: str | None = None, **filters: Any) -> Node | None:
        found = self.find(tag, **filters)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Node | None:
        return self.first(id=element_id)


def _squash(text: str) -> str:
    return "".join(text.split())


def _parent_depth(stack: list[Node], el: dict[str, Any]) -> int:
    """Stack position of `el`'s parent: the deepest open element with its parent ref, preferring
    one whose box holds the element's centre (a reused ref names two open elements); -1 if none."""
    cx, cy = el["left"] + el["width"] / 2, el["top"] + el["height"] / 2
    matches = [d for d in range(len(stack) - 1, -1, -1) if stack[d].ref == el.get("parent")]
    for d in matches:
        n = stack[d]
        if n.left <= cx <= n.left + n.width and n.top <= cy <= n.bottom:
            return d
    return matches[0] if matches else -1


def point(node: Node, dx: float = 0.0, dy: float = 0.0) -> tuple[int, int]:
    """Integer pixel near the centre of `node` (offset by dx, dy), inside the box."""
    x = min(max(node.cx + dx, node.left + 1), node.left + node.width - 1)
    y = min(max(node.cy + dy, node.top + 1), node.top + node.height - 1)
    return max(int(x), 0), max(int(y), 0)


def click(node: Node, dx: float = 0.0, dy: float = 0.0) -> Click:
    """Click the centre of `node`'s box."""
    return Click(*point(node, dx, dy))


def click_clear_of(node: Node, covers: Iterable[Node]) -> Click | None:
    """Click a point of `node` that none of `covers` (elements drawn above it) hides; None if
    they hide all of it. Tries the centre first, then a grid over the box."""
    boxes = [c for c in covers if c.index != node.index]

    def hidden(x: float, y: float) -> bool:
        return any(
            c.left - 1 <= x <= c.left + c.width + 1 and c.top - 1 <= y <= c.bottom + 1
            for c in boxes
        )

    fracs = (0.5, 0.25, 0.75, 0.1, 0.9)
    for fy in fracs:
        for fx in fracs:
            x, y = node.left + fx * node.width, node.top + fy * node.height
            if not hidden(x, y):
                return Click(int(x), int(y))
    return None


def reveal(view: DomView, node: Node, container: Node | None = None) -> Scroll | None:
    """A wheel scroll that brings `node` into `container` (or the frame); None if already shown.

    The pointer rests inside the container so the wheel scrolls it (or the page when the
    container does not scroll).
    """
    top = 0.0 if container is None else max(container.top, 0.0)
    bottom = float(view.height)
    if container is not None:
        bottom = min(bottom, container.bottom)
    if top <= node.cy < bottom - 1:
        return None
    mid = (top + bottom) / 2
    notch = SCROLL_NOTCH_PX * view.scale
    notches = math.ceil(abs(node.cy - mid) / notch)
    dy = notches if node.cy > mid else -notches
    px = min(max(container.cx if container is not None else node.cx, 0), view.width - 1)
    return Scroll(0, dy, int(px), int(min(max(mid, 0), bottom - 1)))


def fill(node: Node, text: str, last: Action | None) -> Action | None:
    """The next action that makes input `node` hold exactly `text`; None once it does.

    Click to focus, select-all when it holds something else, then type (typing replaces the
    selection), so a field the expert mistyped is repaired rather than appended to.
    """
    if node.value == text:
        return None
    if not node.focused:
        return click(node)
    if node.value and last != Key("ctrl+a"):
        return Key("ctrl+a")
    return Type(text)


@dataclass(frozen=True)
class TaskState:
    """What a solver sees each step: the DOM, the instruction, the page's fields and a memo.

    `memo` lives for one episode and holds the few facts a page does not show (what a closed
    <select> holds, which options a list has selected) plus the expert's last action.
    """

    dom: DomView
    instruction: str
    memo: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> Action | None:
        return self.memo.get("last")


Solver = Callable[[TaskState], "Action | None"]


def registrar(table: dict[str, Solver]) -> Callable[..., Callable[[Solver], Solver]]:
    """A decorator factory that files solvers in `table` under one or more task names."""

    def solves(*tasks: str) -> Callable[[Solver], Solver]:
        def register(fn: Solver) -> Solver:
            for task in tasks:
                table[task] = fn
            return fn

        return register

    return solves


def parse(pattern: str, instruction: str) -> re.Match[str]:
    """Search the instruction for `pattern`; ValueError (the expert then gives up) if absent."""
    m = re.search(pattern, instruction)
    if m is None:
        raise ValueError(f"instruction {instruction!r} does not match {pattern!r}")
    return m


def quoted(instruction: str) -> list[str]:
    """The double-quoted phrases of an instruction, in order."""
    return re.findall(r'"([^"]*)"', instruction)


def fill_then(
    s: TaskState, fields: list[tuple[Node | None, str]], submit: Node | None
) -> Action | None:
    """Fill each (input, text) pair in order, then click `submit`; None while one is missing.

    An input below the frame is scrolled into it before it is clicked. A submit <button> below
    the frame is reached by keyboard (Tab from the last field, then Enter): the page may not
    scroll at all, since the browser shows rows under the frame that the observation crops.
    """
    for node, text in fields:
        if node is None:
            return None
        action = fill(node, text, s.last)
        if isinstance(action, Click):
            return reveal(s.dom, node) or action
        if action is not None:
            return action
    if submit is None:
        return None
    if submit.cy < s.dom.height - 1:
        return click(submit)
    if submit.tag == "BUTTON" and submit.focused:
        return Key("Enter")
    if submit.tag == "BUTTON" and fields and fields[-1][0] is not None and fields[-1][0].focused:
        return Key("Tab")
    return reveal(s.dom, submit) or click(submit)
