"""`--policy X` brings one flag per field of X's config; --policy-kwargs stays the escape hatch."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

from agent.cli import build_parser, main
from agent.config_flags import (
    add_config_flags,
    field_type,
    flag_kind,
    policy_in_argv,
    policy_options,
)
from contracts.registry import field_help
from policies.base import POLICIES


def _options(argv: list[str]) -> dict:
    return policy_options(build_parser(argv).parse_args(argv))


def _flags(argv: list[str], title: str) -> list[str]:
    parser = build_parser(argv)
    sub = parser._subparsers._group_actions[0].choices[argv[0]]  # the command's own parser
    group = next(g for g in sub._action_groups if g.title == title)
    return [a.option_strings[0] for a in group._group_actions]


@dataclass(frozen=True)
class Knobs:
    flag: bool = False  # a switch
    names: list[str] | None = None  # repeatable words
    where: str | Path | None = None  # a path
    ratio: float = 0.5  # a number, 50%
    thing: Any = None  # an object: Python callers only


def test_each_expressible_field_is_one_flag_named_and_typed_after_it():
    parser = argparse.ArgumentParser()
    assert add_config_flags(parser, Knobs, "knobs") == ["--flag", "--names", "--where", "--ratio"]
    args = parser.parse_args(["--no-flag", "--names", "a", "--names", "b", "--ratio", "2"])
    assert policy_options(args) == {"flag": False, "names": ["a", "b"], "ratio": 2.0}
    assert "a number, 50% (default: 0.5)" in parser.format_help().replace("\n      ", "")
    kinds = {f.name: flag_kind(field_type(Knobs, f)) for f in fields(Knobs)}
    assert kinds["thing"] is None and kinds["where"] == {"type": str}


@pytest.mark.parametrize("name", POLICIES.names())
def test_a_policy_flag_maps_to_a_config_field_with_its_comment(name):
    config = POLICIES.config(name)
    helps = field_help(config)
    expressible = [f.name for f in fields(config) if flag_kind(field_type(config, f))]
    for f in expressible:
        assert helps.get(f), f"{name}: field {f} has no comment to be its help"
    flags = (
        _flags(["run", "go", "--policy", name], f"options of policy {name!r}")
        if expressible
        else []
    )
    assert flags == ["--" + f.replace("_", "-") for f in expressible]


def test_flags_given_override_policy_kwargs_and_the_rest_stay():
    argv = ["run", "go", "--policy", "scripted", "--policy-kwargs", '{"answer": "a", "file": "f"}']
    assert _options(argv + ["--answer", "b"]) == {"answer": "b", "file": "f"}
    assert _options(argv) == {"answer": "a", "file": "f"}
    argv = [
        "eval",
        "--env",
        "x",
        "--policy=scripted",
        "--actions",
        "click(3, 4)",
        "--actions",
        "done()",
    ]
    assert _options(argv) == {"actions": ["click(3, 4)", "done()"]}
    assert policy_in_argv(["-v", "eval", "--policy", "house"]) == ("eval", "house")


def test_a_field_named_like_a_command_flag_gets_the_policy_prefix():
    assert _flags(["eval", "--env", "x", "--policy", "random"], "options of policy 'random'") == [
        "--policy-seed"
    ]
    args = build_parser(argv := ["eval", "--env", "x", "--policy", "random", "--seed", "4"])
    assert args.parse_args(argv).seed == 4 and _options(argv) == {}
    assert _options(argv + ["--policy-seed", "7"]) == {"seed": 7}


def test_an_unknown_option_is_refused_with_the_field_list(capsys):
    kwargs = '{"colour": 1}'
    argv = [
        "eval",
        "--env",
        "miniwob-click-button",
        "--policy",
        "random",
        "--policy-kwargs",
        kwargs,
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "policy 'random' has no option colour; its options: action_space, seed" in err
    with pytest.raises(SystemExit):
        main(["eval", "--env", "miniwob-click-button", "--policy", "random", "--model", "m"])
    assert "unrecognized arguments: --model m" in capsys.readouterr().err


def _help_modules(argv: Sequence[str]) -> str:
    code = (
        "import sys\nfrom agent.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint(sorted(sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True
    )
    return out.stdout + "\n" + out.stderr


@pytest.mark.parametrize("policy", ["vlm", "house", "scripted"])
def test_help_with_a_policy_imports_no_model_library(policy):
    text = _help_modules(["run", "--policy", policy, "--help"])
    assert f"options of policy '{policy}'" in text
    for heavy in ("torch", "transformers", "playwright", "gymnasium", "mujoco"):
        assert f"'{heavy}'" not in text
