"""The session loop on a real browser env: phases timed, traces kept, Ctrl-C survives."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the ids
from agent.session import run_episode, run_episodes
from agent.traces import TraceReader, TraceWriter
from contracts.actions import Click, Wait
from contracts.errors import GroundingError


class ScriptedPolicy:
    """Plays a fixed list of actions; a list item that is an exception is raised instead."""

    name = "scripted"
    privileged = False

    def __init__(self, script):
        self.script = list(script)
        self.seen_info = []
        self.last_extra = {}

    def reset(self, instruction):
        self.i = 0

    def act(self, obs, info=None):
        self.seen_info.append(info)
        item = self.script[min(self.i, len(self.script) - 1)]
        self.i += 1
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self):
        pass


@pytest.fixture
def env(browser_pool):
    e = gym.make("handeye/miniwob-click-button-v0")
    yield e
    e.close()


def test_steps_are_timed_by_phase_and_recorded(env, tmp_path):
    policy = ScriptedPolicy([Wait(0.0), Wait(0.0), Click(2, 2)])
    with TraceWriter(tmp_path) as writer:
        result = run_episode(env, policy, env_id="click-button", seed=3, max_steps=3, writer=writer)
    assert result.steps == 3 and result.complete
    assert set(result.timings) == {"capture", "policy", "act"}
    assert result.timings["capture"] > 0 and result.timings["act"] > 0
    reader = TraceReader(tmp_path)
    (meta,) = reader.episodes()
    assert meta.complete and meta.steps == 3 and meta.seed == 3
    steps = reader.steps(meta.episode_id)
    assert [s.action for s in steps] == ["wait(0.0)", "wait(0.0)", "click(2, 2)"]
    assert steps[0].frame.shape == (210, 160, 3)


def test_pixel_policies_see_only_the_error_of_their_last_action(env):
    policy = ScriptedPolicy([Click(500, 5), Wait(0.0)])
    run_episode(env, policy, seed=0, max_steps=3)
    first, second, third = policy.seen_info
    assert first == {} and third == {}
    assert list(second) == ["error"] and "outside" in second["error"]


def test_policy_errors_are_data_and_the_episode_goes_on(env):
    policy = ScriptedPolicy([GroundingError("reply had no point"), Wait(0.0)])
    result = run_episode(env, policy, seed=0, max_steps=3)
    assert result.steps == 3 and result.complete


def test_ctrl_c_stops_cleanly_and_keeps_what_was_recorded(env, tmp_path):
    policy = ScriptedPolicy([Wait(0.0), KeyboardInterrupt()])
    with TraceWriter(tmp_path) as writer:
        results, interrupted = run_episodes(
            env, policy, [0, 1], env_id="click-button", writer=writer
        )
    assert interrupted and results == []
    (meta,) = TraceReader(tmp_path).episodes()
    assert meta.complete is False and meta.steps == 1


def test_a_step_budget_ends_the_episode(env):
    result = run_episode(env, ScriptedPolicy([Wait(0.0)]), seed=0, max_steps=4)
    assert result.steps == 4 and not result.success
