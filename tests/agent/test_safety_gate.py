"""The safety gate in a real loop: a bash pty, a scripted policy, a trace on disk."""

from __future__ import annotations

import pytest

from agent.chat_envs import OpenTerminalTask
from agent.safety import MASK, SafetyPolicy
from agent.safety_gate import RedactingTraceWriter, SafetyGate
from agent.session import run_episode
from agent.traces import TraceReader
from envs.wrappers.task_instruction import TaskInstruction
from policies.scripted import ScriptedPolicy


@pytest.fixture
def terminal():
    from envs.terminal.env import TerminalEnv

    # A short step timeout: `read -s` echoes nothing, so steps there wait out the timeout.
    env = TaskInstruction(TerminalEnv(task=OpenTerminalTask(), step_timeout_s=0.5))
    env.set_task("test the gate")
    yield env
    env.close()


def test_a_refused_command_never_reaches_the_shell_and_the_policy_is_told(terminal):
    asked = []
    gate = SafetyGate(terminal, SafetyPolicy(), confirm=lambda e: asked.append(e) or False)
    gate.reset()
    obs, _, terminated, truncated, info = gate.step('type("rm -rf keep")')
    assert "rm -rf keep" not in obs["text"]
    assert info["error"].startswith("refused (not approved): risky shell command")
    assert (terminated, truncated) == (False, False)
    assert len(asked) == 1 and not gate.last_event.executed
    obs, _, _, _, info = gate.step('type("echo fine")')
    assert "echo fine" in obs["text"] and info.get("error") is None


def test_an_approved_command_runs(terminal):
    gate = SafetyGate(terminal, SafetyPolicy(), confirm=lambda e: True)
    gate.reset()
    gate.step('type("mkdir keep && rm -rf keep && echo gone-$((6*7))")')
    obs, *_ = gate.step('key("Enter")')
    assert gate.last_event.executed
    for _ in range(20):  # a loaded machine may print after the step's settle time
        if "gone-42" in obs["text"]:
            break
        obs, *_ = gate.step("wait(0.2)")
    assert "gone-42" in obs["text"]


def test_without_anyone_to_ask_risky_actions_are_refused(terminal):
    gate = SafetyGate(terminal, SafetyPolicy())
    gate.reset()
    info = gate.step('type("sudo reboot")')[-1]
    assert info["refused"] == "shell"


def test_a_spent_step_budget_truncates_the_episode(terminal):
    gate = SafetyGate(terminal, SafetyPolicy(max_steps=1))
    gate.reset()
    assert gate.step('type("ls")')[3] is False
    _, _, terminated, truncated, info = gate.step('type("ls")')
    assert truncated and not terminated and "step budget" in info["error"]


@pytest.mark.slow
def test_a_password_typed_at_a_prompt_is_masked_in_the_trace(terminal, tmp_path):
    script = [
        'type("read -s -p \\"password: \\" pw")',
        'key("Enter")',
        'type("hunter2")',
        'key("Enter")',
        'type("echo len=${#pw}")',
        'key("Enter")',
    ]
    asked = []
    gate = SafetyGate(terminal, SafetyPolicy(), confirm=lambda e: asked.append(e.shown) or True)
    with RedactingTraceWriter(tmp_path, gate) as writer:
        result = run_episode(gate, ScriptedPolicy(script), max_steps=10, writer=writer)
    assert result.complete and result.steps == 7
    assert "len=7" in gate.last_obs["text"]  # the real secret reached the shell
    assert asked == [f'type("{MASK}")']
    steps = TraceReader(tmp_path).dataframe(result.episode_id)
    assert f'type("{MASK}")' in list(steps["action"])
    assert not steps.astype(str).apply(lambda col: col.str.contains("hunter2")).any().any()
