"""Steps that set a number on a spinner or a slider: which step asks for it, and what."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from policies.house.web.number_controls import NumberGoal, number_goal
from policies.house.web.sliders import slider_numbers
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "goal"),
    [
        ("Select 8 with the spinner and hit Submit.", NumberGoal(8, "field")),
        ("Select -7 with the spinner and hit Submit.", NumberGoal(-7, "field")),
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
    ("instruction", "numbers"),
    [
        ("Select 157 with the slider and hit Submit.", [157]),
        ("Set the slider to 24, then press Submit.", [24]),
        ("Drag the slider to 30.", [30]),
    ],
)
def test_a_slider_step_asks_for_its_number_and_no_spinner_goal(instruction, numbers):
    first = parse_instruction(instruction).steps[0]
    assert slider_numbers(first) == numbers and number_goal(first) is None


@pytest.mark.slow
def test_plan_policy_drags_a_slider_to_the_number(plan_policy):
    assert house_wins(plan_policy, "use-slider", [9203]) == 1


@pytest.mark.slow
def test_plan_policy_spins_a_spinner_to_the_number(plan_policy):
    assert house_wins(plan_policy, "use-spinner", [9203]) == 1
