"""MiniWoB solvers for form tasks: typing text, dates and times, native selects, spinners.

Fields are filled by `fill` (focus, select-all, type), which repairs a wrong value on the next
step. Native <select> elements show neither their options nor their choice in the DOM, so
those solvers keep their progress in the episode memo and drive the select by keyboard.
"""

from __future__ import annotations

import re

from contracts.actions import Action, Key, Type
from policies.experts.miniwob_dom import (
    Node,
    Solver,
    TaskState,
    click,
    fill_then,
    parse,
    quoted,
    registrar,
    reveal,
)

FORM_SOLVERS: dict[str, Solver] = {}
solves = registrar(FORM_SOLVERS)


@solves("enter-text", "enter-text-dynamic")
def enter_text(s: TaskState) -> Action | None:
    (text,) = quoted(s.instruction)[:1]
    return fill_then(s, [(s.dom.by_id("tt"), text)], s.dom.by_id("subbtn"))


@solves("enter-text-2")
def enter_text_2(s: TaskState) -> Action | None:
    (text,) = quoted(s.instruction)[:1]
    text = text.upper() if "upper case" in s.instruction else text.lower()
    return fill_then(s, [(s.dom.by_id("tt"), text)], s.dom.by_id("subbtn"))


@solves("enter-password")
def enter_password(s: TaskState) -> Action | None:
    (pw,) = quoted(s.instruction)[:1]
    boxes = [(s.dom.by_id("password"), pw), (s.dom.by_id("verify"), pw)]
    return fill_then(s, boxes, s.dom.by_id("subbtn"))


@solves("login-user", "login-user-popup")
def login_user(s: TaskState) -> Action | None:
    user, pw = quoted(s.instruction)[:2]
    cancel = s.dom.by_id("popup-cancel")  # the popup disables the form until dismissed
    if cancel is not None:
        return click(cancel)
    boxes = [(s.dom.by_id("username"), user), (s.dom.by_id("password"), pw)]
    return fill_then(s, boxes, s.dom.by_id("subbtn"))


@solves("find-word")
def find_word(s: TaskState) -> Action | None:
    m = parse(r"(\d+)(?:st|nd|rd|th) word", s.instruction)
    para = s.dom.first("P")
    if para is None:
        return None
    words = s.dom.text(para).split()
    word = re.sub(r"[^a-zA-Z]", "", words[int(m.group(1)) - 1])
    return fill_then(s, [(s.dom.by_id("answer-input"), word)], s.dom.by_id("subbtn"))


@solves("read-table")
def read_table(s: TaskState) -> Action | None:
    m = parse(r"Enter the value of (.+?) into the text field", s.instruction)
    cells = s.dom.find("TD")
    value = next(
        (cells[i + 1].text for i, c in enumerate(cells[:-1]) if c.text == m.group(1)), None
    )
    if value is None:
        return None
    return fill_then(s, [(s.dom.by_id("tt"), value)], s.dom.by_id("subbtn"))


@solves("read-table-2")
def read_table_2(s: TaskState) -> Action | None:
    cells = s.dom.find("TD")
    table = {c.text: cells[i + 1].text for i, c in enumerate(cells[:-1]) if i % 2 == 0}
    pairs: list[tuple[Node | None, str]] = []
    for n in (1, 2):
        label = s.dom.by_id(f"ll{n}")
        value = table.get((label.text or "").rstrip(":")) if label else None
        if value is None:
            return None
        pairs.append((s.dom.by_id(f"tt{n}"), value))
    return fill_then(s, pairs, s.dom.by_id("subbtn"))


@solves("copy-paste")
def copy_paste(s: TaskState) -> Action | None:
    source = s.dom.by_id("to-copy")
    if source is None:
        return None
    return fill_then(s, [(s.dom.by_id("answer-input"), str(source.value))], s.dom.by_id("subbtn"))


@solves("odd-or-even")
def odd_or_even(s: TaskState) -> Action | None:
    for row in s.dom.find("DIV", cls="row"):
        shown = s.dom.first(cls="display-number", within=row)
        if shown is None or not re.fullmatch(r"-?\d+", s.dom.text(shown).strip()):
            return None
        want = "odd" if int(s.dom.text(shown)) % 2 else "even"
        button = s.dom.first("BUTTON", cls=want, within=row)
        if button is not None and not button.has_class("selected"):
            return click(button)
    submit = s.dom.by_id("submit")
    return None if submit is None else click(submit)


