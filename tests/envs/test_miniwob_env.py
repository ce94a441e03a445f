"""MiniWoB++ env on real Chromium: registration, seeding, actions, errors, recovery."""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Click, Type
from contracts.errors import EnvError, SetupError
from envs.miniwob import all_tasks


def _centre(el: dict) -> tuple[int, int]:
    return int(el["left"] + el["width"] / 2), int(el["top"] + el["height"] / 2)


def _target_button(obs: dict, info: dict) -> dict:
    for el in info["privileged"]["dom"]:
        if el["tag"] == "BUTTON" and f'"{el.get("text")}"' in obs["instruction"]:
            return el
    raise AssertionError(f"no target button for {obs['instruction']!r}")


@pytest.fixture
def click_button(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0")
    yield env
    env.close()


def test_every_shipped_task_is_registered():
    ids = {i for i in gym.registry if i.startswith("handeye/miniwob-")}
    assert len(all_tasks()) > 100
    assert ids == {t.env_id for t in all_tasks().values()}


def test_observation_is_task_pixels_and_instruction(click_button):
    obs, info = click_button.reset(seed=0)
    assert obs["screen"].shape == (210, 160, 3) and obs["screen"].dtype == np.uint8
    assert obs["instruction"].startswith("Click on the")
    assert "dom" not in obs and "dom" in info["privileged"]
    assert obs["screen"].std() > 5  # real pixels, not a blank frame


def test_clicking_the_named_button_earns_the_page_reward(click_button):
    obs, info = click_button.reset(seed=3)
    x, y = _centre(_target_button(obs, info))
    obs, reward, terminated, truncated, info = click_button.step(Click(x, y))
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert info["success"] is True


def test_clicking_the_wrong_place_is_judged_by_the_page(click_button):
    obs, info = click_button.reset(seed=3)
    target = _target_button(obs, info)
    other = next(e for e in info["privileged"]["dom"] if e["tag"] == "BUTTON" and e is not target)
    _, reward, terminated, _, info = click_button.step(Click(*_centre(other)))
    assert terminated and reward == -1.0 and info["success"] is False


def test_same_seed_gives_same_instruction_and_layout(click_button):
    a, _ = click_button.reset(seed=11)
    b, _ = click_button.reset(seed=11)
    assert a["instruction"] == b["instruction"]
    np.testing.assert_array_equal(a["screen"], b["screen"])
    seen = {click_button.reset(seed=s)[0]["instruction"] for s in range(8)}
    assert len(seen) > 1


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("click(500, 3)", "outside the 160x210"),
        ("clik(3, 3)", "unknown action kind"),
        ("pick(3, 3)", "not a UI action"),
        ('key("ctrl+nosuchkey")', "refused by the browser"),
    ],
)
def test_invalid_action_is_reported_in_info_not_raised(click_button, action, says):
    obs, _ = click_button.reset(seed=1)
    obs2, reward, terminated, truncated, info = click_button.step(action)
    assert says in info["error"]
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert obs2["instruction"] == obs["instruction"]


def test_typing_reaches_the_focused_input(browser_pool):
    env = gym.make("handeye/miniwob-enter-text-v0")
    try:
        obs, info = env.reset(seed=2)
        box = next(e for e in info["privileged"]["dom"] if e["tag"] == "INPUT_text")
        env.step(Click(*_centre(box)))
        _, _, _, _, info = env.step(Type("hello"))
        box = next(e for e in info["privileged"]["dom"] if e["tag"] == "INPUT_text")
        assert box["value"] == "hello"
    finally:
        env.close()


