"""Stable-Baselines3 PPO runs on handeye envs through gymnasium's own wrappers only."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from training.ppo_sb3 import PPOConfig, episode_returns, make_miniwob_point, train_ppo  # noqa: E402


@pytest.mark.slow
def test_ppo_on_tabletop_reach_beats_random_actions(one_thread):
    config = PPOConfig(env="handeye/tabletop-reach-v0", steps=2048, size=16, n_steps=256)
    model, env = train_ppo(config)
    try:
        env.action_space.seed(0)
        random_returns = episode_returns(env, lambda o: env.action_space.sample(), 6)
        ppo_returns = episode_returns(env, lambda o: model.predict(o, deterministic=True)[0], 6)
    finally:
        env.close()
    assert np.mean(ppo_returns) > np.mean(random_returns) + 1.0, (ppo_returns, random_returns)


@pytest.mark.slow
def test_ppo_drives_miniwob_by_clicking_points(browser_pool, one_thread):
    from stable_baselines3.common.env_checker import check_env

    env = make_miniwob_point("handeye/miniwob-click-button-v0")
    try:
        check_env(env, skip_render_check=True)
        config = PPOConfig(
            env="handeye/miniwob-click-button-v0", steps=64, n_steps=32, batch_size=32, n_epochs=1
        )
        model, env = train_ppo(config, env)
        obs, _ = env.reset(seed=0)
        action, _ = model.predict(obs, deterministic=True)
        assert action.shape == (2,) and ((action >= 0) & (action <= 1)).all()
        _, reward, terminated, truncated, info = env.step(action)
        assert not info.get("error"), info.get("error")  # the env took the click
        assert np.isfinite(reward)
    finally:
        env.close()
