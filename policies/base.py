"""The Policy contract and the one registry of policies by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from contracts.actions import UI_ACTIONS, Action
from contracts.errors import HandeyeError
from contracts.registry import Registry


@runtime_checkable
class Policy(Protocol):
    """Maps observations to typed actions.

    `privileged` policies (scripted experts) are handed the env's whole `info` (DOM, simulator
    state); every other policy gets only `{"error": ...}` after a failed action (see
    agent.session.visible_info), so pixel policies cannot read privileged state.
    """

    name: str
    privileged: bool
    last_extra: dict[str, Any]  # what the last `act` wants recorded beside its action (traces)

    def reset(self, instruction: str) -> None: ...

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RandomConfig:
    """Options of the random policy."""

    action_space: Any = None  # the env's ActionSpace; None: UI actions over the observed screen
    seed: int | None = None  # seed of the policy's own generator (None: fresh entropy)


class RandomPolicy:
    """Uniformly random valid actions from the env's action space (a floor for evaluations)."""

    name = "random"
    privileged = False

    def __init__(self, action_space: Any = None, seed: int | None = None) -> None:
        import numpy as np

        self.action_space = action_space
        self.rng = np.random.default_rng(seed)
        self.last_extra: dict[str, Any] = {}

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


POLICIES = Registry("policy")
POLICIES.register("expert", "policies.experts.miniwob:MiniWoBExpert")
POLICIES.register("random", "policies.base:RandomPolicy", "policies.base:RandomConfig")
POLICIES.register(
    "scripted", "policies.scripted:ScriptedPolicy", "policies.scripted:ScriptedConfig"
)
POLICIES.register(
    "tabletop-expert",
    "policies.experts.tabletop:TabletopExpert",
    "policies.experts.tabletop:TabletopExpertConfig",
)
POLICIES.register(
    "tabletop-expert-dart",
    "policies.experts.tabletop_dart:DartExpert",
    "policies.experts.tabletop_dart:DartConfig",
)
POLICIES.register("oracle", "policies.experts.oracle:OraclePolicy")
POLICIES.register("house", "policies.house:HousePolicy", "policies.house:HouseConfig")
POLICIES.register(
    "plan",
    "policies.house.web.plan_policy:PlanWebPolicy",
    "policies.house.web.plan_policy:PlanConfig",
)
POLICIES.register("vlm", "policies.vlm.policy:VLMPolicy", "policies.vlm.policy:VLMPolicyConfig")
POLICIES.register("bc", "policies.bc.policy:BCPolicy", "policies.bc.policy:BCPolicyConfig")


def make_policy(name: str, **options: Any) -> Policy:
    """Build a policy by registry name, e.g. make_policy("expert"); unknown options are refused."""
    return POLICIES.make(name, **options)


def warm_up(policy: Policy) -> None:
    """Load a policy's models before its first episode where it can (`warm_up`), so the first
    step of a page with a timer does not pay the load."""
    warm = getattr(policy, "warm_up", None)
    if callable(warm):
        warm()
