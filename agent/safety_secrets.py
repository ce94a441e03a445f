"""Secrets the agent may type but never see: the policy, prompts, traces and logs hold only a
placeholder such as `<secret:password>`; the gate puts the value in at the moment of typing.

`handeye chat/run --secret NAME=VALUE` (or `NAME=@FILE`, `NAME=env:VAR`) registers one;
`--secret-domain NAME=HOST` says where it may be typed (default: the session's allowed
domains). Where a placeholder may be typed is decided by `agent.safety.check`; this module
parses the flags, finds placeholders and swaps values for placeholders and back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.errors import ConfigError

PLACEHOLDER = re.compile(r"<secret:([A-Za-z_][A-Za-z0-9_.-]{0,63})>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")


def placeholder(name: str) -> str:
    """The text a policy types to have secret `name` typed: `<secret:name>`."""
    return f"<secret:{name}>"


@dataclass(frozen=True)
class Secret:
    """One secret: its name, its value (never printed), and the hosts whose fields may get it
    (None: the session's allowed domains)."""

    name: str
    value: str = field(repr=False)
    domains: tuple[str, ...] | None = None

    @property
    def placeholder(self) -> str:
        return placeholder(self.name)


class Secrets:
    """The secrets of one session, by name; empty when none were given."""

    def __init__(self, secrets: Iterable[Secret] = ()) -> None:
        self._by_name: dict[str, Secret] = {}
        for s in secrets:
            if s.name in self._by_name:
                raise ConfigError(f"secret {s.name!r} is given twice; give each name once")
            self._by_name[s.name] = s

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Secret:
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(s.value for s in self._by_name.values())

    def __repr__(self) -> str:
        return f"Secrets({', '.join(self._by_name) or 'none'})"

    def substitute(self, text: str) -> str:
        """`text` with every known placeholder replaced by its value (unknown ones kept)."""
        return PLACEHOLDER.sub(
            lambda m: self._by_name[m[1]].value if m[1] in self._by_name else m[0], text
        )

    def mask(self, text: str) -> str:
        """`text` with every secret value (raw, or JSON-escaped) replaced by its placeholder."""
        for s in sorted(self._by_name.values(), key=lambda s: len(s.value), reverse=True):
            text = text.replace(s.value, s.placeholder)
            escaped = _json_escaped(s.value)
            if escaped != s.value:
                text = text.replace(escaped, s.placeholder)
        return text

    def mask_value(self, value: Any) -> Any:
        """A JSON-like value (dicts, lists, strings) with secret values masked in every string."""
        if not self._by_name:
            return value
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.mask_value(v) for v in value)
        return value


def placeholders_in(text: str) -> list[str]:
    """The secret names whose placeholders appear in `text`, in order."""
    return [m[1] for m in PLACEHOLDER.finditer(text)]


def _json_escaped(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)[1:-1]


def _read_value(name: str, spec: str, env: Mapping[str, str]) -> str:
    if spec.startswith("@"):
        path = Path(spec[1:]).expanduser()
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"--secret {name}=@{path}: cannot read the file ({type(exc).__name__}); "
                "give a readable UTF-8 file holding the value"
            ) from None
        return text[:-1] if text.endswith("\n") else text
    if spec.startswith("env:"):
        var = spec[4:]
        if var not in env:
            raise ConfigError(
                f"--secret {name}=env:{var}: the environment variable {var!r} is not set"
            )
        return env[var]
    return spec


def parse_secret_flags(
    specs: Sequence[str],
    domain_specs: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Secrets:
    """Secrets from `--secret NAME=VALUE|@FILE|env:VAR` and `--secret-domain NAME=HOST` flags.

    The error names the flag, never the value.
    """
    env = os.environ if env is None else env
    values: dict[str, str] = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ConfigError(
                f"--secret {name or '?'}=...: write NAME=VALUE, NAME=@FILE or NAME=env:VAR, with "
                "NAME letters, digits, _ . - (the policy types it as <secret:NAME>)"
            )
        value = _read_value(name, rest, env)
        if not value:
            raise ConfigError(f"--secret {name}: the value is empty")
        if name in values:
            raise ConfigError(f"--secret {name} is given twice; give each name once")
        values[name] = value
    domains: dict[str, list[str]] = {}
    for spec in domain_specs:
        name, sep, host = (part.strip() for part in spec.partition("="))
        if not sep or not host:
            raise ConfigError(f"--secret-domain {spec!r}: write NAME=HOST (repeat for more hosts)")
        if name not in values:
            known = ", ".join(values) or "none"
            raise ConfigError(f"--secret-domain {spec!r}: no --secret {name} (secrets: {known})")
        domains.setdefault(name, []).append(host)
    return Secrets(
        Secret(n, v, tuple(domains[n]) if n in domains else None) for n, v in values.items()
    )