def test_time_limit_truncates_the_episode(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0", max_episode_steps=2)
    try:
        env.reset(seed=0)
        assert env.step("wait(0.0)")[3] is False
        assert env.step("wait(0.0)")[3] is True
    finally:
        env.close()


def test_page_timer_ends_the_episode_with_the_pages_penalty(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0", episode_max_time_s=0.2)
    try:
        env.reset(seed=0)
        _, reward, terminated, _, info = env.step("wait(0.4)")
        assert terminated and reward == -1.0 and info["reason"] == "timed out"
    finally:
        env.close()


def test_envs_share_one_browser_process(browser_pool):
    a = gym.make("handeye/miniwob-click-button-v0")
    b = gym.make("handeye/miniwob-click-link-v0")
    try:
        a.reset(seed=0)
        b.reset(seed=0)
        pa, pb = a.unwrapped._handle, b.unwrapped._handle
        assert pa.page is not pb.page
        assert pa.context.browser is pb.context.browser
    finally:
        a.close()
        b.close()


def test_crashed_browser_is_reported_and_the_next_reset_recovers(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0")
    try:
        env.reset(seed=0)
        env.unwrapped._pool.kill_browser_for_test()  # the browser of this env's frame mode
        _, reward, terminated, truncated, info = env.step("click(5, 60)")
        assert truncated and not terminated and "browser failed" in info["error"]
        obs, info = env.reset(seed=4)
        assert obs["instruction"].startswith("Click on the")
        x, y = _centre(_target_button(obs, info))
        assert env.step(Click(x, y))[1] == 1.0
    finally:
        env.close()


def test_scale_renders_more_pixels_and_maps_clicks_back(browser_pool):
    env = gym.make("handeye/miniwob-click-button-v0", scale=1.5)
    try:
        obs, info = env.reset(seed=3)
        assert obs["screen"].shape == (315, 240, 3)
        x, y = _centre(_target_button(obs, info))  # dom boxes are in observation pixels
        assert env.step(Click(x, y))[1] == 1.0
    finally:
        env.close()


def test_dark_theme_darkens_the_frame(browser_pool):
    light = gym.make("handeye/miniwob-click-button-v0")
    dark = gym.make("handeye/miniwob-click-button-v0", dark_theme=True)
    try:
        a = light.reset(seed=5)[0]["screen"]
        b = dark.reset(seed=5)[0]["screen"]
        assert b.mean() < a.mean() - 50
    finally:
        light.close()
        dark.close()


def test_unknown_task_and_missing_chromium_give_actionable_errors(monkeypatch):
    with pytest.raises(EnvError, match="close matches"):
        gym.make("handeye/miniwob-click-button-v0", task="click-buton")
    from envs.browser.pool import find_chromium

    monkeypatch.setenv("HANDEYE_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(SetupError, match="HANDEYE_CHROMIUM=.* is not an executable"):
        find_chromium()


def test_stepping_a_finished_episode_asks_for_reset(click_button):
    obs, info = click_button.reset(seed=3)
    click_button.step(Click(*_centre(_target_button(obs, info))))
    with pytest.raises(EnvError, match="reset"):
        click_button.unwrapped.step("wait(0)")


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(all_tasks()))
def test_check_env_passes(browser_pool, task):
    from gymnasium.utils.env_checker import check_env

    env = gym.make(f"handeye/miniwob-{task}-v0")
    inner = env.unwrapped
    infos: list[dict] = []
    step = inner.step

    def recording_step(action):
        out = step(action)
        infos.append(copy.deepcopy(out[4]))
        return out

    inner.step = recording_step  # keeps each step's info so a failure can say what differed
    try:
        check_env(inner, skip_render_check=False)
    except AssertionError as exc:
        if "info" in str(exc) and len(infos) >= 2:
            raise AssertionError(f"{exc}; differing: {_differences(infos[-2], infos[-1])}") from exc
        raise
    finally:
        env.close()


def _differences(a, b, path: str = "info") -> list[str]:
    """Paths where two nested info values differ, with both values (first 10)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            out += _differences(a.get(k), b.get(k), f"{path}.{k}")
        return out[:10]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in _differences(x, y, f"{path}[{i}]")]
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return [] if np.array_equal(a, b) else [f"{path}: arrays differ"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_an_image_a_step_reveals_is_in_that_steps_frame(browser_pool):
    """tic-tac-toe marks are CSS images a click sets by class: preloaded, step one shows them."""
    env = gym.make("handeye/miniwob-tic-tac-toe-v0")
    try:
        env.reset(seed=123)
        obs, *_, info = env.step(Click(30, 80))
        cells = {e["id"]: e for e in info["privileged"]["dom"] if e["id"].startswith("ttt-")}

        def ink(el: dict) -> int:
            x0, y0 = int(el["left"]) + 2, int(el["top"]) + 2
            x1, y1 = int(el["left"] + el["width"]) - 2, int(el["top"] + el["height"]) - 2
            return int((obs["screen"][y0:y1, x0:x1].mean(-1) < 128).sum())

        marked = [e for e in cells.values() if e["classes"] == "mark-x"]
        empty = [e for e in cells.values() if not e["classes"]]
        assert len(marked) == 1 and empty
        assert ink(marked[0]) > 100 > max(ink(e) for e in empty)
    finally:
        env.close()


def test_nothing_of_the_last_episode_survives_reset(browser_pool):
    """A date picker left open and Tab's starting point used to carry over between episodes,
    so the same seed and action gave two frames (choose-date under check_env)."""
    env = gym.make("handeye/miniwob-choose-date-medium-v0")
    try:
        _, info = env.reset(seed=58)
        field = next(e for e in info["privileged"]["dom"] if e.get("id") == "datepicker")
        obs_open, *_ = env.step(Click(*_centre(field)))  # the picker opens below the field
        fresh, _ = env.reset(seed=58)
        assert not np.array_equal(fresh["screen"], obs_open["screen"])
        after_tab = []
        for _ in range(2):
            env.reset(seed=58)
            obs, *_, info = env.step('key("Tab")')  # Tab from the top focuses the field
            after_tab.append(obs["screen"])
            assert [e.get("id") for e in info["privileged"]["dom"] if e.get("focused")] == [
                "datepicker"
            ]
        assert np.array_equal(*after_tab)
        env.reset(seed=58)
        page = env.unwrapped._live().page  # privileged look: is the picker's div shown?
        assert page.evaluate("jQuery('#ui-datepicker-div').is(':visible')") is False
    finally:
        env.close()


def test_a_menu_opened_in_one_episode_is_closed_in_the_next(browser_pool):
    """click-menu-2 builds its jQuery UI menu once per page: an open submenu carried over."""

    def open_menu(env) -> tuple[np.ndarray, list]:
        _, info = env.reset(seed=5)
        button = next(e for e in info["privileged"]["dom"] if e.get("id") == "open-menu")
        obs, *_, info = env.step(Click(*_centre(button)))
        return obs["screen"], info["privileged"]["dom"]

    used = gym.make("handeye/miniwob-click-menu-2-v0")
    fresh = gym.make("handeye/miniwob-click-menu-2-v0")
    try:
        _, dom = open_menu(used)
        playback = next(e for e in dom if e.get("text") == "Playback")
        used.step(f"hover({_centre(playback)[0]}, {_centre(playback)[1]})")
        obs, *_ = used.step("wait(0.5)")  # the submenu opens after jQuery UI's 300 ms delay
        assert not np.array_equal(obs["screen"], open_menu(fresh)[0])
        assert np.array_equal(open_menu(used)[0], open_menu(fresh)[0])
    finally:
        used.close()
        fresh.close()


def test_hot_cold_starts_without_the_last_episodes_hint(browser_pool):
    """hot-cold's own reset leaves the last hint ("COLD") and its mousemove handler behind."""
    used = gym.make("handeye/miniwob-hot-cold-v0")
    fresh = gym.make("handeye/miniwob-hot-cold-v0")
    try:
        blank, _ = used.reset(seed=1)
        hinted, *_ = used.step("hover(80, 110)")
        assert not np.array_equal(hinted["screen"], blank["screen"])  # the hint shows
        again, _ = used.reset(seed=2)
        assert np.array_equal(again["screen"], fresh.reset(seed=2)[0]["screen"])
        hint_used = used.step("hover(40, 90)")[0]["screen"]
        assert np.array_equal(hint_used, fresh.step("hover(40, 90)")[0]["screen"])
    finally:
        used.close()
        fresh.close()


def test_headless_runs_prefer_the_headless_shell(tmp_path, monkeypatch):
    from envs.browser.pool import find_chromium

    for name in ("chromium", "chromium-headless-shell"):
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.delenv("HANDEYE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() == str(tmp_path / "chromium-headless-shell")
    assert find_chromium(headless=False) == str(tmp_path / "chromium")


def test_a_page_whose_animation_races_its_timer_keeps_the_clock(browser_pool):
    from envs.miniwob.tasks import CLOCKED

    assert "chase-circle" in CLOCKED
    env = gym.make("handeye/miniwob-chase-circle-v0", pool=browser_pool)
    try:
        env.reset(seed=0)
        assert env.unwrapped._live().clock is None  # Chromium's own clock, not frames on demand
    finally:
        env.close()
