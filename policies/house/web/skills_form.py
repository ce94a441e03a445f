"""Skills for form instructions: type into fields, log in, pick dates and list items, search.

Each skill turns the instruction into a short script (click a field, type, press a button) and
walks it one action per step. Fields are found from pixels (`pixels_form`: a browser draws a
text field as a white box in a thin grey frame, exactly), labels and buttons by OCR text with
the framed grey boxes as a fallback, so a missed or mislabelled detection does not stop a form.
The contract is in policies/house/web/skill.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from contracts.actions import Action, Click, Key, Type, Wait
from perception.screen.parser import UIElement, norm_text
from policies.house.web import pixels_form
from policies.house.web.view import View

Box = tuple[int, int, int, int]
Move = Callable[[View], Action | None]  # one step of a script; None: its target is not on screen
FieldPick = Callable[[View, list[Box]], Box | None]  # which of the page's fields a move means

_FINAL_BUTTON = re.compile(
    r"(?:press|click|hit)\s+(?:the\s+)?\"?([\w ]+?)\"?(?:\s+button)?\s*\.?\s*$", re.I
)
_ORDINAL = r"(\d+)(?:st|nd|rd|th)"
MONTH_DX = 0.4  # a date box's month segment lies this many box heights in from its left edge


def final_button(instruction: str, default: str | None = "Submit") -> str | None:
    """The button an instruction ends with ("... and press Submit." -> "Submit")."""
    m = _FINAL_BUTTON.search(instruction)
    return m.group(1).strip() if m else default


def center(box: Box) -> tuple[int, int]:
    """The middle pixel of a box."""
    return (box[0] + box[2]) // 2, (box[1] + box[3]) // 2


def fields(view: View) -> list[Box]:
    """Text fields on screen, top to bottom: white framed boxes, else the parser's text inputs."""
    boxes = pixels_form.text_fields(view.frame)
    if boxes:
        return boxes
    inputs = [e for e in view.content() if e.kind == "text_input" and not e.text]
    return [e.box for e in sorted(inputs, key=lambda e: (e.box[1], e.box[0]))]


def _inside(point: tuple[int, int], box: Box, pad: int = 0) -> bool:
    x, y = point
    return box[0] - pad <= x < box[2] + pad and box[1] - pad <= y < box[3] + pad


def text_hits(view: View, label: str) -> list[UIElement]:
    """Elements outside the banner whose OCR text reads `label` (exact, merged or garbled),
    best first; a form's labels and buttons repeat their words, so no meaning match is needed."""
    return [e for e in view.parse.find(label, None, 10) if not view.in_banner(e)]


def button_point(view: View, label: str, below: int = 0) -> tuple[int, int] | None:
    """Where to click the button called `label`: its framed box when OCR finds the text on one,
    else the text itself, else the first grey framed box below row `below`."""
    greys = [b.box for b in pixels_form.framed_boxes(view.frame) if b.fill == "grey"]
    for el in text_hits(view, label):
        spot = el.point_of(label)
        for box in greys:
            if _inside(spot, box, pad=2):
                return center(box)
    hits = [e for e in text_hits(view, label) if e.box[1] >= below - 2]
    if hits:
        return hits[0].point_of(label)
    lower = [b for b in greys if b[1] >= below]
    if lower:
        return center(lower[0])
    return None


def field_near_label(view: View, label: str, boxes: list[Box]) -> Box | None:
    """The field a label names: the nearest field right of it on its row, or below it."""
    hits = [e for e in text_hits(view, label) if norm_text(label) in norm_text(e.text)]
    if not hits:
        return None
    el: UIElement = hits[0]
    lx, ly = el.point_of(label)
    best, best_cost = None, 1e9
    for box in boxes:
        cy = center(box)[1]
        if box[1] <= ly <= box[3] and box[0] >= lx:  # same row, to the right
            cost = box[0] - lx
        elif cy > ly:  # below
            cost = (box[1] - ly) + 0.25 * abs(box[0] - el.box[0])
        else:
            continue
        if cost < best_cost:
            best, best_cost = box, cost
    return best


