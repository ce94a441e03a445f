"""The action schema: canonical strings round-trip, bad input says what was wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import (
    ACTION_TYPES,
    Click,
    Done,
    Drag,
    EEDelta,
    Key,
    Scroll,
    Type,
    Wait,
    as_action,
    check_bounds,
    format_action,
    parse_action,
    scale_action,
)
from contracts.errors import ActionError

px = st.integers(min_value=0, max_value=10_000)
finite = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)
texts = st.text(max_size=40)
keys = st.sampled_from(["Enter", "ctrl+a", "shift+Tab", "ctrl+shift+t", "Escape", "F5", "a"])

actions = st.one_of(
    st.builds(
        Click, px, px, st.sampled_from(["left", "right", "middle"]), st.sampled_from(["", "ctrl"])
    ),
    st.builds(ACTION_TYPES["double_click"], px, px),
    st.builds(ACTION_TYPES["hover"], px, px),
    st.builds(Type, texts),
    st.builds(Key, keys),
    st.builds(Scroll, st.integers(-20, 20), st.integers(-20, 20)),
    st.builds(Scroll, st.integers(-20, 20), st.integers(-20, 20), px, px),
    st.builds(Drag, px, px, px, px),
    st.builds(Wait, st.floats(min_value=0, max_value=60, allow_nan=False)),
    st.builds(Done, st.one_of(st.none(), texts)),
    st.builds(EEDelta, finite, finite, finite, finite, st.floats(-1, 1, allow_nan=False)),
    st.builds(ACTION_TYPES["pick"], px, px),
    st.builds(ACTION_TYPES["place"], px, px),
    st.builds(ACTION_TYPES["push"], px, px, px, px),
)


@given(actions)
def test_every_action_string_parses_back_to_the_same_action(action):
    text = format_action(action)
    assert parse_action(text) == action
    assert format_action(parse_action(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "click(34, 120)",
        'type("hello")',
        'key("ctrl+a")',
        "scroll(0, 3)",
        "drag(1, 2, 3, 4)",
        "done()",
        'done("42")',
        "wait(1.5)",
        'click(3, 4, button="right")',
        'click(3, 4, modifiers="ctrl+shift")',
        "scroll(0, -3, x=5, y=6)",
        "ee_delta(0.01, 0.0, -0.02, grip=1.0)",
    ],
)
def test_canonical_strings_format_identically(text):
    assert str(parse_action(text)) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("clik(1, 2)", "unknown action kind 'clik'"),
        ("click(1)", "missing ['y']"),
        ("click(-1, 2)", "negative"),
        ("click(1, 2, 3, 4, 5)", "at most 4 arguments"),
        ('click(1, 2, modifiers="hyper")', "modifiers must be '+'-joined keys"),
        ('click(1, 2, modifiers="ctrl+ctrl")', "each once"),
        ('click("a", 3)', "must be a pixel coordinate"),
        ('key("ctrl+")', "malformed"),
        ("click(1,", "cannot parse"),
        ("os.system(1)", "must look like name(args)"),
        ('click(__import__("os"), 1)', "not a literal"),
        ('click(1, 2, button="side")', "button must be one of"),
        ("click(1, 2, z=3)", "no argument 'z'"),
        ("wait(100)", "[0, 60]"),
        ("scroll(0, 1, x=3)", "both x and y"),
        ("ee_delta(0, 0, 0, grip=2)", "grip must be in [-1, 1]"),
        ("click(nan, 1)", "not a literal"),
    ],
)
def test_malformed_actions_raise_an_error_saying_what_was_wrong(text, says):
    with pytest.raises(ActionError, match=None) as info:
        parse_action(text)
    assert says in str(info.value)


def test_out_of_range_coordinates_are_reported_with_the_valid_range():
    check_bounds(Click(159, 209), 160, 210)
    with pytest.raises(ActionError, match=r"outside the 160x210 observation.*\[0, 159\]"):
        check_bounds(Click(160, 5), 160, 210)
    with pytest.raises(ActionError, match="outside"):
        check_bounds(Drag(0, 0, 5, 300), 160, 210)


def test_as_action_accepts_strings_and_actions_but_not_other_objects():
    assert as_action("click(1, 2)") == Click(1, 2)
    assert as_action(Click(1, 2)) == Click(1, 2)
    with pytest.raises(ActionError, match="not an action"):
        as_action(("click", 1, 2))


def test_float_pixels_round_to_the_nearest_pixel():
    assert parse_action("click(10.6, 3.2)") == Click(11, 3)


@given(px, px, st.floats(0.25, 4), st.floats(0.25, 4))
def test_scaling_maps_pixel_centres_and_keeps_non_pixel_fields(x, y, sx, sy):
    a = scale_action(Click(x, y, "right"), sx, sy)
    assert a.button == "right"
    assert abs(a.x - (x + 0.5) * sx) <= 1 and abs(a.y - (y + 0.5) * sy) <= 1
    assert scale_action(Type("hi"), sx, sy) == Type("hi")


@given(st.lists(st.tuples(px, px), max_size=8), px, px)
def test_a_drag_through_waypoints_parses_back_and_passes_them_in_order(via, x, y):
    from contracts.actions import format_waypoints

    drag = Drag(x, y, y, x, via=format_waypoints(via))
    assert parse_action(format_action(drag)) == drag
    assert drag.points() == [(x, y), *via, (y, x)]
    assert (format_action(drag) == f"drag({x}, {y}, {y}, {x})") == (not via)


def test_a_drag_waypoint_outside_the_frame_or_malformed_is_reported():
    with pytest.raises(ActionError, match="outside"):
        check_bounds(Drag(0, 0, 5, 5, via="10 300"), 160, 210)
    with pytest.raises(ActionError, match="write waypoints as 'x y;x y'"):
        parse_action('drag(1, 2, 3, 4, via="5,6")')


def test_scaling_a_drag_scales_its_waypoints_too():
    assert scale_action(Drag(0, 0, 10, 10, via="4 6"), 2, 2) == Drag(1, 1, 21, 21, via="9 13")


def test_a_curved_drag_moves_through_each_waypoint_with_a_frame_between():
    from envs.browser.pool import input_calls

    calls = input_calls(Drag(0, 0, 10, 0, via="5 5;8 2"))
    moves = [c.args for c in calls if c.method == "move"]
    assert moves == [(0.5, 0.5), (5.5, 5.5), (8.5, 2.5), (10.5, 0.5)]
    assert [c.method for c in calls[-3:]] == ["move", "evaluate", "up"]
