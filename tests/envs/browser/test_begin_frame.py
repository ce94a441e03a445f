"""The BeginFrame mode (frames="begin"): the same pixels as Chromium's own clock, faster.

Each test plays the same seeds and actions on a default env and a BeginFrame env (two browsers
of one Playwright driver) and compares the observations frame by frame.
"""

from __future__ import annotations

import hashlib
import json

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Click, DoubleClick, Drag, Hover, Key, Scroll, Type, Wait
from contracts.errors import EnvError
from policies.experts.miniwob import MiniWoBExpert

EXPERT_TASKS = ("click-button", "click-link", "click-checkboxes", "enter-text", "focus-text")
# Every action kind whose events need frames drawn (moves, wheels, drags, waits) or not.
SCRIPTED = {
    "scroll-text": [
        Hover(60, 100), Scroll(0, 2, 60, 100), Scroll(0, -1), Click(60, 100),
        Key("ctrl+a"), Wait(0.05), DoubleClick(40, 110),
    ],
    "drag-box": [Drag(49, 74, 100, 120), Hover(10, 200), Click(80, 100)],
    "enter-text": [
        Hover(40, 90), Click(40, 66, modifiers="shift"), Type("Ab c!"), Key("Backspace"),
        Key("Enter"),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def begin_pool(browser_pool):
    from envs.browser.pool import shared_pool

    pool = shared_pool("begin").acquire()
    yield pool
    pool.release()


def _digest(obs: dict) -> str:
    return hashlib.sha1(obs["screen"].tobytes()).hexdigest()[:12]


def _dom(info: dict) -> str:
    """The privileged state a step reports (DOM boxes, colours, focus, task fields)."""
    return hashlib.sha1(json.dumps(info["privileged"], sort_keys=True).encode()).hexdigest()[:12]


def _expert_run(env: gym.Env, seed: int) -> list[tuple[str, str, float, bool]]:
    policy = MiniWoBExpert()
    obs, info = env.reset(seed=seed)
    policy.reset(info["instruction"])
    frames, done = [(_digest(obs), _dom(info), 0.0, False)], False
    while not done:
        obs, reward, terminated, truncated, info = env.step(policy.act(obs, info))
        done = terminated or truncated
        frames.append((_digest(obs), _dom(info), reward, terminated))
    return frames


def _scripted_run(env: gym.Env, actions: list) -> list[tuple[str, float, bool, str]]:
    obs, _ = env.reset(seed=5)
    frames = [(_digest(obs), 0.0, False, "")]
    for action in actions:
        obs, reward, terminated, _, info = env.step(action)
        frames.append((_digest(obs), reward, terminated, info.get("error", "")))
        if terminated:
            break
    return frames


@pytest.mark.parametrize("task", EXPERT_TASKS)
def test_expert_episodes_look_the_same_with_frames_on_demand(browser_pool, begin_pool, task):
    clock = gym.make(f"handeye/miniwob-{task}-v0", max_episode_steps=30, frames="clock")
    begin = gym.make(f"handeye/miniwob-{task}-v0", max_episode_steps=30, frames="begin")
    try:
        for seed in (0, 1):
            expected = _expert_run(clock, seed)
            assert expected[-1][2] == 1.0  # the expert solved it
            assert _expert_run(begin, seed) == expected
        assert begin.unwrapped._handle.clock is not None  # it really ran on the clock
    finally:
        clock.close()
        begin.close()


@pytest.mark.parametrize("task", sorted(SCRIPTED))
def test_moves_scrolls_drags_keys_and_waits_look_the_same(browser_pool, begin_pool, task):
    clock = gym.make(f"handeye/miniwob-{task}-v0", frames="clock")
    begin = gym.make(f"handeye/miniwob-{task}-v0", frames="begin")
    try:
        expected = _scripted_run(clock, SCRIPTED[task])
        assert len({frame[0] for frame in expected}) > 1  # the actions changed the page
        assert _scripted_run(begin, SCRIPTED[task]) == expected
    finally:
        clock.close()
        begin.close()


def test_a_crashed_begin_frame_browser_is_reported_and_the_next_reset_recovers(begin_pool):
    env = gym.make("handeye/miniwob-click-button-v0", frames="begin")
    try:
        env.reset(seed=0)
        begin_pool.kill_browser_for_test()
        _, _, terminated, truncated, info = env.step("click(5, 60)")
        assert truncated and not terminated and "browser failed" in info["error"]
        obs, info = env.reset(seed=4)
        policy = MiniWoBExpert()
        policy.reset(info["instruction"])
        assert env.step(policy.act(obs, info))[1] == 1.0
    finally:
        env.close()


def test_an_unknown_frame_mode_is_refused_before_any_browser_starts():
    with pytest.raises(EnvError, match="frames must be one of"):
        gym.make("handeye/miniwob-click-button-v0", frames="vsync")


def test_a_first_frame_without_damage_shows_the_page_as_last_drawn(browser_pool, begin_pool):
    # sign-agreement's first episode changes nothing the frames pumped while the page loaded
    # had not drawn, so the reset's frame comes without a screenshot of its own
    clock = gym.make("handeye/miniwob-sign-agreement-v0", frames="clock")
    begin = gym.make("handeye/miniwob-sign-agreement-v0", frames="begin")
    try:
        for seed in (0, 1):
            assert _digest(begin.reset(seed=seed)[0]) == _digest(clock.reset(seed=seed)[0])
    finally:
        clock.close()
        begin.close()


def test_a_page_drawn_on_demand_draws_the_task_area_in_the_same_window(begin_pool):
    import io

    from PIL import Image

    from envs.miniwob.env import PAGE_VIEWPORT

    env = gym.make("handeye/miniwob-click-dialog-v0", frames="begin")
    try:
        env.reset(seed=0)
        clock = env.unwrapped._handle.clock
        env.step("hover(80, 100)")  # damage, so that the next frame is drawn
        png = clock.frame() or clock.last_screenshot
        assert Image.open(io.BytesIO(png)).size == (160, 210)
        # the page lays out in the wider window (click-dialog centres its dialog in it)
        assert clock.evaluate("() => [innerWidth, innerHeight]") == list(PAGE_VIEWPORT)
    finally:
        env.close()


def test_the_default_mode_draws_frames_on_demand_on_the_headless_shell(begin_pool):
    from envs.browser.pool import find_chromium

    env = gym.make("handeye/miniwob-click-button-v0")
    try:
        env.reset(seed=0)
        shell = "headless-shell" in (find_chromium() or "")
        assert env.unwrapped.frames == ("begin" if shell else "clock")
        assert (env.unwrapped._handle.clock is not None) == shell
    finally:
        env.close()


def test_a_page_with_a_select_keeps_the_clock_and_plays_as_on_the_clock(browser_pool, begin_pool):
    # a <select>'s popup holds every drawn frame of a BeginFrame page while it is open
    clock = gym.make("handeye/miniwob-choose-list-v0", max_episode_steps=30, frames="clock")
    begin = gym.make("handeye/miniwob-choose-list-v0", max_episode_steps=30, frames="begin")
    try:
        assert _expert_run(begin, 3) == _expert_run(clock, 3)
        assert begin.unwrapped.frames == "clock" and begin.unwrapped._handle.clock is None
    finally:
        clock.close()
        begin.close()


ADD_SELECT_JS = """() => { const s = document.createElement('select');
  s.style = 'position:absolute; left:10px; top:60px; width:120px';
  for (const t of ['one', 'two']) s.add(new Option(t));
  document.getElementById('area').appendChild(s); }"""


def test_a_popup_opened_mid_episode_ends_it_with_an_error_and_the_env_keeps_the_clock(begin_pool):
    import time

    env = gym.make("handeye/miniwob-click-button-v0", frames="begin")
    try:
        env.reset(seed=0)
        env.unwrapped._live().evaluate(ADD_SELECT_JS)  # a page that adds a <select> later
        t0 = time.monotonic()
        _, _, terminated, truncated, info = env.step("click(40, 65)")
        assert truncated and not terminated and "popup widget" in info["error"]
        assert time.monotonic() - t0 < 15  # not the socket's 30 s timeout
        obs, info = env.reset(seed=4)
        assert env.unwrapped.frames == "clock"
        policy = MiniWoBExpert()
        policy.reset(info["instruction"])
        assert env.step(policy.act(obs, info))[1] == 1.0
    finally:
        env.close()


def test_a_page_that_does_not_answer_restarts_the_browser_and_the_next_reset_recovers(
    begin_pool, monkeypatch
):
    from envs.browser import begin_frame

    monkeypatch.setattr(begin_frame, "SOCKET_TIMEOUT_S", 2.0)
    env = gym.make("handeye/miniwob-click-button-v0", frames="begin")
    try:
        env.reset(seed=0)
        clock = env.unwrapped._live().clock
        generation = begin_pool.generation
        # the page's main thread is busy past the timeout: the step's input and frame wait
        clock.evaluate(
            "setTimeout(() => { const t = Date.now(); while (Date.now() - t < 6000); })", call=False
        )
        _, _, terminated, truncated, info = env.step("click(5, 60)")
        assert truncated and not terminated and "did not answer in 2 s" in info["error"]
        assert clock.stalled and not begin_pool.connected  # the wedged browser was stopped
        obs, info = env.reset(seed=4)
        assert begin_pool.generation == generation + 1
        policy = MiniWoBExpert()
        policy.reset(info["instruction"])
        assert env.step(policy.act(obs, info))[1] == 1.0
    finally:
        env.close()
