"""Keeping the pointer on a moving shape: which words ask for it, and a real moving circle."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction


def tracked_phrase(instruction: str) -> str | None:
    """The words of the plan's tracking step (manner "track"), or None when it has none."""
    steps = [s for s in parse_instruction(instruction).steps if s.manner == "track"]
    return steps[0].target.text if steps and steps[0].target is not None else None


@pytest.mark.parametrize(
    ("instruction", "phrase"),
    [
        ("Keep your mouse inside the circle as it moves around.", "circle"),
        ("Keep the mouse hovered over the colored square.", "colored square"),
        ("keep the cursor on the red dot while it moves", "red dot"),
        ("Follow the blue ball with your mouse.", "blue ball"),
        ("Keep hovering over the green box, as it jumps.", "green box"),
        ("Hold your cursor over the moving square.", "moving square"),
        ("Chase the purple dot with the mouse pointer.", "purple dot"),
        ("Track the circle with your cursor until time runs out.", "circle"),
        ("Leave the pointer resting on top of the yellow star while it moves.", "yellow star"),
    ],
)
def test_the_words_after_keep_the_pointer_name_what_to_track(instruction, phrase):
    assert tracked_phrase(instruction) == phrase


@pytest.mark.parametrize(
    "instruction",
    ["Click the circle.", "Keep the checkbox ticked and submit.", "Hover over the Save button."],
)
def test_other_instructions_track_nothing(instruction):
    assert tracked_phrase(instruction) is None


@pytest.mark.slow
def test_plan_policy_keeps_the_pointer_in_a_moving_circle(plan_policy):
    """Every hover lands on the circle as the frame showed it, and the policy never ends the
    episode itself (the page's own timer decides the score, and under load may beat it)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the MiniWoB envs
    from contracts.actions import Done, Hover

    env = gym.make("handeye/miniwob-chase-circle-v0", dom_in_info=False)
    try:
        obs, info = env.reset(seed=14000)
        plan_policy.reset(obs["instruction"])
        hovers = 0
        for _ in range(30):
            action = plan_policy.act(obs, {"error": info.get("error")})
            assert not isinstance(action, Done)
            if isinstance(action, Hover):
                hovers += 1
                assert obs["screen"][action.y, action.x].max() < 80  # the black circle
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
        assert hovers >= 2
    finally:
        env.close()
