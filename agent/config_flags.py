"""Command-line flags generated from a policy's config dataclass, one flag per field.

`handeye eval/run/chat --policy X` get a flag per field of X's config that a command line can
express (str, int, float, bool, a path, a list of strings; objects such as a built grounder
are for Python callers), typed, with the config's default and the field's comment as help. A
flag whose name the command already uses (eval's `--seed`) is `--policy-NAME` instead.
`--policy-kwargs` JSON stays the escape hatch; the flags given override the same keys in it.
"""

from __future__ import annotations

import argparse
import collections.abc
import json
import sys
import types
import typing
from collections.abc import Sequence
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any

from contracts.errors import ConfigError
from contracts.registry import field_help

DEST_PREFIX = "policy_option__"
_SCALARS = (str, int, float)
_SEQUENCES = (list, collections.abc.Sequence)


def field_type(config: type, f: Field) -> Any:
    """The field's type as an object (its annotation evaluated in the config's module), or
    None when that module only names it for type checkers."""
    if not isinstance(f.type, str):
        return f.type
    namespace = vars(sys.modules[config.__module__])
    try:
        return eval(f.type, namespace)  # the annotation's own source, in its own module
    except (NameError, AttributeError, TypeError, SyntaxError):
        return None


def _is_str_like(tp: Any) -> bool:
    """str or Path, or a union of them: what a command-line word can be."""
    if tp in (str, Path):
        return True
    args = typing.get_args(tp)
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and str in args


def flag_kind(tp: Any) -> dict[str, Any] | None:
    """The argparse keywords for a field of type `tp`, or None when a command line cannot say it."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if all(a in (str, Path) for a in rest):
            return {"type": str}
        return flag_kind(rest[0]) if len(rest) == 1 else None
    if tp is bool:
        return {"action": argparse.BooleanOptionalAction}
    if tp in _SCALARS:
        return {"type": tp}
    if tp is Path:
        return {"type": str}
    if origin in _SEQUENCES and len(args) == 1:
        item = args[0]
        if item in _SCALARS or _is_str_like(item):
            return {"type": item if item in _SCALARS else str, "action": "append"}
    return None


def _help(text: str, f: Field, kind: dict[str, Any]) -> str:
    parts = [text] if text else []
    if kind.get("action") == "append":
        parts.append("(repeatable)")
    if f.default is MISSING and f.default_factory is MISSING:
        parts.append("(required)")
    elif f.default is not MISSING and f.default is not None:
        parts.append(f"(default: {f.default})")
    return " ".join(parts).replace("%", "%%")


def add_config_flags(parser: argparse.ArgumentParser, config: type, title: str) -> list[str]:
    """One flag per expressible field of `config` in a group called `title`; the flags added."""
    kinds = {f.name: flag_kind(field_type(config, f)) for f in fields(config)}
    if not any(kinds.values()):
        return []
    summary = (config.__doc__ or "").strip().split("\n")[0]
    group = parser.add_argument_group(
        title, f"{summary} Flags given override the same keys of --policy-kwargs."
    )
    helps = field_help(config)
    added = []
    for f in fields(config):
        kind = kinds[f.name]
        if kind is None:
            continue
        options = {"dest": DEST_PREFIX + f.name, "default": argparse.SUPPRESS, **kind}
        if kind.get("action") != argparse.BooleanOptionalAction:
            options["metavar"] = f.name.upper()
        options["help"] = _help(helps.get(f.name, ""), f, kind)
        name = f.name.replace("_", "-")
        try:
            group.add_argument(f"--{name}", **options)
            added.append(f"--{name}")
        except argparse.ArgumentError:  # the command has a flag of that name already
            group.add_argument(f"--policy-{name}", **options)
            added.append(f"--policy-{name}")
    return added


def policy_in_argv(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """(the command, the value of its --policy) in a handeye command line; None where absent."""
    command = next((a for a in argv if not a.startswith("-")), None)
    policy = None
    if command is not None:
        words = list(argv[list(argv).index(command) + 1 :])
        for i, word in enumerate(words):
            if word == "--policy" and i + 1 < len(words):
                policy = words[i + 1]
            elif word.startswith("--policy="):
                policy = word.split("=", 1)[1]
    return command, policy


def add_policy_flags(parser: argparse.ArgumentParser, policy: str) -> list[str]:
    """The flags of `policy`'s config on a command's parser; none for an unknown policy (making
    it reports that)."""
    from policies.base import POLICIES

    if policy not in POLICIES:
        return []
    return add_config_flags(parser, POLICIES.config(policy), f"options of policy {policy!r}")


def policy_options(args: argparse.Namespace) -> dict[str, Any]:
    """The policy's options: the --policy-kwargs JSON, then the flags given over it."""
    options = json_object(getattr(args, "policy_kwargs", None), "--policy-kwargs")
    for key, value in vars(args).items():
        if key.startswith(DEST_PREFIX):
            options[key[len(DEST_PREFIX) :]] = value
    return options


def json_object(text: str | None, flag: str) -> dict[str, Any]:
    """A JSON object given on the command line (empty when absent)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{flag} is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{flag} must be a JSON object, got {text!r}")
    return value
