"""MiniWoB's VectorEnv on real Chromium: single-env observations, autoreset, crash isolation."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import envs
from contracts.errors import EnvError, SetupError
from envs.miniwob.vector import MiniWoBVectorEnv
from envs.vector import sub_info, sub_obs
from policies.experts.miniwob import MiniWoBExpert

TASK = "handeye/miniwob-click-checkboxes-v0"  # several steps per episode


@pytest.fixture(scope="module")
def vec():
    env = envs.make_vec(TASK, num_envs=3, pages_per_browser=2)  # pages 0-1 and 2: two Chromiums
    yield env
    env.close()


def test_make_vec_builds_pages_of_a_few_browsers_with_batched_spaces(vec):
    assert isinstance(vec, MiniWoBVectorEnv) and vec.num_envs == 3
    assert [vec.pools.index(page.pool) for page in vec.pages] == [0, 0, 1]
    one = gym.make_vec(TASK, num_envs=1)
    one.close()
    assert isinstance(one, MiniWoBVectorEnv)  # the ids carry the vector entry point
    assert vec.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert vec.observation_space["screen"].shape == (3, 210, 160, 3)
    assert len(vec.observation_space["instruction"]) == 3 and len(vec.action_space) == 3
    assert vec.pages[0].max_steps == 30  # the id's step limit


def test_each_page_sees_what_the_single_env_sees_for_the_same_seed_and_actions(vec, browser_pool):
    seeds = [11, 12, 13]
    obs, info = vec.reset(seed=seeds)
    experts = [MiniWoBExpert() for _ in seeds]
    for i, expert in enumerate(experts):
        expert.reset(obs["instruction"][i])
    frames = [[obs["screen"][i].copy()] for i in range(3)]
    actions: list[list] = [[] for _ in range(3)]
    rewards: list[list] = [[] for _ in range(3)]
    running = [True] * 3
    while any(running):
        step = [
            experts[i].act(sub_obs(obs, i), sub_info(info, i)) if running[i] else None
            for i in range(3)
        ]
        obs, reward, terminated, truncated, info = vec.step(step)
        for i in range(3):
            if running[i]:
                actions[i].append(step[i])
                frames[i].append(obs["screen"][i].copy())
                rewards[i].append((reward[i], terminated[i], truncated[i]))
                running[i] = not (terminated[i] or truncated[i])
    assert all(r[-1][:2] == (1.0, True) for r in rewards)  # the expert solved each page
    for i, seed in enumerate(seeds):
        single = gym.make(TASK)
        try:
            one, _ = single.reset(seed=seed)
            assert np.array_equal(one["screen"], frames[i][0]), (seed, "reset")
            for k, action in enumerate(actions[i]):
                one, r, te, tr, _ = single.step(action)
                assert (r, te, tr) == rewards[i][k], (seed, k)
                assert np.array_equal(one["screen"], frames[i][k + 1]), (seed, k)
        finally:
            single.close()


def test_a_finished_page_is_reset_on_the_next_step_while_the_others_play_on(vec):
    obs, info = vec.reset(seed=21)
    experts = [MiniWoBExpert() for _ in range(3)]
    for i, expert in enumerate(experts):
        expert.reset(obs["instruction"][i])
    done = np.zeros(3, bool)
    for _ in range(40):
        step = [experts[i].act(sub_obs(obs, i), sub_info(info, i)) for i in range(3)]
        step[1:] = ["wait(0)", "wait(0)"]  # only page 0 plays
        obs, reward, terminated, truncated, info = vec.step(step)
        if terminated[0]:
            done = terminated | truncated
            break
    assert done.tolist() == [True, False, False]
    obs, reward, terminated, truncated, info = vec.step(["wait(0)"] * 3)
    assert reward[0] == 0.0 and not terminated[0] and not truncated[0]
    assert info["_episode_seed"].tolist() == [True, False, False]  # only page 0 was reset
    assert obs["screen"][0].std() > 5 and obs["instruction"][0].startswith("Select")


def test_disabled_autoreset_resets_by_mask_and_skips_none_actions():
    with MiniWoBVectorEnv("click-button", num_envs=2, autoreset_mode="Disabled") as env:
        obs, _ = env.reset(seed=3)
        before = obs["screen"].copy()
        obs, reward, terminated, truncated, info = env.step([None, "wait(0)"])
        assert np.array_equal(obs["screen"][0], before[0]) and reward.tolist() == [0.0, 0.0]
        assert info["_task"].tolist() == [False, True]  # nothing ran on page 0
        env.step(["done()", None])
        with pytest.raises(EnvError, match="reset it first"):
            env.step(["wait(0)", None])
        _, info = env.reset(seed=[7, None], options={"reset_mask": np.array([True, False])})
        assert info["_episode_seed"].tolist() == [True, False]
        env.step(["wait(0)", None])


def test_same_step_autoreset_hands_back_the_new_episode_and_the_final_one_in_info():
    with MiniWoBVectorEnv("click-button", num_envs=2, autoreset_mode="SameStep") as env:
        env.reset(seed=3)
        obs, _, terminated, _, info = env.step(["done()", "wait(0)"])
        assert terminated.tolist() == [True, False]
        assert info["_final_obs"].tolist() == [True, False] and "episode_seed" in info
        assert obs["screen"][0].std() > 5  # the new episode's frame, not the last one
        assert info["final_info"]["task"][0] == "click-button"  # batched, as gymnasium does
        _, _, terminated, _, _ = env.step(["wait(0)", "wait(0)"])  # page 0 plays on
        assert not terminated.any()


def test_a_crashed_page_is_truncated_with_an_error_and_reset_while_the_others_go_on():
    with MiniWoBVectorEnv("click-button", num_envs=3, step_timeout_s=10) as env:
        env.reset(seed=0)
        crashed = env.pages[1].handle
        env.pool.run(_crash(crashed))
        obs, reward, terminated, truncated, info = env.step(["wait(0)"] * 3)
        assert truncated.tolist() == [False, True, False]
        assert info["_error"].tolist() == [False, True, False]
        assert "browser failed" in info["error"][1]
        assert obs["screen"][1].max() == 0 and obs["screen"][0].std() > 5
        obs, _, terminated, truncated, info = env.step(["wait(0)"] * 3)
        assert not truncated.any() and info["_episode_seed"].tolist() == [False, True, False]
        assert obs["screen"][1].std() > 5 and env.pages[1].handle is not crashed
        assert env.pages[0].handle.alive and env.pages[2].handle.alive


async def _crash(handle) -> None:
    """Kill the page's renderer the way a real renderer crash does (Page.crash never replies)."""
    crashing = asyncio.ensure_future(handle.cdp.send("Page.crash"))
    await handle.page.wait_for_event("crash", timeout=10_000)
    crashing.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await crashing


