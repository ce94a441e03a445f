"""The safety layer in the loop: a gymnasium wrapper that checks each action before the env
sees it, asks a person when the rules say so, refuses, and keeps typed secrets out of traces.

A refused action is not executed; the step returns the same observation with
`info["error"]` saying why, so the policy can recover (browser-use's ActionResult(error=...)).
A spent budget also truncates the episode. `RedactingTraceWriter` masks every secret the gate
saw typed before a step reaches disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import gymnasium as gym

from agent.safety import SafetyPolicy, Usage, Verdict, redact_text, redact_value, shown_action
from agent.traces import StepRecord, TraceWriter
from contracts.actions import Action, Click, DoubleClick, as_action
from contracts.errors import ActionError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GateEvent:
    """What the gate decided about one action: the action as shown (secrets masked), the
    verdict, what the env reported under a click, and whether it ran."""

    shown: str
    verdict: Verdict
    target: dict[str, Any] | None = None
    executed: bool = True
    approved_by_person: bool = False
    waited_s: float = 0.0  # time spent waiting for the answer, inside the step's "act" time


# Asked for every "confirm" verdict; True lets the action run.
ConfirmFn = Callable[[GateEvent], bool]


class SafetyGate(gym.Wrapper):
    """Checks each action against a SafetyPolicy; `confirm` answers the questions (None: no)."""

    def __init__(
        self, env: gym.Env, policy: SafetyPolicy, confirm: ConfirmFn | None = None
    ) -> None:
        super().__init__(env)
        self.safety = policy
        self.confirm = confirm
        self.secrets: set[str] = set()
        self.last_event: GateEvent | None = None
        self._obs: dict[str, Any] = {}
        self._info: dict[str, Any] = {}
        self._steps = 0
        self._started = time.monotonic()

    @property
    def last_obs(self) -> dict[str, Any]:
        """The observation the next action will be chosen from."""
        return self._obs

    @property
    def last_info(self) -> dict[str, Any]:
        return self._info

    def reset(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self._obs, self._info = obs, info
        self._steps, self._started = 0, time.monotonic()
        self.last_event = None
        return obs, info

    def step(self, action: Action | str) -> tuple[dict[str, Any], float, bool, bool, dict]:
        try:
            typed = as_action(action)
        except ActionError:
            return self._forward(action)  # the env reports a malformed action itself
        target = self._target(typed)
        info = dict(self._info, target=target) if target is not None else self._info
        usage = Usage(self._steps, time.monotonic() - self._started)
        verdict = self.safety.check(typed, self._obs, info, usage)
        if verdict.secret and self.safety.redact_secrets:
            self.secrets.add(typed.text)  # type: ignore[union-attr]
        event = GateEvent(shown_action(typed, verdict, self.safety), verdict, target)
        approved = verdict.allowed
        if verdict.decision == "confirm":
            t0 = time.monotonic()
            approved = bool(self.confirm and self.confirm(event))
            event = replace(event, approved_by_person=approved, waited_s=time.monotonic() - t0)
        if not approved:
            self.last_event = replace(event, executed=False)
            return self._refuse(verdict)
        self.last_event = event
        return self._forward(typed)

    def _forward(self, action: Action | str) -> tuple[dict[str, Any], float, bool, bool, dict]:
        self._steps += 1
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._obs, self._info = obs, info
        return obs, reward, terminated, truncated, info

    def _refuse(self, verdict: Verdict) -> tuple[dict[str, Any], float, bool, bool, dict]:
        how = "forbidden" if verdict.decision == "deny" else "not approved"
        error = f"refused ({how}): {verdict.reason}; choose another action"
        log.info("refused an action: %s", verdict.reason)
        info = {k: v for k, v in self._info.items() if k != "error"}
        info.update(error=error, refused=verdict.kind or verdict.decision)
        self._info = info
        return self._obs, 0.0, False, verdict.kind == "budget", info

    def _target(self, action: Action) -> dict[str, Any] | None:
        """What the env says lies under a click (web env's `describe_point`), if it can say."""
        describe = getattr(self.env.unwrapped, "describe_point", None)
        if describe is None or not isinstance(action, (Click, DoubleClick)):
            return None
        return describe(action.x, action.y)

    def redact(self, text: str) -> str:
        """`text` with every secret typed so far masked."""
        return redact_text(text, self.secrets)


class RedactingTraceWriter(TraceWriter):
    """A TraceWriter that masks the secrets a SafetyGate saw typed, before a step is written."""

    def __init__(self, root: Any, secrets: set[str], **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.secrets = secrets  # shared with the gate: grows as secrets are typed

    def add_step(self, record: StepRecord) -> None:
        if self.secrets:
            record = replace(
                record,
                action=redact_text(record.action, self.secrets),
                error=None if record.error is None else redact_text(record.error, self.secrets),
                extra=redact_value(record.extra, self.secrets),
            )
        super().add_step(record)
