"""The terminal gymnasium env end to end: real bash, real files, oracles, errors and clean-up."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import gymnasium as gym
import numpy as np
import psutil
import pytest
from gymnasium.utils.env_checker import check_env

from contracts.actions import Click, Done, Key, Type, Wait
from contracts.errors import EnvError
from envs.terminal import MAX_EPISODE_STEPS, register_terminal_envs, terminal_env_ids
from envs.terminal.env import TerminalEnv
from envs.terminal.tasks import TASKS

IDS = register_terminal_envs()


@pytest.fixture
def env() -> Iterator[TerminalEnv]:
    e = TerminalEnv("create-file", render_mode="rgb_array")
    yield e
    e.close()


def run_oracle(env: gym.Env, seed: int) -> tuple[float, bool, dict]:
    """Reset with `seed`, play the task's scripted solution, return (total reward, done, info)."""
    env.reset(seed=seed)
    raw = env.unwrapped
    total, terminated, info = 0.0, False, {}
    for action in raw.task.oracle_actions(raw.episode):
        _, reward, terminated, truncated, info = env.step(action)
        assert info["error"] is None, info["error"]
        total += reward
        if terminated or truncated:
            break
    return total, terminated, info


def test_one_id_per_task_with_a_step_limit() -> None:
    assert IDS == terminal_env_ids() == [f"handeye/terminal-{n}-v0" for n in TASKS]
    assert register_terminal_envs() == IDS  # idempotent
    for env_id in IDS:
        assert gym.spec(env_id).max_episode_steps == MAX_EPISODE_STEPS


@pytest.mark.parametrize("env_id", IDS)
def test_check_env_passes(env_id: str) -> None:
    # check_env is given the unwrapped env, as gymnasium recommends; it still builds the
    # other render modes through the spec, so registration is exercised too.
    env = gym.make(env_id)
    try:
        check_env(env.unwrapped)
    finally:
        env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_oracle_solves_the_task_through_gym_make(env_id: str) -> None:
    env = gym.make(env_id)
    try:
        for seed in (0, 1):
            total, terminated, info = run_oracle(env, seed)
            assert (total, terminated) == (1.0, True), info
            assert info["privileged"]["success"] is True
    finally:
        env.close()


def test_done_before_the_work_gets_no_reward(env: TerminalEnv) -> None:
    env.reset(seed=3)
    _, reward, terminated, _, info = env.step(Done())
    assert (reward, terminated) == (0.0, True)
    assert info["privileged"]["success"] is False


def test_wrong_answer_gets_no_reward() -> None:
    with TerminalEnv("count-lines") as e:
        e.reset(seed=5)
        right = int(e.episode.facts["lines"])
        _, reward, terminated, _, _ = e.step(Done(str(right + 1)))
        assert (reward, terminated) == (0.0, True)


def test_same_seed_same_episode_and_files(env: TerminalEnv) -> None:
    obs_a, info_a = env.reset(seed=11)
    files_a = sorted(p.name for p in env.backend.workdir.iterdir())
    obs_b, info_b = env.reset(seed=11)
    assert obs_a["instruction"] == obs_b["instruction"]
    assert info_a["privileged"]["facts"] == info_b["privileged"]["facts"]
    assert files_a == sorted(p.name for p in env.backend.workdir.iterdir())
    instructions = {env.reset(seed=s)[0]["instruction"] for s in range(8)}
    assert len(instructions) > 1


def test_observation_holds_screen_text_and_instruction(env: TerminalEnv) -> None:
    obs, info = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    assert obs["text"].startswith("handeye:~$")
    assert obs["instruction"] == env.episode.instruction
    assert set(info) == {"error", "cursor", "privileged"}
    assert info["cursor"] == (len("handeye:~$ "), 0)
    env.step(Type("echo hi"))
    obs, reward, terminated, truncated, info = env.step(Key("Enter"))
    assert obs["text"].splitlines()[:3] == ["handeye:~$ echo hi", "hi", "handeye:~$"]
    assert (reward, terminated, truncated, info["error"]) == (0.0, False, False, None)
    np.testing.assert_array_equal(env.render(), obs["screen"])


