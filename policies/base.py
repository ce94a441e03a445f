"""The Policy contract and the one registry of policies by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from contracts.actions import UI_ACTIONS, Action
from contracts.errors import HandeyeError


@runtime_checkable
class Policy(Protocol):
    """Maps observations to typed actions.

    `privileged` policies (scripted experts) are handed the env's whole `info` (DOM, simulator
    state); every other policy gets only `{"error": ...}` after a failed action (see
    agent.session.visible_info), so pixel policies cannot read privileged state.
    """

    name: str
    privileged: bool

    def reset(self, instruction: str) -> None: ...

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action: ...

    def close(self) -> None: ...


class RandomPolicy:
    """Uniformly random valid actions from the env's action space (a floor for evaluations)."""

    name = "random"
    privileged = False

    def __init__(self, action_space: Any = None, seed: int | None = None) -> None:
        self.action_space = action_space
        self.rng = np.random.default_rng(seed)

    def reset(self, instruction: str) -> None:
        """Nothing to remember between episodes."""

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        space = self.action_space
        if space is None:
            from contracts.spaces import ActionSpace

            if "screen" not in obs:
                raise HandeyeError("RandomPolicy needs an action_space or a 'screen' observation")
            height, width = obs["screen"].shape[:2]
            space = ActionSpace(width, height, UI_ACTIONS)
        space.seed(int(self.rng.integers(2**31)))
        return space.sample()

    def close(self) -> None:
        """Nothing to release."""


PolicyFactory = Callable[..., Policy]


def _lazy(module: str, attr: str) -> PolicyFactory:
    """A factory that imports `module` only when the policy is built (torch, mujoco are heavy)."""

    def build(**kwargs: Any) -> Policy:
        import importlib

        return getattr(importlib.import_module(module), attr)(**kwargs)

    build.__name__ = f"make_{attr}"
    return build


POLICIES: dict[str, PolicyFactory] = {
    "expert": _lazy("policies.experts.miniwob", "MiniWoBExpert"),
    "random": RandomPolicy,
    "scripted": _lazy("policies.scripted", "ScriptedPolicy"),
    "tabletop-expert": _lazy("policies.experts.tabletop", "TabletopExpert"),
    "house": _lazy("policies.house", "make_house_policy"),
    "vlm": _lazy("policies.vlm.policy", "VLMPolicy"),
}


def make_policy(name: str, **kwargs: Any) -> Policy:
    """Build a policy by registry name, e.g. make_policy("expert")."""
    factory = POLICIES.get(name)
    if factory is None:
        raise HandeyeError(f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}")
    return factory(**kwargs)
