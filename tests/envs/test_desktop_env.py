"""The desktop env on a real Xvfb with a real Tk app: clicks by pixel, scaling, failsafe."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import gymnasium as gym
import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.actions import Click, Done, Hover, Wait
from contracts.errors import EnvError, SetupError
from envs.desktop import desktop_env_ids, register_desktop_envs
from envs.desktop.display import Display, Xvfb, display_reachable, open_display
from envs.desktop.env import DesktopEnv
from envs.desktop.input import PointerMap
from envs.desktop.input_backends import XdotoolBackend, make_backend


@pytest.fixture(scope="module")
def xvfb() -> Iterator[Xvfb]:
    with Xvfb(1280, 720) as display:
        yield display


@pytest.fixture
def env(xvfb: Xvfb) -> Iterator[DesktopEnv]:
    e = DesktopEnv("click-ok", display=xvfb)
    yield e
    e.close()


def app_reports(env: DesktopEnv, key: str, value: object, timeout: float = 3.0) -> bool:
    """Whether the app's own state shows `key == value` within `timeout` s (a loaded machine
    can delay the app's reaction past the env's settle time)."""
    deadline = time.monotonic() + timeout
    while env.app_state()[key] != value:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def centre(box: list[int], scale: float = 1.0) -> tuple[int, int]:
    """The middle of a screen-pixel box, in an image `scale` times the screen's size."""
    x0, y0, x1, y1 = box
    return int((x0 + x1) / 2 * scale), int((y0 + y1) / 2 * scale)


# ---- the display -------------------------------------------------------------------------------


def test_xvfb_picks_free_displays_and_leaves_no_process_after_close() -> None:
    a, b = Xvfb(320, 240), Xvfb(320, 240)
    try:
        assert a.name != b.name and display_reachable(a.name) and display_reachable(b.name)
        assert a.size == (320, 240) and psutil.pid_exists(a.pid)
    finally:
        a.close()
        b.close()
    for d in (a, b):
        assert not d.alive and not psutil.pid_exists(d.pid) and not display_reachable(d.name)
    a.close()  # idempotent


def test_missing_xvfb_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SetupError, match="apt-get install xvfb"):
        Xvfb()


