"""Tabletop tasks: each samples a scene and an instruction, and judges success from simulator state.

A task never reads pixels; everything here may use privileged state. `privileged_state` is what
the env puts under `info["privileged"]` for experts, rewards and evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from contracts.errors import EnvError
from envs.tabletop.scene import (
    FINGER_TRAVEL,
    SHAPES,
    TABLE_HALF,
    Capsule,
    SceneSpec,
    capsule_distance,
    sample_scene,
)

if TYPE_CHECKING:
    from envs.tabletop.physics import TabletopPhysics

EDGE_BAND = 0.1  # width (m) of the strip along a table edge that counts as "at the edge"
PUSH_SHAPES = ("cube", "block", "cylinder")  # balls roll away from a pusher
# Edge name (as seen from the front camera) -> (xmin, xmax, ymin, ymax) of its strip.
EDGES: dict[str, tuple[float, float, float, float]] = {
    "left": (-TABLE_HALF[0], TABLE_HALF[0], TABLE_HALF[1] - EDGE_BAND, TABLE_HALF[1]),
    "right": (-TABLE_HALF[0], TABLE_HALF[0], -TABLE_HALF[1], -TABLE_HALF[1] + EDGE_BAND),
    "back": (TABLE_HALF[0] - EDGE_BAND, TABLE_HALF[0], -TABLE_HALF[1], TABLE_HALF[1]),
    "front": (-TABLE_HALF[0], -TABLE_HALF[0] + EDGE_BAND, -TABLE_HALF[1], TABLE_HALF[1]),
}


@dataclass(frozen=True)
class Goal:
    """What an episode asks for, in words and in scene names."""

    task: str
    instruction: str
    object: str
    target: str | None = None  # bowl/bin/zone name, or the base object when stacking
    region: tuple[float, float, float, float] | None = None  # push goal (xmin, xmax, ymin, ymax)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _not_held(physics: TabletopPhysics, name: str) -> bool:
    left, right = physics.touching()
    return name not in left and name not in right


def _near(a: np.ndarray, b: np.ndarray, scale: float = 10.0) -> float:
    """1 when two points coincide, falling towards 0 with distance (for shaped rewards)."""
    return float(1.0 - np.tanh(scale * np.linalg.norm(np.asarray(a) - np.asarray(b))))


class Task:
    """Base of the tabletop tasks: scene sampling, instruction, success, shaping, goal info."""

    name: ClassVar[str]
    max_episode_steps: ClassVar[int] = 80

    def sample(self, rng: np.random.Generator, n_objects: int) -> tuple[SceneSpec, Goal]:
        raise NotImplementedError

    def keep_clear(self, spec: SceneSpec, goal: Goal) -> tuple[Capsule, ...]:
        """Floor regions that distractors must leave free for the task to stay solvable."""
        return ()

    def success(self, physics: TabletopPhysics, goal: Goal) -> bool:
        raise NotImplementedError

    def progress(self, physics: TabletopPhysics, goal: Goal) -> float:
        """Dense progress in [0, 1) for shaped rewards."""
        raise NotImplementedError

    def goal_info(self, physics: TabletopPhysics, goal: Goal) -> dict[str, Any]:
        """Task-specific privileged goal data (e.g. where a pushed object should end up)."""
        return {}


class PickPlace(Task):
    """Put one object into a bowl or bin and let go."""

    name = "pick_place"
    _TEMPLATES = (
        "put the {o} in the {t}",
        "place the {o} into the {t}",
        "pick up the {o} and put it in the {t}",
    )

    def sample(self, rng: np.random.Generator, n_objects: int) -> tuple[SceneSpec, Goal]:
        spec = sample_scene(rng, [SHAPES], [_pick(rng, ("bowl", "bin"))], n_objects)
        obj, target = spec.objects[0], spec.targets[0]
        text = _pick(rng, self._TEMPLATES).format(o=obj.phrase, t=target.phrase)
        return spec, Goal(self.name, text, obj.name, target.name)

    def success(self, physics: TabletopPhysics, goal: Goal) -> bool:
        target = physics.spec.target(goal.target or "")
        pos, _ = physics.pose(goal.object)
        inside = target.contains_xy(pos) and pos[2] < target.rim + 0.02
        return bool(inside and _not_held(physics, goal.object))

    def progress(self, physics: TabletopPhysics, goal: Goal) -> float:
        pos, _ = physics.pose(goal.object)
        target, _ = physics.pose(goal.target or "")
        reach = _near(physics.tcp, pos)
        if physics.grasped() != goal.object:
            return 0.3 * reach
        return 0.3 + 0.2 * min(pos[2] / 0.1, 1.0) + 0.45 * _near(pos[:2], target[:2], 5.0)


class Push(Task):
    """Push a box or cylinder into a flat zone or onto the strip along a table edge."""

    name = "push"

    def sample(self, rng: np.random.Generator, n_objects: int) -> tuple[SceneSpec, Goal]:
        to_zone = bool(rng.integers(2))
        for _ in range(100):
            spec = sample_scene(rng, [PUSH_SHAPES], ["zone"] if to_zone else [], n_objects)
            obj = spec.objects[0]
            if to_zone:
                zone = spec.targets[0]
                h = zone.half
                region = (zone.pos[0] - h, zone.pos[0] + h, zone.pos[1] - h, zone.pos[1] + h)
                text = _pick(rng, ("push the {o} into the {t}", "slide the {o} onto the {t}"))
                goal = Goal(
                    self.name, text.format(o=obj.phrase, t=zone.phrase), obj.name, zone.name, region
                )
            else:
                edge = _pick(rng, tuple(EDGES))
                text = _pick(
                    rng,
                    ("push the {o} to the {e} edge", "slide the {o} to the {e} edge of the table"),
                )
                goal = Goal(
                    self.name, text.format(o=obj.phrase, e=edge), obj.name, None, EDGES[edge]
                )
            path = self.keep_clear(spec, goal)
            others = [o for o in spec.objects[1:] if capsule_distance(o.pos, path[0]) < o.radius]
            if not others:
                return spec, goal
        raise EnvError("could not lay out a push scene with a clear path; lower n_objects")

    def keep_clear(self, spec: SceneSpec, goal: Goal) -> tuple[Capsule, ...]:
        obj = spec.object(goal.object)
        start = np.asarray(obj.pos)
        end = push_goal_xy(start, goal.region or (0, 0, 0, 0))
        d = (end - start) / max(float(np.linalg.norm(end - start)), 1e-9)
        behind = start - d * (obj.radius + 0.07)
        return ((tuple(behind), tuple(end), obj.radius + 0.03),)

    def success(self, physics: TabletopPhysics, goal: Goal) -> bool:
        pos, _ = physics.pose(goal.object)
        x0, x1, y0, y1 = goal.region or (0, 0, 0, 0)
        return bool(x0 <= pos[0] <= x1 and y0 <= pos[1] <= y1 and pos[2] > 0.0)

    def progress(self, physics: TabletopPhysics, goal: Goal) -> float:
        pos, _ = physics.pose(goal.object)
        aim = push_goal_xy(pos[:2], goal.region or (0, 0, 0, 0))
        return 0.2 * _near(physics.tcp, pos) + 0.75 * _near(pos[:2], aim, 5.0)

    def goal_info(self, physics: TabletopPhysics, goal: Goal) -> dict[str, Any]:
        pos, _ = physics.pose(goal.object)
        return {"goal_xy": push_goal_xy(pos[:2], goal.region or (0, 0, 0, 0))}


def push_goal_xy(xy: np.ndarray, region: tuple[float, float, float, float]) -> np.ndarray:
    """The point of a push region nearest `xy`, at least 4 cm (or half the region) inside it."""
    lo, hi = np.array(region[::2], dtype=float), np.array(region[1::2], dtype=float)
    margin = np.minimum(0.04, (hi - lo) / 2.0)
    return np.clip(np.asarray(xy, dtype=float)[:2], lo + margin, hi - margin)


class Stack(Task):
    """Put one cube on top of another and let go."""

    name = "stack"
    _TEMPLATES = (
        "stack the {o} on the {t}",
        "put the {o} on top of the {t}",
        "place the {o} on the {t}",
    )

    def sample(self, rng: np.random.Generator, n_objects: int) -> tuple[SceneSpec, Goal]:
        spec = sample_scene(rng, [("cube",), ("cube",)], [], n_objects)
        top, base = spec.objects[:2]
        text = _pick(rng, self._TEMPLATES).format(o=top.phrase, t=base.phrase)
        return spec, Goal(self.name, text, top.name, base.name)

    def success(self, physics: TabletopPhysics, goal: Goal) -> bool:
        top, base = physics.spec.object(goal.object), physics.spec.object(goal.target or "")
        p_top, _ = physics.pose(top.name)
        p_base, _ = physics.pose(base.name)
        on = float(np.linalg.norm(p_top[:2] - p_base[:2])) < base.size[0]
        level = abs(p_top[2] - p_base[2] - base.half_height - top.half_height) < 0.01
        grounded = abs(p_base[2] - base.half_height) < 0.01
        return bool(on and level and grounded and _not_held(physics, top.name))

    def progress(self, physics: TabletopPhysics, goal: Goal) -> float:
        pos, _ = physics.pose(goal.object)
        base, _ = physics.pose(goal.target or "")
        if physics.grasped() != goal.object:
            return 0.3 * _near(physics.tcp, pos)
        return 0.3 + 0.2 * min(pos[2] / 0.1, 1.0) + 0.45 * _near(pos[:2], base[:2], 5.0)


class Reach(Task):
    """Bring the fingertips to just above one object."""

    name = "reach"
    max_episode_steps = 40
    TOLERANCE = 0.03  # metres between the fingertips and the object's top centre

    def sample(self, rng: np.random.Generator, n_objects: int) -> tuple[SceneSpec, Goal]:
        spec = sample_scene(rng, [SHAPES], [], n_objects)
        obj = spec.objects[0]
        text = _pick(rng, ("reach the {o}", "move the gripper to the {o}", "go to the {o}"))
        return spec, Goal(self.name, text.format(o=obj.phrase), obj.name)

    def _top(self, physics: TabletopPhysics, goal: Goal) -> np.ndarray:
        pos, _ = physics.pose(goal.object)
        return pos + np.array([0.0, 0.0, physics.spec.object(goal.object).half_height])

    def success(self, physics: TabletopPhysics, goal: Goal) -> bool:
        return float(np.linalg.norm(physics.fingertip - self._top(physics, goal))) < self.TOLERANCE

    def progress(self, physics: TabletopPhysics, goal: Goal) -> float:
        return 0.95 * _near(physics.fingertip, self._top(physics, goal), 5.0)

    def goal_info(self, physics: TabletopPhysics, goal: Goal) -> dict[str, Any]:
        return {"reach_point": self._top(physics, goal)}


TASKS: dict[str, type[Task]] = {t.name: t for t in (PickPlace, Push, Stack, Reach)}


def make_task(name: str) -> Task:
    """The task registered under `name`; EnvError lists the known ones otherwise."""
    try:
        return TASKS[name]()
    except KeyError:
        raise EnvError(f"unknown tabletop task {name!r}; known: {', '.join(TASKS)}") from None


def privileged_state(physics: TabletopPhysics, task: Task, goal: Goal) -> dict[str, Any]:
    """Simulator truth for experts and evaluation: gripper, object and target poses, the goal."""
    from envs.tabletop.physics import yaw_of

    objects = {}
    for o in physics.spec.objects:
        pos, quat = physics.pose(o.name)
        objects[o.name] = {
            "pos": pos,
            "quat": quat,
            "yaw": yaw_of(quat),
            "shape": o.shape,
            "colour": o.colour,
            "size": np.array(o.size),
            "half_height": o.half_height,
            "radius": o.radius,
            "distractor": o.distractor,
        }
    targets = {
        t.name: {"pos": physics.pose(t.name)[0], "kind": t.kind, "half": t.half, "rim": t.rim}
        for t in physics.spec.targets
    }
    goal_dict = {
        "task": goal.task,
        "object": goal.object,
        "target": goal.target,
        "region": goal.region,
        **task.goal_info(physics, goal),
    }
    return {
        "tcp": physics.tcp,
        "fingertip": physics.fingertip,
        "yaw": physics.yaw,
        "finger_gap": physics.finger_gap,
        "max_finger_gap": 2.0 * FINGER_TRAVEL,
        "grasped": physics.grasped(),
        "objects": objects,
        "targets": targets,
        "goal": goal_dict,
    }
