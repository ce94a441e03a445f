"""The primitive wrapper: pick/place/push in pixels run planned motions; failures are info."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from contracts.actions import Pick, Place, Push
from contracts.camera import world_to_pixel
from envs.tabletop import register_tabletop_envs
from envs.wrappers.primitives import PrimitiveActions, _status
from policies.planners.tabletop import TabletopPlanner

register_tabletop_envs()


def _pixel(info, point) -> tuple[int, int]:
    """Observation pixel of a world point (the test reads sim state; the wrapper never does)."""
    cam = info["cameras"]["front"]
    u, v, _ = world_to_pixel(np.asarray(point, float), cam["K"], cam["T_world_camera"])
    return int(np.clip(round(float(u)), 0, 127)), int(np.clip(round(float(v)), 0, 127))


def _object_px(info):
    p = info["privileged"]
    obj = p["objects"][p["goal"]["object"]]
    return _pixel(info, obj["pos"] + [0, 0, obj["half_height"]])


@pytest.fixture(scope="module")
def pick_env():
    env = gym.make("handeye/tabletop-pick-place-v0", randomize=True)
    env = PrimitiveActions(env, TabletopPlanner.for_env(env))
    yield env
    env.close()


@pytest.mark.parametrize("seed", [3, 8])
def test_pick_then_place_in_pixels_solves_pick_and_place(pick_env, seed):
    _, info = pick_env.reset(seed=seed)
    p = info["privileged"]
    target = p["targets"][p["goal"]["target"]]["pos"]
    _, r1, _, _, info = pick_env.step(Pick(*_object_px(info)))
    assert info["primitive"]["status"] == "done" and "error" not in info
    assert info["privileged"]["grasped"] == p["goal"]["object"]
    assert 5 <= info["primitive"]["steps"] <= 60
    _, r2, terminated, _, info = pick_env.step(
        f"place({_pixel(info, target)[0]}, {_pixel(info, target)[1]})"
    )
    assert info["success"] and terminated and r1 + r2 == 1.0


def test_push_in_pixels_moves_the_object_into_its_goal_region():
    env = gym.make("handeye/tabletop-push-v0")
    env = PrimitiveActions(env, TabletopPlanner.for_env(env))
    try:
        _, info = env.reset(seed=2)
        goal = info["privileged"]["goal"]["goal_xy"]
        _, _, _, _, info = env.step(Push(*_object_px(info), *_pixel(info, [*goal, 0.0])))
        assert info["primitive"]["status"] == "done", info.get("error")
        assert info["success"]
    finally:
        env.close()


def test_planning_failures_are_reported_as_a_no_op_step_not_raised(pick_env):
    obs, info = pick_env.reset(seed=5)
    cases = [
        (Place(*_object_px(info)), "not_holding", "hold nothing"),  # nothing in the gripper
        (Push(*_object_px(info), 64, 2), "unreachable", "workspace"),  # onto the far wall
        ("pick(5, 127)", "no_object", "no object"),  # bare table at the frame's edge
        ("pick(400, 3)", "invalid", "outside"),
        ("click(3, 4)", "invalid", "not a tabletop primitive"),
    ]
    for action, status, words in cases:
        before = obs["proprio"]
        obs, reward, terminated, truncated, info = pick_env.step(action)
        assert info["primitive"]["status"] == status, (action, info.get("error"))
        assert words in info["error"] and info["primitive"]["steps"] == 1
        np.testing.assert_allclose(obs["proprio"][:3], before[:3], atol=3e-3)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("pick: the grasp missed: the fingers closed to 0 mm", "missed"),
        ("place: the grasp slipped: the fingers closed to 1 mm", "slipped"),
        ("pick: could not reach lift at [0, 0, 0.14] (blocked)", "blocked"),
        ("unreachable: the place at [1, 0, 0] m is outside", "unreachable"),
    ],
)
def test_script_failures_map_to_a_status_a_policy_can_branch_on(error, status):
    assert _status(error) == status


def test_the_floating_gripper_plans_over_its_whole_workspace(pick_env):
    assert pick_env.planner.cfg.reachable is None
