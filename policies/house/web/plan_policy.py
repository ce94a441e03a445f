"""`PlanWebPolicy`: the general embedded browser agent: plan the instruction, act, check.

The instruction becomes a `Plan` (`perception.instructions`, any wording); each step is grounded
on the current frame's parse (`view.ground`: text, kind, label beside a field, spatial words),
acted on, and checked against the next frame (`effects`): a click or toggle must change the
screen, typed text must show in its field. A failed check or `info["error"]` retries the next
candidate; a missing target is searched for by scrolling and by opening tabs. When the plan is
done the policy says `done()`, on any page. Nothing here knows a task, a layout or a colour.
The steps live in mixins: `plan_click` (click), `plan_entry` (type, submit, search),
`plan_choices` (select, suggestion) and `plan_reading` (read, solve, copy); `plan_state` holds
what is kept between frames.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from contracts.actions import Action, Click, Done, Key, Scroll, Wait
from contracts.errors import HandeyeError
from perception.instructions import parse_instruction
from perception.instructions.clauses import split_done
from perception.instructions.plan import Plan
from perception.screen.parser import ScreenParse, ScreenParser
from perception.screen.phrase_grounding import PhraseGrounder
from policies.house.web.canon import canonical
from policies.house.web.effects import changed
from policies.house.web.interactive_steps import NOT_MINE, interactive_step
from policies.house.web.key_values import keyed_value_step
from policies.house.web.page_cues import Box, submit_button
from policies.house.web.plan_choices import ChoiceSteps
from policies.house.web.plan_click import ClickSteps
from policies.house.web.plan_entry import EntrySteps
from policies.house.web.plan_reading import ReadSteps
from policies.house.web.plan_state import SETTLE_S, LoopGuard, Pending, StepState
from policies.house.web.result_rows import row_step
from policies.house.web.scrolled_rows import row_scan_step
from policies.house.web.view import View

__all__ = ["Pending", "PlanConfig", "PlanWebPolicy", "StepState"]

MAX_TRIES = 3  # candidates tried per step before it is given up
MAX_WAIT_S = 30.0  # the longest wait an instruction may ask for


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


class PlanWebPolicy(ClickSteps, EntrySteps, ChoiceSteps, ReadSteps):
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
        self._copied = False  # the answer is on the clipboard too (a read that copied a field)
        self._filled: list[tuple[int, int, int, int]] = []  # boxes of fields typed into
        self._picked: list[Box] = []  # options a select step clicked (a list's selection)
        self._sent = False
        self._zooms: dict[tuple[int, ...], float] = {}  # frame shape -> zoom it is read at
        self._loops = LoopGuard()

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
        screen = np.asarray(obs["screen"])
        canon = canonical(screen, zoom=self._zooms.get(screen.shape))  # small text read enlarged
        if canon.scale is not None:
            self._zooms[screen.shape] = canon.zoom  # measured once a size, so frames compare
        parse = self.parser.parse(canon.frame, canon.text)
        view = View(self.plan.text, canon.frame, parse, grounder=self.grounder, text=canon.text)
        notes: dict[str, Any] = {}
        self._check(canon.frame, (info or {}).get("error"), notes)
        action, box, expect = self._next(view, notes)
        if self._loops.repeats(action, canon.frame):
            action, box, expect = self._out_of_loop(view, (action, box, expect), notes)
        self._pending = Pending(action, canon.frame.copy(), box, expect)  # envs may reuse buffers
        self.last_parse = canon.parse_in_observation(parse)
        self.last_extra = {
            "skill": "plan",
            "step": self._index,
            "steps": [s.to_dict() for s in self.plan.steps],
            "parse_ms": round(parse.timings.get("total", 0.0) * 1000, 1),
            "policy_ms": round((time.perf_counter() - t0) * 1000, 1),
            **notes,
        }
        if canon.zoom != 1.0:
            self.last_extra["zoom"] = round(canon.zoom, 3)
        return canon.to_observation(action)

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

    def _out_of_loop(
        self, view: View, chosen: tuple[Action, Any, str], notes: dict[str, Any]
    ) -> tuple[Action, Any, str]:
        """The same click chosen again on a screen it left unchanged: its target is tried and
        failed, the step's next candidate taken; a step with none but that click gives up.
        Closed-loop routines (a step with a manner) repeat clicks on purpose and are left be."""
        state, action = self._state, chosen[0]
        if state is None or state.step.manner:
            return chosen
        notes["loop"] = str(action)
        x, y = action.x, action.y  # type: ignore[attr-defined]
        el = state.element
        here = el is not None and el.box[0] <= x <= el.box[2] and el.box[1] <= y <= el.box[3]
        state.tried.append(el.box if here and el is not None else (x - 2, y - 2, x + 2, y + 2))
        state.failures += 1
        state.phase = "start"
        out = self._next(view, notes)
        if str(out[0]) == str(action):
            notes["gave_up"] = state.step.to_dict()
            self._advance()
            out = self._next(view, notes)
        self._loops = LoopGuard()
        self._loops.repeats(out[0], view.frame)
        return out

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
        return bool(steps) and (
            steps[-1].verb in ("type", "select", "check", "uncheck") or steps[-1].manner == "format"
        )

    def _step(
        self, view: View, state: StepState, notes: dict[str, Any]
    ) -> tuple[Action, Any, str] | None:
        """The next action of one step, or None when the step is complete."""
        step = state.step
        notes["verb"] = step.verb
        out = interactive_step(self, view, state, notes)  # pickers, feedback loops, tracking
        if out is not NOT_MINE:
            return out
        scan = row_scan_step(self, view, state, notes)  # a list taller than its view, scrolled
        if scan is not NOT_MINE:
            return scan  # type: ignore[no-any-return]
        row = row_step(self, view, state, notes)  # "the cheapest ticket": a list's best row
        if row is not NOT_MINE:
            return row  # type: ignore[return-value]
        keyed = keyed_value_step(self, view, state, notes)  # "their email": the value shown
        if keyed is not NOT_MINE:
            return keyed  # type: ignore[return-value]
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

    def warm_up(self) -> None:
        """Load MiniLM, the detector and the OCR now, so a timed page's first step does not
        wait for them (under load that wait has outlasted MiniWoB's 10 s timer)."""
        self.grounder.warm_up()
        self.parser.parse(np.full((210, 160, 3), 255, np.uint8))

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
