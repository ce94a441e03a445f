"""`TaskInstruction`: the person's words in every observation, reset options kept for the env."""

from __future__ import annotations

from envs.terminal.env import TerminalEnv
from envs.wrappers.task_instruction import TaskInstruction


def test_the_persons_instruction_replaces_the_tasks_in_every_observation() -> None:
    env = TaskInstruction(TerminalEnv(task="create-file", step_timeout_s=0.5))
    try:
        env.set_task("list the files")
        obs, _ = env.reset(seed=0)
        assert obs["instruction"] == "list the files"
        assert env.options == {"instruction": "list the files"}
        obs, *_ = env.step("wait(0.0)")
        assert obs["instruction"] == "list the files"
    finally:
        env.close()
