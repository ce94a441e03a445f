"""The tabletop envs' 7-DoF arm: IK tracking, unreachable targets, ids, seeding, the expert."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from contracts.actions import EEDelta
from contracts.errors import ActionError, EnvError
from envs.tabletop import ARM_ENV_IDS, register_tabletop_envs
from envs.tabletop.env import TabletopEnv
from envs.tabletop.physics import TabletopPhysics
from envs.tabletop.scene import SceneSpec
from envs.tabletop.tasks import TASKS
from policies.experts.tabletop import TabletopExpert
from policies.planners.tabletop import (
    MotionScript,
    ObjectEstimate,
    TabletopPlanner,
    TabletopPlannerConfig,
    Waypoint,
)

register_tabletop_envs()
SMALL = {"width": 32, "height": 32}
NEAR_BASE = np.array([0.31, 0.0, 0.14])  # inside the table's box, too close under the shoulder


@pytest.fixture(scope="module")
def arm_physics():
    physics = TabletopPhysics(SceneSpec(objects=()), 16, 16, robot="arm")
    physics.reset()
    return physics


def _drive(physics: TabletopPhysics, pos: np.ndarray, yaw: float, steps: int = 40) -> None:
    """Step the tcp towards (pos, yaw) at the env's speed limits, then hold there."""
    for _ in range(steps):
        delta = np.clip(pos - physics.tcp, -0.03, 0.03)
        turn = float(np.clip(math.remainder(yaw - physics.yaw, 2 * math.pi), -0.25, 0.25))
        physics.apply(np.array([*delta, turn]), -1.0)


def test_ik_brings_the_tcp_within_5mm_of_random_reachable_targets(arm_physics):
    rng = np.random.default_rng(7)
    for _ in range(6):
        pos = rng.uniform([-0.25, -0.35, 0.04], [0.22, 0.35, 0.3])
        yaw = float(rng.uniform(-1.5, 1.5))
        assert arm_physics.reachable(pos, yaw)
        _drive(arm_physics, pos, yaw)
        assert np.linalg.norm(arm_physics.tcp - pos) < 0.005
        assert abs(math.remainder(arm_physics.yaw - yaw, 2 * math.pi)) < 0.05
        assert arm_physics.ik_error < 0.005 and not arm_physics.unreachable
        frame = arm_physics.data.site_xmat[arm_physics._tcp].reshape(3, 3)
        assert frame[2, 2] > 0.998  # still pointing straight down


def test_points_off_the_table_above_it_or_under_the_shoulder_are_unreachable(arm_physics):
    assert not arm_physics.reachable([0.9, 0.0, 0.1])  # far beyond the table
    assert not arm_physics.reachable([0.0, 0.0, 0.6])  # above the workspace
    assert not arm_physics.reachable(NEAR_BASE)
    assert arm_physics.reachable([0.0, 0.0, 0.1])


def test_driving_at_an_unreachable_point_is_reported_in_info_and_stays_sane():
    with TabletopEnv("reach", robot="arm", **SMALL) as env:
        env.reset(seed=1)
        infos = []
        for _ in range(25):
            delta = np.clip(NEAR_BASE - env.physics.tcp, -0.03, 0.03)
            infos.append(env.step(EEDelta(*delta, 0.0, grip=-1.0))[4])
        assert infos[-1]["unreachable"] and infos[-1]["ik_error"] > 0.01
        assert not infos[0]["unreachable"]  # the first step's target was still within reach
        tcp = env.physics.tcp
        assert np.all(np.isfinite(tcp)) and 0.01 < np.linalg.norm(tcp - NEAR_BASE) < 0.3


def test_planner_reports_an_unreachable_arm_target_instead_of_failing_silently():
    with TabletopEnv("reach", robot="arm", **SMALL) as env:
        obs, _ = env.reset(seed=2)
        cfg = TabletopPlannerConfig(reachable=env.unwrapped.reachable)
        planner = TabletopPlanner(cfg)
        far = ObjectEstimate(np.array([0.31, 0.0, 0.02]), 0.04, 0.04, 0.04, 0.0, 50)
        with pytest.raises(ActionError, match="unreachable.*beyond the arm's reach"):
            planner.pick_script(far, obs["proprio"])
        near = ObjectEstimate(np.array([0.0, 0.1, 0.02]), 0.04, 0.04, 0.04, 0.0, 50)
        assert planner.pick_script(near, obs["proprio"]).status == "running"

        wp = Waypoint("the far point", tuple(NEAR_BASE), 0.0, -1.0, max_steps=12)
        outcomes = {}
        for name, config in (("arm", cfg), ("box only", TabletopPlannerConfig())):
            script = MotionScript("reach", [wp], config)
            while (motor := script.next_action(obs["proprio"])) is not None:
                obs = env.step(motor)[0]
            outcomes[name] = (script.status, script.error or "")
        assert outcomes["arm"][0] == "failed" and "unreachable" in outcomes["arm"][1]
        assert "blocked" in outcomes["box only"][1]  # without the arm's reach it only sees a stall


@pytest.mark.parametrize("env_id", sorted(ARM_ENV_IDS))
def test_arm_env_ids_pass_gymnasium_check_env(env_id):
    env = gym.make(env_id, render_mode="rgb_array", **SMALL)
    try:
        check_env(env.unwrapped, skip_render_check=False)
        assert env.unwrapped.config.robot == "arm"
        assert env.spec.max_episode_steps == TASKS[ARM_ENV_IDS[env_id]].max_episode_steps
    finally:
        env.close()


def test_arm_episodes_reproduce_from_a_seed():
    kw = {"robot": "arm", **SMALL}
    with TabletopEnv("pick_place", **kw) as a, TabletopEnv("pick_place", **kw) as b:
        obs_a, _ = a.reset(seed=11)
        obs_b, _ = b.reset(seed=11)
        assert np.array_equal(obs_a["rgb"], obs_b["rgb"])
        for action in np.random.default_rng(0).uniform(-1, 1, (5, 5)).astype(np.float32):
            obs_a, *_, info_a = a.step(action)
            obs_b, *_, info_b = b.step(action)
            assert np.array_equal(obs_a["proprio"], obs_b["proprio"])
            assert np.array_equal(obs_a["depth"], obs_b["depth"])
            assert info_a["ik_error"] == info_b["ik_error"]


def test_unknown_robot_is_rejected_with_the_choices():
    with pytest.raises(EnvError, match="gripper.*arm"):
        TabletopEnv("reach", robot="hexapod")


@pytest.mark.slow
def test_scripted_expert_picks_and_places_with_the_arm_on_nine_of_ten_seeds():
    env = gym.make("handeye/tabletop-pick-place-arm-v0", **SMALL)
    expert, wins = TabletopExpert(), 0
    try:
        for seed in range(10):
            obs, info = env.reset(seed=seed)
            expert.reset(obs["instruction"])
            done = False
            while not done:
                obs, _, terminated, truncated, info = env.step(expert.act(obs, info))
                done = terminated or truncated
            wins += bool(info["success"])
    finally:
        env.close()
    assert wins >= 9


def test_primitives_on_the_arm_plan_with_the_arms_reach():
    from envs.wrappers.primitives import PrimitiveActions

    env = gym.make("handeye/tabletop-pick-place-arm-v0")
    env = PrimitiveActions(env, TabletopPlanner.for_env(env))
    try:
        env.reset(seed=0)
        reach = env.planner.cfg.reachable
        assert reach(np.array([0.0, 0.0, 0.1]), 0.0)
        assert not reach(np.array([0.0, 0.0, 1.5]), 0.0)  # far above the arm's shoulder
    finally:
        env.close()
