"""The plan policy's click step: find the named target (by words, kind, ordinal, an underlined
link, a tab of the strip, a numbered label, a drawn cross), search for it when it is missing,
and click it so that the next frame can check the click. A mixin of `PlanWebPolicy`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from contracts.actions import Action, Click, Hover, Wait
from perception.instructions.plan import ALL, Step, Target
from perception.screen.parser import UIElement, norm_text
from perception.screen.phrase_grounding import Match
from perception.screen.step_grounding import aim, find_target
from perception.screen.styled_runs import ONE_ROW
from perception.screen.text_lines import word_spans
from perception.screen.text_match import glyphs
from policies.house.web.colour_shades import shades_step
from policies.house.web.grid_points import grid_step
from policies.house.web.list_sorts import sort_step
from policies.house.web.marks import is_cross, option_marks
from policies.house.web.page_cues import (
    Box,
    clear_point,
    grow,
    overlaps,
    same_words,
    submit_button,
    tab_strip,
)
from policies.house.web.pattern_copy import pattern_step
from policies.house.web.per_item import per_item_step
from policies.house.web.pixels import underlined_words
from policies.house.web.plan_relations import anchor_nudge, find_in_panels, more_menu
from policies.house.web.plan_state import MAX_SEARCH, StepState
from policies.house.web.plan_targets import (
    by_shape,
    holds,
    merged_tabs,
    number,
    numbered,
    on_link,
    split_pager,
    split_tabs,
)
from policies.house.web.reveal import reveal_step
from policies.house.web.similar_words import similar_step
from policies.house.web.sliders import on_a_track
from policies.house.web.step_contract import NOT_MINE, StepFn, first_taken
from policies.house.web.submenus import submenu_hover
from policies.house.web.text_styles import style_step
from policies.house.web.view import View
from policies.house.web.visual_steps import visual_step

if TYPE_CHECKING:
    from perception.instructions.plan import Plan

SURE_SCORE = 0.8  # below this, wait once for the page to settle before taking the match
LINK_IN_LINE = 0.6  # a link word matched in a line of text, sure once found underlined
MAX_REREADS = 12  # short words read again when none reads a short target's word
REREAD_SCORE = 0.9  # a short word that reads the target exactly once read again
SHORT_WORD = 4  # named targets this short must show their letters, not similar ones
FEW_LETTERS = 0.65  # a letters-only text score below this names another word, searched past
CUT_MARGIN = 6  # pixels from the frame's bottom within which a line may be cut off by it
CASE_MARGIN = 0.25  # how much weaker a match reading the words in their exact case may be
SENDING_WORDS = {"login", "log in", "sign in", "signin", "log on", "sign on", "submit", "send"}
MARK_KINDS = ("checkbox", "radio")  # marks a text beside them labels
CLOSE_WORDS = {"x", "×", "✕", "close"}  # a target named so may be a drawn cross


# Clicks decided from pixels, tried in turn before the plain click (`step_contract`).
PIXEL_CLICKS: list[StepFn] = [
    style_step,  # a text style applied to named words: select them, press the style
    sort_step,  # a list put in order by drags, read again after each
    per_item_step,  # a decision per row or item
    reveal_step,  # the item whose hidden or shown number is the least or most
    similar_step,  # words whose meaning is near the named ones
    shades_step,  # every swatch of a named hue
    pattern_step,  # a drawn example copied onto a grid
    grid_step,  # a point given by coordinates on drawn axes
    visual_step,  # drawn shapes: colour, count, drag
]


class ClickSteps:
    """Click steps of the plan policy (mixed into `PlanWebPolicy`)."""

    plan: Plan
    _index: int
    _filled: list[Box]  # boxes of fields typed into

    def _find(
        self, view: View, target: Target | None, state: StepState, limit: int = 5
    ) -> list[Match]:
        """Candidates for `target` on this frame, best first, without the ones that failed."""
        if target is None:
            return []
        hits = find_target(
            view.parse,
            view.frame,
            target,
            self.grounder,
            exclude=view.banner(),
            skip=state.was_tried,
            limit=limit,
        )
        # Numbers are not synonyms: "ONE" must not take a button "TWO" for its meaning.
        if 0 < len(target.text.strip()) <= SHORT_WORD:  # a short word has no near misses
            hits = [m for m in hits if not any("similar letters" in r for r in m.reasons)]
            want_text = norm_text(target.text)
            if not any(norm_text(m.element.text) == want_text for m in hits):
                hits = self._read_again(view, target, state) + hits
        if target.kind == "link" and not hits:
            hits = self._link_words(view, target, state)
        want = number(target.text)
        hits = [m for m in hits if want is None or number(m.element.text) in (None, want)]
        # Words told in quotes keep their case: "yes" is the button reading "yes", not "Yes",
        # when both match about as well; so is a line showing "sit" among its words.
        exact = [
            m
            for m in hits
            if target.text
            and says_exactly(m.element.text, target.text)
            and m.score >= hits[0].score - CASE_MARGIN
        ]
        return exact + [m for m in hits if m not in exact]

    def _read_again(self, view: View, target: Target, state: StepState) -> list[Match]:
        """Short words the parse read one letter off ("sina" for "Gina", "ves" for "yes"),
        read again on their own box: those that then read the target's word exactly."""
        reader = getattr(self.parser, "reader", None)
        want = norm_text(target.text)
        if len(want) < 2:  # one letter read from a two-letter word is a letter lost ("OK": "x")
            return []
        near = [
            e
            for e in view.content()
            if e.text.strip()
            and abs(len(norm_text(e.text)) - len(want)) <= 1
            and not state.was_tried(e)
        ][:MAX_REREADS]
        if reader is None or not near:
            return []
        texts = reader.read(view.text_frame, [(e.box, "text") for e in near])
        return [
            Match(replace(e, text=text.strip()), REREAD_SCORE, ("same word read again",), e.center)
            for e, (text, _) in zip(near, texts, strict=True)
            if norm_text(text) == want
        ]

    def _link_words(self, view: View, target: Target, state: StepState) -> list[Match]:
        """Underlined words read as their line's word at the same place: a link of a few
        letters inside a sentence on a small frame is read only with its line (alone, OCR
        reads nothing), so its line's reading of it is taken, one letter off at most."""
        want = norm_text(target.text)
        if len(want) < 3:
            return []
        out = []
        for link in self._links(view):
            for e in view.content():
                if e.kind not in ("text", "link") or not _holds_box(e.box, link):
                    continue
                words, spans = e.text.split(), word_spans(view.frame, e.box)
                if len(words) < 2 or len(words) != len(spans):
                    continue
                i = max(range(len(spans)), key=lambda k: _overlap(spans[k], link))
                word = norm_text(words[i])
                off = sum(a != b for a, b in zip(glyphs(word), glyphs(want), strict=False))
                box = (spans[i][0], link[1], spans[i][1], link[3])
                el = replace(e, id=30_000 + len(out), box=box, kind="link", text=words[i])
                if len(word) == len(want) and off <= 1 and not state.was_tried(el):
                    why = ("its line's word at the link",)
                    out.append(Match(el, REREAD_SCORE, why, el.center))
        return out

    def _click(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Click the target (every match for an ALL target), searching for it when missing."""
        out, _ = first_taken(PIXEL_CLICKS, self, view, state, notes)
        if out is not NOT_MINE:
            return out
        step = state.step
        every = step.target is not None and step.target.ordinal == ALL
        if state.phase == "clicked" and not every:
            return None
        target = step.target
        label = numbered(view, target)
        if label is not None:  # "step 3" read as "the 3rd step", and a label reads "Step 3"
            el, point = label
            notes["target"] = f"numbered {el.describe()}"
            state.element, state.phase = el, "clicked"
            return Click(*point), grow(el.box, view.parse), "change"
        if target is not None and target.kind == "tab" and not target.text and target.ordinal:
            # "the 3rd tab": counted along the tab strip, whatever the detector called each tab
            strip = split_tabs(view.frame, tab_strip(view)) or merged_tabs(view)
            index = target.ordinal - 1 if target.ordinal > 0 else len(strip) + target.ordinal
            if 0 <= index < len(strip):
                tab = strip[index]
                notes["target"] = tab.describe()
                state.phase = "clicked"
                return Click(*tab.center), grow(tab.box, view.parse), "change"
        links = self._links(view) if target is not None and target.kind == "link" else []
        if links and target is not None and not target.text and target.ordinal not in (None, ALL):
            # "the 3rd link" / "the 9th search result": counted along the underlined links, a
            # page of them at a time when a pager's row of short links ends them
            results, pager = split_pager(links)
            if pager and len(results) > 2:  # a paged list's results start in one column
                left = float(np.median([b[0] for b in results]))
                results = [b for b in results if abs(b[0] - left) <= b[3] - b[1]]
            n = target.ordinal
            state.per_page = state.per_page or len(results)
            if n > 0 and pager and (n - 1) // state.per_page > state.page:
                state.page += 1  # the n-th is on a later page: the pager's last link is "next"
                x0, y0, x1, y1 = pager[-1]
                notes["target"] = f"next page {pager[-1]}"
                return Click((x0 + x1) // 2, (y0 + y1) // 2), pager[-1], "change"
            index = n - 1 - state.page * state.per_page if n > 0 else len(results) + n
            if 0 <= index < len(results):
                x0, y0, x1, y1 = results[index]
                notes["target"] = f"underlined link {results[index]}"
                state.phase = "clicked"
                return Click((x0 + x1) // 2, (y0 + y1) // 2), results[index], "change"
        hits = self._find(view, target, state)
        mark = None if hits else _drawn_mark(view, target)
        if mark is not None:  # "the 2nd radio button" among rings the detector did not see
            notes["target"] = f"drawn {target.kind if target else ''} {mark}"
            state.phase = "clicked"
            x0, y0, x1, y1 = mark
            return Click((x0 + x1) // 2, (y0 + y1) // 2), grow(mark, view.parse), "change"
        loose = hits  # before the underline filter
        hunting = target is not None and bool(target.text) and state.search < MAX_SEARCH
        if links and hits:
            # A word of a line that is underlined is a link; the same word in plain text is not,
            # while the search may still show the link (another tab, a section, a scroll).
            # A line's match whose words are read beside a link on its row is moved onto it
            # (the link's letters misread, or placed a few pixels off by their count), in
            # the matches' order: a line showing the very words stays ahead of a link that
            # only holds their letters ("in" in "margin").
            inside = [
                m if any(holds(b, m.point) for b in links) else on_link(m, target.text, links)
                for m in hits
            ]
            inside = [m for m in inside if m is not None]
            hits = inside if hunting else inside + [m for m in hits if m not in inside]
        if every:
            if (state.acted or state.expanded) and self._next_target_shows(view):
                return None  # "open the sections to find X": X is on screen now
            hits = [m for m in hits if not self._acted_on(state, m.element)]
            if not hits:
                return None if state.acted else self._search(view, state, notes)
        if not hits and not state.nudged:  # the item shows low: its actions are below it
            nudge = anchor_nudge(view, target, self.grounder, view.banner())
            if nudge is not None:
                state.nudged = True
                return nudge, None, "none"
        if not hits and not state.revealed:  # an action the item hides under its "more" menu
            point = more_menu(view, target, self.grounder, view.banner())
            if point is not None:
                state.revealed = True
                state.memo["revealed_from"] = view.frame.copy()
                notes["target"] = f"more menu at {point}"
                return Click(*point), None, "none"
        if not hits or hits[0].score < SURE_SCORE:
            # the lines of an opened menu or panel, which the parse did not read (or misread)
            # in a menu opened for the target, its lines are read even where the parse read
            # words: the menu drawn over the page is parsed merged with what it covers
            panel = find_in_panels(
                view, target, self.grounder, self.parser.reader, view.banner(), state.revealed
            )
            if state.revealed:
                hits = panel or hits
            else:  # surer than the parse's best, first; the parse's order (case kept) stays
                best = hits[0].score if hits else 0.0
                hits = [m for m in panel if m.score > best] + hits

        if not hits and target is not None and target.text.strip().lower() in CLOSE_WORDS:
            crosses = [e for e in view.content() if is_cross(view.frame, e.box)]
            if crosses:  # OCR reads no letter in a close button's cross
                el = min(crosses, key=lambda e: (e.box[1], -e.box[0]))
                notes["target"] = f"cross {el.describe()}"
                state.element, state.phase = el, "clicked"
                return Click(*el.center), grow(el.box, view.parse), "change"
        hits = by_shape(view, hits, target)
        # A link is underlined: a plain line showing its word is not it while the search goes on.
        line = (
            None
            if hits or target is None or not target.text or (links and hunting)
            else self._line_showing(view, target.text)
        )
        if line is not None:  # a line of a box the detector took whole (a list box)
            notes["target"] = f"line {line.describe()}"
            state.element, state.phase = line, "clicked"
            point = line.point_of(target.text) if line.kind == "text" else line.center
            if self._opens_next(step):  # a menu read as lines: point at the item, do not click
                return Hover(*point), None, "none"
            return Click(*point), grow(line.box, view.parse), "change"
        weak = not hits or hits[0].score < SURE_SCORE
        sender = submit_button(view, state.tried) if weak and _sends(target) else None
        if sender is not None:  # "press login" on a form whose sending button reads "OK"
            notes["target"] = f"sending button {sender.describe()}"
            state.element, state.phase = sender, "clicked"
            return Click(*sender.center), grow(sender.box, view.parse), "change"
        cut = view.frame.shape[0] - CUT_MARGIN  # a line reaching below this runs off the frame
        if hunting and hits and all(_few_letters_alike(m) or _cut_off(m, cut) for m in hits):
            hits = []  # "Marian" for "Adrian": the named one may show after a scroll or a tab
        if hunting and links and hits and _case_differs(hits, target.text):
            hits = []  # a link "about" for "About": the one in its case may be in a tab
        if not hits:
            out = self._search(view, state, notes)
            if out is not None or not loose:
                return out
            # Nothing more to open or scroll: take the word where it shows, underlined or not.
            notes.pop("gave_up", None)
            hits = loose
        best = hits[0]
        if target is not None and _inside_a_word(best, target.text):
            # "Play" read inside "Playback": the item's submenu may hold "Play" itself
            hover = submenu_hover(view, state, notes, first=best.element.center)
            if hover is not None:
                return hover
        # In a menu opened for it, the target's very words are the item, whatever kind the
        # parse took the menu's line for: the menu is open, nothing to wait for.
        opened = state.revealed and any("same text" in r for r in best.reasons)
        if best.score < SURE_SCORE and not state.waits and not opened:
            state.waits += 1
            return Wait(0.3), None, "none"
        notes["target"] = best.element.describe()
        notes["why"] = list(best.reasons)
        state.element = best.element
        state.acted.append(best.element.box)
        state.acted_texts.append(best.element.text.strip().lower())
        state.phase = "clicked"
        aimed = aim(view.frame, best)
        # Words read inside a longer line are aimed at: another box over them (a menu drawn
        # over the page, parsed with what it covers) must not move the click off the words.
        inside = best.point != best.element.center
        point = aimed if inside else clear_point(view, best.element, aimed)
        if self._opens_next(step):  # a menu item on the way to the next: point, do not click
            return Hover(*point), None, "none"
        # Focusing a field may show nothing but a caret that blinks: no check to fail on. A
        # button reading the very words asked for may show nothing either (its page acts
        # elsewhere or later): clicked again it would act twice, so only an error fails it.
        expect = "change"
        if best.element.kind == "text_input":
            expect = "none"
        elif best.element.kind == "button" and any("same text" in r for r in best.reasons):
            expect = "error"
        return Click(*point), grow(_with_mark(view, best.element), view.parse), expect

    def _acted_on(self, state: StepState, el: UIElement) -> bool:
        """Whether an ALL step already acted on `el`: the same words, or the same place for an
        element without words (an opened section moves the ones below it)."""
        text = el.text.strip().lower()
        if text:
            return any(same_words(text, t) for t in state.acted_texts)
        return any(overlaps(el.box, b) for b in state.acted)

    def _next_target_shows(self, view: View) -> bool:
        """Whether the next step's named target is on screen, matched well."""
        steps = self.plan.steps
        nxt = steps[self._index + 1] if self._index + 1 < len(steps) else None
        if nxt is None or nxt.target is None or not nxt.target.text:
            return False
        hits = find_target(view.parse, view.frame, nxt.target, self.grounder, exclude=view.banner())
        if hits and hits[0].score >= SURE_SCORE:
            return True
        if nxt.target.kind != "link" or not hits:
            return False
        # a link's word inside a line of text matches less well: its underline makes it sure
        links = self._links(view)
        return any(
            any(holds(b, m.point) for b in links) or on_link(m, nxt.target.text, links)
            for m in hits
            if m.score >= LINK_IN_LINE and not any("similar letters" in r for r in m.reasons)
        )

    def _links(self, view: View) -> list[Box]:
        """Underlined words below the task banner, in reading order (links under any colour),
        and the parse's one-row links there: on a small frame read enlarged, a link's underline
        can blur into its letters' feet or the next link's and go unseen."""
        bottom = view.banner_bottom()
        boxes = underlined_words(view.frame, bottom)
        boxes += [
            e.box
            for e in view.content()
            if e.kind == "link"
            and e.box[1] >= bottom
            and e.box[3] - e.box[1] <= ONE_ROW
            and not any(
                min(e.box[2], b[2]) > max(e.box[0], b[0])
                and min(e.box[3], b[3]) > max(e.box[1], b[1])
                for b in boxes
            )
        ]
        # words typed into a field, over its bottom border, read as underlined: not a link
        boxes = [b for b in boxes if not any(_holds_box(f, b) for f in self._filled)]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def _opens_next(self, step: Step) -> bool:
        """True when this step's menu item leads to the next step's (a menu path A > B)."""
        steps = self.plan.steps
        nxt = steps[self._index + 1] if self._index + 1 < len(steps) else None
        kind = step.target.kind if step.target is not None else None
        return (
            kind == "menu_item"
            and nxt is not None
            and nxt.target is not None
            and nxt.target.kind == "menu_item"
        )


def _drawn_mark(view: View, target: Target | None) -> Box | None:
    """The n-th unlabelled radio ring or checkbox outline on the frame, for a target named only
    by that kind and an ordinal (the first when none is given)."""
    if target is None or target.text or target.kind not in ("radio", "checkbox"):
        return None
    if target.ordinal == ALL:
        return None
    top = view.banner_bottom()
    marks = [b for b, kind in option_marks(view.frame, top) if kind == target.kind]
    marks = [b for b in marks if not on_a_track(view, b)]  # a slider's handle is no checkbox
    n = target.ordinal or 1
    index = n - 1 if n > 0 else len(marks) + n
    return marks[index] if 0 <= index < len(marks) else None


def _inside_a_word(match: Match, words: str) -> bool:
    """Whether `match` reads `words` only as part of a longer word ("Play" in "Playback")."""
    text, words = match.element.text.strip().lower(), words.strip().lower()
    if not words or words not in text:
        return False
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is None


def _with_mark(view: View, el: UIElement) -> Box:
    """`el`'s box, and the check box or radio it labels when it is a text: clicking a label
    toggles the mark beside it, which is where the click shows."""
    if el.kind != "text":
        return el.box
    x0, y0, x1, y1 = el.box
    h = y1 - y0
    marks = [
        e.box
        for e in view.content()
        if e.kind in MARK_KINDS
        and y0 <= (e.box[1] + e.box[3]) / 2 <= y1
        and 0 <= x0 - e.box[2] <= h
    ]
    if not marks:
        return el.box
    m = max(marks, key=lambda b: b[2])  # the nearest on the left
    return (min(x0, m[0]), min(y0, m[1]), max(x1, m[2]), max(y1, m[3]))


def _few_letters_alike(match: Match) -> bool:
    """Whether `match` shares only some letters with the target (its text scored below
    `FEW_LETTERS` by letter likeness alone): another word, not an OCR slip of the same one."""
    scores = [r.rsplit(":", 1) for r in match.reasons if r.startswith("text ") and ":" in r]
    return bool(scores) and all(
        "similar letters" in why and _number(score) < FEW_LETTERS for why, score in scores
    )


def _cut_off(match: Match, bottom: int) -> bool:
    """Whether `match` is an unsure reading (under SURE_SCORE) of a line that reaches below
    `bottom`, where the frame's edge cuts it: half its letters read ("Maria" as 'marn' for
    "Marian") say little, and a scroll shows the line whole."""
    return match.score < SURE_SCORE and match.element.box[3] > bottom


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0  # not a score: nothing to say the match is weak


def _case_differs(hits: list[Match], words: str) -> bool:
    """Whether some match shows `words` only in another letter case and none in theirs."""
    lower = words.lower()
    return not any(says_exactly(m.element.text, words) for m in hits) and any(
        says_exactly(m.element.text.lower(), lower) for m in hits
    )


def says_exactly(text: str, words: str) -> bool:
    """Whether `text` is `words`, or shows them as whole words, letter case and all."""
    text, words = text.strip(), words.strip()
    if text == words:
        return True
    if not any(c.isalpha() for c in words):
        return False
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


def _sends(target: Target | None) -> bool:
    """Whether the target names the act of sending a form ("login", "sign in", "submit")."""
    text = " ".join(target.text.lower().split()) if target is not None else ""
    return text in SENDING_WORDS


def _holds_box(outer: Box, inner: Box) -> bool:
    """Whether `inner`'s middle lies inside `outer` (frame pixels)."""
    x, y = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


def _overlap(span: tuple[int, int], box: Box) -> int:
    """Columns a word's span shares with a box."""
    return max(0, min(span[1], box[2]) - max(span[0], box[0]))
