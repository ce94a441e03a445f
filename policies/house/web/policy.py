"""`HouseWebPolicy`: parse the frame, let the instruction's skill pick the action, record why."""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np

from contracts.actions import Action, Click, Done, Wait
from contracts.errors import HandeyeError
from perception.screen.parser import ScreenParse, ScreenParser
from perception.screen.phrase_grounding import PhraseGrounder
from policies.house.web.canon import canonical
from policies.house.web.skill import Skill, choose
from policies.house.web.view import View, ground, quoted


class FallbackSkill:
    """For wordings no skill knows: click what the instruction names ("Click the OK button"),
    read by the phrase grounder (quoted text, kind and spatial words)."""

    name = "fallback"

    def __init__(self, instruction: str) -> None:
        q = quoted(instruction)
        self.phrase = q[0] if q else instruction
        self.finished: bool | None = False

    def act(self, view: View) -> Action:
        hits = ground(view, self.phrase, limit=1)
        if not hits:
            view.notes["missing"] = self.phrase
            return Wait(0.2)
        self.finished = True
        return Click(*hits[0].point)


# "..., then call done()." ends a task that the env cannot see finish by itself (desktop apps).
_THEN_DONE = re.compile(r"[,;]?\s*(?:and\s+)?then\s+(?:call\s+)?done(?:\(\))?\s*\.?\s*$", re.I)


def split_done(instruction: str) -> tuple[str, bool]:
    """(the task without a trailing "then call done()", whether the policy must say done)."""
    m = _THEN_DONE.search(instruction)
    if m is None:
        return instruction, False
    return instruction[: m.start()].rstrip(" ,;.") + ".", True


class HouseWebPolicy:
    """Pixels-only browser policy: screen parser + instruction skills, no DOM at decision time.
    Skills and parser read the canonical frame (`canon.canonical`: light page, flat fills)."""

    name = "house"
    privileged = False

    def __init__(self, parser: ScreenParser | None = None, **parser_options: Any) -> None:
        self.parser = parser or ScreenParser(**parser_options)
        self.grounder = PhraseGrounder()
        self._skill: Skill | None = None
        self._instruction = ""
        self._task = ""
        self._then_done = False
        self._history: list[Action] = []
        self.last_parse: ScreenParse | None = None
        self.last_extra: dict[str, Any] = {}

    def reset(self, instruction: str) -> None:
        """Start an episode: the instruction's wording picks the skill."""
        self._instruction = instruction
        self._task, self._then_done = split_done(instruction)
        self._skill = choose(self._task) or FallbackSkill(self._task)
        self._history = []

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """Parse this frame and return the skill's next action."""
        if "screen" not in obs:
            raise HandeyeError(
                f"the browser house policy reads obs['screen']; this env gives {sorted(obs)}"
            )
        if self._skill is None or obs.get("instruction", self._instruction) != self._instruction:
            self.reset(obs.get("instruction", self._instruction))
        t0 = time.perf_counter()
        canon = canonical(np.asarray(obs["screen"]))
        frame = canon.frame
        parse = self.parser.parse(frame)
        view = View(
            self._task,
            frame,
            parse,
            list(self._history),
            (info or {}).get("error"),
            grounder=self.grounder,
        )
        assert self._skill is not None
        action = self._next(view)
        self._history.append(action)
        self.last_parse = parse
        self.last_extra = {
            "skill": self._skill.name,
            "parse_ms": round(parse.timings.get("total", 0.0) * 1000, 1),
            "policy_ms": round((time.perf_counter() - t0) * 1000, 1),
            "inverted": canon.inverted,
            "denoised": canon.denoised,
            **view.notes,
        }
        return action

    def _next(self, view: View) -> Action:
        """The skill's action; `Done` once it has finished a task that asks to be told so.

        A skill says it has finished with `finished`; one that cannot tell (None) is taken as done
        when, having acted, it waits (nothing left to do) or repeats its last action.
        """
        skill = self._skill
        assert skill is not None
        if self._then_done and skill.finished:
            return Done()
        action = skill.act(view)
        if self._then_done and skill.finished is None and self._history:
            last = self._history[-1]
            if isinstance(action, Wait) or action == last:
                view.notes["done"] = "the skill had nothing left to do"
                return Done()
        return action

    def close(self) -> None:
        """Release the parser's models."""
        self.parser.close()
