"""The scripted privileged tabletop expert solves every task from simulator state alone."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import gymnasium as gym
import numpy as np
import pytest

from contracts.actions import EEDelta
from contracts.errors import ConfigError, HandeyeError
from envs.tabletop import ENV_IDS, register_tabletop_envs
from envs.tabletop.env import ee_delta_to_action
from policies.base import Policy, make_policy
from policies.experts.tabletop import DROP_TOLERANCE, DROP_Z, TabletopExpert

register_tabletop_envs()


def _run_episode(env: gym.Env, seed: int, expert: TabletopExpert) -> tuple[bool, int, list]:
    """Roll out one episode; the expert gets no observation, only info["privileged"]."""
    _, info = env.reset(seed=seed)
    expert.reset("")
    actions, done = [], False
    while not done:
        action = expert.act(None, info)
        actions.append(action)
        _, _, terminated, truncated, info = env.step(action)
        done = terminated or truncated
    return bool(info["success"]), len(actions), actions


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_expert_solves_each_task_on_several_seeds(env_id):
    env = gym.make(env_id, width=32, height=32)
    expert = TabletopExpert()
    try:
        for seed in range(3):
            success, length, actions = _run_episode(env, seed, expert)
            assert success, f"{env_id} seed {seed} failed in phase {expert.phase}"
            assert length < env.spec.max_episode_steps
            assert all(isinstance(a, EEDelta) for a in actions)
            scale = env.unwrapped.config.action_scale
            assert all(
                np.all(np.abs(ee_delta_to_action(a, env.unwrapped.config)) <= 1) for a in actions
            )
            assert all(abs(a.dx) <= scale[0] + 1e-9 for a in actions)
    finally:
        env.close()


@pytest.mark.parametrize("env_id", ["handeye/tabletop-pick-place-v0", "handeye/tabletop-push-v0"])
def test_expert_is_unaffected_by_domain_randomization(env_id):
    env = gym.make(env_id, width=32, height=32, randomize=True)
    try:
        for seed in (100, 101):
            assert _run_episode(env, seed, TabletopExpert())[0], f"{env_id} seed {seed}"
    finally:
        env.close()


def test_expert_regrasps_after_the_object_is_knocked_out_of_the_gripper():
    env = gym.make("handeye/tabletop-pick-place-v0", width=32, height=32)
    expert = TabletopExpert()
    try:
        _, info = env.reset(seed=7)
        expert.reset("")
        phases = []
        for _ in range(env.spec.max_episode_steps):
            action = expert.act(None, info)
            if expert.phase == "carry" and "dropped" not in phases:
                action = replace(action, grip=-1.0)  # open the fingers mid-carry: the object falls
                phases.append("dropped")
            _, _, terminated, truncated, info = env.step(action)
            phases.append(expert.phase)
            if terminated or truncated:
                break
        grasps = sum(a != "close" and b == "close" for a, b in pairwise(phases))
        assert "dropped" in phases and grasps == 2
        assert info["success"]
    finally:
        env.close()


def test_expert_actions_are_deterministic_for_a_seed():
    runs = []
    for _ in range(2):
        env = gym.make("handeye/tabletop-stack-v0", width=32, height=32)
        try:
            runs.append(_run_episode(env, 4, TabletopExpert())[2])
        finally:
            env.close()
    assert runs[0] == runs[1]


def test_expert_is_a_registered_privileged_policy_that_refuses_to_run_blind():
    expert = make_policy("tabletop-expert")
    assert isinstance(expert, Policy) and expert.privileged and expert.name == "tabletop-expert"
    with pytest.raises(HandeyeError, match="privileged"):
        expert.act({"rgb": np.zeros((8, 8, 3), np.uint8)}, None)


def test_expert_records_its_state_and_action_vector_for_datasets():
    env = gym.make("handeye/tabletop-reach-v0", width=32, height=32)
    try:
        obs, info = env.reset(seed=0)
        expert = TabletopExpert()
        action = expert.act(obs, info)
        extra = expert.last_extra
        assert extra["action_vector"] == [action.dx, action.dy, action.dz, action.dyaw, action.grip]
        np.testing.assert_allclose(extra["state"], obs["proprio"], rtol=1e-6)
    finally:
        env.close()


def test_decisive_expert_lets_go_from_carry_height_once_the_object_is_over_the_target():
    env = gym.make("handeye/tabletop-pick-place-v0", width=32, height=32)
    try:
        for seed in (13000, 13001, 13002):
            _, info = env.reset(seed=seed)
            expert = TabletopExpert(style="decisive")
            released_at = None
            for _ in range(env.spec.max_episode_steps):
                p = info["privileged"]
                action = expert.act(None, info)
                if released_at is None and action.grip < 0 and p["grasped"] == p["goal"]["object"]:
                    target = p["targets"][p["goal"]["target"]]["pos"][:2]
                    pos = p["objects"][p["goal"]["object"]]["pos"]
                    released_at = (float(p["tcp"][2]), float(np.linalg.norm(pos[:2] - target)))
                _, _, terminated, truncated, info = env.step(action)
                if terminated or truncated:
                    break
            assert info["success"], f"seed {seed} failed in phase {expert.phase}"
            assert released_at is not None
            height, off_centre = released_at
            assert height > DROP_Z - 0.025, f"seed {seed} lowered to {height:.3f} m first"
            assert off_centre < DROP_TOLERANCE
    finally:
        env.close()


def test_an_unknown_style_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="decisive"):
        TabletopExpert(style="throw")
