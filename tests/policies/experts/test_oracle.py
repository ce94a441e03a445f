"""The oracle policy solves real terminal and desktop tasks from `info["privileged"]["oracle"]`."""

from __future__ import annotations

from collections.abc import Iterator

import gymnasium as gym
import pytest

from agent.session import run_episode
from contracts.actions import Done, Type, Wait
from contracts.errors import HandeyeError
from envs.desktop import register_desktop_envs
from envs.desktop.display import Xvfb
from envs.terminal import register_terminal_envs
from policies.base import Policy, make_policy

register_terminal_envs()
register_desktop_envs()


@pytest.fixture(scope="module")
def xvfb() -> Iterator[Xvfb]:
    with Xvfb(1280, 720) as display:
        yield display


@pytest.mark.parametrize("task", ["create-file", "count-lines"])
def test_the_oracle_solves_a_terminal_task(task: str) -> None:
    env = gym.make(f"handeye/terminal-{task}-v0")
    try:
        result = run_episode(env, make_policy("oracle"), seed=3, max_steps=20)
    finally:
        env.close()
    assert result.success and result.total_reward == 1.0


@pytest.mark.parametrize("task", ["click-ok", "submit-form"])
def test_the_oracle_solves_a_desktop_task(xvfb: Xvfb, task: str) -> None:
    env = gym.make(f"handeye/desktop-{task}-v0", display=xvfb)
    try:
        result = run_episode(env, make_policy("oracle"), seed=4, max_steps=20)
    finally:
        env.close()
    assert result.success and result.total_reward == 1.0


def test_the_oracle_is_a_privileged_policy_that_says_what_it_needs() -> None:
    oracle = make_policy("oracle")
    assert isinstance(oracle, Policy) and oracle.privileged and oracle.name == "oracle"
    oracle.reset("")
    with pytest.raises(HandeyeError, match=r"info\['privileged'\]\['oracle'\]"):
        oracle.act({}, {"privileged": {"dom": []}})
    assert isinstance(oracle.act({}, {"privileged": {"oracle": None}}), Wait)
    assert oracle.act({}, {"privileged": {"oracle": [Type("ls")]}}) == Type("ls")
    assert oracle.act({}, {}) == Done()
    oracle.reset("")
    assert oracle.act({}, {"privileged": {"oracle": []}}) == Done()
