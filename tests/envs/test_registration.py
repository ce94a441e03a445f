"""Every env family registers through one helper; ids and make kwargs stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import pytest

from envs import register_all
from envs.registration import family_env_id, register_task_family

# Captured before the families shared one helper: id -> entry point, kwargs, step limit, flag.
REGISTERED = json.loads((Path(__file__).parent / "registered_envs.json").read_text())


def _spec_row(env_id: str) -> dict:
    spec = gym.spec(env_id)
    return {
        "entry_point": spec.entry_point,
        "kwargs": spec.kwargs,
        "max_episode_steps": spec.max_episode_steps,
        "nondeterministic": spec.nondeterministic,
    }


def test_every_family_registers_the_same_ids_with_the_same_kwargs() -> None:
    ids = register_all()
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(REGISTERED)
    assert {env_id: _spec_row(env_id) for env_id in ids} == REGISTERED
    assert register_all() == ids  # idempotent


def test_a_family_registers_per_task_kwargs_limits_and_flags() -> None:
    ids = register_task_family(
        "test-family",
        ["a", "b"],
        "envs.terminal.env:TerminalEnv",
        {"a": 3, "b": 4},
        nondeterministic={"b"},
        kwargs={"a": {"task": "create-file"}, "b": {"task": "create-file", "cols": 40}},
    )
    try:
        assert ids == [family_env_id("test-family", "a"), "handeye/test-family-b-v0"]
        assert gym.spec(ids[1]).kwargs == {"task": "create-file", "cols": 40}
        assert [gym.spec(i).max_episode_steps for i in ids] == [3, 4]
        assert [gym.spec(i).nondeterministic for i in ids] == [False, True]
    finally:
        for env_id in ids:
            del gym.registry[env_id]


@pytest.mark.parametrize(("task", "env_id"), [("", "handeye/web-v0"), ("x", "handeye/web-x-v0")])
def test_a_family_of_one_env_has_no_task_in_its_id(task: str, env_id: str) -> None:
    assert family_env_id("web", task) == env_id
