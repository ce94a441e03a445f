"""Tabletop make_vec: worker processes, batched RGB-D, each sub-env the single env for its seed."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

import envs

ENV_ID = "handeye/tabletop-reach-v0"


def test_make_vec_steps_workers_whose_frames_equal_the_single_envs():
    vec = envs.make_vec(ENV_ID, num_envs=2)
    try:
        assert isinstance(vec, gym.vector.AsyncVectorEnv)
        obs, _ = vec.reset(seed=[5, 6])
        assert obs["rgb"].shape == (2, 128, 128, 3) and obs["depth"].shape == (2, 128, 128)
        actions = np.tile(np.array([0.5, -0.5, 0.2, 0.0, 1.0], np.float32), (2, 1))
        stepped, rewards, *_ = vec.step(actions)
    finally:
        vec.close()
    for i, seed in enumerate((5, 6)):
        single = gym.make(ENV_ID)
        try:
            first, _ = single.reset(seed=seed)
            assert np.array_equal(first["rgb"], obs["rgb"][i])
            after, reward, *_ = single.step(actions[i])
            assert np.array_equal(after["rgb"], stepped["rgb"][i])
            assert np.array_equal(after["depth"], stepped["depth"][i]) and reward == rewards[i]
        finally:
            single.close()