class _Script:
    """A skill as a queue of moves; each move is a function of the view that returns an action."""

    name = "form"

    def __init__(self) -> None:
        self.stage = 0
        self.plan: list[Move] = []
        self.boxes: list[Box] | None = None

    def remember_fields(self, view: View) -> list[Box]:
        """The page's fields as first seen (a focus ring later redraws their frames)."""
        if not self.boxes:
            self.boxes = fields(view)
        return self.boxes

    def act(self, view: View) -> Action:
        """Run the current move; stay on it (waiting) while its target is not on screen."""
        if not self.plan:
            self.plan = self.build(view)
        if self.stage >= len(self.plan):
            view.notes["form"] = "script finished"
            return Wait(0.2)
        move = self.plan[self.stage]
        action = move(view)
        if action is None:
            view.notes["form"] = f"stage {self.stage}: target not found"
            return Wait(0.2)
        self.stage += 1
        view.notes["form"] = f"stage {self.stage}/{len(self.plan)}"
        return action

    @property
    def finished(self) -> bool:
        """Every move of the script has been made."""
        return bool(self.plan) and self.stage >= len(self.plan)

    def build(self, view: View) -> list[Move]:
        """The moves of this episode (built at the first step, when the page is untouched)."""
        raise NotImplementedError

    # moves -----------------------------------------------------------------------------------
    def click_field(self, pick: FieldPick, dx: float | None = None) -> Move:
        """A move that clicks the field `pick(view, fields)` chooses: in its middle, or `dx` box
        heights in from its left edge (a height scales with the page where pixels do not)."""

        def move(view: View) -> Action | None:
            box = pick(view, self.remember_fields(view))
            if box is None:
                return None
            x, y = center(box)
            return Click(box[0] + round(dx * (box[3] - box[1])) if dx is not None else x, y)

        return move

    def press(self, label: str) -> Move:
        """A move that clicks the button called `label` (below the last field)."""

        def move(view: View) -> Action | None:
            boxes = self.remember_fields(view)
            below = max((b[3] for b in boxes), default=0)
            point = button_point(view, label, below)
            return Click(*point) if point else None

        return move

    @staticmethod
    def emit(action: Action) -> Move:
        """A move that always returns `action`."""
        return lambda view: action


def _nth(n: int) -> FieldPick:
    """A field picker: the n-th field from the top (1-based)."""
    return lambda view, boxes: boxes[n - 1] if len(boxes) >= n else None


class EnterTextSkill(_Script):
    """'Enter "X" into the text field and press Submit.': click the field, type, press."""

    name = "form.enter_text"
    pattern = re.compile(
        r"^(?:enter|type)\s+\"(.*)\"\s+(?:into|in)\s+the\s+(?:text\s*)?(?:field|box|input)", re.I
    )

    def __init__(self, text: str, button: str | None) -> None:
        super().__init__()
        self.text, self.button = text, button

    @classmethod
    def match(cls, instruction: str) -> EnterTextSkill | None:
        m = cls.pattern.search(instruction)
        return cls(m.group(1), final_button(instruction, None)) if m else None

    def build(self, view: View) -> list[Move]:
        moves = [self.click_field(_nth(1)), self.emit(Type(self.text))]
        return moves + [self.press(self.button)] if self.button else moves


class PasswordSkill(_Script):
    """'Enter the password "X" into both text fields and press submit.': type X in each field."""

    name = "form.password"
    pattern = re.compile(r"password\s+\"(.*?)\"\s+into\s+(?:both|all|the)\b", re.I)

    def __init__(self, text: str, button: str) -> None:
        super().__init__()
        self.text, self.button = text, button

    @classmethod
    def match(cls, instruction: str) -> PasswordSkill | None:
        if re.search(r"username", instruction, re.I):
            return None
        m = cls.pattern.search(instruction)
        return cls(m.group(1), final_button(instruction)) if m else None

    def build(self, view: View) -> list[Move]:
        plan: list[Move] = []
        for n in range(1, max(1, len(self.remember_fields(view))) + 1):
            plan += [self.click_field(_nth(n)), self.emit(Type(self.text))]
        return [*plan, self.press(self.button)]


class LoginSkill(_Script):
    """'Enter the username "u" and the password "p" ... press login.': fields found by label."""

    name = "form.login"
    pattern = re.compile(r"username\s+\"(.*?)\"\s+and\s+(?:the\s+)?password\s+\"(.*?)\"", re.I)

    def __init__(self, user: str, password: str, button: str) -> None:
        super().__init__()
        self.user, self.password, self.button = user, password, button

    @classmethod
    def match(cls, instruction: str) -> LoginSkill | None:
        m = cls.pattern.search(instruction)
        return cls(m.group(1), m.group(2), final_button(instruction, "Login")) if m else None

    def build(self, view: View) -> list[Move]:
        def by_label(label: str, n: int) -> FieldPick:
            def pick(v: View, boxes: list[Box]) -> Box | None:
                return field_near_label(v, label, boxes) or _nth(n)(v, boxes)

            return pick

        return [
            self.click_field(by_label("Username", 1)),
            self.emit(Type(self.user)),
            self.click_field(by_label("Password", 2)),
            self.emit(Type(self.password)),
            self.press(self.button),
        ]


