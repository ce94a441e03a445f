"""The "house" policy: handeye's own default, chosen by what the first observation looks like.

Camera observations (`rgb` + `depth`) get the grounded tabletop policy (embedded robot grounder
plus planner); screen observations get the browser pixel policy (`policies.house.web`).
The choice is made lazily on the first `act`, so `make_policy("house")` works before the env
is known.
"""

from __future__ import annotations

from typing import Any

from contracts.actions import Action
from contracts.errors import HandeyeError


class HousePolicy:
    """Dispatches to the robot or the browser house policy on the first observation."""

    name = "house"
    privileged = False

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._impl: Any = None
        self._instruction = ""

    @property
    def last_extra(self) -> dict[str, Any]:
        """What the chosen policy wants recorded beside each action (state, action vector)."""
        return getattr(self._impl, "last_extra", {}) if self._impl is not None else {}

    def _choose(self, obs: dict[str, Any]) -> Any:
        if "rgb" in obs and "depth" in obs:
            from policies.house.robot import GroundedTabletopPolicy

            return GroundedTabletopPolicy(**self._kwargs)
        if "screen" in obs:
            from policies.house.web import HouseWebPolicy

            return HouseWebPolicy(**self._kwargs)
        raise HandeyeError(
            f"the house policy does not know observations with keys {sorted(obs)}; it takes"
            " screens (obs['screen']) or tabletop camera frames (rgb + depth)"
        )

    def reset(self, instruction: str) -> None:
        """Start a new episode (the backend, once chosen, is kept across episodes)."""
        self._instruction = instruction
        if self._impl is not None:
            self._impl.reset(instruction)

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> Action:
        """The chosen backend's action; the first call picks the backend."""
        if self._impl is None:
            self._impl = self._choose(obs)
            self._impl.reset(self._instruction)
        return self._impl.act(obs, None)

    def close(self) -> None:
        """Close the backend, if one was built."""
        if self._impl is not None:
            self._impl.close()
            self._impl = None


def make_house_policy(**kwargs: Any) -> HousePolicy:
    """The registry factory for "house" (kwargs go to the backend, e.g. grounder=...)."""
    return HousePolicy(**kwargs)
