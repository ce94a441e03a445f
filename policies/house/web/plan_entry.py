"""The plan policy's steps that fill and send a form: type into a field (found by its label,
kind or as the next empty one), submit, and search the page for a target that is not on
screen (wait, open closed branches, tabs and sections, scroll). A mixin of `PlanWebPolicy`.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.actions import Action, Click, Key, Scroll, Type, Wait
from perception.instructions.entry_frames import BY_LABEL
from perception.instructions.plan import ANSWER, Target
from perception.screen.parser import UIElement
from perception.screen.phrase_grounding import Match
from policies.house.web.field_suggestions import SUGGESTED, offered_pick, suggestion_pick
from policies.house.web.forms import form_step
from policies.house.web.framed import covered_by, framed_boxes, holds_words
from policies.house.web.marks import expand_boxes
from policies.house.web.page_cues import (
    affixes,
    grow,
    overlaps,
    same_words,
    submit_button,
    tab_strip,
)
from policies.house.web.pager import next_page_step
from policies.house.web.pixels import same_pixels
from policies.house.web.plan_relations import blank_field
from policies.house.web.plan_state import MAX_SEARCH, MAX_SETTLE, SETTLE_S, StepState
from policies.house.web.plan_targets import by_shape, split_tabs
from policies.house.web.popups import dismiss_step, popup_guard
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.submenus import submenu_hover
from policies.house.web.view import View

# A field named only by a kind that is usually its label too ("the password field").
LABEL_KINDS = {"password": "password", "date_field": "date"}
_DATE = re.compile(
    r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$|^\d{1,2}:\d{2}(:\d{2})?(\s*[ap]\.?m\.?)?$", re.I
)
MAX_EXPAND = 8  # expand boxes ("+") opened to find a missing target
FIELD_KINDS = ("text_input", "dropdown")  # parse kinds that are fields, not their labels


class EntrySteps:
    """Type, submit and search steps of the plan policy (mixed into `PlanWebPolicy`)."""

    def _type(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Focus the field (click), then type the value; the field must show the change."""
        step = state.step
        popup = popup_guard(self, view, state, notes)  # focusing the field opened a dialog
        if popup is not None:
            return popup
        form = form_step(self, view, state, notes)  # one sentence spread over a form's fields
        if form is not NOT_MINE:
            return form  # type: ignore[return-value]
        if step.condition == BY_LABEL:
            return self._fill_by_labels(view, state, notes)
        value = (step.value or "").replace("{answer}", self._answer)
        start, end = affixes(step.condition)
        if not value and start:
            value = start  # "an item that starts with X": type X, then pick a suggestion
        if state.phase in ("typed", "picked") and step.condition == SUGGESTED:
            return suggestion_pick(self, view, state, value, notes)  # "Boston" -> "Boston (BOS)"
        if state.phase in ("typed", "picked"):
            if start:
                return self._suggestion(view, state, start, end, notes)
            return offered_pick(view, state, value, notes)  # a completion list opened anyway
        if state.phase == "focused" and state.element is not None:
            state.phase = "typed"
            if self._copied and step.value == ANSWER:  # paste the very characters copied
                return Key("ctrl+v"), grow(state.element.box, view.parse), "change"
            if "--" in state.element.text and _DATE.match(value):
                # A space opens a segmented input's picker; a one-digit part ("1:49") waits for
                # a second digit, so each is padded ("01:49").
                value = re.sub(r"(?<!\d)(\d)(?!\d)", r"0\1", "".join(value.split()))
            return Type(value), grow(state.element.box, view.parse), "change"
        target = step.target or Target(kind="text_field")
        if not target.text and target.kind in LABEL_KINDS:
            target = Target(LABEL_KINDS[target.kind], target.kind, target.ordinal)
        hits = self._find(view, target, state)
        # A box too low to hold a line of text is no field (a detection on a table's rule), nor
        # one about as narrow as it is tall (a detection in a table's empty corner).
        hits = [m for m in hits if _holds_a_line(m.element.box)] or hits
        # A field this plan already filled is not the next one, nor one that shows text (a
        # table cell, a filled field) while an empty one is there, unless the target names it.
        if not (step.target and step.target.text):
            fresh = [m for m in hits if not any(overlaps(m.element.box, b) for b in self._filled)]
            empty = [m for m in fresh if not m.element.text.strip()]
            if not empty and target.ordinal is None:  # an outlined empty box the parse missed
                empty = self._empty_boxes(view)
            hits = empty or fresh or hits
        hits = by_shape(view, hits, target)
        hits = hits or blank_field(view, target, self.grounder, view.banner())  # a frameless field
        if target.text and hits and hits[0].element.kind not in FIELD_KINDS:
            hits = self._beside_label(view, target, state) + hits
        if not hits:
            return self._search(view, state, notes)
        best = hits[0]
        self._filled.append(best.element.box)
        notes["target"] = best.element.describe()
        state.element = best.element
        state.phase = "focused"
        x, y = best.element.center
        # Segmented date and time inputs type from the segment clicked: click the first.
        if _DATE.match(value):
            x = best.element.box[0] + max(4, (best.element.box[2] - best.element.box[0]) // 10)
        return Click(x, y), None, "none"

    def _beside_label(self, view: View, target: Target, state: StepState) -> list[Match]:
        """The blank rest of the line right of a label the target names, when the best match
        is that label's words and not a field: a field drawn with no frame ("to: ____" in a
        message form) is typed into there; a click on the label itself may focus nothing."""
        blank = blank_field(view, target, self.grounder, view.banner())
        return [
            m
            for m in blank
            if not state.was_tried(m.element) and not holds_words(view.frame, m.element.box)
        ]

    def _empty_boxes(self, view: View) -> list[Match]:
        """Outlined boxes below the banner that show no words and were not typed into."""
        top = view.banner_bottom()
        buttons = [e.box for e in view.content() if e.kind in ("button", "icon_button")]
        out = []
        for box in framed_boxes(view.frame, top):
            taken = any(overlaps(box, b) for b in self._filled) or covered_by(box, buttons)
            if not taken and not holds_words(view.frame, box):
                el = UIElement(-1, box, "text_input", "", True, 1.0)
                out.append(Match(el, 0.5, ("an empty outlined box",), el.center))
        return out

    def _submit(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Press the form's sending button (one reading as such), else Enter in the field."""
        if state.phase == "clicked":
            return None
        state.phase = "clicked"
        button = submit_button(view, state.tried)
        if button is not None:
            notes["target"] = button.describe()
            state.element = button
            return Click(*button.center), grow(button.box, view.parse), "change"
        return Key("Enter"), None, "none"

    def _search(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """The target is not on screen: open the next tab, or scroll; give up after a few."""
        notes["missing"] = state.step.to_dict()
        closed = dismiss_step(self, view, state, notes)  # a dialog popped up over the target
        if closed is not None:
            return closed
        hover = submenu_hover(view, state, notes)  # a submenu that opens on hover may hold it
        if hover is not None:
            return hover
        # A "more" menu opened for the target and drawn without it: the rest of it is below.
        opened = state.memo.get("revealed_from")
        drawn = opened is not None and not same_pixels(opened, view.frame)
        if state.settles < MAX_SETTLE and not drawn:
            state.settles += 1
            return Wait(SETTLE_S), None, "none"
        boxes = expand_boxes(
            view.frame,
            max((e.box[3] for e in [view.parse.get(i) for i in view.banner()]), default=0),
        )
        if boxes and state.expanded < MAX_EXPAND:  # a closed branch of a tree may hold it
            state.expanded += 1
            x0, y0, x1, y1 = boxes[0]
            notes["expand"] = boxes[0]
            return Click((x0 + x1) // 2, (y0 + y1) // 2), None, "none"
        turned = next_page_step(view, state, notes)  # a paged list: the next page first
        if turned is not None:
            return turned
        moved = _page_moved(view, state)  # None before the step's first scroll
        scrolls = state.memo.get("scrolls", 0)
        if state.search >= MAX_SEARCH and not (moved and scrolls < MAX_SCROLLS):
            notes["gave_up"] = state.step.to_dict()
            return None
        state.search += 1
        if not state.strip:  # found once: an opened tab may redraw unlike the others
            state.strip = [e.box for e in split_tabs(view.frame, tab_strip(view))]
        tabs = [b for b in state.strip if not any(overlaps(b, o) for o in state.opened)]
        if tabs:
            state.opened.append(tabs[0])
            state.tried.clear()  # another tab's page: what failed here says nothing there
            state.failures = 0
            x0, y0, x1, y1 = tabs[0]
            return Click((x0 + x1) // 2, (y0 + y1) // 2), None, "none"
        headers = [e for e in view.content() if e.kind == "tab" and e.text]
        closed = [e for e in headers if not any(same_words(e.text, t) for t in state.opened_texts)]
        if not state.strip and len(headers) >= 2 and closed:
            # Stacked section headers (an accordion): open each in turn, known by its words
            # since the headers below an opened section move down.
            state.opened_texts.append(closed[0].text)
            state.tried.clear()
            state.failures = 0
            return Click(*closed[0].center), None, "none"
        if moved is False and not state.memo.get("scroll_settled"):
            state.memo["scroll_settled"] = True  # a smooth scroll may not have drawn yet
            return Wait(SETTLE_S), None, "none"
        if moved is False:  # the last scroll did not move the page: nothing more below
            notes["gave_up"] = state.step.to_dict()
            return None
        state.memo["scroll_settled"] = False
        # A few notches at a time: a target cut at the frame's bottom edge must not be
        # scrolled past the top edge in one go.
        state.memo["scrolls"] = scrolls + 1
        state.memo["scrolled_from"] = view.frame.copy()
        h, w = view.parse.height, view.parse.width
        return Scroll(0, SEARCH_NOTCHES, w // 2, h // 2), None, "none"


def _page_moved(view: View, state: StepState) -> bool | None:
    """Whether the frame changed since the step's last search scroll (None before one)."""
    last = state.memo.get("scrolled_from")
    if last is None:
        return None
    return not same_pixels(last, view.frame)


MIN_FIELD_H = 10  # pixels (canonical frame): a field holds a line of text at least this tall
MIN_FIELD_SHAPE = 1.5  # width over height: a field is wider than a few letters are tall


def _holds_a_line(box: tuple[int, int, int, int]) -> bool:
    """Whether a box is tall and wide enough to be a field to type a line into."""
    w, h = box[2] - box[0], box[3] - box[1]
    return h >= MIN_FIELD_H and w >= MIN_FIELD_SHAPE * h


SEARCH_NOTCHES = 2  # wheel notches a search scrolls at a time (50-100 px each)
MAX_SCROLLS = 6  # search scrolls while the page keeps moving