class DateSkill(_Script):
    """'Enter 06/20/2014 as the date and hit submit.': click the month part, type the digits."""

    name = "form.date"
    pattern = re.compile(r"enter\s+(\d{1,2})/(\d{1,2})/(\d{4})\s+as\s+the\s+date", re.I)

    def __init__(self, month: str, day: str, year: str, button: str) -> None:
        super().__init__()
        self.digits = f"{int(month):02d}{int(day):02d}{year}"
        self.button = button

    @classmethod
    def match(cls, instruction: str) -> DateSkill | None:
        m = cls.pattern.search(instruction)
        return cls(*m.groups(), final_button(instruction)) if m else None

    def build(self, view: View) -> list[Move]:
        # A date box is mm/dd/yyyy segments: a click near its left edge focuses the month, and
        # typed digits move on to the next segment by themselves.
        return [
            self.click_field(_nth(1), dx=MONTH_DX),
            self.emit(Type(self.digits)),
            self.press(self.button),
        ]


class FocusSkill(_Script):
    """'Focus into the 2nd input textbox.' (or 'the textbox'): click that field."""

    name = "form.focus"
    pattern = re.compile(rf"^focus\s+into\s+the\s+(?:{_ORDINAL}\s+)?(?:input\s+)?text\s*box", re.I)

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    @classmethod
    def match(cls, instruction: str) -> FocusSkill | None:
        m = cls.pattern.search(instruction)
        return cls(int(m.group(1) or 1)) if m else None

    def build(self, view: View) -> list[Move]:
        return [self.click_field(_nth(self.n))]


class ChooseListSkill(_Script):
    """'Select X from the list and click Submit.': focus the select, type X (the browser picks
    the option that starts so), Enter to close the popup, then press the button."""

    name = "form.choose_list"
    pattern = re.compile(r"^select\s+(.+?)\s+from\s+the\s+(?:drop-?down\s+)?list\b", re.I)

    def __init__(self, option: str, button: str) -> None:
        super().__init__()
        self.option, self.button = option, button

    @classmethod
    def match(cls, instruction: str) -> ChooseListSkill | None:
        m = cls.pattern.search(instruction)
        return cls(m.group(1).strip("\"'"), final_button(instruction)) if m else None

    def build(self, view: View) -> list[Move]:
        def pick(v: View, boxes: list[Box]) -> Box | None:
            if boxes:
                return boxes[0]
            drops = [e for e in v.content() if e.kind in ("dropdown", "text_input")]
            return drops[0].box if drops else None

        return [
            self.click_field(pick),
            self.emit(Type(self.option)),
            self.emit(Key("enter")),
            self.press(self.button),
        ]


def field_text(view: View, box: Box) -> str:
    """What OCR reads inside a field (the parsed element whose middle lies in `box`)."""
    inside = [e for e in view.parse.elements if _inside(e.center, box) and e.text]
    return inside[0].text if inside else ""


def ends_score(text: str, suffix: str | None) -> float:
    """How well `text` ends with `suffix`, 0-1 (1: exactly; below 1 when OCR garbled a letter);
    with no suffix wanted, any text matches."""
    import difflib

    if suffix is None:
        return 1.0
    have, want = norm_text(text), norm_text(suffix)
    if not have or not want:
        return 0.0
    if have.endswith(want):
        return 1.0
    return difflib.SequenceMatcher(None, have[-len(want) :], want).ratio() * 0.98


