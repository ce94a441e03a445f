"""MiniWoB solvers for click tasks: buttons, links, tabs, dialogs, checkboxes, colours, shapes.

Each solver maps one step's `TaskState` to the next action, or None while the page settles.
They read the state the page shows (checked boxes, focus, open panels, selected shades), so a
slip is repaired on the next step.
"""

from __future__ import annotations

import colorsys
import re

from contracts.actions import Action
from policies.experts.miniwob_dom import (
    Node,
    Solver,
    TaskState,
    click,
    click_clear_of,
    parse,
    quoted,
    registrar,
    reveal,
)

CLICK_SOLVERS: dict[str, Solver] = {}
solves = registrar(CLICK_SOLVERS)


@solves("click-button", "unicode-test")
def click_button(s: TaskState) -> Action | None:
    (label,) = quoted(s.instruction)[:1]
    target = s.dom.first("BUTTON", text=label)
    return None if target is None else click(target)


@solves("click-button-sequence")
def click_button_sequence(s: TaskState) -> Action | None:
    one, two = s.dom.by_id("subbtn"), s.dom.by_id("subbtn2")
    if one is None or two is None:
        return None
    if one.focused:  # a clicked button keeps the focus
        return click_clear_of(two, [])
    return click_clear_of(one, [two])  # TWO is drawn above ONE where they overlap


@solves("click-test")
def click_test(s: TaskState) -> Action | None:
    target = s.dom.by_id("subbtn")
    return None if target is None else click(target)


@solves("click-test-2")
def click_test_2(s: TaskState) -> Action | None:
    one, two = s.dom.by_id("subbtn"), s.dom.by_id("subbtn2")
    return None if one is None or two is None else click_clear_of(one, [two])


@solves("click-link")
def click_link(s: TaskState) -> Action | None:
    (label,) = quoted(s.instruction)[:1]
    target = s.dom.first("SPAN", cls="alink", text=label)
    return None if target is None else (reveal(s.dom, target) or click(target))


@solves("click-dialog")
def click_dialog(s: TaskState) -> Action | None:
    target = s.dom.first("BUTTON", cls="ui-dialog-titlebar-close")
    return None if target is None else click(target)


@solves("click-dialog-2")
def click_dialog_2(s: TaskState) -> Action | None:
    (label,) = quoted(s.instruction)[:1]
    if label == "x":
        target = s.dom.first("BUTTON", cls="ui-dialog-titlebar-close")
    else:
        pane = s.dom.first(cls="ui-dialog-buttonpane")
        target = None if pane is None else s.dom.first("BUTTON", text=label, within=pane)
    return None if target is None else click(target)


@solves("click-tab")
def click_tab(s: TaskState) -> Action | None:
    """Click the tab whose label the instruction names (read from the page's tabs, any wording)."""
    tabs = [a for li in s.dom.find("LI", cls="ui-tabs-tab") for a in s.dom.find("A", within=li)]
    named = [a for a in tabs if _names(s.instruction, s.dom.text(a))]
    target = max(named, key=lambda a: len(s.dom.text(a)), default=None)
    return None if target is None else click(target)


def _names(instruction: str, label: str) -> bool:
    """Whether `label` stands in `instruction` as a whole phrase ("Item 1" not in "Item 10")."""
    label = label.strip()
    return bool(label) and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", instruction) is not None


def _next_tab(s: TaskState) -> Action | None:
    """Click the tab after the active one (cycling), to look at the next panel."""
    tabs = s.dom.find("LI", cls="ui-tabs-tab")
    if not tabs:
        return None
    active = next((i for i, t in enumerate(tabs) if t.has_class("ui-tabs-active")), -1)
    return click(tabs[(active + 1) % len(tabs)])


@solves("click-tab-2", "click-tab-2-easy", "click-tab-2-medium", "click-tab-2-hard")
def click_tab_2(s: TaskState) -> Action | None:
    (label,) = quoted(s.instruction)[:1]
    target = s.dom.first("SPAN", cls="alink", text=label)  # hidden panels have no boxes
    if target is not None:
        return reveal(s.dom, target) or click(target)
    return _next_tab(s)


def _labelled_inputs(s: TaskState, tag: str) -> list[tuple[Node, str]]:
    """(input, label text) for each <label> wrapping an input of `tag`."""
    out = []
    for label in s.dom.find("LABEL"):
        box = s.dom.first(tag, within=label)
        if box is not None:
            out.append((box, s.dom.text(label).strip()))
    return out


def _submit(s: TaskState) -> Node | None:
    return s.dom.by_id("subbtn") or s.dom.first("BUTTON", text="Submit")


@solves("click-checkboxes", "click-checkboxes-large", "click-checkboxes-transfer")
def click_checkboxes(s: TaskState) -> Action | None:
    m = parse(r"Select (.*) and click Submit", s.instruction)
    wanted = set() if m.group(1) == "nothing" else set(m.group(1).split(", "))
    for box, label in _labelled_inputs(s, "INPUT_checkbox"):
        if bool(box.value) != (label in wanted):
            return reveal(s.dom, box) or click(box)
    submit = _submit(s)
    return None if submit is None else (reveal(s.dom, submit) or click(submit))