def test_screen_text_is_drawn_where_cell_box_says(env: TerminalEnv) -> None:
    env.reset(seed=0)
    env.step(Type("echo QQQQ"))
    obs, *_ = env.step(Key("Enter"))
    lines = obs["text"].splitlines()
    row = lines.index("QQQQ")
    boxes = [env.cell_box(col, row) for col in range(4)]
    glyphs = [obs["screen"][y0:y1, x0:x1] for x0, y0, x1, y1 in boxes]
    assert glyphs[0].any()
    for g in glyphs[1:]:
        np.testing.assert_array_equal(g, glyphs[0])
    x0, y0, x1, y1 = env.cell_box(10, row)  # right of "QQQQ": blank
    assert not obs["screen"][y0:y1, x0:x1].any()
    assert env.cell_at(boxes[2][0] + 1, boxes[2][1] + 1) == (2, row)


def test_invalid_actions_are_reported_not_raised(env: TerminalEnv) -> None:
    env.reset(seed=0)
    for bad in ("click(", "fly(1, 2)", Click(3, 4), "key('NoSuchKey')", 42):
        obs, reward, terminated, truncated, info = env.step(bad)
        assert info["error"], bad
        assert (reward, terminated, truncated) == (0.0, False, False)
        assert env.observation_space.contains(obs)
    _, _, _, _, info = env.step('type("still alive")')
    assert info["error"] is None


def test_random_actions_never_crash(env: TerminalEnv) -> None:
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(25):
        action = env.action_space.sample()
        if isinstance(action, Done):
            continue
        obs, reward, terminated, truncated, info = env.step(action)
        assert env.observation_space.contains(obs)
        assert reward == 0.0 and not truncated
        if terminated:  # e.g. ctrl+d on an empty line ends bash: a new episode recovers
            env.reset()


def test_wait_lets_slow_output_arrive(env: TerminalEnv) -> None:
    env.reset(seed=0)
    env.step(Type("sleep 0.5; echo late"))
    obs, *_ = env.step(Key("Enter"))
    assert "\nlate" not in obs["text"]
    obs, *_ = env.step(Wait(1.0))
    assert "\nlate" in obs["text"]


def test_killed_shell_ends_the_episode_and_reset_recovers() -> None:
    with TerminalEnv("make-directory") as e:
        e.reset(seed=0)
        os.kill(e.backend.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while e.backend.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        obs, reward, terminated, truncated, info = e.step(Type("mkdir x"))
        assert terminated and reward == 0.0
        assert "killed by signal 9" in info["error"]
        assert info["privileged"]["alive"] is False
        _, _, terminated, _, info = e.step(Done())  # still no exception
        assert terminated and info["error"]
        total, terminated, _ = run_oracle(e, seed=1)
        assert (total, terminated) == (1.0, True)


def test_exit_typed_by_the_agent_ends_the_episode(env: TerminalEnv) -> None:
    env.reset(seed=0)
    env.step(Type("exit"))
    _, _, terminated, _, info = env.step(Key("Enter"))
    assert terminated
    assert "exited with status 0" in info["error"]


def test_step_before_reset_says_what_to_do() -> None:
    with TerminalEnv() as e, pytest.raises(EnvError, match="reset"):
        e.step(Type("ls"))


def test_unknown_task_lists_the_known_ones() -> None:
    with pytest.raises(EnvError, match="create-file"):
        TerminalEnv("no-such-task")


def test_close_leaves_no_process_and_no_directory_behind() -> None:
    e = TerminalEnv("create-file")
    shells, workdirs = [], []
    for seed in range(3):  # every reset replaces the shell: none may pile up
        e.reset(seed=seed)
        shells.append(psutil.Process(e.backend.pid))
        workdirs.append(e.backend.workdir)
    e.step(Type("sleep 300 &"))
    e.step(Key("Enter"))
    e.step(Type("sleep 301"))
    e.step(Key("Enter"))
    jobs = shells[-1].children(recursive=True)
    assert len(jobs) >= 2
    e.close()
    e.close()
    _, alive = psutil.wait_procs(shells + jobs, timeout=3)
    assert alive == []
    assert not any(os.path.exists(f"/proc/{p.pid}") for p in shells)
    assert not any(w.exists() for w in workdirs)


def test_episode_truncates_at_the_step_limit() -> None:
    env = gym.make(IDS[0])
    try:
        env.reset(seed=0)
        truncated, steps = False, 0
        while not truncated:
            _, _, terminated, truncated, _ = env.step(Wait(0.0))
            steps += 1
            assert not terminated
        assert steps == MAX_EPISODE_STEPS
    finally:
        env.close()
