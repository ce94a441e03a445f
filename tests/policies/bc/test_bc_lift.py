"""Named keypoints placed on the table: the pixel -> table map, traces' calibration, the policy."""

from __future__ import annotations

from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest
import torch

from agent.bc_demonstrations import load_demonstrations
from agent.session import run_episodes
from agent.traces import TraceWriter
from contracts.camera import world_to_pixel
from contracts.errors import ConfigError, HandeyeError
from envs.tabletop import register_tabletop_envs
from policies.bc.network import BCModelConfig, build_network
from policies.bc.policy import BCPolicy
from policies.bc.table_plane import pixel_to_table, resized_intrinsics
from policies.bc.training import BCTrainConfig, train_bc
from policies.experts.tabletop_dart import DartExpert

register_tabletop_envs()

PICK = "handeye/tabletop-pick-place-v0"


@pytest.fixture(scope="module")
def pick_trace(tmp_path_factory):
    root = tmp_path_factory.mktemp("pick")
    env = gym.make(PICK, width=32, height=32, min_objects=1, max_objects=1)
    try:
        with TraceWriter(root) as writer:
            run_episodes(env, DartExpert(seed=0), [0, 1], env_id=PICK, max_steps=8, writer=writer)
    finally:
        env.close()
    return root


def test_a_table_point_seen_by_the_camera_maps_back_to_its_xy():
    env = gym.make(PICK, width=64, height=48)
    try:
        obs, _ = env.reset(seed=3)
    finally:
        env.close()
    rng = np.random.default_rng(0)
    points = np.c_[rng.uniform(-0.25, 0.25, (20, 2)), np.full(20, 0.02)]
    u, v, _ = world_to_pixel(points, obs["K"], obs["T_world_camera"])
    table = pixel_to_table(obs["K"], obs["T_world_camera"], height=0.02)
    back = (table @ np.c_[u, v, np.ones(20)].T).T
    np.testing.assert_allclose(back[:, :2] / back[:, 2:], points[:, :2], atol=1e-9)
    # Half the frame size: the same points land at half the pixels.
    half = resized_intrinsics(obs["K"], (64, 48), (32, 24))
    u2, v2, _ = world_to_pixel(points, half, obs["T_world_camera"])
    np.testing.assert_allclose(np.c_[u2, v2], np.c_[u, v] / 2, atol=1e-9)


def test_dart_traces_carry_each_frames_calibration(pick_trace):
    demos = load_demonstrations(pick_trace, only_success=False)
    n = len(demos.images)
    assert demos.intrinsics is not None and demos.extrinsics is not None
    assert demos.intrinsics.shape == (n, 3, 3) and demos.extrinsics.shape == (n, 4, 4)
    assert demos.first(1).intrinsics.shape[0] == int((demos.episode == 0).sum())


def test_lifted_input_is_the_keypoints_table_xy_minus_the_tcps():
    config = BCModelConfig(
        height=16,
        width=16,
        vocab=("red",),
        slots=1,
        head="named",
        lift=True,
        state_mean=(0.1, -0.05, 0.1, 0.0, 1.0, 0.05),
        state_std=(0.2, 0.2, 0.05, 1.0, 1.0, 0.02),
    )
    net = build_network(config)
    with torch.no_grad():
        net.named.log_scale.fill_(-30.0)  # flat heat maps: the keypoint is the frame's centre
    env = gym.make(PICK, width=16, height=16)
    try:
        obs, _ = env.reset(seed=0)
    finally:
        env.close()
    table = pixel_to_table(obs["K"], obs["T_world_camera"], config.lift_height)
    centre = table @ np.array([7.5, 7.5, 1.0])
    state = torch.tensor([[0.5, -1.0, 0.0, 0.0, 0.0, 0.0]])  # tcp xy (0.2, -0.25) m
    tokens = torch.from_numpy(config.token_ids("red"))[None]
    maps = torch.from_numpy(table.astype(np.float32))[None]
    with torch.no_grad():
        named, _ = net.named(torch.zeros(1, 16, 8, 8), torch.zeros(1, 3, 16, 16), tokens)
        lifted = net._lifted(named, state, maps, None)[0, 0].numpy()
        shifted = net._lifted(named, state, maps, torch.tensor([[1.0, 0.0]]))[0, 0].numpy()
    np.testing.assert_allclose(lifted * 0.05, centre[:2] / centre[2] - [0.2, -0.25], atol=1e-5)
    assert not np.allclose(shifted, lifted)  # augmentation's shift is undone before lifting


def test_a_lift_model_trains_and_acts_and_says_what_it_needs(pick_trace, tmp_path):
    demos = load_demonstrations(pick_trace, only_success=False)
    config = BCTrainConfig(
        out=str(tmp_path / "bc"), epochs=1, batch=16, channels=(8, 16, 16), lift=True, threads=1
    )
    result = train_bc(demos, config)
    assert np.isfinite(result.last_loss)
    policy = BCPolicy(model=str(result.out))
    env = gym.make(PICK, width=32, height=32)
    try:
        obs, _ = env.reset(seed=5)
        policy.reset(obs["instruction"])
        action = policy.act(obs)
        assert np.isfinite([action.dx, action.dy, action.dz, action.grip]).all()
        with pytest.raises(HandeyeError, match="T_world_camera"):
            policy.act({k: v for k, v in obs.items() if k != "K"})
    finally:
        env.close()
    with pytest.raises(ConfigError, match="tabletop-expert-dart"):
        uncalibrated = replace(demos, intrinsics=None, extrinsics=None)
        train_bc(uncalibrated, replace(config, out=str(tmp_path / "bc2")))
