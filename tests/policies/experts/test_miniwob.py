"""The privileged MiniWoB expert solves every task it claims, in real Chromium episodes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytest.importorskip("playwright")
pytest.importorskip("miniwob")

import gymnasium as gym  # noqa: E402

import envs  # noqa: E402, F401  (registers handeye/miniwob-*)
from contracts.actions import Done  # noqa: E402
from policies.base import make_policy  # noqa: E402
from policies.experts.miniwob import SOLVED_TASKS, MiniWoBExpert  # noqa: E402
from tests.benchmarks.run_script import run_script

SEEDS = (0, 1, 2)


class OneEnvAtATime:
    """Hands out the env of one task, closing the previous task's env (tests run task-major)."""

    def __init__(self) -> None:
        self.task: str | None = None
        self.env: Any = None

    def get(self, task: str) -> Any:
        if task != self.task:
            self.close()
            self.env = gym.make(f"handeye/miniwob-{task}-v0")
            self.task = task
        return self.env

    def close(self) -> None:
        if self.env is not None:
            self.env.close()
        self.env, self.task = None, None


@pytest.fixture(scope="module")
def task_envs() -> Iterator[OneEnvAtATime]:
    cache = OneEnvAtATime()
    yield cache
    cache.close()


def run_episode(env: Any, policy: MiniWoBExpert, seed: int) -> tuple[dict[str, Any], list[str]]:
    """One episode under the env's 30-step limit; returns the last info and the actions."""
    obs, info = env.reset(seed=seed)
    policy.reset(obs["instruction"])
    actions: list[str] = []
    while True:
        action = policy.act(obs, info)
        actions.append(str(action))
        obs, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return info, actions


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("task", SOLVED_TASKS)
def test_expert_solves_task(task_envs: OneEnvAtATime, task: str, seed: int):
    env = task_envs.get(task)
    info, actions = run_episode(env, MiniWoBExpert(), seed)
    assert info.get("success"), f"{task} seed {seed}: {info.get('reason')} after {actions}"


@pytest.mark.slow
def test_expert_recovers_from_a_mistyped_field(task_envs: OneEnvAtATime):
    env = task_envs.get("enter-text")
    obs, info = env.reset(seed=5)
    policy = MiniWoBExpert()
    policy.reset(obs["instruction"])
    obs, _, _, _, info = env.step(policy.act(obs, info))  # focus the field
    obs, _, _, _, info = env.step('type("zzz")')  # a slip the expert did not make
    for _ in range(10):
        obs, _, terminated, truncated, info = env.step(policy.act(obs, info))
        if terminated or truncated:
            break
    assert info.get("success")


def test_expert_gives_up_on_unknown_tasks_and_missing_dom():
    policy = make_policy("expert")
    obs = {"screen": np.zeros((210, 160, 3), np.uint8), "instruction": "Do something."}
    assert policy.privileged and policy.name == "expert"
    assert policy.act(obs, {"task": "no-such-task", "privileged": {"dom": []}}) == Done()
    assert policy.act(obs, None) == Done()
    assert policy.act(obs, {"task": "click-button"}) == Done()


def test_expert_gives_up_when_the_instruction_has_no_target():
    policy = MiniWoBExpert()
    obs = {"screen": np.zeros((210, 160, 3), np.uint8), "instruction": "Click on a button."}
    info = {"task": "click-button", "instruction": obs["instruction"], "privileged": {"dom": []}}
    assert policy.act(obs, info) == Done()


def test_solved_tasks_are_shipped_miniwob_tasks():
    from envs.miniwob.tasks import all_tasks

    assert len(SOLVED_TASKS) >= 30
    assert set(SOLVED_TASKS) <= set(all_tasks())


@pytest.mark.slow
def test_expert_success_benchmark_prints_a_rate_per_task(tmp_path):
    args = ("--tasks", "click-test,focus-text", "--episodes", "2")
    report = run_script("benchmarks/expert_success.py", *args, json_path=tmp_path / "rates.json")
    assert report == {"click-test": 1.0, "focus-text": 1.0, "mean": 1.0}


def test_a_tab_is_named_by_its_whole_label_in_any_wording():
    from policies.experts.miniwob_click import _names

    assert _names("Open the tab called Tab #10, please", "Tab #10")
    assert not _names("Open the tab called Tab #10, please", "Tab #1")
    assert not _names("Click Submit", "  ")
