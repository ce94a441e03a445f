"""`HouseWebPolicy`: parse the frame, let the instruction's skill pick the action, record why."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from agent.actions import Action, Wait
from agent.errors import HandeyeError
from perception.instruction_grounding import PhraseGrounder
from perception.screen_parser import ScreenParse, ScreenParser
from policies.house_web.skill import Skill, choose
from policies.house_web.view import View, click, locate, quoted


class FallbackSkill:
    """For wordings no skill knows: click what the quoted text (or the last words) names."""

    name = "fallback"

    def __init__(self, instruction: str) -> None:
        q = quoted(instruction)
        self.phrase = q[0] if q else " ".join(instruction.rstrip(".").split()[-2:])

    def act(self, view: View) -> Action:
        hits = locate(view, self.phrase)
        if not hits:
            view.notes["missing"] = self.phrase
            return Wait(0.2)
        return click(hits[0], self.phrase)


class HouseWebPolicy:
    """Pixels-only browser policy: screen parser + instruction skills, no DOM at decision time."""

    name = "house"
    privileged = False

    def __init__(self, parser: ScreenParser | None = None, **parser_options: Any) -> None:
        self.parser = parser or ScreenParser(**parser_options)
        self.grounder = PhraseGrounder()
        self._skill: Skill | None = None
        self._instruction = ""
        self._history: list[Action] = []
        self.last_parse: ScreenParse | None = None
        self.last_extra: dict[str, Any] = {}

    def reset(self, instruction: str) -> None:
        """Start an episode: the instruction's wording picks the skill."""
        self._instruction = instruction
        self._skill = choose(instruction) or FallbackSkill(instruction)
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
        frame = np.asarray(obs["screen"])
        parse = self.parser.parse(frame)
        view = View(
            self._instruction,
            frame,
            parse,
            list(self._history),
            (info or {}).get("error"),
            grounder=self.grounder,
        )
        assert self._skill is not None
        action = self._skill.act(view)
        self._history.append(action)
        self.last_parse = parse
        self.last_extra = {
            "skill": self._skill.name,
            "parse_ms": round(parse.timings.get("total", 0.0) * 1000, 1),
            "policy_ms": round((time.perf_counter() - t0) * 1000, 1),
            **view.notes,
        }
        return action

    def close(self) -> None:
        """Release the parser's models."""
        self.parser.close()