def test_a_chromium_that_cannot_start_says_why(tmp_path: Path, monkeypatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("HANDEYE_CHROMIUM", str(fake))
    env = MiniWoBVectorEnv("click-button", num_envs=2)
    with env, pytest.raises(SetupError, match="cannot open display") as caught:
        env.reset(seed=0)
    assert str(fake) in str(caught.value)  # which binary, and what it said


def test_pages_draw_frames_on_demand_by_default_on_the_headless_shell(vec):
    from envs.browser.pool import find_chromium

    shell = "headless-shell" in (find_chromium() or "")
    vec.reset(seed=0)
    assert vec.pool.frames == ("begin" if shell else "clock")
    assert all((p.handle.clock is not None) == shell for p in vec.pages)


def test_a_page_with_a_select_keeps_the_clock_and_its_expert_wins():
    # a <select>'s popup holds every drawn frame of a BeginFrame page while it is open
    with MiniWoBVectorEnv("choose-list", num_envs=2, max_episode_steps=10) as env:
        obs, info = env.reset(seed=5)
        assert all(p.frames == "clock" and p.handle.clock is None for p in env.pages)
        experts = [MiniWoBExpert() for _ in range(2)]
        for i, expert in enumerate(experts):
            expert.reset(obs["instruction"][i])
        won = [False, False]
        for _ in range(6):
            actions = [None if won[i] else e.act(sub_obs(obs, i), sub_info(info, i))
                       for i, e in enumerate(experts)]  # fmt: skip
            obs, reward, terminated, _, info = env.step(actions)
            won = [w or r > 0 for w, r in zip(won, reward, strict=True)]
            if all(won):
                break
        assert won == [True, True]
