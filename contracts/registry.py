"""One registry mechanism for every family built by name (policies, grounder backends).

An entry names its factory and its config dataclass as "module:attr" strings (gymnasium's
entry-point form), so importing a registry or listing its names imports no backend. The config
lists the options the factory takes: `make` refuses any other option by name (with the known
ones), unless the config sets `open_options = True`, which passes the rest on to its backend.
A config may also name `ignored_options`: options that callers hand every backend of the family
and that this one accepts and drops. Field comments (`seed: int = 0  # why`) are help text.
"""

from __future__ import annotations

import importlib
import inspect
import io
import textwrap
import tokenize
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from typing import Any

from contracts.errors import ConfigError


@dataclass(frozen=True)
class NoOptions:
    """The config of a factory that takes no options (the privileged experts)."""


def load(target: str | Callable[..., Any]) -> Any:
    """The object a "module:attr" string names (imported now); a callable is returned as is."""
    if not isinstance(target, str):
        return target
    module, sep, attr = target.partition(":")
    if not sep or not module or not attr:
        raise ConfigError(f"entry point {target!r} is not of the form 'module:attr'")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def option_names(config: type) -> tuple[str, ...]:
    """The field names of a config dataclass, in declaration order."""
    return tuple(f.name for f in fields(config))


def required_options(config: type) -> tuple[str, ...]:
    """The fields of a config dataclass that have no default."""
    return tuple(
        f.name for f in fields(config) if f.default is MISSING and f.default_factory is MISSING
    )


def check_options(config: type, options: Mapping[str, Any], what: str) -> None:
    """Refuse options `config` does not have (unless it is open), naming them and the known ones."""
    known = option_names(config)
    ignored = getattr(config, "ignored_options", frozenset())
    unknown = sorted(set(options) - set(known) - set(ignored))
    if unknown and not getattr(config, "open_options", False):
        plural = "s" if len(unknown) > 1 else ""
        listed = ", ".join(known) if known else "none (it takes no options)"
        raise ConfigError(
            f"{what} has no option{plural} {', '.join(unknown)}; its options: {listed}"
        )
    missing = [name for name in required_options(config) if name not in options]
    if missing:
        raise ConfigError(f"{what} needs option(s) {', '.join(missing)}")


def field_help(config: type) -> dict[str, str]:
    """Each field's comment in the class source, by field name: the comment ending its line
    (`size: int = 3  # in pixels`), else the comment lines right above it."""
    if not is_dataclass(config):
        return {}
    try:
        source = textwrap.dedent(inspect.getsource(config))
    except (OSError, TypeError):
        return {}
    names = set(option_names(config))
    rows: dict[int, list[tokenize.TokenInfo]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                rows.setdefault(tok.start[0], []).append(tok)
    except (tokenize.TokenError, SyntaxError):
        return {}
    out: dict[str, str] = {}
    above: list[str] = []
    for row in sorted(rows):
        toks = rows[row]
        comment = toks[-1].string.lstrip("#").strip() if toks[-1].type == tokenize.COMMENT else ""
        if len(toks) == 1 and comment:
            above = [*above, comment] if row - 1 in rows else [comment]
            continue
        if len(toks) > 1 and toks[0].string in names and toks[1].string == ":":
            text = comment or (" ".join(above) if row - 1 in rows else "")
            if text:
                out[toks[0].string] = text
        above = []
    return out


@dataclass(frozen=True)
class Entry:
    """One registered name: its factory and config dataclass, each "module:attr" or an object."""

    name: str
    factory: str | Callable[..., Any]
    config: str | type = NoOptions


class Registry:
    """A name -> lazy factory map of one family; `make(name, **options)` checks and builds."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._entries: dict[str, Entry] = {}

    def register(
        self, name: str, factory: str | Callable[..., Any], config: str | type = NoOptions
    ) -> None:
        """Add `name`; the factory and the config are imported when first needed."""
        if name in self._entries:
            raise ConfigError(f"{self.family} {name!r} is already registered")
        self._entries[name] = Entry(name, factory, config)

    def names(self) -> tuple[str, ...]:
        """Every registered name, sorted."""
        return tuple(sorted(self._entries))

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, name: str) -> Entry:
        """The entry of `name`; an unknown name is a ConfigError listing the known ones."""
        entry = self._entries.get(name)
        if entry is None:
            raise ConfigError(f"unknown {self.family} {name!r}; known: {', '.join(self.names())}")
        return entry

    def config(self, name: str) -> type:
        """The config dataclass of `name` (imports its module, not necessarily the backend)."""
        return load(self.entry(name).config)

    def check(self, name: str, options: Mapping[str, Any]) -> None:
        """Refuse options the config of `name` does not have, naming them and the known ones."""
        check_options(self.config(name), options, f"{self.family} {name!r}")

    def make(self, name: str, **options: Any) -> Any:
        """Check `options` against the config of `name`, then call its factory with them."""
        self.check(name, options)
        return load(self.entry(name).factory)(**options)
