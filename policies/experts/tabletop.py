"""A scripted privileged expert for the tabletop tasks, for demonstrations, labels and baselines.

It reads simulator truth from `info["privileged"]` (never the pixels) and emits typed `EEDelta`
actions in metres/radians, clipped to what one env step can do, re-planning every step from the
latest state so a slipped grasp or a drifting pushed object is retried rather than lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import EEDelta
from contracts.errors import ConfigError, HandeyeError

CARRY_Z = 0.14  # tcp height for carrying and for moving between approach points (m)
APPROACH_CLEARANCE = 0.06  # tcp height above an object's top before descending (m)
TCP_MIN_Z = 0.03  # lowest tcp height the expert commands (the env clips at 0.028)
PUSH_GAP = 0.025  # finger gap while pushing: two contact points that centre the object
PAD_REACH = 0.012  # how far the pad ends reach ahead of the tcp along the gripper's x axis
# style="decisive": carry this high (the held object's bottom clears the rims and any object on
# the table), let go once the object's centre is this close to the bowl's or bin's centre, and
# close once the tcp is this close (xy and z) to the grasp point.
DROP_Z = 0.10
DROP_TOLERANCE = 0.02
CLOSE_TOLERANCE = 0.01
DESCEND_TOLERANCE = 0.02  # go down once the tcp is this close (xy) to the object, at any height
STYLES = ("precise", "decisive")


@dataclass(frozen=True)
class TabletopExpertConfig:
    """Options of the scripted tabletop expert."""

    style: str = "precise"  # "precise" or "decisive" (see TabletopExpert)


def _wrap(angle: float) -> float:
    return math.remainder(angle, 2.0 * math.pi)


def _nearest_yaw(current: float, base: float, period: float) -> float:
    """The angle base + k * period closest to `current`."""
    return base + round((current - base) / period) * period


class TabletopExpert:
    """Per-task phase machine: approach, descend, grasp, lift, carry, lower, release; push.

    `style="decisive"` (pick-place only; stacking stays precise) switches phases on wide
    tolerances, on the frame that meets them: it descends once the tcp is within 2 cm (xy) of
    the object at any height, closes once within 1 cm of the grasp point, and lets go from the
    carry height `DROP_Z` once the object is within 2 cm of the target's centre, with no
    lowering. "precise" waits until the tcp is within 12 mm of the approach point, 6 mm of the
    grasp point, or the object 6 mm over the target: under noise that is many look-alike
    hovering frames beside the one that acts, and a clone copies the hovering.
    """

    name = "tabletop-expert"
    privileged = True

    def __init__(self, style: str = "precise") -> None:
        if style not in STYLES:
            raise ConfigError(f"style must be one of {STYLES}, got {style!r}")
        self.style = style
        self.last_extra: dict[str, Any] = {}
        self.reset()

    def reset(self, instruction: str = "") -> None:
        """Forget the current phase (call at every env reset)."""
        self.phase = "start"
        self._timer = 0
        self.last_extra = {}

    def act(self, obs: Any, info: dict[str, Any] | None = None) -> EEDelta:
        """The next end-effector delta from the privileged state in `info` (obs is not read).

        `last_extra` holds the proprio state and the action vector, recorded into traces.
        """
        if not info or "privileged" not in info:
            raise HandeyeError(
                "the tabletop expert needs info['privileged'] from a handeye tabletop env"
            )
        p = info["privileged"]
        scale = np.asarray(info["action_scale"], dtype=float)
        task = p["goal"]["task"]
        if info.get("success") and task != "push":
            cmd = self._hold(p, grip=-1.0 if task != "reach" else 1.0)
        elif task in ("pick_place", "stack"):
            cmd = self._pick_place(p)
        elif task == "push":
            cmd = self._push(p, bool(info.get("success")))
        elif task == "reach":
            cmd = self._reach(p)
        else:
            raise HandeyeError(f"tabletop expert has no script for task {task!r}")
        action = self._to_action(p, *cmd, scale)
        state = obs.get("proprio") if isinstance(obs, dict) else None
        self.last_extra = {
            "action_vector": [action.dx, action.dy, action.dz, action.dyaw, action.grip],
            **({"state": np.asarray(state, dtype=float).tolist()} if state is not None else {}),
        }
        return action

    def close(self) -> None:
        """Nothing to release."""

    def _to_action(
        self, p: dict[str, Any], goal: np.ndarray, yaw: float, grip: float, scale: np.ndarray
    ) -> EEDelta:
        """Proportional step towards (goal position, yaw), clipped to one step's reach."""
        delta = np.empty(4)
        delta[:3] = np.asarray(goal, dtype=float) - p["tcp"]
        delta[3] = _wrap(yaw - p["yaw"])
        d = np.clip(delta, -scale[:4], scale[:4])
        return EEDelta(*(float(v) for v in d), grip=float(np.clip(grip, -1.0, 1.0)))

    def _hold(self, p: dict[str, Any], grip: float) -> tuple[np.ndarray, float, float]:
        return p["tcp"], p["yaw"], grip

    def _next(self, phase: str) -> None:
        self.phase, self._timer = phase, 0

    # --- pick and place / stack -------------------------------------------------------------

    def _grasp_yaw(self, p: dict[str, Any], obj: dict[str, Any]) -> float:
        """Gripper yaw that closes the fingers (local y) across the object's narrow side."""
        if obj["shape"] in ("cylinder", "ball"):
            return p["yaw"]
        sx, sy = obj["size"][:2]
        if abs(sx - sy) < 1e-4:
            return _nearest_yaw(p["yaw"], obj["yaw"], math.pi / 2)
        across_x = obj["yaw"] - math.pi / 2 if sx < sy else obj["yaw"]
        return _nearest_yaw(p["yaw"], across_x, math.pi)

    def _place_xy_z(self, p: dict[str, Any], obj: dict[str, Any]) -> tuple[np.ndarray, float]:
        """Where the held object's centre should be when released: xy and height (m)."""
        goal = p["goal"]
        if goal["task"] == "stack":
            base = p["objects"][goal["target"]]
            return base["pos"][:2], base["pos"][2] + base["half_height"] + obj[
                "half_height"
            ] + 0.006
        target = p["targets"][goal["target"]]
        return target["pos"][:2], target["rim"] + obj["half_height"] + 0.015

    def _pick_place(self, p: dict[str, Any]) -> tuple[np.ndarray, float, float]:
        name = p["goal"]["object"]
        obj = p["objects"][name]
        tcp, pos = p["tcp"], obj["pos"]
        held = p["grasped"] == name
        drop = self.style == "decisive" and p["goal"]["task"] == "pick_place"
        carry_z = DROP_Z if drop else CARRY_Z
        self._timer += 1
        if self.phase in ("lift", "carry", "lower") and not held:
            self._next("start")
        if self.phase == "start":
            self._next("above")
        if self.phase == "above":
            yaw = self._grasp_yaw(p, obj)
            z = max(pos[2] + obj["half_height"] + APPROACH_CLEARANCE, 0.1)
            goal = np.array([pos[0], pos[1], z])
            over = np.linalg.norm(tcp[:2] - pos[:2]) < DESCEND_TOLERANCE
            if tcp[2] < z - 0.03 and np.linalg.norm(tcp[:2] - pos[:2]) > 0.02:
                goal = np.array([tcp[0], tcp[1], z])  # rise first, then travel
            if drop and over and abs(_wrap(yaw - p["yaw"])) < 0.1:
                self._next("descend")  # at any height: this frame already goes down
            elif drop:
                return goal, yaw, -1.0
            else:
                if np.linalg.norm(goal - tcp) < 0.012 and abs(_wrap(yaw - p["yaw"])) < 0.05:
                    self._next("descend")
                return goal, yaw, -1.0
        if self.phase == "descend":
            yaw = self._grasp_yaw(p, obj)
            goal = np.array([pos[0], pos[1], max(pos[2], TCP_MIN_Z)])
            if np.linalg.norm(tcp[:2] - pos[:2]) > 0.03:
                self._next("above")
                return goal, yaw, -1.0
            if drop and np.all(np.abs(goal - tcp) < CLOSE_TOLERANCE):
                self._next("close")  # this frame already closes
            else:
                if not drop and np.linalg.norm(goal - tcp) < 0.006:
                    self._next("close")
                return goal, yaw, -1.0
        if self.phase == "close":
            if self._timer >= 3:
                self._next("lift" if held else "above")
            return np.array([pos[0], pos[1], max(pos[2], TCP_MIN_Z)]), p["yaw"], 1.0
        if self.phase == "lift":
            goal = np.array([tcp[0], tcp[1], carry_z])
            if tcp[2] > carry_z - 0.02:
                self._next("carry")
            return goal, p["yaw"], 1.0
        place_xy, place_z = self._place_xy_z(p, obj)
        offset = tcp[:2] - pos[:2]  # the grasp may sit off the object's centre
        if self.phase == "carry" and drop and np.linalg.norm(pos[:2] - place_xy) < DROP_TOLERANCE:
            self._next("release")  # over the target: open now, on this very frame
        elif self.phase == "carry":
            goal = np.array([*(place_xy + offset), carry_z])
            if np.linalg.norm(pos[:2] - place_xy) < 0.006:
                self._next("lower")
            return goal, p["yaw"], 1.0
        if self.phase == "lower":
            goal = np.array([*(place_xy + offset), tcp[2] + place_z - pos[2]])
            if abs(pos[2] - place_z) < 0.005 and np.linalg.norm(pos[:2] - place_xy) < 0.008:
                self._next("release")
            return goal, p["yaw"], 1.0
        if self.phase == "release":
            if self._timer >= 3:
                self._next("retreat")
            return tcp, p["yaw"], -1.0
        if p["objects"][name]["pos"][2] > 0.08:  # dropped on top of something: start over
            self._next("above")
        return np.array([tcp[0], tcp[1], CARRY_Z]), p["yaw"], -1.0

    # --- push ---------------------------------------------------------------------------------

    def _push(self, p: dict[str, Any], success: bool) -> tuple[np.ndarray, float, float]:
        obj = p["objects"][p["goal"]["object"]]
        tcp, pos = p["tcp"], obj["pos"]
        goal_xy = np.asarray(p["goal"]["goal_xy"], dtype=float)
        to_goal = goal_xy - pos[:2]
        dist = float(np.linalg.norm(to_goal))
        d = to_goal / max(dist, 1e-9)
        yaw = _nearest_yaw(p["yaw"], math.atan2(d[1], d[0]), math.pi)
        grip = 1.0 - 2.0 * PUSH_GAP / p["max_finger_gap"]
        behind = pos[:2] - d * (obj["radius"] + PAD_REACH + 0.02)
        push_z = TCP_MIN_Z
        self._timer += 1
        if success or dist < 0.012:
            self._next("done")
        if self.phase == "done":
            if not success and dist > 0.03:
                self._next("start")
            return np.array([tcp[0], tcp[1], CARRY_Z]), p["yaw"], grip
        if self.phase == "start":
            self._next("above")
        if self.phase == "above":
            z = 0.1
            goal = np.array([*behind, z])
            if tcp[2] < z - 0.03 and np.linalg.norm(tcp[:2] - behind) > 0.02:
                goal = np.array([tcp[0], tcp[1], z])
            if np.linalg.norm(goal - tcp) < 0.012 and abs(_wrap(yaw - p["yaw"])) < 0.05:
                self._next("down")
            return goal, yaw, grip
        if self.phase == "down":
            goal = np.array([*behind, push_z])
            if abs(tcp[2] - push_z) < 0.006:
                self._next("push")
            return goal, yaw, grip
        # push: advance along the object->goal line, steering the tcp back onto it
        rel = tcp[:2] - pos[:2]
        along = float(np.dot(rel, d))
        lateral = rel - along * d
        if along > -0.5 * obj["radius"] or np.linalg.norm(lateral) > 0.6 * obj["radius"]:
            self._next("above")  # lost the object: go round again
            return np.array([tcp[0], tcp[1], 0.1]), p["yaw"], grip
        step = min(0.03, dist + 0.005)
        target = tcp[:2] + d * step - lateral
        return np.array([*target, push_z]), yaw, grip

    # --- reach --------------------------------------------------------------------------------

    def _reach(self, p: dict[str, Any]) -> tuple[np.ndarray, float, float]:
        point = np.asarray(p["goal"]["reach_point"], dtype=float)
        goal = point + (p["tcp"] - p["fingertip"]) + np.array([0.0, 0.0, 0.012])
        tcp = p["tcp"]
        if np.linalg.norm(tcp[:2] - goal[:2]) > 0.02:
            goal = np.array([goal[0], goal[1], max(goal[2] + 0.05, tcp[2])])
        return goal, p["yaw"], 1.0
