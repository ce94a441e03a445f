"""`ActionSpace.parse`: the one action check every env and wrapper runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import UI_ACTIONS, Click, Type
from contracts.errors import ActionError
from contracts.spaces import ActionSpace

SPACE = ActionSpace(160, 210, UI_ACTIONS, what="a UI action")


def test_parse_returns_the_typed_action_for_an_action_or_its_string() -> None:
    assert SPACE.parse("click(3, 4)") == Click(3, 4)
    assert SPACE.parse(Type("hi")) == Type("hi")


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("clack(1, 2)", "unknown action kind"),
        (42, "not an action"),
        ("ee_delta(0.1, 0, 0)", "ee_delta(0.1, 0.0, 0.0) is not a UI action; use one of ['click'"),
        ("click(160, 3)", "outside the 160x210 observation"),
    ],
)
def test_parse_says_what_was_wrong(action: object, words: str) -> None:
    with pytest.raises(ActionError) as info:
        SPACE.parse(action)
    assert words in str(info.value)


@given(st.integers(-5, 220), st.integers(-5, 220))
def test_contains_is_parse_succeeding(x: int, y: int) -> None:
    inside = 0 <= x < 160 and 0 <= y < 210
    assert SPACE.contains(f"click({x}, {y})") is inside