@solves("click-option")
def click_option(s: TaskState) -> Action | None:
    m = parse(r"Select (.*) and click Submit", s.instruction)
    for box, label in _labelled_inputs(s, "INPUT_radio"):
        if label == m.group(1) and not box.value:
            return reveal(s.dom, box) or click(box)
    submit = _submit(s)
    return None if submit is None else (reveal(s.dom, submit) or click(submit))


_WIDGET_TAGS = {
    "radio": "INPUT_radio",
    "checkbox": "INPUT_checkbox",
    "text": "INPUT_text",
    "textarea": "TEXTAREA",
    "button": "BUTTON",
}


@solves("click-widget")
def click_widget(s: TaskState) -> Action | None:
    (kind,) = quoted(s.instruction)[:1]
    for widget in s.dom.find("DIV", cls="widget"):
        if s.dom.first(_WIDGET_TAGS.get(kind, "?"), within=widget) is not None:
            return click(widget, dx=-widget.width / 2 + 8)  # the widget's control sits at its left
    return None


@solves("click-collapsible", "click-collapsible-nodelay")
def click_collapsible(s: TaskState) -> Action | None:
    if s.dom.first(cls="ui-accordion-content") is None:
        header = s.dom.first("H3", cls="ui-accordion-header")
        return None if header is None else click(header)
    submit = s.dom.by_id("subbtn")
    return None if submit is None else (reveal(s.dom, submit) or click(submit))


def accordion_moving(s: TaskState) -> bool:
    """True while a jQuery accordion panel slides open or shut (its content overflows it)."""
    for panel in s.dom.find(cls="ui-accordion-content"):
        if any(d.bottom > panel.bottom + 1 for d in s.dom.descendants(panel)):
            return True
    return False


@solves("click-collapsible-2", "click-collapsible-2-nodelay")
def click_collapsible_2(s: TaskState) -> Action | None:
    (label,) = quoted(s.instruction)[:1]
    if accordion_moving(s):
        return None
    target = s.dom.first("SPAN", cls="alink", text=label)
    if target is not None:
        return reveal(s.dom, target) or click(target)
    headers = s.dom.find("H3", cls="ui-accordion-header")
    if not headers:
        return None
    active = next(
        (i for i, h in enumerate(headers) if h.has_class("ui-accordion-header-active")), -1
    )
    header = headers[(active + 1) % len(headers)]
    return reveal(s.dom, header) or click(header)


@solves("focus-text")
def focus_text(s: TaskState) -> Action | None:
    box = s.dom.by_id("tt")
    return None if box is None else click(box)


@solves("focus-text-2")
def focus_text_2(s: TaskState) -> Action | None:
    m = parse(r"(\d)(?:st|nd|rd|th) input", s.instruction)
    box = s.dom.by_id(f"tt{m.group(1)}")
    return None if box is None else click(box)


@solves("identify-shape")
def identify_shape(s: TaskState) -> Action | None:
    svg = s.dom.by_id("area_svg")
    shape = None if svg is None else next(iter(s.dom.children(svg)), None)
    if shape is None:
        return None
    if shape.tag == "text":
        label = "Number" if (shape.text or "").strip().isdigit() else "Letter"
    else:
        label = {"rect": "Rectangle", "circle": "Circle", "polygon": "Triangle"}.get(shape.tag)
    target = s.dom.first("BUTTON", text=label) if label else None
    return None if target is None else click(target)


_COLOR_RGB = {
    "red": (255, 0, 0),
    "blue": (0, 0, 255),
    "olive": (128, 128, 0),
    "lime": (0, 255, 0),
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "purple": (128, 0, 128),
    "orange": (255, 165, 0),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "pink": (255, 192, 203),
    "magenta": (255, 0, 255),
}


def rgb_of(css: str) -> tuple[int, int, int] | None:
    """(r, g, b) of a computed CSS colour like 'rgb(1, 2, 3)'."""
    m = re.match(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", css)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


@solves("click-color")
def click_color(s: TaskState) -> Action | None:
    m = parse(r"Click on the (\w+) colored box", s.instruction)
    want = _COLOR_RGB[m.group(1).lower()]
    area = s.dom.by_id("area")
    if want is None or area is None:
        return None
    for box in s.dom.find("DIV", cls="color", within=area):
        if rgb_of(box.bg_color) == want:
            return click(box)
    return None


_HUES = {"red": 0.0, "green": 1 / 3, "blue": 2 / 3}


def hue_name(css: str) -> str | None:
    """The nearest of red/green/blue by hue for a computed CSS colour."""
    rgb = rgb_of(css)
    if rgb is None:
        return None
    h, _, _ = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    return min(_HUES, key=lambda n: min(abs(h - _HUES[n]), 1 - abs(h - _HUES[n])))


@solves("click-shades")
def click_shades(s: TaskState) -> Action | None:
    m = parse(r"shades of (\w+)", s.instruction)
    area = s.dom.by_id("area")
    if area is None:
        return None
    for shade in s.dom.find("SPAN", within=area):
        if (hue_name(shade.bg_color) == m.group(1)) != shade.has_class("selected"):
            return click(shade)
    submit = s.dom.by_id("submit")
    return None if submit is None else click(submit)
