"""The tabletop gymnasium envs: conformance, seeding, observations, actions and randomization."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from contracts.actions import EEDelta
from contracts.errors import EnvError
from envs.tabletop import ENV_IDS, register_tabletop_envs
from envs.tabletop.env import TabletopConfig, TabletopEnv, ee_delta_to_action
from envs.tabletop.tasks import TASKS

register_tabletop_envs()
SMALL = {"width": 64, "height": 64}


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_registered_env_passes_gymnasium_check_env(env_id):
    env = gym.make(env_id, render_mode="rgb_array", **SMALL)
    try:
        check_env(env.unwrapped, skip_render_check=False)
        assert env.spec.max_episode_steps == TASKS[ENV_IDS[env_id]].max_episode_steps
    finally:
        env.close()


def test_registration_is_idempotent():
    register_tabletop_envs()
    assert all(env_id in gym.registry for env_id in ENV_IDS)


@pytest.fixture(scope="module")
def pick_env():
    with TabletopEnv("pick_place", render_mode="rgb_array") as env:
        yield env


def test_same_seed_gives_same_instruction_and_identical_first_frame():
    with TabletopEnv("push", **SMALL) as a, TabletopEnv("push", **SMALL) as b:
        obs_a, info_a = a.reset(seed=123)
        obs_b, info_b = b.reset(seed=123)
        assert obs_a["instruction"] == obs_b["instruction"]
        assert np.array_equal(obs_a["rgb"], obs_b["rgb"])
        assert np.array_equal(obs_a["depth"], obs_b["depth"])
        action = np.array([0.5, -0.3, -0.2, 0.1, 1.0], dtype=np.float32)
        assert np.array_equal(a.step(action)[0]["rgb"], b.step(action)[0]["rgb"])
        texts = {a.reset(seed=s)[0]["instruction"] + str(a.goal.region) for s in range(6)}
        assert len(texts) > 1


def test_observation_holds_pixels_calibration_proprio_and_instruction_but_no_sim_state(pick_env):
    obs, info = pick_env.reset(seed=5)
    assert set(obs) == {"rgb", "depth", "K", "T_world_camera", "proprio", "instruction"}
    assert obs["rgb"].shape == (128, 128, 3) and obs["rgb"].dtype == np.uint8
    assert obs["depth"].dtype == np.float32 and 0.2 < obs["depth"].min() < obs["depth"].max()
    assert obs["instruction"].startswith(("put", "place", "pick"))
    priv = info["privileged"]
    np.testing.assert_allclose(obs["proprio"][:3], priv["tcp"], atol=1e-6)
    assert obs["proprio"][5] == pytest.approx(priv["finger_gap"], abs=1e-6)
    assert priv["goal"]["object"] in priv["objects"] and priv["goal"]["target"] in priv["targets"]
    cam = info["cameras"]["front"]
    assert cam["K"].shape == (3, 3) and cam["T_world_camera"].shape == (4, 4)
    np.testing.assert_allclose(obs["K"], cam["K"], rtol=1e-6)
    np.testing.assert_allclose(obs["T_world_camera"], cam["T_world_camera"], atol=1e-6)
    assert not info["success"]
    assert np.array_equal(pick_env.render(), obs["rgb"])


def test_extra_cameras_add_suffixed_images_with_their_own_geometry():
    with TabletopEnv("reach", cameras=("top", "wrist"), width=48, height=32) as env:
        obs, info = env.reset(seed=0)
        assert obs["rgb"].shape == (32, 48, 3) and obs["depth_wrist"].shape == (32, 48)
        assert env.observation_space.contains(obs)
        assert set(info["cameras"]) == {"top", "wrist"}
        assert not np.allclose(
            info["cameras"]["top"]["T_world_camera"], info["cameras"]["wrist"]["T_world_camera"]
        )


def test_actions_move_the_gripper_by_the_scaled_delta_and_close_the_fingers(pick_env):
    obs, info = pick_env.reset(seed=2)
    start = obs["proprio"][:3].copy()
    obs, *_ = pick_env.step(np.array([1.0, 0.0, 0.0, 0.0, -1.0], dtype=np.float32))
    moved = obs["proprio"][:3] - start
    assert moved[0] == pytest.approx(pick_env.config.max_translation, abs=0.003)
    assert abs(moved[1]) < 0.003 and abs(moved[2]) < 0.003
    obs, *_ = pick_env.step(np.array([0, 0, 0, 1.0, 1.0], dtype=np.float32))
    assert obs["proprio"][5] < 0.01  # fingers closed on nothing
    yaw = np.arctan2(obs["proprio"][3], obs["proprio"][4])
    assert yaw == pytest.approx(pick_env.config.max_rotation, abs=0.02)


def test_gripper_stays_above_the_table_when_driven_down(pick_env):
    pick_env.reset(seed=3)
    for _ in range(12):
        obs, *_ = pick_env.step(np.array([0, 0, -1.0, 0, 0], dtype=np.float32))
    assert obs["proprio"][2] > 0.02


def test_non_finite_action_is_a_reported_no_op_not_a_crash(pick_env):
    obs, _ = pick_env.reset(seed=4)
    obs2, reward, terminated, truncated, info = pick_env.step(np.array([np.nan, 0, 0, 0, 0]))
    assert "non-finite" in info["error"]
    np.testing.assert_allclose(obs2["proprio"][:3], obs["proprio"][:3], atol=2e-3)
    assert "shape" in pick_env.step(np.zeros(3))[4]["error"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("ee_delta(0.01, oops)", "not a literal"),
        ("click(3, 4)", "not a motor command"),
        ("pick(30, 40)", "PrimitiveActions"),
        ({"dx": 1}, "not an action"),
    ],
)
def test_bad_or_non_motor_action_is_a_reported_no_op(pick_env, action, message):
    obs, _ = pick_env.reset(seed=4)
    obs2, _, _, _, info = pick_env.step(action)
    assert message in info["error"]
    np.testing.assert_allclose(obs2["proprio"][:3], obs["proprio"][:3], atol=2e-3)


def test_typed_and_string_ee_delta_move_like_the_equivalent_box_action():
    runs = []
    for action in (
        EEDelta(0.015, -0.03, 0.0, 0.0, grip=-1.0),
        "ee_delta(0.015, -0.03, 0.0, grip=-1.0)",
        np.array([0.5, -1.0, 0.0, 0.0, -1.0], dtype=np.float32),
    ):
        with TabletopEnv("reach", **SMALL) as env:
            env.reset(seed=6)
            obs, _, _, _, info = env.step(action)
            assert "error" not in info
            runs.append(obs["proprio"])
    np.testing.assert_allclose(runs[0], runs[2], atol=1e-6)
    np.testing.assert_allclose(runs[1], runs[2], atol=1e-6)


def test_no_task_starts_solved():
    for task in TASKS:
        with TabletopEnv(task, **SMALL) as env:
            for seed in range(3):
                assert not env.reset(seed=seed)[1]["success"], (task, seed)


def test_randomization_changes_pixels_but_not_the_task():
    with (
        TabletopEnv("pick_place", **SMALL) as plain,
        TabletopEnv("pick_place", randomize=True, **SMALL) as fancy,
    ):
        for seed in (0, 1):
            obs_p, info_p = plain.reset(seed=seed)
            obs_f, info_f = fancy.reset(seed=seed)
            assert obs_p["instruction"] == obs_f["instruction"]
            assert plain.goal == fancy.goal
            assert np.abs(obs_p["rgb"].astype(int) - obs_f["rgb"]).mean() > 5
            objs_p, objs_f = info_p["privileged"]["objects"], info_f["privileged"]["objects"]
            assert set(objs_p) <= set(objs_f)
            assert any(o["distractor"] for o in objs_f.values())
            for name, obj in objs_p.items():
                np.testing.assert_allclose(objs_f[name]["pos"], obj["pos"], atol=2e-3)


def test_shadows_change_pixels_but_not_depth():
    frames = []
    for shadows in (False, True):
        with TabletopEnv("stack", shadows=shadows, **SMALL) as env:
            frames.append(env.reset(seed=9)[0])
    assert not np.array_equal(frames[0]["rgb"], frames[1]["rgb"])
    np.testing.assert_allclose(frames[0]["depth"], frames[1]["depth"], atol=1e-4)


def test_shaped_reward_rises_as_the_gripper_nears_the_object():
    with TabletopEnv("reach", reward="shaped", **SMALL) as env:
        _, info = env.reset(seed=1)
        priv = info["privileged"]
        target = priv["goal"]["reach_point"] + [0, 0, 0.05]
        rewards = []
        for _ in range(4):
            delta = (target - priv["tcp"]) / env.config.max_translation
            action = np.clip(np.r_[delta, 0.0, 1.0], -1, 1).astype(np.float32)
            _, reward, _, _, info = env.step(action)
            priv = info["privileged"]
            rewards.append(reward)
        assert rewards[-1] > rewards[0] and all(0.0 <= r < 1.0 for r in rewards)


def test_bad_configuration_is_rejected_with_the_known_choices():
    with pytest.raises(EnvError, match="unknown tabletop task"):
        TabletopEnv("juggle")
    with pytest.raises(EnvError, match="unknown TabletopConfig fields"):
        TabletopEnv("reach", resolution=64)
    with pytest.raises(EnvError, match="unknown cameras"):
        TabletopConfig(cameras=("side",))


def test_ee_delta_maps_metres_to_the_unit_action_box():
    config = TabletopConfig()
    action = ee_delta_to_action(EEDelta(0.015, -0.06, 0.0, 0.125, grip=1.0), config)
    np.testing.assert_allclose(action, [0.5, -1.0, 0.0, 0.5, 1.0])
    assert action.dtype == np.float32
