"""The one registry mechanism: lazy "module:attr" entries, options checked against a config."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import ClassVar

import pytest

from contracts.errors import ConfigError, HandeyeError
from contracts.registry import NoOptions, Registry, field_help, load


@dataclass(frozen=True)
class ToolConfig:
    """Options of a test tool."""

    size: int = 3  # how big, in pixels
    label: str = "x#y"  # a default with a hash in it

    # the fill colour,
    # or None for none
    colour: str | None = None
    count: int = 0


@dataclass(frozen=True)
class OpenConfig:
    open_options: ClassVar[bool] = True

    size: int = 3


@dataclass(frozen=True)
class NeedsPath:
    ignored_options: ClassVar[frozenset[str]] = frozenset({"prompt"})

    path: str


def tool(**options):
    return options


def test_make_passes_known_options_to_the_factory():
    reg = Registry("tool")
    reg.register("t", tool, ToolConfig)
    assert reg.make("t", size=5) == {"size": 5}
    assert "t" in reg and list(reg) == ["t"] and len(reg) == 1


def test_an_unknown_option_is_refused_with_the_known_ones():
    reg = Registry("tool")
    reg.register("t", tool, ToolConfig)
    with pytest.raises(ConfigError) as err:
        reg.make("t", sise=5, colour="red", shape="o")
    assert str(err.value) == (
        "tool 't' has no options shape, sise; its options: size, label, colour, count"
    )
    assert isinstance(err.value, HandeyeError)
    reg.register("bare", tool)
    with pytest.raises(ConfigError, match="has no option size; its options: none"):
        reg.make("bare", size=1)


def test_an_unknown_name_lists_the_known_ones():
    reg = Registry("tool")
    reg.register("b", tool)
    reg.register("a", tool)
    with pytest.raises(ConfigError, match=r"unknown tool 'c'; known: a, b"):
        reg.make("c")
    with pytest.raises(ConfigError, match="already registered"):
        reg.register("a", tool)


def test_open_configs_pass_the_rest_on_and_ignored_options_are_accepted():
    reg = Registry("tool")
    reg.register("open", tool, OpenConfig)
    reg.register("needs", tool, NeedsPath)
    assert reg.make("open", size=1, device="cpu") == {"size": 1, "device": "cpu"}
    assert reg.make("needs", path="p", prompt="point") == {"path": "p", "prompt": "point"}
    with pytest.raises(ConfigError, match="tool 'needs' needs option\\(s\\) path"):
        reg.make("needs")


def test_entries_are_module_attr_strings_imported_only_when_used():
    reg = Registry("tool")
    reg.register("nothing", "contracts.registry:NoOptions", "contracts.registry:NoOptions")
    assert reg.config("nothing") is NoOptions and isinstance(reg.make("nothing"), NoOptions)
    assert load("contracts.registry:Registry.make") is Registry.make
    with pytest.raises(ConfigError, match="module:attr"):
        load("contracts.registry")


def test_field_comments_are_help_text():
    assert field_help(ToolConfig) == {
        "size": "how big, in pixels",
        "label": "a default with a hash in it",
        "colour": "the fill colour, or None for none",
    }
    assert field_help(NoOptions) == {}


def test_listing_the_registries_imports_no_backend():
    code = (
        "import sys, policies.base as p, perception.grounders as g;"
        "print(p.POLICIES.names(), g.GROUNDERS.names());"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('torch', 'transformers', 'numpy', 'policies', 'perception')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.splitlines()[1]
    for module in ("torch", "transformers", "numpy", "policies.vlm", "perception.vlm"):
        assert f"'{module}" not in loaded, loaded
