"""Steps that set a number on a spinner or a slider: which step asks for it, and what."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from policies.house.web.number_controls import NumberGoal, _signed, number_goal
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "goal"),
    [
        ("Select 8 with the spinner and hit Submit.", NumberGoal(8, "field")),
        ("Select -7 with the spinner and hit Submit.", NumberGoal(-7, "field")),
        ("Select 157 with the slider and hit Submit.", NumberGoal(157, "slider")),
        ("Set the slider to 24, then press Submit.", NumberGoal(24, "slider")),
        ("Drag the slider to 30.", NumberGoal(30, "slider")),
        ("Pick 12 using the stepper.", NumberGoal(12, "field")),
    ],
)
def test_the_first_step_asks_for_the_number_on_the_named_control(instruction, goal):
    first = parse_instruction(instruction).steps[0]
    assert number_goal(first) == goal


def test_the_submit_step_after_it_asks_for_no_number():
    steps = parse_instruction("Select 8 with the spinner and hit Submit.").steps
    assert len(steps) == 2 and number_goal(steps[-1]) is None


def test_a_number_without_a_control_is_no_goal():
    instruction = "Select 8 from the list and hit Submit."
    assert number_goal(parse_instruction(instruction).steps[0]) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("157", 157),
        ("-70", -70),
        ("\u221270", -70),
        ("\u25a1-90", -90),
        ("O-50", -50),
        ("5a", None),
        ("ab", None),
        ("12a", None),
    ],
)
def test_a_value_label_reads_as_its_signed_number(text, value):
    assert _signed(text) == value


@pytest.mark.slow
def test_plan_policy_drags_a_slider_to_the_number(plan_policy):
    assert house_wins(plan_policy, "use-slider", [9203]) == 1


@pytest.mark.slow
def test_plan_policy_spins_a_spinner_to_the_number(plan_policy):
    assert house_wins(plan_policy, "use-spinner", [9203]) == 1
