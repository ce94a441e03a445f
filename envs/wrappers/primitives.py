"""`PrimitiveActions`: a wrapper that lets a tabletop env take pick/place/push in image pixels.

Each primitive is lifted to 3D and planned by the planner it is given (e.g.
`policies.planners.tabletop.TabletopPlanner.for_env(env)`) from the latest observation (its
depth, calibration and proprio only), then run inside the env as motor steps at the control
rate. The step returns the last observation, the summed reward and
`info["primitive"]` = {action, status, steps}; status is "done", or one of "unreachable",
"missed", "slipped", "blocked", "no_object", "not_holding", "invalid", "timeout" with
`info["error"]` saying why, so a policy can read the failure and try again.
"""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium as gym

from contracts.actions import Done, Pick, Place, Wait, format_action
from contracts.errors import ActionError
from contracts.spaces import ActionSpace

PRIMITIVES = ("pick", "place", "push", "wait", "done")


def _status(error: str) -> str:
    """A short failure kind from a planner or script error message."""
    for word, status in (
        ("unreachable", "unreachable"),
        ("missed", "missed"),
        ("slipped", "slipped"),
        ("could not reach", "blocked"),
        ("no object", "no_object"),
        ("hold nothing", "not_holding"),
    ):
        if word in error:
            return status
    return "invalid"


class PlannedMotion(Protocol):
    """A planned motion run closed-loop: one motor action per control step until it ends."""

    status: str  # "running", "done" or "failed"
    error: str | None

    def next_action(self, proprio: Any) -> Any | None: ...


class PrimitivePlanner(Protocol):
    """Plans a primitive from one observation (pixels in, a motion script out)."""

    held: Any

    def plan_pick(self, obs: dict[str, Any], u: float, v: float) -> PlannedMotion: ...

    def plan_place(self, obs: dict[str, Any], u: float, v: float) -> PlannedMotion: ...

    def plan_push(
        self, obs: dict[str, Any], u0: float, v0: float, u1: float, v1: float
    ) -> PlannedMotion: ...


class PrimitiveActions(gym.Wrapper):
    """Tabletop env whose actions are `Pick`/`Place`/`Push`/`Wait`/`Done` (or their strings)."""

    def __init__(self, env: gym.Env, planner: PrimitivePlanner, max_motion_steps: int = 60) -> None:
        super().__init__(env)
        height, width = env.observation_space["rgb"].shape[:2]
        self.width, self.height = int(width), int(height)
        self.action_space = ActionSpace(
            self.width, self.height, PRIMITIVES, what="a tabletop primitive"
        )
        self.planner = planner
        self.max_motion_steps = int(max_motion_steps)
        self._obs: dict[str, Any] | None = None

    def reset(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self._obs = obs
        self.planner.held = None
        return obs, info

    def _hold(self, label: str, status: str, error: str | None) -> tuple:
        """One still step (time passes, nothing moves), reporting `error` if there is one."""
        obs, reward, terminated, truncated, info = self.env.step("wait()")
        self._obs = obs
        info["primitive"] = {"action": label, "status": status, "steps": 1}
        if error:
            info["error"] = error
        return obs, float(reward), terminated, truncated, info

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        if self._obs is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        try:
            typed = self.action_space.parse(action)
        except ActionError as exc:
            return self._hold(str(action), "invalid", f"{exc}; the step was a no-op")
        label = format_action(typed)
        if isinstance(typed, (Wait, Done)):
            return self._hold(label, "done", None)
        obs = self._obs
        try:
            if isinstance(typed, Pick):
                script = self.planner.plan_pick(obs, typed.x, typed.y)
            elif isinstance(typed, Place):
                script = self.planner.plan_place(obs, typed.x, typed.y)
            else:
                script = self.planner.plan_push(obs, typed.x0, typed.y0, typed.x1, typed.y1)
        except ActionError as exc:
            return self._hold(label, _status(str(exc)), f"{label}: {exc}")
        total, steps = 0.0, 0
        terminated = truncated = False
        info: dict[str, Any] = {}
        while steps < self.max_motion_steps:
            motor = script.next_action(obs["proprio"])
            if motor is None:
                break
            obs, reward, terminated, truncated, info = self.env.step(motor)
            total += float(reward)
            steps += 1
            if terminated or truncated:
                break
        self._obs = obs
        if steps == 0:
            return self._hold(label, _status(script.error or ""), f"{label}: {script.error}")
        status = "done"
        if script.status != "done" and isinstance(typed, Pick):
            self.planner.held = None
        if script.status == "failed":
            status = _status(script.error or "")
            info["error"] = f"{label}: {script.error}"
        elif script.status == "running" and not (terminated or truncated):
            status = "timeout"
            info["error"] = f"{label}: did not finish within {self.max_motion_steps} motor steps"
        info["primitive"] = {"action": label, "status": status, "steps": steps}
        return obs, total, terminated, truncated, info
