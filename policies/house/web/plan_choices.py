"""The plan policy's steps that pick from a list: a suggestion after a typed prefix, an option
of a dropdown or a (multi-select) list box. A mixin of `PlanWebPolicy` (it keeps the episode's
picks).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from contracts.actions import Action, Click, Key, Scroll, Type, Wait
from perception.instructions.plan import Step, Target
from perception.screen.parser import UIElement
from perception.screen.phrase_grounding import Match, text_score
from policies.house.web.date_fields import date_field_step
from policies.house.web.date_picker import Calendar, find_calendar, months_apart, parse_date
from policies.house.web.drawn_lists import drawn_list_check, drawn_list_step, list_lines
from policies.house.web.framed import Box, covered_by, framed_boxes, holds_words
from policies.house.web.page_cues import (
    grow,
    joined_pieces,
    overlaps,
    split_lines,
    unread_labels,
)
from policies.house.web.pixels import same_pixels, text_height
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

if TYPE_CHECKING:
    from policies.house.web.plan_state import StepState

MAX_TURNS = 36  # months a date picker is turned to find a date
LIST_SCROLLS = (8, 16)  # notches down, then up, a list is scrolled to find an option
SUGGESTION_WAITS = 5  # waits of 0.3 s for suggestions under a typed prefix to show
MAX_REREADS = 8  # suggestion rows read again across their field


def _item_words(text: str) -> str:
    """A suggestion's words as compared with a prefix and an ending: lower case, without the
    dots or commas OCR reads after its last letter ("Italy.." ends with "ly")."""
    return text.strip().lower().rstrip(" .,;:…")


class ChoiceSteps:
    """Select and suggestion steps of the plan policy (mixed into `PlanWebPolicy`)."""

    def _suggestion(
        self, view: View, state: StepState, start: str, end: str, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """After typing a prefix: click the suggestion that starts and ends as asked."""
        if state.phase == "picked":
            return None
        field_box = state.element.box if state.element is not None else None
        items = [
            e
            for e in view.content()
            if e.text.strip() and (field_box is None or not overlaps(e.box, field_box))
        ]
        start, end = start.lower(), end.lower()
        readings = []  # (element, its words, wrapped): each line alone before any wrapped pair
        for e in items:
            text = _item_words(e.text)
            readings.append((e, text, False))
            # A long suggestion wraps: its next line sits right under it, aligned left; a line
            # that starts with the typed prefix is an item of its own (every item does).
            h = e.box[3] - e.box[1]
            under = [
                _item_words(o.text)
                for o in items
                if -0.5 * h <= o.box[1] - e.box[3] + 2 <= 0.5 * h  # boxes may overlap a little
                and o.box[1] > e.center[1]
                and abs(o.box[0] - e.box[0]) <= h
                and not _item_words(o.text).startswith(start)
            ]
            readings += [(e, f"{text} {u}", True) for u in under[:1]]
        for e, whole, _ in sorted(readings, key=lambda r: r[2]):
            # the typed prefix itself is the item only on a row under the field, not an echo
            below = field_box is not None and e.box[1] >= field_box[3] - 2
            if whole.startswith(start) and whole.endswith(end) and (whole != start or below):
                notes["target"] = e.describe()
                state.phase = "picked"
                return Click(*e.center), grow(e.box, view.parse), "change"
        reread = self._suggestion_reread(view, items, field_box, start, end)
        if reread is not None:  # the parse cut a letter off the item ("abon" for "Gabon")
            notes["target"] = f"{reread.describe()} read again across the field"
            state.phase = "picked"
            return Click(*reread.center), grow(reread.box, view.parse), "change"
        if state.waits >= SUGGESTION_WAITS:
            return None
        state.waits += 1
        return Wait(0.3), None, "none"  # the list may still be coming (late under load)

    def _suggestion_reread(
        self, view: View, items: list[UIElement], field: Box | None, start: str, end: str
    ) -> UIElement | None:
        """The item under the field whose row, read again across the field's width (the list
        is as wide as its field), starts and ends as asked."""
        reader = getattr(self.parser, "reader", None)
        if reader is None or field is None:
            return None
        rows: list[UIElement] = []
        for e in sorted(items, key=lambda e: e.box[1]):
            below = e.box[1] >= field[3] - 2 and field[0] <= e.center[0] < field[2]
            if below and not any(overlaps(e.box, r.box) for r in rows):
                rows.append(e)
        rows = rows[:MAX_REREADS]
        bands = [(field[0], e.box[1], field[2], e.box[3]) for e in rows]
        texts = reader.read(view.text_frame, [(b, "text") for b in bands]) if bands else []
        for e, (text, _) in zip(rows, texts, strict=True):
            whole = _item_words(text)
            if whole.startswith(start) and whole.endswith(end):  # rows under the field only
                return e
        return None

    def _select(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Choose `value`: click it where it shows as an option, else open the list and type it
        (a native select takes typed letters even when its popup is not drawn)."""
        step = state.step
        if step.target is not None and step.target.kind in ("slider", "spinner"):
            return self._click(view, state, notes)  # a number set by moves (number_controls)
        value = (step.value or "").replace("{answer}", self._answer)
        if state.phase in ("chosen", "typed"):
            if state.phase == "typed":
                state.phase = "chosen"
                state.memo["entered"] = True
                return Key("Enter"), None, "none"
            if state.memo.pop("entered", False) and self._list_open(view, state):
                # Enter on a list the typing had already closed (a scroll closes a browser's
                # own list) opens it again over what is below: close it, keeping the choice
                return Key("Escape"), None, "none"
            return None
        if state.phase == "drawn":  # the list's box must show the option clicked
            if drawn_list_check(view, state, value, getattr(self.parser, "reader", None)) is None:
                return None
            state.phase = "start"  # the click did not take (a browser's own list): type
        field = date_field_step(self, view, state, notes)  # an empty field a calendar opens from
        if field is not NOT_MINE:
            return field  # type: ignore[no-any-return]
        if state.phase in ("opened", "calendar"):
            day = parse_date(value)
            cal = find_calendar(view.frame, view.parse) if day is not None else None
            if cal is not None and day is not None:  # a date picker opened: turn, then click
                return self._pick_day(cal, day, state, notes)
            drawn = drawn_list_step(self, view, state, value, notes) if cal is None else None
            if drawn is not None:  # a list the page draws: its option clicked, or scrolled to
                return drawn
            state.phase = "typed"
            return Type(value), None, "none"
        multi = bool(self._picked) and self._same_list_as_before(step)
        shown = [m for m in self._find(view, Target(text=value), state) if m.score >= 0.8]
        # A field-like box showing the value is a closed list showing its current choice:
        # opened, typed into and confirmed like any list (a click alone leaves it open).
        boxed = ("dropdown",) if multi else ("dropdown", "text_input")
        option = [m for m in shown if m.element.kind not in boxed]
        if not option and shown and not multi and shown[0].element.kind == "text_input":
            notes["target"] = shown[0].element.describe()
            state.element, state.phase = shown[0].element, "opened"
            self._picked.append(shown[0].element.box)
            return Click(*shown[0].element.center), None, "none"
        line = None if option else self._line_showing(view, value)
        if (
            multi
            and (option or line)
            and _shows_selected(view.frame, (option[0].element if option else line).box)
        ):
            notes["target"] = "already selected"  # "Antigua and Barbuda" picked as "Antigua"
            return None
        if option:
            notes["target"] = option[0].element.describe()
            state.element = option[0].element
            state.phase = "chosen"
            # A list this plan already picked from for the step before is a multi-select list:
            # ctrl+click adds to its selection where a plain click would replace it.
            held = "ctrl" if multi else ""
            self._picked.append(option[0].element.box)
            return (
                Click(*option[0].point, modifiers=held),
                grow(option[0].element.box, view.parse),
                "change",
            )
        if line is not None:  # the option is a line of a box the detector took whole
            notes["target"] = f"line {line.describe()}"
            state.element, state.phase = line, "chosen"
            held = "ctrl" if multi else ""
            self._picked.append(line.box)
            return (
                Click(*line.point_of(value), modifiers=held),
                grow(line.box, view.parse),
                "change",
            )
        if multi:  # typing would replace the earlier picks: scroll the list to the option
            return self._scroll_list(view, state, notes)
        hits = self._find(view, step.target or Target(kind="dropdown"), state)
        named = step.target is not None and bool(step.target.text)
        if not named and not (hits and hits[0].element.kind in ("dropdown", "text_input")):
            box = _list_box(view, state)  # a list the detector took for words or a button
            if box is not None and _lines_in(view, box) >= 2:  # an open list box: scroll it
                if box not in self._picked:
                    self._picked.append(box)
                return self._scroll_list(view, state, notes)
            if box is not None:
                closed = UIElement(-1, box, "dropdown", "", True, 1.0)
                hits = [Match(closed, 1.0, ("outlined box showing a choice",), closed.center)]
        if not hits:
            return self._search(view, state, notes)
        notes["target"] = hits[0].element.describe()
        state.element = hits[0].element
        state.phase = "opened"
        self._picked.append(hits[0].element.box)
        return Click(*hits[0].element.center), None, "none"

    def _pick_day(
        self, cal: Calendar, day: date, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Turn the calendar toward `day`'s month (its heading's arrows), then click the day."""
        state.phase = "calendar"
        apart = months_apart(cal.month, day) if cal.month is not None else 0
        if apart and state.search < MAX_TURNS:
            state.search += 1
            notes["target"] = f"calendar {'next' if apart > 0 else 'previous'} ({cal.month})"
            return Click(cal.next_x if apart > 0 else cal.prev_x, cal.heading_y), None, "none"
        if day.day > len(cal.cells):
            return None
        x0, y0, x1, y1 = cal.cells[day.day - 1]
        notes["target"] = f"day {day.day} at {cal.cells[day.day - 1]}"
        state.phase = "chosen"
        return Click((x0 + x1) // 2, (y0 + y1) // 2), None, "none"

    def _line_showing(self, view: View, words_: str) -> UIElement | None:
        """Text the parse missed that shows `words_`: a word the detector cut in two, a line
        cut out of a taller box and read alone, or the label beside a checkbox or radio button
        read on its own (then the control itself, carrying the label's words)."""
        reader = getattr(self.parser, "reader", None)
        pieces = joined_pieces(view)
        for line in pieces + split_lines(view, reader) + unread_labels(view, reader):
            if text_score(words_, line.text)[0] >= 0.8:
                return line
        return None

    def _list_open(self, view: View, state: StepState) -> bool:
        """Whether the list of the box the step opened shows its options drawn under it."""
        reader = getattr(self.parser, "reader", None)
        if state.element is None or reader is None:
            return False
        memo: dict[str, Any] = {}
        lines = list_lines(view, state.element, reader, memo)
        return bool(memo.get("list_framed")) and len(lines) >= 2

    def _same_list_as_before(self, step: Step) -> bool:
        """True when the step before this one picked from the list this one names."""
        before = self.plan.steps[self._index - 1] if self._index > 0 else None
        return before is not None and before.verb == "select" and before.target == step.target

    def _scroll_list(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Scroll the list last picked from (down, then back up) until the option shows; a list
        that did not move under a notch down is at its end and is scrolled up from then on."""
        notes["missing"] = state.step.to_dict()
        if state.search >= LIST_SCROLLS[0] + LIST_SCROLLS[1]:
            notes["gave_up"] = state.step.to_dict()
            return None
        x0, y0, x1, y1 = self._picked[-1]
        crop = view.frame[y0:y1, x0:x1].copy()
        last = state.memo.get("list_crop")
        if same_pixels(last, crop):
            state.search = max(state.search, LIST_SCROLLS[0])  # the end: turn back up
        state.memo["list_crop"] = crop
        state.search += 1
        dy = 1 if state.search <= LIST_SCROLLS[0] else -1
        return Scroll(0, dy, (x0 + x1) // 2, (y0 + y1) // 2), None, "none"


def _list_box(view: View, state: StepState) -> Box | None:
    """The first outlined box below the banner that shows words and is no button, as wide as
    a field: a list (closed, showing its choice, or a list box) the detector took for text."""
    buttons = [e.box for e in view.content() if e.kind in ("button", "icon_button", "link")]
    for box in framed_boxes(view.frame, view.banner_bottom()):
        x0, y0, x1, y1 = box
        if (
            x1 - x0 >= LIST_WIDTH * text_height(view.frame)
            and holds_words(view.frame, box)
            and not covered_by(box, buttons)
            and not any(overlaps(box, b) for b in state.tried)
        ):
            return box
    return None


def _lines_in(view: View, box: Box) -> int:
    """How many rows of words the parse shows inside `box` (centres a line height apart)."""
    th = text_height(view.frame)
    mids = sorted(
        (e.box[1] + e.box[3]) / 2
        for e in view.content()
        if e.text.strip() and box[0] <= e.center[0] < box[2] and box[1] <= e.center[1] < box[3]
    )
    return sum(1 for a, b in zip([-th, *mids], mids, strict=False) if b - a >= 0.6 * th)


LIST_WIDTH = 6  # a list is at least this many text heights wide (a button's box may be less)


def _shows_selected(frame: np.ndarray, box: Box) -> bool:
    """Whether a list's line shows selected: the commonest colour of its box (the fill behind
    its words) differs from the page's (a selected option is drawn on a coloured or grey band)."""
    x0, y0, x1, y1 = box
    return bool(np.abs(_commonest(frame[y0:y1, x0:x1]) - _commonest(frame)).max() > SELECTED_FILL)


def _commonest(pixels: np.ndarray) -> np.ndarray:
    """The commonest colour of an image crop (int RGB), black for an empty crop."""
    flat = pixels[..., :3].reshape(-1, 3)
    if not len(flat):
        return np.zeros(3, int)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    return colours[np.argmax(counts)].astype(int)


SELECTED_FILL = 30  # colour levels a selected row's fill differs from the page's background
