"""The safety layer in the loop: a gymnasium wrapper that checks each action before the env
sees it, asks a person when the rules say so, refuses, and keeps typed secrets out of traces.

A refused action is not executed; the step returns the same observation with
`info["error"]` saying why, so the policy can recover (browser-use's ActionResult(error=...)).
A spent budget also truncates the episode. `RedactingTraceWriter` masks every secret the gate
saw typed before a step reaches disk.

Named secrets (agent.safety_secrets) reach the env only here: the policy types a placeholder
`<secret:NAME>`, the safety check says whether this field may get it, and the gate passes the
env the value in place of the placeholder; everything upstream and on disk keeps the
placeholder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import gymnasium as gym

from agent.safety import SafetyPolicy, Usage, Verdict, redact_text, redact_value, shown_action
from agent.safety_redaction import SECRET_ATTRIBUTE
from agent.safety_secrets import placeholders_in
from agent.traces import StepRecord, TraceWriter
from contracts.actions import Action, Click, DoubleClick, Type, as_action
from contracts.errors import ActionError, EnvError

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
        self.secrets_typed = 0  # placeholders the gate replaced by their values

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
        if isinstance(typed, Type) and placeholders_in(typed.text):
            fresh = self._fresh_info()
            if fresh is not None:  # the page may have moved on since the frame: ask again
                again = self.safety.check(typed, self._obs, fresh, usage)
                if again.decision == "deny":
                    self.last_event = replace(event, verdict=again, executed=False)
                    return self._refuse(again)
            self.secrets_typed += 1
            self._mark_secret_field()
            return self._forward(Type(self.safety.secrets.substitute(typed.text)))
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

    def _fresh_info(self) -> dict[str, Any] | None:
        """The env's UI state now (web: URL and focus), or None when it cannot say."""
        state = getattr(self.env.unwrapped, "ui_state", None)
        if state is None:
            return None
        try:
            return state()
        except EnvError as exc:  # no page to ask: the step itself will report it
            log.debug("could not read the UI state: %s", exc)
            return None

    def _mark_secret_field(self) -> None:
        """Mark the field about to get a secret, so recorded frames hide it from now on."""
        mark = getattr(self.env.unwrapped, "mark_focused", None)
        if mark is None:
            return
        try:
            mark(SECRET_ATTRIBUTE)
        except EnvError as exc:  # the step itself will report a page that went away
            log.debug("could not mark the secret's field: %s", exc)

    def _target(self, action: Action) -> dict[str, Any] | None:
        """What the env says lies under a click (web env's `describe_point`), if it can say."""
        describe = getattr(self.env.unwrapped, "describe_point", None)
        if describe is None or not isinstance(action, (Click, DoubleClick)):
            return None
        return describe(action.x, action.y)

    def redact(self, text: str) -> str:
        """`text` with named secrets as placeholders and every other secret typed so far masked."""
        return redact_text(self.safety.secrets.mask(text), self.secrets)

    def redact_value(self, value: Any) -> Any:
        """A JSON-like value with `redact` applied to every string."""
        return redact_value(self.safety.secrets.mask_value(value), self.secrets)


class RedactingLogFilter(logging.Filter):
    """A handler filter that masks a gate's secrets in every log line (a library may log a URL
    or a message that carries a value); `install` puts it on the root logger's handlers."""

    def __init__(self, gate: SafetyGate) -> None:
        super().__init__()
        self.gate = gate
        self._handlers: list[logging.Handler] = []

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: log it as given, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.gate.redact(message), None
        return True

    def install(self) -> RedactingLogFilter:
        self._handlers = list(logging.getLogger().handlers)
        for handler in self._handlers:
            handler.addFilter(self)
        return self

    def remove(self) -> None:
        for handler in self._handlers:
            handler.removeFilter(self)
        self._handlers = []


class RedactingTraceWriter(TraceWriter):
    """A TraceWriter that masks the secrets a SafetyGate saw typed (and the values of its named
    secrets), before a step or an episode's instruction is written."""

    def __init__(self, root: Any, gate: SafetyGate, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.gate = gate  # its set of typed secrets grows as the session goes on

    def start_episode(
        self, env_id: str, policy: str, seed: int | None = None, instruction: str = ""
    ) -> str:
        return super().start_episode(env_id, policy, seed, self.gate.redact(instruction))

    def add_step(self, record: StepRecord) -> None:
        gate = self.gate
        record = replace(
            record,
            action=gate.redact(record.action),
            error=None if record.error is None else gate.redact(record.error),
            extra=gate.redact_value(record.extra),
        )
        super().add_step(record)
