"""The grounded tabletop policy: a grounder points at pixels, the planner turns them into motion.

Each episode runs as phases: perceive (ground the instruction in the camera frame: the object,
the target and the skill), plan (lift the pixels to 3D with depth and calibration, build a
waypoint script), act (one end-effector delta per control step). A failed grasp, a slipped
object, an unreachable target or a push that fell short sends it back to perceive, up to
`max_attempts` times. It reads observations only: pixels, depth, calibration, proprio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import EEDelta, Pick, Push, as_action
from contracts.errors import ActionError, GroundingError, HandeyeError
from perception.grounding import Grounder, Grounding, Point
from policies.planners.tabletop import (
    MotionScript,
    ObjectEstimate,
    TabletopPlanner,
    TabletopPlannerConfig,
)

log = logging.getLogger(__name__)

SKILLS = ("pick_place", "push", "stack", "reach")
REQUIRED_KEYS = ("rgb", "depth", "K", "T_world_camera", "proprio", "instruction")


@dataclass(frozen=True)
class GroundedConfig:
    """Knobs of the grounded tabletop policy."""

    max_attempts: int = 3  # perceive-plan-act rounds before holding still
    push_done_m: float = 0.02  # a push that lands this close to the goal is not repeated
    max_pushes: int = 4


@dataclass(frozen=True)
class Targets:
    """What a grounding asks for: the skill and its pixels (observation coordinates)."""

    skill: str
    object_px: tuple[float, float]
    target_px: tuple[float, float] | None


def skill_from_words(instruction: str) -> str:
    """A fallback skill for grounders that point but do not name one (e.g. a VLM)."""
    words = set(instruction.lower().replace(",", " ").split())
    if words & {"push", "slide", "shove"}:
        return "push"
    if words & {"reach", "touch"} or "go to" in instruction.lower() or "gripper to" in instruction:
        return "reach"
    if words & {"stack"} or "on top" in instruction.lower():
        return "stack"
    return "pick_place"


def read_targets(grounding: Grounding, instruction: str) -> Targets:
    """Skill and pixels from a grounding: object/target points, a primitive action, or points in
    reply order (first the object, then the target)."""
    roles = ("object", "target")
    labelled = {p.label.lower(): p for p in grounding.points if (p.label or "").lower() in roles}
    call = grounding.tool_call or {}
    skill = call.get("name") if call.get("name") in SKILLS else None
    if grounding.action:
        try:
            action = as_action(grounding.action)
        except ActionError:
            action = None
        if isinstance(action, Push):
            return Targets("push", (action.x0, action.y0), (action.x1, action.y1))
        if isinstance(action, Pick) and "object" not in labelled:
            labelled["object"] = Point(action.x, action.y, "object")
    # points a model named in its own words ("the red cube", "bowl") count in reply order
    plain = [p for p in grounding.points if (p.label or "").lower() not in roles]
    obj = labelled.get("object") or (plain.pop(0) if plain else None)
    if obj is None:
        obj = grounding.target
    if obj is None:
        raise GroundingError(f"the grounder found nothing to act on ({grounding.raw_text!r})")
    target = labelled.get("target") or (plain[0] if plain else None)
    skill = skill or skill_from_words(instruction)
    if skill != "reach" and target is None:
        raise GroundingError(
            f"the grounder gave no target point for {skill} ({grounding.raw_text!r})"
        )
    return Targets(
        skill, (obj.x, obj.y), None if skill == "reach" or target is None else (target.x, target.y)
    )


class GroundedTabletopPolicy:
    """Grounder + planner on tabletop observations, emitting `EEDelta` at the control rate.

    The grounder is `grounder` when given; else a VLM from `make_grounder` when `model` or
    `endpoint` is given (what `--policy house --model PATH` passes), asked with the
    "robot_point" prompt; else the embedded robot grounder (`weights`).
    """

    name = "house"
    privileged = False

    def __init__(
        self,
        grounder: Grounder | None = None,
        planner: TabletopPlannerConfig | None = None,
        config: GroundedConfig | None = None,
        weights: str | None = None,
        model: str | None = None,
        endpoint: str | None = None,
        backend: str | None = None,
    ) -> None:
        self._grounder = grounder
        self._weights = weights
        self._vlm = {"backend": backend, "model": model, "endpoint": endpoint}
        self.planner = TabletopPlanner(planner)
        self.config = config or GroundedConfig()
        self.last_extra: dict[str, Any] = {}
        self.reset("")

    @property
    def grounder(self) -> Grounder:
        if self._grounder is None and (self._vlm["model"] or self._vlm["endpoint"]):
            from perception.grounders import make_grounder

            self._grounder = make_grounder(**self._vlm, prompt="robot_point")
        if self._grounder is None:
            from perception.robot.grounder import RobotGrounder

            self._grounder = RobotGrounder(self._weights)
        return self._grounder

    def reset(self, instruction: str) -> None:
        """Start a new episode: nothing planned, no attempts used."""
        self.instruction = instruction
        self.script: MotionScript | None = None
        self.queue: list[Callable[[dict], MotionScript]] = []
        self.after: str = "perceive"  # what to do when the queue runs dry
        self.attempts = 0
        self.pushes = 0
        self.hold_grip = -1.0
        self.last_error: str | None = None
        self.last_grounding: Grounding | None = None
        self.targets: Targets | None = None
        self._retrying = False  # the next perceive follows a failure already counted

    # --- phases --------------------------------------------------------------------------------

    def _ground(self, obs: dict) -> Targets:
        """Perceive: point at the object and the target in the current frame."""
        from perception.robot.grounder import RobotGrounder

        instruction = obs.get("instruction") or self.instruction
        history = [self.last_error] if self.last_error else []
        if isinstance(self.grounder, RobotGrounder):
            g = self.grounder.ground(obs["rgb"], instruction, history, depth=obs["depth"])
        else:
            g = self.grounder.ground(obs["rgb"], instruction, history)
        self.last_grounding = g
        targets = read_targets(g, instruction)
        self.targets = targets
        return targets

    def _plan(self, obs: dict) -> None:
        """Plan: lift the grounded pixels and queue the scripts of the skill."""
        t = self._ground(obs)
        planner = self.planner
        est = planner.locate_object(obs, *t.object_px)
        if t.skill in ("pick_place", "stack"):
            place = planner.locate_place(obs, *t.target_px, radius=est.radius)
            self.queue = [
                lambda o: planner.pick_script(est, o["proprio"]),
                lambda o: planner.place_script(place, o["proprio"]),
            ]
            self.after, self.hold_grip = "perceive", -1.0
        elif t.skill == "push":
            goal = planner.push_goal(obs, *t.target_px, est.centre[:2])
            if self._pushed_home(est, goal):
                self.queue, self.after = [], "hold"
                return
            self.pushes += 1
            self.queue = [lambda o: planner.push_script(est, goal, o["proprio"])]
            cfg = planner.cfg
            self.after, self.hold_grip = "perceive", 1.0 - 2 * cfg.push_gap / cfg.max_finger_gap
        else:
            self.queue = [lambda o: planner.reach_script(est, o["proprio"])]
            self.after, self.hold_grip = "hold", 1.0

    def _pushed_home(self, est: ObjectEstimate, goal: np.ndarray) -> bool:
        near = float(np.linalg.norm(est.centre[:2] - goal)) < self.config.push_done_m
        return near or self.pushes >= self.config.max_pushes

    def _fail(self, why: str) -> None:
        """A plan or script failed: note why, back off, and look again (or give up)."""
        self.last_error = why
        self.attempts += 1
        self._retrying = True
        log.info("tabletop attempt %d failed: %s", self.attempts, why)
        if self.attempts >= self.config.max_attempts:
            self.queue, self.after = [], "hold"
            return
        self.queue = [lambda o: self.planner.retreat_script(o["proprio"])]
        self.after = "perceive"

    def _next_script(self, obs: dict) -> MotionScript | None:
        if self.queue:
            make = self.queue.pop(0)
            try:
                return make(obs)
            except ActionError as exc:
                self._fail(str(exc))
                return None
        if self.after == "hold":
            return None
        finished = self.targets is not None and not self._retrying
        if finished and self.targets.skill != "push":
            self.attempts += 1  # the last plan ran to its end and the episode goes on
            if self.attempts >= self.config.max_attempts:
                self.after = "hold"
                return None
        self._retrying = False
        try:
            self._plan(obs)
        except (ActionError, GroundingError) as exc:
            self._fail(str(exc))
        return None

    # --- act -----------------------------------------------------------------------------------

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> EEDelta:
        """The next end-effector delta for this observation (info is never read)."""
        missing = [k for k in REQUIRED_KEYS if k not in obs]
        if missing:
            raise HandeyeError(
                f"the grounded tabletop policy needs observation keys {missing}; use a handeye"
                " tabletop env (RGB-D camera with calibration and proprio)"
            )
        action: EEDelta | None = None
        for _ in range(8):  # bounded re-planning within one control step
            if self.script is None:
                self.script = self._next_script(obs)
                if self.script is None:
                    if self.after == "hold" and not self.queue:
                        break
                    continue
            action = self.script.next_action(obs["proprio"])
            if action is not None:
                break
            if self.script.status == "failed":
                self._fail(self.script.error or "the motion failed")
            self.script = None
        if action is None:
            action = EEDelta(0.0, 0.0, 0.0, 0.0, grip=self.hold_grip)
        self._record(obs, action)
        return action

    def _record(self, obs: dict, action: EEDelta) -> None:
        """What the trace keeps beside the action string: state, action vector, phase, points."""
        script = self.script
        wp = script.current if script else None
        extra: dict[str, Any] = {
            "state": np.asarray(obs["proprio"], dtype=float).tolist(),
            "action_vector": [action.dx, action.dy, action.dz, action.dyaw, action.grip],
            "phase": f"{script.label}:{wp.name}" if script and wp else self.after,
        }
        if self.targets is not None:
            extra["skill"] = self.targets.skill
            extra["object_px"] = [round(v, 1) for v in self.targets.object_px]
            if self.targets.target_px:
                extra["target_px"] = [round(v, 1) for v in self.targets.target_px]
        if self.last_error:
            extra["last_error"] = self.last_error
        self.last_extra = extra

    def close(self) -> None:
        """Release the grounder."""
        if self._grounder is not None:
            self._grounder.close()
            self._grounder = None
