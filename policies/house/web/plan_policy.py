"""`PlanWebPolicy`: the general embedded browser agent: plan the instruction, act, check.

The instruction becomes a `Plan` (`perception.instructions`, any wording); each step is grounded
on the current frame's parse (`view.ground`: text, kind, label beside a field, spatial words),
acted on, and checked against the next frame (`effects`): a click or toggle must change the
screen, typed text must show in its field. A failed check or `info["error"]` retries the next
candidate; a missing target is searched for by scrolling and by opening tabs. When the plan is
done the policy says `done()`, on any page. Nothing here knows a task, a layout or a colour.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from contracts.actions import Action, Click, Done, Hover, Key, Scroll, Type, Wait
from contracts.errors import HandeyeError
from perception.instructions import parse_instruction
from perception.instructions.clauses import split_done
from perception.instructions.plan import ALL, Plan, Step, Target
from perception.screen.parser import ScreenParse, ScreenParser, UIElement
from perception.screen.phrase_grounding import Match, PhraseGrounder
from perception.screen.step_grounding import aim, find_target
from policies.house.web.canon import canonical
from policies.house.web.effects import changed
from policies.house.web.marks import expand_boxes, is_cross
from policies.house.web.page_cues import (
    Box,
    affixes,
    clear_point,
    grow,
    overlaps,
    same_words,
    submit_button,
    tab_strip,
)
from policies.house.web.pixels import underlined_words
from policies.house.web.plan_choices import ChoiceSteps
from policies.house.web.plan_relations import (
    anchor_nudge,
    blank_field,
    find_in_panels,
    more_menu,
)
from policies.house.web.plan_targets import by_shape, holds, number, numbered, split_pager
from policies.house.web.view import View

# A field named only by a kind that is usually its label too ("the password field").
LABEL_KINDS = {"password": "password", "date_field": "date"}
_DATE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
SURE_SCORE = 0.8  # below this, wait once for the page to settle before taking the match
MAX_TRIES = 3  # candidates tried per step before it is given up
MAX_SEARCH = 4  # scrolls and tab openings tried to find a missing target
MAX_SETTLE = 2  # waits for a missing target to show (a submenu or a list still opening)
SETTLE_S = 0.3
MAX_WAIT_S = 30.0  # the longest wait an instruction may ask for
MAX_EXPAND = 8  # expand boxes ("+") opened to find a missing target
SHORT_WORD = 4  # named targets this short must show their letters, not similar ones
CASE_MARGIN = 0.25  # how much weaker a match reading the words in their exact case may be
CLOSE_WORDS = {"x", "×", "✕", "close"}  # a target named so may be a drawn cross


@dataclass
class Pending:
    """An action waiting for the next frame to tell whether it did what it should."""

    action: Action
    frame: np.ndarray
    box: tuple[int, int, int, int] | None
    expect: str  # "change": the screen or the box changes; "error": no error; "none": nothing


@dataclass
class StepState:
    """Progress of the current plan step: its phase, what was tried, what is left to try."""

    step: Step
    phase: str = "start"
    # Boxes, not ids: an element's id is its place in one parse and changes with the page.
    tried: list[Box] = field(default_factory=list)  # elements that failed their check
    acted: list[Box] = field(default_factory=list)  # elements acted on (for ALL steps)
    acted_texts: list[str] = field(default_factory=list)  # and what they read (boxes move)
    strip: list[Box] = field(default_factory=list)  # the page's tabs, as first found
    opened: list[Box] = field(default_factory=list)  # tabs opened while searching
    opened_texts: list[str] = field(default_factory=list)  # and sections, by their words

    def was_tried(self, el: UIElement) -> bool:
        return any(overlaps(el.box, b) for b in self.tried)

    failures: int = 0
    search: int = 0
    waits: int = 0
    revealed: bool = False  # an item's "more" menu was opened to find the target
    nudged: bool = False  # scrolled a little to show the actions below the target's item
    settles: int = 0  # waits for a missing target before searching for it
    expanded: int = 0  # expand boxes opened while searching
    per_page: int = 0  # links a page of results shows (the n-th may be on a later page)
    page: int = 0  # pages turned
    element: UIElement | None = None


@dataclass(frozen=True)
class PlanConfig:
    """Options of the plan policy; the parser ones go to `ScreenParser`."""

    parser: ScreenParser | None = None  # a built screen parser (shared between policies)
    grounder: PhraseGrounder | None = None  # a built phrase grounder (MiniLM loads once)
    weights: str | None = None  # the screen detector's weights (None: the committed ones)
    ocr: str = "auto"  # auto | rapidocr | tesseract | none
    min_score: float = 0.35  # detections below this objectness are dropped
    threads: int = 1  # CPU threads of the detector and the OCR
    ocr_min_score: float = 0.5  # readings below this confidence come back as ""
    ocr_cache: int = 1024  # OCR readings kept in the cache
    drawn_controls: bool = True  # add fields and boxes found by their outline
    text_lines_from: int = 480  # read running text as whole lines on frames at least this wide
    parse_cache: int = 4  # parses kept, keyed by the frame's pixels (0: none)
    detect_width: int = 0  # detect on the frame narrowed to this width when wider (0: never)
    preload: bool = True  # load MiniLM in the background now, not in the first step needing it


class PlanWebPolicy(ChoiceSteps):
    """Pixels-only browser policy: instruction plan + screen parse + checked actions."""

    name = "plan"
    privileged = False

    def __init__(self, config: PlanConfig | None = None, **options: Any) -> None:
        c = config or PlanConfig(**options)
        self.parser = c.parser or ScreenParser(
            weights=c.weights,
            ocr=c.ocr,
            min_score=c.min_score,
            threads=c.threads,
            ocr_min_score=c.ocr_min_score,
            ocr_cache=c.ocr_cache,
            drawn_controls=c.drawn_controls,
            text_lines_from=c.text_lines_from,
            parse_cache=c.parse_cache,
            detect_width=c.detect_width,
        )
        self.grounder = c.grounder or PhraseGrounder()
        self._loading = self.grounder.load_in_background() if c.preload else None
        self.plan = Plan("")
        self.last_parse: ScreenParse | None = None
        self.last_extra: dict[str, Any] = {}
        self.reset("")

    def reset(self, instruction: str) -> None:
        """Start an episode: plan the instruction (without a trailing "then call done()")."""
        self._instruction = instruction
        task, _ = split_done(instruction) if instruction else ("", False)
        self.plan = _menu_paths(parse_instruction(task) if task.strip() else Plan(""))
        self._index = 0
        self._state: StepState | None = None
        self._pending: Pending | None = None
        self._answer = ""
        self._filled: list[tuple[int, int, int, int]] = []  # boxes of fields typed into
        self._picked: list[Box] = []  # options a select step clicked (a list's selection)
        self._sent = False

    @property
    def finished(self) -> bool:
        """True once every step of the plan has been carried out or given up."""
        return self._index >= len(self.plan.steps)

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """Check the last action on this frame, then take the plan's next action."""
        if "screen" not in obs:
            raise HandeyeError(
                f"the browser plan policy reads obs['screen']; this env gives {sorted(obs)}"
            )
        if obs.get("instruction", self._instruction) != self._instruction:
            self.reset(obs.get("instruction", self._instruction))
        t0 = time.perf_counter()
        canon = canonical(np.asarray(obs["screen"]))
        parse = self.parser.parse(canon.frame)
        view = View(self.plan.text, canon.frame, parse, grounder=self.grounder)
        notes: dict[str, Any] = {}
        self._check(canon.frame, (info or {}).get("error"), notes)
        action, box, expect = self._next(view, notes)
        self._pending = Pending(action, canon.frame.copy(), box, expect)  # envs may reuse buffers
        self.last_parse = parse
        self.last_extra = {
            "skill": "plan",
            "step": self._index,
            "steps": [s.to_dict() for s in self.plan.steps],
            "parse_ms": round(parse.timings.get("total", 0.0) * 1000, 1),
            "policy_ms": round((time.perf_counter() - t0) * 1000, 1),
            **notes,
        }
        return action

    def _check(self, frame: np.ndarray, error: str | None, notes: dict[str, Any]) -> None:
        """Judge the pending action by this frame; a failure sends its step back a phase."""
        pending, state = self._pending, self._state
        self._pending = None
        if pending is None or state is None or pending.expect == "none":
            return
        if frame.shape != pending.frame.shape:
            return  # a new page size: something happened
        ok = error is None and (
            pending.expect == "error" or changed(pending.frame, frame, pending.box)
        )
        notes["check"] = "ok" if ok else (f"error: {error}" if error else "no visible effect")
        if ok:
            return
        state.failures += 1
        if state.element is not None:
            state.tried.append(state.element.box)
        state.phase = "start"
        if state.failures >= MAX_TRIES:
            notes["gave_up"] = state.step.to_dict()
            self._advance()

    def _advance(self) -> None:
        self._index += 1
        self._state = None

    def _next(self, view: View, notes: dict[str, Any]) -> tuple[Action, Any, str]:
        """(action, the box it should change, what to expect) for the current step."""
        while not self.finished:
            if self._state is None:
                self._state = StepState(self.plan.steps[self._index])
            out = self._step(view, self._state, notes)
            if out is not None:
                return out
            self._advance()
        if self._ends_unsent() and not self._sent:
            self._sent = True  # a plan that fills a form and stops sends it, once
            button = submit_button(view, [])
            if button is not None:
                notes["target"] = button.describe()
                return Click(*button.center), None, "none"
        return Done(), None, "none"

    def _ends_unsent(self) -> bool:
        """True when the plan's last steps fill a form and nothing after them sends it."""
        steps = self.plan.steps
        return bool(steps) and steps[-1].verb in ("type", "select", "check", "uncheck")

    def _step(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """The next action of one step, or None when the step is complete."""
        step = state.step
        notes["verb"] = step.verb
        if step.verb == "done":
            return None if self._index < len(self.plan.steps) - 1 else (Done(), None, "none")
        if step.verb == "press_key":
            if state.phase == "sent":
                return None
            state.phase = "sent"
            return Key(step.key or "Enter"), None, "none"
        if step.verb == "wait":  # "wait 2 seconds": the page may act on a timer
            if state.phase == "sent":
                return None
            state.phase = "sent"
            return Wait(min(MAX_WAIT_S, float(step.value or SETTLE_S))), None, "none"
        if step.verb == "scroll":
            if state.phase == "sent":
                return None
            state.phase = "sent"
            dy = -5 if (step.value or "down") in ("up", "top") else 5
            return Scroll(0, dy, view.parse.width // 2, view.parse.height // 2), None, "none"
        if step.verb == "read":
            return self._read(view, state, notes)
        if step.verb == "type":
            return self._type(view, state, notes)
        if step.verb == "select" and step.value:
            return self._select(view, state, notes)
        if step.verb == "submit" and step.target is None:
            return self._submit(view, state, notes)
        return self._click(view, state, notes)

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
            exclude=_banner(view),
            skip=state.was_tried,
            limit=limit,
        )
        # Numbers are not synonyms: "ONE" must not take a button "TWO" for its meaning.
        if 0 < len(target.text.strip()) <= SHORT_WORD:  # a short word has no near misses
            hits = [m for m in hits if not any("similar letters" in r for r in m.reasons)]
        want = number(target.text)
        hits = [m for m in hits if want is None or number(m.element.text) in (None, want)]
        # Words told in quotes keep their case: "yes" is the button reading "yes", not "Yes",
        # when both match about as well.
        exact = [
            m
            for m in hits
            if target.text
            and m.element.text.strip() == target.text.strip()
            and m.score >= hits[0].score - CASE_MARGIN
        ]
        return exact + [m for m in hits if m not in exact]

    def _click(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Click the target (every match for an ALL target), searching for it when missing."""
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
            strip = tab_strip(view)
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
        loose = hits  # before the underline filter
        hunting = target is not None and bool(target.text) and state.search < MAX_SEARCH
        if links and hits:
            # A word of a line that is underlined is a link; the same word in plain text is not,
            # while the search may still show the link (another tab, a section, a scroll).
            inside = [m for m in hits if any(holds(b, m.point) for b in links)]
            hits = inside if hunting else inside + [m for m in hits if m not in inside]
        if every:
            if (state.acted or state.expanded) and self._next_target_shows(view):
                return None  # "open the sections to find X": X is on screen now
            hits = [m for m in hits if not self._acted_on(state, m.element)]
            if not hits:
                return None if state.acted else self._search(view, state, notes)
        if not hits and not state.nudged:  # the item shows low: its actions are below it
            nudge = anchor_nudge(view, target, self.grounder, _banner(view))
            if nudge is not None:
                state.nudged = True
                return nudge, None, "none"
        if not hits and not state.revealed:  # an action the item hides under its "more" menu
            point = more_menu(view, target, self.grounder, _banner(view))
            if point is not None:
                state.revealed = True
                notes["target"] = f"more menu at {point}"
                return Click(*point), None, "none"
        if state.revealed and (not hits or hits[0].score < SURE_SCORE):
            # the opened menu's lines, which the parse did not read (or misread)
            panel = find_in_panels(view, target, self.grounder, self.parser.reader, _banner(view))
            hits = panel or hits
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
            return Click(*point), grow(line.box, view.parse), "change"
        if not hits:
            out = self._search(view, state, notes)
            if out is not None or not loose:
                return out
            # Nothing more to open or scroll: take the word where it shows, underlined or not.
            notes.pop("gave_up", None)
            hits = loose
        best = hits[0]
        if best.score < SURE_SCORE and not state.waits:  # a menu or list may still be opening
            state.waits += 1
            return Wait(0.3), None, "none"
        notes["target"] = best.element.describe()
        notes["why"] = list(best.reasons)
        state.element = best.element
        state.acted.append(best.element.box)
        state.acted_texts.append(best.element.text.strip().lower())
        state.phase = "clicked"
        point = clear_point(view, best.element, aim(view.frame, best))
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
        return Click(*point), grow(best.element.box, view.parse), expect

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
        hits = find_target(view.parse, view.frame, nxt.target, self.grounder, exclude=_banner(view))
        return bool(hits) and hits[0].score >= SURE_SCORE

    def _links(self, view: View) -> list[Box]:
        """Underlined words below the task banner, in reading order (links under any colour)."""
        bottom = max((view.parse.get(i).box[3] for i in _banner(view)), default=0)
        boxes = underlined_words(view.frame, bottom)
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

    def _type(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """Focus the field (click), then type the value; the field must show the change."""
        step = state.step
        value = (step.value or "").replace("{answer}", self._answer)
        start, end = affixes(step.condition)
        if not value and start:
            value = start  # "an item that starts with X": type X, then pick a suggestion
        if state.phase in ("typed", "picked"):
            return self._suggestion(view, state, start, end, notes) if start else None
        if state.phase == "focused" and state.element is not None:
            state.phase = "typed"
            return Type(value), grow(state.element.box, view.parse), "change"
        target = step.target or Target(kind="text_field")
        if not target.text and target.kind in LABEL_KINDS:
            target = Target(LABEL_KINDS[target.kind], target.kind, target.ordinal)
        hits = self._find(view, target, state)
        # A field this plan already filled is not the next one, nor one that shows text (a
        # table cell, a filled field) while an empty one is there, unless the target names it.
        if not (step.target and step.target.text):
            fresh = [m for m in hits if not any(overlaps(m.element.box, b) for b in self._filled)]
            empty = [m for m in fresh if not m.element.text.strip()]
            hits = empty or fresh or hits
        hits = by_shape(view, hits, target)
        hits = hits or blank_field(view, target, self.grounder, _banner(view))  # a frameless field
        if not hits:
            return self._search(view, state, notes)
        best = hits[0]
        self._filled.append(best.element.box)
        notes["target"] = best.element.describe()
        state.element = best.element
        state.phase = "focused"
        x, y = best.element.center
        if _DATE.match(value):  # segmented date inputs type from the segment clicked: the first
            x = best.element.box[0] + max(4, (best.element.box[2] - best.element.box[0]) // 10)
        return Click(x, y), None, "none"

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
        if state.settles < MAX_SETTLE:
            state.settles += 1
            return Wait(SETTLE_S), None, "none"
        boxes = expand_boxes(view.frame, max((e.box[3] for e in _banner_lines(view)), default=0))
        if boxes and state.expanded < MAX_EXPAND:  # a closed branch of a tree may hold it
            state.expanded += 1
            x0, y0, x1, y1 = boxes[0]
            notes["expand"] = boxes[0]
            return Click((x0 + x1) // 2, (y0 + y1) // 2), None, "none"
        if state.search >= MAX_SEARCH:
            notes["gave_up"] = state.step.to_dict()
            return None
        state.search += 1
        if not state.strip:  # found once: an opened tab may redraw unlike the others
            state.strip = [e.box for e in tab_strip(view)]
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
        h, w = view.parse.height, view.parse.width
        return Scroll(0, 3, w // 2, h // 2), None, "none"

    def close(self) -> None:
        """Release the parser's models (after MiniLM's background load, if one is running)."""
        if self._loading is not None:
            self._loading.join(timeout=60)
        self.parser.close()


def _menu_paths(plan: Plan) -> Plan:
    """The plan with "select X" in a menu ("choose A>B from the menu") as clicks on the items
    named X: a menu item is pointed at or clicked, not typed into like a list."""
    steps = [
        replace(s, verb="click", target=replace(s.target, text=s.value), value=None)
        if s.verb == "select"
        and s.value
        and s.target is not None
        and s.target.kind == "menu_item"
        and not s.target.text
        else s
        for s in plan.steps
    ]
    return replace(plan, steps=tuple(steps))


def _banner_lines(view: View) -> list[UIElement]:
    return [view.parse.get(i) for i in view.banner()]


def _banner(view: View) -> set[int]:
    """Ids of the lines that show the task itself (a banner above the page)."""
    return view.banner()