@solves("use-spinner")
def use_spinner(s: TaskState) -> Action | None:
    m = parse(r"Select (-?\d+) with the spinner", s.instruction)
    box = s.dom.by_id("spinner")
    if box is None:
        return None
    value, goal = int(box.value or 0), int(m.group(1))
    if value == goal:
        submit = s.dom.by_id("subbtn")
        return None if submit is None else click(submit)
    arrow = s.dom.first("A", cls="ui-spinner-up" if goal > value else "ui-spinner-down")
    return None if arrow is None else click(arrow)


@solves("simple-arithmetic")
def simple_arithmetic(s: TaskState) -> Action | None:
    problem = s.dom.by_id("math-problem")
    m = re.match(r"\s*(-?\d+)\s*([-+x])\s*(-?\d+)", (problem.text or "") if problem else "")
    if m is None:
        return None  # the problem is drawn with the episode
    a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
    answer = a + b if op == "+" else a - b if op == "-" else a * b
    return fill_then(s, [(s.dom.by_id("math-answer"), str(answer))], s.dom.by_id("subbtn"))


@solves("enter-date")
def enter_date(s: TaskState) -> Action | None:
    m = parse(r"(\d\d)/(\d\d)/(\d{4})", s.instruction)
    box, submit = s.dom.by_id("tt"), s.dom.by_id("subbtn")
    if box is None or submit is None:
        return None
    month, day, year = m.groups()
    if box.value == f"{year}-{month}-{day}":
        return click(submit)
    # Typing MMDDYYYY fills a date input from its month field, which sits at its left edge.
    month_field = click(box, dx=-box.width / 2 + 8)
    return Type(f"{month}{day}{year}") if box.focused and s.last == month_field else month_field


@solves("enter-time")
def enter_time(s: TaskState) -> Action | None:
    m = parse(r"(\d+):(\d\d)\s*([AP])M", s.instruction)
    box, submit = s.dom.by_id("tt"), s.dom.by_id("subbtn")
    if box is None or submit is None:
        return None
    hour, minute, half = int(m.group(1)), m.group(2), m.group(3)
    hour24 = hour % 12 + (12 if half == "P" else 0)
    if box.value == f"{hour24:02d}:{minute}":
        return click(submit)
    hour_field = click(box, dx=-box.width / 2 + 8)  # a time input types from its hour field
    if box.focused and s.last == hour_field:
        return Type(f"{hour:02d}{minute}{half}")
    return hour_field


# ------------------------------------------------------------------ lists and selects
@solves("choose-list")
def choose_list(s: TaskState) -> Action | None:
    m = parse(r"Select (.*) from the list and click Submit", s.instruction)
    select, submit = s.dom.first("SELECT"), s.dom.first("BUTTON", text="Submit")
    if select is None or submit is None:
        return None
    # A closed <select> shows no options in the DOM, so the memo tracks how far the choice got.
    stage = s.memo.get("select_stage", 0)
    if stage == 0:
        if not select.focused:
            return click(select)
        return _advance(s, "select_stage", Type(m.group(1)))  # type-ahead picks the option
    if stage == 1:
        return _advance(s, "select_stage", Key("Enter"))
    return click(submit)


def _advance(s: TaskState, key: str, action: Action) -> Action:
    s.memo[key] = s.memo.get(key, 0) + 1
    return action


@solves("click-scroll-list")
def click_scroll_list(s: TaskState) -> Action | None:
    m = parse(r"Select (.*) from the scroll list and click Submit", s.instruction)
    select, submit = s.dom.first("SELECT"), s.dom.first("BUTTON", text="Submit")
    if select is None or submit is None:
        return None
    listed = f", {m.group(1)}, "
    options = s.dom.find("OPTION", within=select)
    wanted = [i for i, o in enumerate(options) if f", {o.text}, " in listed]
    if not wanted:
        return None
    # Option selection is not in the DOM: the memo keeps the keyboard cursor and the picks made.
    # The first pick is a plain click; the rest move the cursor with ctrl+arrows (which leaves
    # the selection alone) and toggle with ctrl+space.
    picked, cursor = s.memo.get("picked", 0), s.memo.get("cursor")
    if picked == 0:
        first = options[wanted[0]]
        scroll = reveal(s.dom, first, select)
        if scroll is not None:
            return scroll
        s.memo.update(picked=1, cursor=wanted[0])
        return click(first)
    if picked < len(wanted):
        goal = wanted[picked]
        if cursor == goal:
            s.memo["picked"] = picked + 1
            return Key("ctrl+space")
        s.memo["cursor"] = cursor + (1 if goal > cursor else -1)
        return Key("ctrl+ArrowDown" if goal > cursor else "ctrl+ArrowUp")
    return reveal(s.dom, submit) or click(submit)
