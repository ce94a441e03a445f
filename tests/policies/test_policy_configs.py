"""Each registered policy has a config dataclass that says truly which options it takes."""

from __future__ import annotations

import inspect
from dataclasses import MISSING, fields

import numpy as np
import pytest

from contracts.errors import ConfigError
from contracts.registry import load
from policies.base import POLICIES, Policy, make_policy


def _keywords(factory) -> dict[str, object]:
    """The named keywords of a factory with their defaults (no *args / **kwargs)."""
    params = inspect.signature(factory).parameters.values()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name: p.default for p in params if p.kind in kinds}


def _built_from_its_config(factory, config) -> bool:
    """A factory of the form f(config: Config | None = None, **options): options fill Config."""
    params = inspect.signature(factory).parameters
    keywords = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = "config" in params and config.__name__ in str(params["config"].annotation)
    return keywords and named and list(_keywords(factory)) == ["config"]


@pytest.mark.parametrize("name", [n for n in POLICIES.names() if n != "house"])
def test_config_fields_are_the_factory_keywords_with_the_same_defaults(name):
    config = POLICIES.config(name)
    factory = load(POLICIES.entry(name).factory)
    if _built_from_its_config(factory, config):
        return
    expected = {f.name: None if f.default is MISSING else f.default for f in fields(config)}
    assert _keywords(factory) == expected


def test_the_house_config_is_what_its_two_sides_read():
    from perception.screen.parser import ParserConfig
    from policies.house import CAMERA_OPTIONS, SCREEN_OPTIONS, HouseConfig
    from policies.house.robot import GroundedTabletopPolicy

    assert {f.name for f in fields(HouseConfig)} == CAMERA_OPTIONS | SCREEN_OPTIONS
    assert set(_keywords(GroundedTabletopPolicy)) == CAMERA_OPTIONS
    house = {f.name: f.default for f in fields(HouseConfig)}
    for f in fields(ParserConfig):
        assert f.name in SCREEN_OPTIONS and house[f.name] == f.default, f.name


def test_an_unknown_option_is_refused_with_the_field_list():
    with pytest.raises(ConfigError) as err:
        make_policy("random", seeed=3)
    assert str(err.value) == "policy 'random' has no option seeed; its options: action_space, seed"
    with pytest.raises(ConfigError, match="policy 'expert' has no option model; its options: none"):
        make_policy("expert", model="m")


def test_house_on_screens_refuses_an_option_only_camera_frames_read():
    policy = make_policy("house", model="m")
    with pytest.raises(ConfigError, match="on screens does not read model"):
        policy.act({"screen": np.zeros((8, 8, 3), np.uint8), "instruction": "x"})


def test_every_policy_records_last_extra():
    for name in ("expert", "random", "tabletop-expert", "house"):
        policy = make_policy(name)
        assert isinstance(policy, Policy) and policy.last_extra == {}, name
