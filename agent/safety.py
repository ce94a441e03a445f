"""Safety rules for live sessions: what an agent may do alone, what needs a person's yes, what
never happens, and which typed text is a secret to hide.

`check(action, obs, info)` is pure: it reads the action, the observation and the public UI
state an env reports in `info` (web: `focus`, `address`, `url`; the point under a click as
`target`; terminal: the screen text and `cursor`) and returns a `Verdict`. The session layer
(agent.safety_gate) asks the person, refuses, and redacts; nothing here touches an env.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from agent.safety_secrets import PLACEHOLDER, Secrets, placeholders_in
from contracts.actions import Action, Click, Done, DoubleClick, Key, Type, format_action

Decision = Literal["allow", "confirm", "deny"]
MASK = "••••"

# Commands that need a person's yes before they run (the shell deny-list).
RISKY_COMMANDS: tuple[str, ...] = (
    r"\brm\s+(?:-\S+\s+)*-[a-zA-Z]*[rRf]",  # rm -r, rm -f, rm -rf, rm -fr
    r"\brm\s+.*--(?:recursive|force)\b",
    r"\bsudo\b",
    r"(?:^|[;&|]\s*)su(?:\s|$)",
    r"\bdoas\b",
    r"\bmkfs(?:\.\w+)?\b",
    r"\bdd\b.*\bof=",
    r"\b(?:shred|wipefs|fdisk|parted|sfdisk)\b",
    r"\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da|k|fi)?sh\b",
    r"\b(?:shutdown|reboot|poweroff|halt)\b",
    r"\binit\s+[06]\b",
    r"\bsystemctl\s+(?:poweroff|reboot|halt|stop)\b",
    r"\bchmod\s+(?:-\S+\s+)*-[a-zA-Z]*R",
    r"\bchmod\b.*\b777\b",
    r"\bchown\s+(?:-\S+\s+)*-[a-zA-Z]*R",
    r"\bkill(?:all)?\s+-(?:9|KILL)\s+-?1\b",
    r"\bgit\s+push\b.*\s(?:--force|-f)\b",
    r"\bgit\s+(?:reset\s+--hard|clean\s+-\w*f)",
    r">\s*/dev/(?:sd|nvme|hd|vd)",
    r"\bcrontab\s+-r\b",
)
# Commands that are refused outright: no answer makes them safe to run for an agent.
FORBIDDEN_COMMANDS: tuple[str, ...] = (
    r"\brm\s+(?:-\S+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-\S+\s+)*(?:/|/\*|~/?|\$HOME/?)(?:\s|$)",
    r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:",  # the classic fork bomb
    r"\bdd\b.*\bof=/dev/(?:sd|nvme|hd|vd)",
    r"\bmkfs(?:\.\w+)?\s+.*?/dev/(?:sd|nvme|hd|vd)",
)
# A terminal line asking for a secret (sudo, ssh, passwd, gpg).
_SECRET_PROMPT = re.compile(r"(password|passphrase|passcode|pin)[^:\n]*:\s*$", re.IGNORECASE)
# Schemes that never leave the machine or show the browser's own pages.
_LOCAL_SCHEMES = ("about", "data", "blob", "chrome-error", "javascript")
# Input types whose Enter does not submit their form.
_NO_IMPLICIT_SUBMIT = ("button", "checkbox", "radio", "file", "reset", "color", "range")
# Input types that take no typed text: a secret is never typed into them.
_NOT_TEXT = (*_NO_IMPLICIT_SUBMIT, "submit", "image", "hidden")


@dataclass(frozen=True)
class Usage:
    """How much of the session's budget is spent: steps taken and seconds elapsed."""

    steps: int = 0
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """What to do with an action: allow it, ask a person first, or refuse it; and why.

    kind names the rule ("password", "submit", "navigation", "shell", "budget"); secret is
    True when the action types a secret that displays and traces must not show.
    """

    decision: Decision = "allow"
    reason: str = ""
    kind: str = ""
    secret: bool = False
    urls: tuple[str, ...] = ()  # where the action would navigate outside the allowed domains

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"


