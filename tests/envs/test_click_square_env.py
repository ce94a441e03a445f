"""The click-square env: gymnasium's checker, the oracle's click wins, a miss and a bad action."""

from __future__ import annotations

import gymnasium as gym
from gymnasium.utils.env_checker import check_env

import envs  # noqa: F401 - registers the handeye ids
from agent.evaluation import evaluate


def test_check_env_passes_and_a_seed_gives_the_same_frame() -> None:
    env = gym.make("handeye/click-square-v0")
    check_env(env.unwrapped)
    a, _ = env.reset(seed=7)
    b, _ = env.reset(seed=7)
    assert (a["screen"] == b["screen"]).all() and a["instruction"] == b["instruction"]


def test_a_click_inside_the_named_square_succeeds_and_one_outside_fails() -> None:
    env = gym.make("handeye/click-square-v0", squares=2)
    _, info = env.reset(seed=1)
    x0, y0, x1, y1 = info["privileged"]["target_box"]
    _, reward, terminated, _, info = env.step(f"click({x1 - 1}, {y0})")
    assert (reward, terminated, info["success"]) == (1.0, True, True)
    env.reset(seed=1)
    _, reward, terminated, _, info = env.step(f"click({x1}, {y0})")
    assert (reward, terminated, info["success"]) == (0.0, True, False)


def test_an_action_the_env_does_not_take_is_reported_not_raised() -> None:
    env = gym.make("handeye/click-square-v0")
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step('type("red")')
    assert (reward, terminated) == (0.0, False) and "not a click on the frame" in info["error"]


def test_the_oracle_wins_every_episode_through_handeye_eval() -> None:
    reports, interrupted = evaluate(["handeye/click-square-v0"], "oracle", episodes=20)
    assert not interrupted and reports[0].successes == 20