class AutocompleteSkill(_Script):
    """'Enter an item that starts with "Isl" [and ends with "nd"].': type the start, then step
    through the suggestions with the Down key until the field reads the wanted ending; Enter
    takes the suggestion and closes the menu, which may cover the Submit button."""

    name = "form.autocomplete"
    pattern = re.compile(
        r"enter\s+an\s+item\s+that\s+starts\s+with\s+\"(.+?)\"(?:\s+and\s+ends\s+with\s+\"(.+?)\")?",
        re.I,
    )
    max_downs = 12  # a menu running off the page has no known length: read this many at most

    def __init__(self, start: str, end: str | None, button: str) -> None:
        super().__init__()
        self.start, self.end, self.button = start, end, button
        self.downs = 0
        self.count: int | None = None  # suggestions shown (Down presses before wrapping)
        self.best = (-1.0, 1)  # (score, downs) of the closest reading so far
        self.returning = False  # every suggestion was read: going back Up to the best

    @classmethod
    def match(cls, instruction: str) -> AutocompleteSkill | None:
        m = cls.pattern.search(instruction)
        return cls(m.group(1), m.group(2), final_button(instruction)) if m else None

    def build(self, view: View) -> list[Move]:
        return [
            self.click_field(_nth(1)),
            self.emit(Type(self.start)),
            self.emit(Wait(0.4)),  # the menu opens after the widget's typing delay
            self.choose,
            self.press(self.button),
        ]

    def choose(self, view: View) -> Action | None:
        """Down through the suggestions until one reads with the wanted ending, then Enter; if
        none does, go back Up to the closest reading."""
        boxes = self.remember_fields(view)
        if not boxes:
            return None
        if self.count is None:  # the menu as first shown, before any row is highlighted
            rows = pixels_form.menu_rows(view.frame, boxes[0])
            self.count = len(rows) if rows else self.max_downs
        if self.downs and not self.returning:
            score = max(ends_score(t, self.end) for t in self.readings(view, boxes[0]))
            view.notes["score"] = round(score, 2)
            if score >= 1.0 or (score >= 0.75 and len(self.end or "") >= 3):
                return Key("enter")
            if pixels_form.text_clipped(view.frame, boxes[0]):
                score = max(score, 0.9)  # its ending is cut off: the likeliest of the rest
            if score > self.best[0]:
                self.best = (score, self.downs)
            self.returning = self.downs >= self.count
        if self.returning:
            if self.downs <= self.best[1]:
                return Key("enter")
            self.downs -= 1
            self.stage -= 1  # stay on this move
            return Key("up")
        self.downs += 1
        self.stage -= 1
        return Key("down")

    def readings(self, view: View, box: Box) -> list[str]:
        """What the field shows now, and the text of any suggestion row level with a highlight."""
        out = [field_text(view, box)]
        blue = pixels_form.blue_mask(view.frame)
        rows = np.flatnonzero(blue[box[3] :, box[0] : box[2]].mean(axis=1) > 0.5)
        if len(rows):
            y0, y1 = box[3] + int(rows[0]), box[3] + int(rows[-1]) + 1
            out += [e.text for e in view.content() if y0 <= e.center[1] < y1 and e.text]
        view.notes["field"] = out
        return out


class SearchSkill(_Script):
    """'Use the textbox to enter "X" and press "Search", then find and click the 5th search
    result.': search, go right page by page with the '>' link (three results a page), click."""

    name = "form.search"
    pattern = re.compile(
        rf"enter\s+\"(.+?)\"\s+and\s+press\s+\"?([\w ]+?)\"?,?\s+then\s+find\s+and\s+"
        rf"click\s+the\s+{_ORDINAL}\s+search\s+result",
        re.I,
    )
    per_page = 3

    def __init__(self, term: str, button: str, n: int) -> None:
        super().__init__()
        self.term, self.button, self.n = term, button, n

    @classmethod
    def match(cls, instruction: str) -> SearchSkill | None:
        m = cls.pattern.search(instruction)
        return cls(m.group(1), m.group(2), int(m.group(3))) if m else None

    def build(self, view: View) -> list[Move]:
        pages = (self.n - 1) // self.per_page
        return [
            self.click_field(_nth(1)),
            self.emit(Type(self.term)),
            self.press(self.button),
            *[self.next_page] * pages,
            self.result,
        ]

    def _results_top(self, view: View) -> int:
        greys = [b.box for b in pixels_form.framed_boxes(view.frame) if b.fill == "grey"]
        return max((b[3] for b in greys), default=pixels_form.banner_bottom(view.frame))

    def next_page(self, view: View) -> Action | None:
        """Click '>' : the rightmost blue link on the lowest row of links right of the titles."""
        blue = pixels_form.blue_mask(view.frame)
        top, left = self._results_top(view), view.frame.shape[1] // 4
        blue[:top, :] = False
        blue[:, :left] = False
        bands = pixels_form.row_bands(blue.any(axis=1).nonzero()[0])
        bands = [b for b in bands if b[1] - b[0] >= 5]
        if not bands:
            return None
        groups = pixels_form.glyph_groups(view.frame, bands[-1], min_x=left)
        return Click(*center(groups[-1])) if groups else None

    def result(self, view: View) -> Action | None:
        """Click the title of this page's wanted result."""
        lines = pixels_form.link_lines(view.frame, self._results_top(view))
        k = (self.n - 1) % self.per_page
        view.notes["results"] = len(lines)
        if len(lines) <= k:
            return None
        x0, y0, x1, y1 = lines[k]
        return Click(min(x0 + 8, (x0 + x1) // 2), (y0 + y1) // 2)


SKILLS: list = [
    LoginSkill,
    PasswordSkill,
    DateSkill,
    EnterTextSkill,
    FocusSkill,
    ChooseListSkill,
    AutocompleteSkill,
    SearchSkill,
]
