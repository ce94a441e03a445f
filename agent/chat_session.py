"""A live session: one env, one policy, a safety gate and a trace, running a person's tasks.

`handeye chat` and `handeye run` share it; they differ only in who answers the gate's
questions (a person, or `--yes`/no) and in what they print. Each task is one recorded
episode; every step's frame is also saved as a PNG under `<trace>/frames/<episode>/` so a
person can open it while the session goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agent.chat_envs import EnvChoice, make_env, reset_options
from agent.safety import SafetyPolicy, domain_allowed, url_host
from agent.safety_gate import (
    ConfirmFn,
    GateEvent,
    RedactingLogFilter,
    RedactingTraceWriter,
    SafetyGate,
)
from agent.safety_redaction import RedactionConfig, RedactScreens
from agent.safety_secrets import Secrets
from agent.session import REDACT, EpisodeResult, StepOutcome, run_episode
from contracts.actions import Done, as_action
from contracts.errors import ActionError, HandeyeError
from envs.wrappers.task_instruction import TaskInstruction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionConfig:
    """Everything a session is built from; `handeye chat/run` flags map 1:1 to these fields."""

    env: EnvChoice = field(default_factory=EnvChoice)
    policy: str = "vlm"
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    max_steps: int = 30
    max_seconds: float = 600.0
    allow_domains: tuple[str, ...] = ()  # beyond the start URL's host; '*' allows any
    strict_domains: bool = False  # refuse, not ask about, leaving them (run; chat asks)
    trace_dir: Path = Path("runs")
    save_frames: bool = True
    secrets: Secrets = field(default_factory=Secrets)  # typed as <secret:NAME>, never shown
    redaction: RedactionConfig = field(default_factory=RedactionConfig)  # hidden when stored
    retain_for_s: float | None = None  # at the end: delete episodes older than this
    retain_episodes: int | None = None  # at the end: keep only the newest N episodes

    def safety(self) -> SafetyPolicy:
        """The safety policy: the start page's host plus `allow_domains` are allowed; a secret
        without domains of its own may be typed on those (but never on '*')."""
        allowed = list(self.allow_domains)
        if self.env.kind == "web" and (host := url_host(self.env.url)):
            allowed.append(host)
        return SafetyPolicy(
            allowed_domains=tuple(allowed),
            max_steps=self.max_steps,
            max_seconds=self.max_seconds,
            secrets=self.secrets,
            strict_domains=self.strict_domains,
        )


@dataclass(frozen=True)
class StepView:
    """One step as a person sees it: the action (secrets masked), where it points and what is
    there, per-phase latency, the saved frame, and what went wrong."""

    step: int
    action: str
    point: tuple[int, int] | None
    target: dict[str, Any] | None
    timings: dict[str, float]
    frame_path: Path | None
    error: str | None
    executed: bool
    approved_by_person: bool
    waited_s: float
    url: str | None


@dataclass(frozen=True)
class TaskOutcome:
    """How a task ended: the agent said done (with its answer), ran out, or was stopped."""

    instruction: str
    finished: bool
    answer: str | None
    steps: int
    duration_s: float
    episode_id: str | None
    interrupted: bool
    error: str | None


StepFn = Callable[[StepView], None]


class ChatSession:
    """Owns the env, the policy and the trace writer of a session; a context manager."""

    def __init__(self, config: SessionConfig, confirm: ConfirmFn | None = None) -> None:
        self.config = config
        self.confirm = confirm
        self.trace_dir = Path(config.trace_dir)
        self.gate: SafetyGate | None = None
        self._task_env: TaskInstruction | None = None
        self._policy: Any = None
        self._writer: RedactingTraceWriter | None = None
        self._log_filter: RedactingLogFilter | None = None
        self.pruned: list[str] = []
        self.approved_hosts: set[str] = set()  # hosts a person let the agent navigate to

    # ---- life cycle ---------------------------------------------------------------------
    def open(self) -> None:
        """Start the env and load the policy (a model load can take a while)."""
        from policies.base import make_policy

        if self.gate is None:
            self._task_env = make_env(self.config.env, self.config.max_steps, self._guard)
            recorded = RedactScreens(self._task_env, self.config.redaction)
            self.gate = SafetyGate(recorded, self.config.safety(), self._ask)
            self._log_filter = RedactingLogFilter(self.gate).install()
            self.gate.reset()  # open the start page (browser, shell, display) before any task
        if self._policy is None:
            kwargs = dict(self.config.policy_kwargs)
            if self.config.policy == "random":
                kwargs.setdefault("action_space", self.gate.action_space)
            self._policy = make_policy(self.config.policy, **kwargs)
        if self._writer is None:
            self._writer = RedactingTraceWriter(
                self.trace_dir, self.gate, redaction=self.config.redaction.rules()
            )

    def switch_env(self, choice: EnvChoice) -> None:
        """Close the current env and drive another one from the next task on."""
        self._close_env()
        self.config = replace(self.config, env=choice)
        self.open()

    def _close_env(self) -> None:
        if self.gate is not None:
            self.gate.close()
            self.gate = None
        if self._log_filter is not None:
            self._log_filter.remove()
            self._log_filter = None
        if self._writer is not None:
            self._writer.close()  # secrets are per env: a new writer shares the new gate's set
            self._writer = None

    def close(self) -> None:
        """Close the env, the policy and the trace (an open episode is kept as incomplete), then
        apply the retention setting to the trace folder."""
        self._close_env()
        if self._policy is not None:
            self._policy.close()
            self._policy = None
        self.pruned = self.apply_retention()

    def apply_retention(self) -> list[str]:
        """Delete the episodes the retention setting no longer keeps; their ids."""
        from agent.traces import prune

        cfg = self.config
        if (cfg.retain_for_s is None and cfg.retain_episodes is None) or not (
            self.trace_dir / "meta"
        ).is_dir():
            return []
        return prune(self.trace_dir, older_than_s=cfg.retain_for_s, keep=cfg.retain_episodes)

    def __enter__(self) -> ChatSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- one task -----------------------------------------------------------------------
    def _ask(self, event: GateEvent) -> bool:
        approved = bool(self.confirm and self.confirm(event))
        if approved:  # a person let it go there: the page may load it (and its subdomains)
            self.approved_hosts.update(h for u in event.verdict.urls if (h := _host(u)))
        return approved

    def _guard(self, url: str) -> str | None:
        """For the web env: None to let a top-level navigation load, else why it is blocked.
        The allowed domains, plus (chat) the hosts a person approved; a page's own scripts,
        forms and redirects get no question, so anything else is blocked."""
        allowed = (*(self.config.safety().allowed_domains or ()), *self.approved_hosts)
        if domain_allowed(url, allowed):
            return None
        return f"outside the allowed domains ({', '.join(allowed) or 'none'})"

    def run_task(self, instruction: str, on_step: StepFn | None = None) -> TaskOutcome:
        """Run one episode of the policy on the person's instruction; Ctrl-C (KeyboardInterrupt
        raised by `on_step` or the loop) ends it as interrupted with its steps kept."""
        if not instruction.strip():
            raise HandeyeError("the task is empty; say what the agent should do")
        self.open()
        assert self.gate is not None and self._task_env is not None
        instruction = self.gate.redact(instruction)  # a value given in the task: its placeholder
        self._task_env.set_task(instruction, **reset_options(self.config.env))
        last: dict[str, Any] = {"outcome": None}

        def step_hook(outcome: StepOutcome) -> None:
            last["outcome"] = outcome
            if on_step is not None:
                on_step(self._view(outcome))

        started = time.perf_counter()
        result: EpisodeResult | None = None
        interrupted = False
        try:
            result = run_episode(
                self.gate,
                self._policy,
                env_id=self.config.env.env_id,
                max_steps=self.config.max_steps,
                writer=self._writer,
                on_step=step_hook,
            )
        except KeyboardInterrupt:
            interrupted = True
        outcome: StepOutcome | None = last["outcome"]
        finished, answer = _finished(outcome)
        episode_id = result.episode_id if result else self._last_episode_id()
        steps = result.steps if result else (outcome.step + 1 if outcome else 0)
        error = None if outcome is None else outcome.error
        return TaskOutcome(
            instruction,
            finished and not interrupted,
            None if answer is None else self.gate.redact(answer),
            steps,
            time.perf_counter() - started,
            episode_id,
            interrupted,
            None if error is None else self.gate.redact(error),
        )

    def _last_episode_id(self) -> str | None:
        from agent.traces import list_episodes

        metas = list_episodes(self.trace_dir)
        return metas[-1].episode_id if metas else None

    def _view(self, outcome: StepOutcome) -> StepView:
        assert self.gate is not None
        event = self.gate.last_event
        action = event.shown if event else self.gate.redact(outcome.action)
        timings = dict(outcome.timings)
        if event is not None and event.waited_s and "act" in timings:
            timings["act"] = max(timings["act"] - event.waited_s, 0.0)
        point = None
        try:
            points = as_action(outcome.action).points() if outcome.action else []
            point = points[0] if points else None
        except ActionError:
            point = None
        return StepView(
            step=outcome.step,
            action=action,
            point=point,
            target=self.gate.redact_value(event.target) if event else None,
            timings=timings,
            frame_path=self._save_frame(outcome.step),
            error=None if outcome.error is None else self.gate.redact(outcome.error),
            executed=event.executed if event else False,
            approved_by_person=event.approved_by_person if event else False,
            waited_s=event.waited_s if event else 0.0,
            url=self.gate.last_info.get("url"),
        )

    def _save_frame(self, step: int) -> Path | None:
        """Save the frame after this step as a PNG a person can open; None if not saving."""
        from PIL import Image

        from agent.trace_format import fill_boxes

        assert self.gate is not None
        frame = self.gate.last_obs.get("screen")
        episode = self._writer.episode_id if self._writer else None
        if not self.config.save_frames or frame is None or episode is None:
            return None
        path = self.trace_dir / "frames" / episode / f"step-{step + 1:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = fill_boxes(frame, self.gate.last_info.get(REDACT) or ())
        Image.fromarray(frame).save(path, compress_level=1)
        return path


def _host(url: str) -> str:
    """The host of a URL as the address bar takes it ('example.com/x' too); '' if none."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return (parts.hostname or "").lower()


def _finished(outcome: StepOutcome | None) -> tuple[bool, str | None]:
    """Whether the last step was the agent's `done(...)`, and its answer."""
    if outcome is None or not outcome.action or not outcome.terminated:
        return False, None
    try:
        action = as_action(outcome.action)
    except ActionError:
        return False, None
    if isinstance(action, Done):
        return True, action.answer
    return False, None