@dataclass(frozen=True)
class SafetyPolicy:
    """The rules one session runs under; every field maps to a CLI flag of `handeye chat/run`.

    allowed_domains: hosts (subdomains included; 'host:port' pins a port; '*' any) the agent
    may navigate to alone; None allows every domain; strict_domains refuses the others instead
    of asking (and a web env then blocks pages' own navigations there). Budgets of None are
    unlimited. secrets:
    what `<secret:NAME>` placeholders stand for, and where each may be typed.
    """

    allowed_domains: tuple[str, ...] | None = None
    risky_commands: tuple[str, ...] = RISKY_COMMANDS
    forbidden_commands: tuple[str, ...] = FORBIDDEN_COMMANDS
    confirm_password: bool = True
    confirm_submit: bool = True
    confirm_navigation: bool = True
    strict_domains: bool = False  # leaving the allowed domains is refused, not asked about
    max_steps: int | None = 50
    max_seconds: float | None = 600.0
    redact_secrets: bool = True
    secrets: Secrets = field(default_factory=Secrets, compare=False)
    _compiled: dict[str, tuple[re.Pattern[str], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.allowed_domains is not None:
            domains = tuple(d.strip().lower().rstrip(".") for d in self.allowed_domains if d)
            object.__setattr__(self, "allowed_domains", domains)
        compiled = {
            "risky": tuple(re.compile(p) for p in self.risky_commands),
            "forbidden": tuple(re.compile(p) for p in self.forbidden_commands),
        }
        object.__setattr__(self, "_compiled", compiled)

    def check(
        self, action: Action, obs: dict[str, Any], info: dict[str, Any], usage: Usage | None = None
    ) -> Verdict:
        """The verdict on `action`, given the observation and `info` it was chosen from."""
        return check(action, obs, info, self, usage)


def domain_allowed(url: str, allowed: Iterable[str] | None) -> bool:
    """Whether `url` stays inside `allowed` (hosts, subdomains included; 'host:port'; '*')."""
    if allowed is None:
        return True
    allowed = tuple(allowed)
    if "*" in allowed:
        return True
    parts = urlsplit(url if "://" in url or ":" in url.split("/")[0] else f"http://{url}")
    scheme = parts.scheme.lower()
    if scheme in _LOCAL_SCHEMES:
        return True
    if scheme == "file":
        return "file" in allowed
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return False
    port = parts.port
    for entry in allowed:
        name, _, want_port = entry.partition(":")
        if want_port and (port is None or str(port) != want_port):
            continue
        if host == name or host.endswith(f".{name}"):
            return True
    return False


def url_host(url: str) -> str:
    """The 'host:port' (or host) of a URL, as an allowed_domains entry; '' if it has none."""
    parts = urlsplit(url)
    if not parts.hostname:
        return ""
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def _combine(verdicts: list[Verdict], secret: bool) -> Verdict:
    """The strictest verdict (deny > confirm > allow), with every reason that led to it."""
    for decision in ("deny", "confirm"):
        hits = [v for v in verdicts if v.decision == decision]
        if hits:
            reason = "; ".join(v.reason for v in hits)
            urls = tuple(u for v in hits for u in v.urls)
            return Verdict(decision, reason, hits[0].kind, secret, urls)  # type: ignore[arg-type]
    return Verdict("allow", "", "", secret)


def _shell(text: str, policy: SafetyPolicy) -> Verdict | None:
    for line in text.splitlines() or [text]:
        for pattern in policy._compiled["forbidden"]:
            if pattern.search(line):
                return Verdict("deny", f"forbidden command {line.strip()!r}", "shell")
        for pattern in policy._compiled["risky"]:
            if pattern.search(line):
                return Verdict("confirm", f"risky shell command {line.strip()!r}", "shell")
    return None


def _cursor_line(obs: dict[str, Any], info: dict[str, Any]) -> str | None:
    """The terminal line under the cursor (the command Enter would run), if the env says."""
    text, cursor = obs.get("text"), info.get("cursor")
    if not isinstance(text, str) or not cursor:
        return None
    lines = text.split("\n")
    row = int(cursor[1])
    return lines[row] if 0 <= row < len(lines) else None


def _navigation(url: str, policy: SafetyPolicy) -> Verdict | None:
    if domain_allowed(url, policy.allowed_domains):
        return None
    why = f"navigating to {url} (outside the allowed domains)"
    if policy.strict_domains:
        return Verdict("deny", why, "navigation", urls=(url,))
    if not policy.confirm_navigation:
        return None
    return Verdict("confirm", why, "navigation", urls=(url,))


def _typing_secret(obs: dict[str, Any], info: dict[str, Any]) -> bool:
    focus = info.get("focus") or {}
    if focus.get("type") == "password":
        return True
    line = _cursor_line(obs, info)
    return line is not None and bool(_SECRET_PROMPT.search(line.rstrip()))


def _enter_submits(focus: dict[str, Any]) -> bool:
    """Whether Enter in the focused element submits its form (implicit submission)."""
    if not focus.get("form"):
        return False
    tag, kind = focus.get("tag"), focus.get("type", "")
    return (tag == "input" and kind not in _NO_IMPLICIT_SUBMIT) or (
        tag == "button" and kind == "submit"
    )


def check(
    action: Action,
    obs: dict[str, Any],
    info: dict[str, Any],
    policy: SafetyPolicy,
    usage: Usage | None = None,
) -> Verdict:
    """The verdict on `action` under `policy`: pure, from the action, obs and public `info`."""
    usage = usage or Usage()
    if isinstance(action, Done):
        return Verdict()
    if policy.max_steps is not None and usage.steps >= policy.max_steps:
        return Verdict("deny", f"the step budget of {policy.max_steps} is spent", "budget")
    if policy.max_seconds is not None and usage.elapsed_s >= policy.max_seconds:
        return Verdict("deny", f"the time budget of {policy.max_seconds:g} s is spent", "budget")
    focus = info.get("focus") or {}
    verdicts: list[Verdict] = []
    secret = False
    if isinstance(action, Type):
        secret = _typing_secret(obs, info)
        if names := placeholders_in(action.text):
            # The person named these secrets and their domains: no question, only where-checks.
            if found := _secret_verdict(names, obs, info, policy):
                verdicts.append(found)
            secret = secret and bool(PLACEHOLDER.sub("", action.text).strip("\n"))
        if secret and policy.confirm_password:
            what = focus.get("name") or "a secret prompt"
            verdicts.append(Verdict("confirm", f"typing into password field {what!r}", "password"))
        if not secret and (found := _shell(action.text, policy)):
            verdicts.append(found)
        if "\n" in action.text:
            verdicts += _enter_verdicts(focus, info, policy, typed=action.text.split("\n")[0])
    elif isinstance(action, Key):
        chord = action.keys.replace(" ", "").lower()
        if chord in ("enter", "return"):
            verdicts += _enter_verdicts(focus, info, policy)
            line = _cursor_line(obs, info)
            if line is not None and (found := _shell(line, policy)):
                verdicts.append(found)
        elif chord in ("space", " ") and focus.get("tag") == "button" and _enter_submits(focus):
            verdicts += _enter_verdicts(focus, info, policy)
    elif isinstance(action, (Click, DoubleClick)):
        target = info.get("target") or {}
        if target.get("submit") and policy.confirm_submit:
            label = target.get("text") or target.get("name") or "submit"
            verdicts.append(Verdict("confirm", f"submitting a form (button {label!r})", "submit"))
        for url in (target.get("href"), target.get("submit") and target.get("action")):
            if url and (found := _navigation(url, policy)):
                verdicts.append(found)
    return _combine(verdicts, secret)


def _is_text_field(focus: dict[str, Any]) -> bool:
    """Whether the focused element takes typed text (an input, a textarea, an editable)."""
    tag = focus.get("tag")
    if tag == "input":
        return focus.get("type", "") not in _NOT_TEXT
    return tag == "textarea" or bool(focus.get("editable"))


def secret_host_allowed(url: str, domains: Iterable[str]) -> bool:
    """Whether a secret for `domains` may be typed on the page at `url`: http(s) (or file, when
    'file' is listed) on one of the hosts; never about:, data: or the browser's own pages."""
    domains = tuple(domains)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        return "file" in domains
    return scheme in ("http", "https") and domain_allowed(url, domains)


def _secret_verdict(
    names: list[str], obs: dict[str, Any], info: dict[str, Any], policy: SafetyPolicy
) -> Verdict | None:
    """Deny typing secret placeholders anywhere but a text field on their own domain (web) or a
    password prompt (terminal); None when every placeholder may be typed here."""
    unknown = sorted({n for n in names if n not in policy.secrets})
    if unknown:
        known = ", ".join(policy.secrets.names) or "none"
        return Verdict("deny", f"no secret named {unknown} (secrets: {known})", "secret")
    focus = info.get("focus") or {}
    if "url" in info:
        url = str(info.get("url") or "")
        if focus.get("tag") == "addressbar" or not _is_text_field(focus):
            what = focus.get("tag") or "nothing"
            return Verdict(
                "deny",
                f"secret {names[0]!r} is typed only into a text field; the focus is on {what}",
                "secret",
            )
        for name in names:
            domains = policy.secrets[name].domains
            if domains is None:
                domains = tuple(d for d in policy.allowed_domains or () if d != "*")
            if not secret_host_allowed(url, domains):
                host = url_host(url) or url.split(":")[0]
                return Verdict(
                    "deny",
                    f"secret {name!r} may be typed only on {', '.join(domains) or 'no domain'}; "
                    f"this page is {host}",
                    "secret",
                )
            action = str(focus.get("action") or "")
            if action and not secret_host_allowed(action, domains):
                return Verdict(
                    "deny",
                    f"secret {name!r} may be typed only on {', '.join(domains)}; this field's "
                    f"form sends it to {url_host(action) or action[:60]}",
                    "secret",
                )
        return None
    line = _cursor_line(obs, info)
    if line is not None:
        if _SECRET_PROMPT.search(line.rstrip()):
            return None
        return Verdict("deny", f"secret {names[0]!r} is typed only at a password prompt", "secret")
    return Verdict(
        "deny",
        f"secret {names[0]!r} cannot be typed here: this env does not say what has the focus",
        "secret",
    )


def _enter_verdicts(
    focus: dict[str, Any], info: dict[str, Any], policy: SafetyPolicy, typed: str | None = None
) -> list[Verdict]:
    """What pressing Enter would do: navigate from the address bar, or submit a form."""
    out = []
    if focus.get("tag") == "addressbar":
        address = info.get("address") or ""
        for url in {address, typed or "", address + (typed or "")} - {""}:
            if found := _navigation(url, policy):
                out.append(found)
                break
    elif _enter_submits(focus):
        if policy.confirm_submit:
            name = focus.get("name") or focus.get("tag")
            out.append(Verdict("confirm", f"submitting a form (Enter in {name!r})", "submit"))
        if (action := focus.get("action")) and (found := _navigation(action, policy)):
            out.append(found)
    return out


def shown_action(action: Action, verdict: Verdict, policy: SafetyPolicy) -> str:
    """The action as displays and traces show it: typed secrets become a mask."""
    if verdict.secret and policy.redact_secrets and isinstance(action, Type):
        return format_action(Type(MASK))
    return format_action(action)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (raw, or escaped as in an action string) replaced by the mask."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if not secret:
            continue
        text = text.replace(secret, MASK)
        escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
        if escaped != secret:
            text = text.replace(escaped, MASK)
    return text


def redact_value(value: Any, secrets: Iterable[str]) -> Any:
    """A JSON-like value (dicts, lists, strings) with secrets masked in every string."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v, secrets) for v in value)
    return value
