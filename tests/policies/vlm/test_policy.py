"""The VLM policy on a real MiniWoB page with tiny random-weight models: typed actions or
recorded errors, never a crash; retries once, then reports loops."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the ids
from agent.session import run_episode
from contracts.actions import Click, as_action
from policies.base import make_policy
from policies.vlm.policy import VLMPolicy
from tests.vlm_checkpoints import checkpoint


@pytest.fixture
def click_button(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0")
    yield env
    env.close()


@pytest.mark.slow
def test_a_random_model_steps_a_real_env_with_actions_or_recorded_errors(
    click_button, tmp_path_factory
):
    model = str(checkpoint(tmp_path_factory, "random"))
    steps = []
    with make_policy("vlm", model=model, max_new_tokens=8) as policy:
        assert isinstance(policy, VLMPolicy) and policy.privileged is False
        result = run_episode(click_button, policy, seed=0, max_steps=2, on_step=steps.append)
    assert result.complete and result.steps == 2 and len(steps) == 2
    for step in steps:
        if step.action:
            action = as_action(step.action)  # a valid typed action inside the frame
            assert click_button.unwrapped.action_space.contains(action)
        else:
            assert step.error.startswith("policy: no usable action after 2 model call(s)")


@pytest.mark.slow
def test_a_model_repeating_a_useless_click_is_stopped_as_a_loop(click_button, tmp_path_factory):
    model = str(checkpoint(tmp_path_factory, "top_click"))
    steps = []
    with VLMPolicy(model=model, max_new_tokens=12, loop_window=2) as policy:
        run_episode(click_button, policy, seed=0, max_steps=2, on_step=steps.append)
        extra = policy.last_extra
    # The reply click(84, 9) in the model's 168x224 image is (80, 8) on the 160x210 page:
    # the instruction bar, so the screen does not change and the second click is a loop.
    assert steps[0].action == "click(80, 8)" and steps[0].error is None
    assert len(steps) == 2 and steps[1].action == ""
    assert "loop: click(80, 8) chosen 2 times in a row" in steps[1].error
    assert extra["reply"] == "click(84, 9)" and len(extra["rejected"]) == 2  # asked twice


def test_the_policy_reads_pixels_and_instruction_only(tmp_path_factory):
    import numpy as np

    model = str(checkpoint(tmp_path_factory, "click"))
    with VLMPolicy(model=model, max_new_tokens=12, prompt="point") as policy:
        policy.reset("Click on the OK button")
        frame = np.zeros((210, 160, 3), np.uint8)
        action = policy.act({"screen": frame, "instruction": "Click on the OK button"})
        assert action == Click(80, 59)
        assert policy.planner.history == ["click(80, 59)"]
        assert policy.last_extra["model_s"].keys() >= {"prefill", "decode"}


def test_without_a_model_or_endpoint_the_policy_uses_the_embedded_grounder():
    from perception.screen.house_grounder import HouseGrounder

    policy = make_policy("vlm")
    try:
        assert isinstance(policy.grounder, HouseGrounder)
    finally:
        policy.close()
