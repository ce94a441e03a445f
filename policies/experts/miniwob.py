"""A privileged scripted expert for MiniWoB++: reads the page's DOM from `info` and acts.

The DOM and the task's fields are `info["privileged"]["dom"]` and `info["privileged"]["fields"]`.

It validates the MiniWoB env, generates demonstrations and drives throughput benchmarks, so
each step is a pure function of the current DOM (plus a tiny per-episode memo where the page
shows no trace of an earlier action), costs no page calls of its own, and never sleeps.
Solvers live in `miniwob_click_tasks`, `miniwob_form_tasks` and `miniwob_flow_tasks`, one
function per task, over the DOM view of `miniwob_dom`.
"""

from __future__ import annotations

import logging
from typing import Any

from contracts.actions import Action, Done, Wait
from contracts.keys import PRIVILEGED
from policies.experts.miniwob_click import CLICK_SOLVERS
from policies.experts.miniwob_dom import DomView, Solver, TaskState
from policies.experts.miniwob_flow import FLOW_SOLVERS
from policies.experts.miniwob_form import FORM_SOLVERS

log = logging.getLogger(__name__)

SOLVERS: dict[str, Solver] = {**CLICK_SOLVERS, **FORM_SOLVERS, **FLOW_SOLVERS}
SOLVED_TASKS: tuple[str, ...] = tuple(sorted(SOLVERS))
NOT_READY_WAIT_S = 0.1  # the page is mid-animation: let it settle for one step


class MiniWoBExpert:
    """Scripted MiniWoB expert: `act(obs, info)` maps the DOM in `info` to a typed action."""

    name = "expert"
    privileged = True

    def __init__(self) -> None:
        self._memo: dict[str, Any] = {}
        self._instruction = ""
        self.last_extra: dict[str, Any] = {}  # the expert records nothing beside its actions

    def reset(self, instruction: str) -> None:
        """Forget the last episode's memo."""
        self._memo = {}
        self._instruction = instruction

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The next action for the task named in `info["task"]`; Done() for unknown tasks."""
        privileged = (info or {}).get(PRIVILEGED) or {}
        if "dom" not in privileged:
            return Done()
        solver = SOLVERS.get(info.get("task", ""))
        if solver is None:
            return Done()
        if "episode_seed" in info:  # reset() info: a new episode even if reset() was skipped
            self._memo = {}
        screen = obs.get("screen")
        height, width = (screen.shape[:2]) if screen is not None else (210, 160)
        state = TaskState(
            dom=DomView(privileged["dom"], width, height),
            instruction=info.get("instruction") or obs.get("instruction") or self._instruction,
            memo=self._memo,
            fields=privileged.get("fields") or {},
        )
        try:
            action = solver(state)
        except (ValueError, IndexError, KeyError, StopIteration) as exc:
            # The instruction or page is not in the form the solver knows (e.g. test-mode text).
            log.warning("%s: expert cannot read this episode (%r); giving up", info["task"], exc)
            action = Done()
        if action is None:
            action = Wait(NOT_READY_WAIT_S)
        self._memo["last"] = action
        return action

    def close(self) -> None:
        """Nothing to release."""