def test_attaching_without_an_x_server_says_what_to_install(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(SetupError, match="apt-get install xvfb"):
        open_display("attach")
    with pytest.raises(SetupError, match="no X server answers"):
        Display(":987")
    with pytest.raises(EnvError, match="unknown display"):
        open_display("wayland")


def test_attach_uses_the_display_named_in_the_environment(xvfb: Xvfb, monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    with open_display("attach") as d:
        assert d.name == xvfb.name and d.size == (1280, 720) and not d.owned
    assert xvfb.alive  # attaching never kills someone else's display


# ---- pixels -> pointer -------------------------------------------------------------------------


@given(
    iw=st.integers(1, 4000),
    ih=st.integers(1, 4000),
    pw=st.integers(1, 4000),
    ph=st.integers(1, 4000),
    fx=st.floats(0, 1, exclude_max=True),
    fy=st.floats(0, 1, exclude_max=True),
)
def test_pointer_map_stays_on_screen_and_round_trips(iw, ih, pw, ph, fx, fy) -> None:
    m = PointerMap((iw, ih), (pw, ph))
    x, y = int(fx * iw), int(fy * ih)
    px, py = m.to_pointer(x, y)
    assert 0 <= px < pw and 0 <= py < ph
    if pw >= iw and ph >= ih:  # a finer pointer grid: the pixel comes back exactly
        assert m.to_image(px, py) == (x, y)
    assert m.map_action(Click(x, y)) == Click(px, py)


# ---- acting on a real app ----------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["pyautogui", "xdotool"])
def test_clicking_the_ok_button_by_pixel_is_seen_by_the_app(xvfb: Xvfb, backend: str) -> None:
    env = DesktopEnv("click-ok", display=xvfb, input_backend=backend)
    try:
        obs, info = env.reset(seed=3)
        assert obs["screen"].shape == (720, 1280, 3) and "OK" in obs["instruction"]
        ok = info["privileged"]["state"]["widgets"]["ok"]
        before = obs["screen"].copy()
        _, reward, terminated, _, info = env.step(Click(*centre(ok)))
        assert info["error"] is None and not terminated and reward == 0.0
        assert app_reports(env, "ok_clicks", 1)
        obs, _, _, _, info = env.step(Wait(0.0))
        assert info["privileged"]["success"]
        assert (obs["screen"] != before).any()  # the app redrew ("OK pressed")
        _, reward, terminated, _, _ = env.step(Done())
        assert terminated and reward == 1.0
    finally:
        env.close()


def test_actions_on_a_scaled_screenshot_land_on_the_right_screen_pixels(xvfb: Xvfb) -> None:
    env = DesktopEnv("submit-form", display=xvfb, obs_size=(640, 360))
    try:
        obs, info = env.reset(seed=5)
        assert obs["screen"].shape == (360, 640, 3) and env.action_space.width == 640
        env.step(Hover(100, 50))
        assert env.input.backend.pointer() == (201, 101)  # centre of pixel (100, 50) at 2x
        widgets = info["privileged"]["state"]["widgets"]
        word = env.episode.facts["word"]
        for action in (Click(*centre(widgets["entry"], 0.5)), f'type("{word}")'):
            assert env.step(action)[4]["error"] is None
        env.step(Click(*centre(widgets["ok"], 0.5)))
        assert app_reports(env, "submitted", word)
        assert env.step(Done())[1] == 1.0
    finally:
        env.close()


@pytest.mark.parametrize("task", ["type-text", "submit-form"])
def test_oracle_solves_each_task(xvfb: Xvfb, task: str) -> None:
    env = DesktopEnv(task, display=xvfb)
    try:
        env.reset(seed=7)
        reward = 0.0
        for action in env.oracle_actions():
            _, reward, terminated, _, info = env.step(action)
            assert info["error"] is None, info["error"]
        assert terminated and reward == 1.0
    finally:
        env.close()


def test_done_without_doing_the_task_scores_zero(env: DesktopEnv) -> None:
    obs, info = env.reset(seed=0)
    cancel = info["privileged"]["state"]["widgets"]["cancel"]
    env.step(Click(*centre(cancel)))
    _, reward, terminated, _, info = env.step(Done())
    assert terminated and reward == 0.0 and not info["privileged"]["success"]


def test_invalid_actions_come_back_as_info_errors(env: DesktopEnv) -> None:
    env.reset(seed=1)
    for action, expected in (
        ("click(5000, 10)", "outside the 1280x720"),
        ("ee_delta(0.1, 0, 0)", "not a desktop action"),
        ("clack(1, 2)", "unknown action kind"),
        ("key('ctrl+nosuchkey')", "unknown key"),
    ):
        _, reward, terminated, truncated, info = env.step(action)
        assert expected in info["error"] and reward == 0.0 and not terminated and not truncated
    assert env.app_state()["ok_clicks"] == 0


def test_failsafe_stops_input_until_its_cause_is_gone(env: DesktopEnv, tmp_path) -> None:
    _, info = env.reset(seed=2)
    ok = Click(*centre(info["privileged"]["state"]["widgets"]["ok"]))
    env.input.failsafe.abort_file = tmp_path / "STOP"
    (tmp_path / "STOP").touch()
    _, _, _, truncated, info = env.step(ok)
    assert truncated and "abort file" in info["failsafe"] and env.app_state()["ok_clicks"] == 0
    (tmp_path / "STOP").unlink()
    env.failsafe.trip("operator pressed stop")
    assert "operator pressed stop" in env.step(ok)[4]["failsafe"]
    env.failsafe.clear()
    env.step(Hover(0, 0))  # the pointer into a corner: pyautogui's failsafe rule
    _, _, _, truncated, info = env.step(ok)
    assert truncated and "corner" in info["failsafe"] and env.app_state()["ok_clicks"] == 0
    XdotoolBackend(env.display.name).move(640, 360)  # the operator moves the pointer away
    assert env.step(ok)[4]["error"] is None and app_reports(env, "ok_clicks", 1)


def test_step_before_reset_is_a_clear_error(env: DesktopEnv) -> None:
    with pytest.raises(EnvError, match="call reset"):
        env.step(Click(1, 1))


def test_auto_backend_falls_back_to_xdotool_without_pyautogui(xvfb: Xvfb, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyautogui", None)
    assert make_backend("auto", xvfb.name).name == "xdotool"


# ---- lifecycle ---------------------------------------------------------------------------------


def test_close_leaves_no_threads_xvfb_or_app_behind() -> None:
    threads_before = set(threading.enumerate())
    env = DesktopEnv("click-ok", display="xvfb", screen_size=(640, 480))
    env.reset(seed=0)
    xvfb_pid, app_pid = env.display.pid, env._app.proc.pid
    assert psutil.pid_exists(xvfb_pid) and psutil.pid_exists(app_pid)
    env.close()
    for pid in (xvfb_pid, app_pid):
        assert not psutil.pid_exists(pid), f"process {pid} outlived close()"
    assert set(threading.enumerate()) <= threads_before
    env.close()  # idempotent


def test_registered_ids_make_working_envs(xvfb: Xvfb) -> None:
    ids = register_desktop_envs()
    assert ids == desktop_env_ids() and "handeye/desktop-click-ok-v0" in ids
    env = gym.make("handeye/desktop-click-ok-v0", display=xvfb, obs_size=(640, 360))
    try:
        obs, _ = env.reset(seed=0)
        assert env.observation_space.contains(obs)
        assert env.action_space.contains("click(639, 359)")
        assert not env.action_space.contains("click(640, 10)")
    finally:
        env.close()


@pytest.mark.slow
def test_passes_gymnasium_check_env(xvfb: Xvfb) -> None:
    from gymnasium.utils.env_checker import check_env

    env = DesktopEnv("click-ok", display=xvfb, obs_size=(320, 180))
    try:
        check_env(env, skip_render_check=True)
    finally:
        env.close()


@pytest.mark.slow
def test_a_dead_xvfb_ends_the_step_and_reset_starts_a_new_one(tmp_path) -> None:
    import os
    import signal

    from agent.session import run_episode
    from agent.traces import TraceWriter, load_episode
    from policies.base import make_policy

    env = DesktopEnv("click-ok")  # owns its Xvfb
    try:
        env.reset(seed=0)
        old = env.display
        os.kill(old.pid, signal.SIGKILL)
        old.proc.wait(timeout=5)
        obs, reward, terminated, truncated, info = env.step(Click(5, 5))
        assert truncated and not terminated and reward == 0.0 and info["display_lost"]
        assert "went away" in info["error"] and not obs["screen"].any()
        with pytest.raises(EnvError, match="reset"):
            env.step(Wait(0.0))
        obs, info = env.reset(seed=1)  # a new Xvfb, grabber and input: the task works again
        assert env.display is not old and env.display.alive and obs["screen"].any()
        for action in env.oracle_actions():
            *_, terminated, _, info = env.step(action)
        assert info["privileged"]["success"]
        # in the session loop: the display dies after the first step; the episode ends
        # truncated and what was recorded is on disk
        policy = make_policy("random", action_space=env.action_space, seed=0)
        killed = []

        def kill_once(_outcome) -> None:
            if not killed:
                killed.append(env.display.pid)
                os.kill(env.display.pid, signal.SIGKILL)

        with TraceWriter(tmp_path / "trace") as writer:
            result = run_episode(env, policy, seed=2, max_steps=5, writer=writer, on_step=kill_once)
        assert result.steps == 2 and not result.success
        assert len(load_episode(tmp_path / "trace", result.episode_id).steps) == 2
    finally:
        env.close()
