"""The VLM planner: groundings become checked typed actions; refusals and loops are typed errors."""

from __future__ import annotations

import numpy as np
import pytest

from contracts.actions import Click, Done, Pick, Type
from contracts.errors import ActionError, GroundingError
from perception.grounding import Box, Grounding, Point
from perception.grounding.formats import parse_grounding
from perception.grounding.resize import CoordinateFrame
from policies.planners.screen import Planner, ScreenPlannerConfig, frame_digest

SIZE = (160, 210)


def test_a_model_action_becomes_the_typed_action():
    g = Grounding(action='type("hello")', format="handeye")
    assert Planner().plan(g, SIZE) == Type("hello")


def test_a_bare_point_is_clicked_and_a_box_is_clicked_at_its_centre():
    planner = Planner()
    assert planner.plan(Grounding(points=(Point(10.4, 20.6),)), SIZE) == Click(10, 21)
    assert planner.plan(Grounding(boxes=(Box(10, 20, 30, 40),)), SIZE) == Click(20, 30)


def test_a_camera_observation_turns_points_into_picks():
    config = ScreenPlannerConfig.for_observation({"rgb": np.zeros((4, 4, 3), np.uint8)})
    assert Planner(config).plan(Grounding(points=(Point(2, 3),)), (4, 4)) == Pick(2, 3)
    with pytest.raises(ActionError, match="not an action this env takes"):
        Planner(config).plan(Grounding(action="click(1, 1)"), (4, 4))


def test_a_reply_in_model_pixels_lands_on_the_observation_pixel():
    frame = CoordinateFrame.smart_resized(160, 210)  # the model saw 168x224
    g = parse_grounding(
        '<tool_call>{"name": "computer_use", "arguments": '
        '{"action": "left_click", "coordinate": [84, 112]}}</tool_call>',
        frame,
    )
    assert Planner().plan(g, SIZE) == Click(80, 105)


def test_a_grounding_without_target_or_action_is_a_grounding_error():
    with pytest.raises(GroundingError, match="neither an action nor a point"):
        Planner().plan(Grounding(raw_text="I cannot see it", format="x"), SIZE)


def test_a_point_outside_the_frame_is_refused():
    with pytest.raises(ActionError, match="outside"):
        Planner().plan(Grounding(action="click(400, 10)"), SIZE)


def test_the_same_action_on_an_unchanged_screen_is_a_loop():
    planner, g = Planner(ScreenPlannerConfig(loop_window=3)), Grounding(action="click(5, 5)")
    frame = np.zeros((210, 160, 3), np.uint8)
    digest = frame_digest(frame)
    for _ in range(2):
        planner.commit(planner.plan(g, SIZE, digest), digest)
    with pytest.raises(ActionError, match="loop: click\\(5, 5\\) chosen 3 times"):
        planner.plan(g, SIZE, digest)
    frame[0, 0] = 1  # the screen changed: the same action is fine again
    assert planner.plan(g, SIZE, frame_digest(frame)) == Click(5, 5)


def test_history_records_actions_and_reset_forgets_them():
    planner = Planner()
    planner.commit(Click(1, 2))
    planner.commit(Done("42"))
    assert planner.history == ["click(1, 2)", 'done("42")']
    planner.reset()
    assert planner.history == []


def test_config_rejects_unknown_kinds_and_tiny_loop_windows():
    with pytest.raises(ActionError):
        ScreenPlannerConfig(point_action="scroll")
    with pytest.raises(ActionError):
        ScreenPlannerConfig(allowed=("teleport",))
    with pytest.raises(ActionError):
        ScreenPlannerConfig(loop_window=1)
