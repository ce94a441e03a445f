"""`TaskInstruction`: a wrapper that gives an env a person's instruction instead of its own."""

from __future__ import annotations

from typing import Any

import gymnasium as gym


class TaskInstruction(gym.Wrapper):
    """Shows the person's instruction in every observation; adds reset options set beforehand.

    The reset options reach the env even when the caller (a session loop) only passes a seed.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.instruction = ""
        self.options: dict[str, Any] = {}

    def set_task(self, instruction: str, **options: Any) -> None:
        """The instruction and reset options of the next episode."""
        self.instruction = instruction
        self.options = {"instruction": instruction, **options}

    def reset(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        options = {**self.options, **(kwargs.pop("options", None) or {})}
        obs, info = self.env.reset(options=options, **kwargs)
        return self._with_instruction(obs), info

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return self._with_instruction(obs), reward, terminated, truncated, info

    def _with_instruction(self, obs: dict[str, Any]) -> dict[str, Any]:
        return {**obs, "instruction": self.instruction}
