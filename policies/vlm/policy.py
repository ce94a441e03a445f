"""The grounded VLM policy: a grounder (local model or server) plus the planner, pixels only.

Each step: ground the observation's frame with the instruction and the history of
actions taken, plan a checked action from the reply, and on a broken or refused reply
ask the model once more with a note saying why. What still fails is a typed error the
session records in `info["error"]`; the episode goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from contracts.actions import Action, format_action
from contracts.errors import ActionError, GroundingError, HandeyeError
from perception.grounding import Grounder, Grounding
from policies.planners.screen import Planner, ScreenPlannerConfig, frame_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VLMPolicyConfig:
    """Options of the VLM policy; any other option goes on to the grounder backend."""

    open_options: ClassVar[bool] = True  # e.g. max_new_tokens, device: see the backend's config

    grounder: Grounder | None = None  # a built grounder; None: one from backend/model/endpoint
    backend: str | None = None  # transformers, http or house (default: from model/endpoint)
    model: str | None = None  # a local checkpoint folder, or the served name with endpoint
    endpoint: str | None = None  # an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
    prompt: str = "next_action"  # the prompt template the grounder asks with
    retries: int = 1  # extra model calls after a broken or refused reply
    loop_window: int = 3  # identical actions on an unchanged frame that count as a loop


class VLMPolicy:
    """Grounder + planner producing typed actions from pixels; never reads privileged state.

    Build it from a grounder, or let it build one: `model` (a checkpoint folder, or the
    served name with `endpoint`), `endpoint` (an OpenAI-compatible URL), `backend`
    (transformers, http, ...), and any backend option (`max_new_tokens`, `device`, ...).
    retries: extra model calls after a broken or refused reply. loop_window: identical
    actions on an unchanged frame that count as a loop.
    """

    name = "vlm"
    privileged = False

    def __init__(
        self,
        grounder: Grounder | None = None,
        *,
        backend: str | None = None,
        model: str | None = None,
        endpoint: str | None = None,
        prompt: str = "next_action",
        retries: int = 1,
        loop_window: int = 3,
        **grounder_options: Any,
    ) -> None:
        if retries < 0:
            raise HandeyeError(f"retries must be >= 0, got {retries}")
        if grounder is None:
            from perception.grounders import make_grounder

            grounder = make_grounder(
                backend, model=model, endpoint=endpoint, prompt=prompt, **grounder_options
            )
        self.grounder = grounder
        self.retries = retries
        self.loop_window = loop_window
        self.planner: Planner | None = None
        self.instruction = ""
        self.last_extra: dict[str, Any] = {}

    def reset(self, instruction: str) -> None:
        """Start an episode: new instruction, empty history."""
        self.instruction = instruction
        if self.planner is not None:
            self.planner.reset()
        self.last_extra = {}

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The next action for an observation with `screen` (or `rgb`) and `instruction`."""
        frame = obs.get("screen", obs.get("rgb"))
        if frame is None:
            raise GroundingError(
                "the VLM policy needs a 'screen' or 'rgb' image in the observation"
            )
        frame = np.asarray(frame)
        if self.planner is None:
            self.planner = Planner(ScreenPlannerConfig.for_observation(obs, self.loop_window))
        instruction = str(obs.get("instruction") or self.instruction)
        height, width = frame.shape[:2]
        digest = frame_digest(frame)
        feedback: list[str] = []
        if info and info.get("error"):  # the env refused the last action: tell the model why
            feedback.append(f"note: your last action failed: {_short(str(info['error']))}")
        notes = feedback
        errors: list[str] = []
        for attempt in range(self.retries + 1):
            grounding: Grounding | None = None
            try:
                grounding = self.grounder.ground(frame, instruction, self.planner.history + notes)
                action = self.planner.plan(grounding, (width, height), digest)
            except (GroundingError, ActionError) as exc:
                errors.append(str(exc))
                self._record(grounding, None, errors)
                if attempt == self.retries:
                    raise type(exc)(
                        f"no usable action after {attempt + 1} model call(s): {exc}"
                    ) from None
                notes = [*feedback, f"note: your last answer was rejected: {_short(str(exc))}"]
                log.info("retrying after a rejected reply: %s", _short(str(exc)))
                continue
            self.planner.commit(action, digest)
            self._record(grounding, action, errors)
            return action
        raise AssertionError("unreachable")  # the loop returns or raises

    def _record(self, g: Grounding | None, action: Action | None, errors: list[str]) -> None:
        """What the step's model call said, for traces (`last_extra` is read by the session)."""
        self.last_extra = {
            "reply": g.raw_text if g else None,
            "format": g.format if g else None,
            "repaired": bool(g and g.repaired),
            "clamped": bool(g and g.clamped),
            "model_s": {k: round(v, 4) for k, v in g.timings.items()} if g else {},
            "action": format_action(action) if action is not None else None,
            "rejected": [_short(e) for e in errors],
        }

    def close(self) -> None:
        """Release the grounder (model memory, server connections)."""
        self.grounder.close()

    def __enter__(self) -> VLMPolicy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
