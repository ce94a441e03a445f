"""Async robot inference for real: a policy server process on loopback, a MuJoCo tabletop client."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the handeye ids
from agent.async_inference import (
    AsyncConfig,
    RemoteChunkPolicy,
    run_async_episode,
    run_sync_episode,
)
from contracts.actions import EEDelta
from contracts.errors import SetupError
from policies.action_chunks import PolicyServerConfig, aggregate, policy_server

SLOW = PolicyServerConfig(policy="tabletop-expert", horizon=10, latency_s=0.3)


@pytest.fixture(scope="module")
def slow_server():
    with policy_server(SLOW) as (address, key):
        yield address, key


def test_async_client_succeeds_like_sync_and_steps_while_the_server_thinks(slow_server):
    env = gym.make("handeye/tabletop-reach-v0")
    config = AsyncConfig(fps=20, max_steps=60)
    with RemoteChunkPolicy(*slow_server) as remote:
        sync = [run_sync_episode(env, remote, seed, config) for seed in (0, 1)]
        fast = [run_async_episode(env, remote, seed, config) for seed in (0, 1)]
    env.close()
    assert [s.success for s in sync] == [s.success for s in fast] == [True, True]
    assert all(s.steps_during_inference == [0] * s.requests for s in sync)  # the robot waited
    # 300 ms of inference at 20 ticks/s: the async robot keeps executing its queued chunk.
    during = [n for s in fast for n in s.steps_during_inference[1:]]
    assert during and max(during) >= 3
    assert all(s.idle_ticks < s.steps for s in fast)


def test_overlapping_actions_are_aggregated_as_lerobot_does():
    old, new = EEDelta(0.01, 0.0, 0.0, 0.0, grip=-1.0), EEDelta(0.02, 0.01, 0.0, 0.0, grip=1.0)
    mixed = aggregate(old, new)
    assert mixed.dx == pytest.approx(0.017) and mixed.dy == pytest.approx(0.007)
    assert mixed.grip == pytest.approx(0.4)
    assert aggregate(old, new, "latest_only") == new


def test_no_server_is_a_setup_error_naming_the_address():
    with pytest.raises(SetupError, match="no policy server at 127.0.0.1:9"):
        RemoteChunkPolicy(("127.0.0.1", 9), b"k")


def test_the_chunk_model_grasps_carries_and_pushes_the_goal_object():
    import numpy as np

    from policies.action_chunks import predict_gripper

    def state(obj_xyz):
        return {
            "tcp": np.array([0.0, 0.0, 0.03]),
            "fingertip": np.array([0.0, 0.0, 0.0]),
            "yaw": 0.0,
            "grasped": None,
            "goal": {"object": "cube"},
            "objects": {"cube": {"pos": np.array(obj_xyz), "half_height": 0.02, "radius": 0.02}},
        }

    p = state([0.005, 0.0, 0.03])
    predict_gripper(p, EEDelta(0.0, 0.0, 0.0, 0.0, grip=1.0))  # close on it
    predict_gripper(p, EEDelta(0.0, 0.0, 0.03, 0.0, grip=1.0))  # lift
    assert p["grasped"] == "cube" and p["objects"]["cube"]["pos"][2] == pytest.approx(0.06)
    predict_gripper(p, EEDelta(0.0, 0.0, 0.0, 0.0, grip=-1.0))
    assert p["grasped"] is None
    p = state([0.03, 0.0, 0.02])  # ahead of a low tcp moving +x: pushed along
    predict_gripper(p, EEDelta(0.01, 0.0, 0.0, 0.0, grip=0.0))
    assert p["objects"]["cube"]["pos"][0] == pytest.approx(0.04)
    assert p["tcp"][0] == pytest.approx(0.01)


def test_a_server_that_dies_starting_is_reported_at_once_not_after_the_timeout():
    with (
        pytest.raises(SetupError, match="exited with code") as err,
        policy_server(PolicyServerConfig("no-such-policy")),
    ):
        pass
    assert "__main__" in str(err.value)
