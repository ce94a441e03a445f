"""Pixels to motion for the tabletop gripper: lift grounded pixels to 3D, plan, emit EE deltas.

Perception-free geometry: a pixel is lifted with the observation's depth and calibration
(`K`, `T_world_camera`), the object under it is segmented from the point cloud (everything
above the table connected to that pixel), and its top, centre, footprint and yaw give a grasp
pose that is checked against the workspace (the floating gripper's inverse kinematics is the
pose itself, so reachability is the workspace box, the finger opening and the yaw limits; an
arm adds its own kinematic reach through `TabletopPlannerConfig.reachable`).
Plans are waypoint scripts run closed-loop from `proprio`, one `EEDelta` per control step,
with approach and retreat heights; a grasp that closes on nothing or an object that slips out
is reported as a failed script, an unreachable target as an ActionError. Never reads
simulator state.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from contracts.actions import EEDelta
from contracts.camera import pixel_to_world
from contracts.errors import ActionError


@dataclass(frozen=True)
class TabletopPlannerConfig:
    """The robot's geometry and motion limits the planner needs (metres, radians)."""

    max_step: float = 0.03  # per axis per control step (the env's max_translation)
    max_turn: float = 0.25  # yaw per control step (the env's max_rotation)
    workspace_low: tuple[float, float, float] = (-0.32, -0.42, 0.028)
    workspace_high: tuple[float, float, float] = (0.32, 0.42, 0.35)
    max_finger_gap: float = 0.09
    min_tcp_z: float = 0.03  # keeps the pads off the table
    fingertip_below_tcp: float = 0.025
    carry_z: float = 0.14
    approach_z: float = 0.1  # lowest height for travelling above the objects
    approach_clearance: float = 0.06  # above an object's top before descending
    above_table: float = 0.007  # points higher than this are not the table
    grow_step: float = 0.012  # neighbouring object points are closer than this in 3D
    seed_radius_px: int = 5  # how far from the grounded pixel an object point may be
    release_clearance: float = 0.012  # gap under the held object when it is let go
    push_gap: float = 0.025  # finger gap while pushing (two contacts centre the object)
    pad_reach: float = 0.012  # pad ends ahead of the tcp along the gripper's x axis
    empty_gap: float = 0.008  # fingers closer than this hold nothing
    tolerance: float = 0.007  # position error counted as arrived
    edge_margin: float = 0.05  # how far inside the table edge a push "off the view" stops
    border_px: float = 4.5  # a push goal this close to the frame's border may lie beyond it
    # The robot's kinematic reach beyond the workspace box: (tcp xyz m, yaw rad) -> bool, e.g.
    # an arm env's `reachable` (its IK). None: a floating gripper reaches the whole box.
    reachable: Callable[[np.ndarray, float], bool] | None = None


@dataclass(frozen=True)
class ObjectEstimate:
    """What depth says about the object under a pixel: top centre, size and grasp yaw."""

    centre: np.ndarray  # (3,) world point at the object's centre height
    top_z: float
    width: float  # narrow footprint extent (m)
    length: float  # long footprint extent (m)
    yaw: float  # direction of the long side (radians)
    n_points: int

    @property
    def radius(self) -> float:
        return 0.5 * math.hypot(self.width, self.length)


@dataclass(frozen=True)
class PlaceTarget:
    """Where to put something down: xy and the height of the surface under it."""

    xy: np.ndarray
    surface_z: float
    occluded: bool = False


@dataclass(frozen=True)
class Held:
    """What a finished pick leaves in the gripper: tcp height above the object's bottom."""

    grasp_height: float
    radius: float


@dataclass(frozen=True)
class Waypoint:
    """A pose to reach (tcp xyz, yaw) with a gripper command, and how to judge it."""

    name: str
    pos: tuple[float, float, float]
    yaw: float
    grip: float
    settle: int = 0  # steps to hold here after arriving (fingers closing or opening)
    must_reach: bool = True  # False: give up waiting after max_steps and go on
    holding: bool = False  # an object must stay between the fingers on the way
    max_steps: int = 30
    step: float | None = None  # per-axis speed limit (m/step), default the config's


def wrap(angle: float) -> float:
    """An angle in [-pi, pi]."""
    return math.remainder(angle, 2.0 * math.pi)


def nearest_yaw(current: float, base: float, period: float) -> float:
    """The angle base + k * period closest to `current`."""
    return base + round((current - base) / period) * period


def proprio_pose(proprio: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(tcp xyz, yaw, finger gap) from the observation's proprio vector."""
    p = np.asarray(proprio, dtype=float)
    return p[:3], math.atan2(p[3], p[4]), float(p[5])


def lift_points(depth: np.ndarray, K: np.ndarray, T: np.ndarray) -> np.ndarray:
    """World points (H, W, 3) of every pixel of a planar depth image."""
    h, w = depth.shape
    v, u = np.mgrid[0:h, 0:w]
    return pixel_to_world(u, v, depth, np.asarray(K, float), np.asarray(T, float))


def ray_to_plane(u: float, v: float, K: np.ndarray, T: np.ndarray, z: float) -> np.ndarray:
    """Where the camera ray through pixel (u, v) meets the horizontal plane at height z."""
    K, T = np.asarray(K, float), np.asarray(T, float)
    d_cam = np.array([(u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1], 1.0])
    d = T[:3, :3] @ d_cam
    origin = T[:3, 3]
    if abs(d[2]) < 1e-9:
        raise ActionError(f"pixel ({u:.0f}, {v:.0f}) looks parallel to the table")
    t = (z - origin[2]) / d[2]
    if t <= 0:
        raise ActionError(f"pixel ({u:.0f}, {v:.0f}) looks above the horizon, not at the table")
    return origin + t * d


def segment_object(
    points: np.ndarray,
    u: float,
    v: float,
    cfg: TabletopPlannerConfig,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """Mask (H, W) of the above-table surface connected to pixel (u, v); empty if none near."""
    h, w = points.shape[:2]
    solid = points[..., 2] > cfg.above_table
    if exclude is not None:
        solid &= ~exclude
    r = cfg.seed_radius_px
    iu, iv = int(round(u)), int(round(v))
    v0, v1, u0, u1 = max(iv - r, 0), min(iv + r + 1, h), max(iu - r, 0), min(iu + r + 1, w)
    window = solid[v0:v1, u0:u1]
    mask = np.zeros((h, w), bool)
    if not window.any():
        return mask
    vv, uu = np.nonzero(window)
    k = int(np.argmin((vv + v0 - v) ** 2 + (uu + u0 - u) ** 2))
    seed = (int(vv[k] + v0), int(uu[k] + u0))
    origin = points[seed]
    queue = deque([seed])
    mask[seed] = True
    while queue:
        y, x = queue.popleft()
        for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            if 0 <= ny < h and 0 <= nx < w and solid[ny, nx] and not mask[ny, nx]:
                p = points[ny, nx]
                near = np.linalg.norm(p - points[y, x]) < cfg.grow_step
                if near and np.linalg.norm(p[:2] - origin[:2]) < 0.08:
                    mask[ny, nx] = True
                    queue.append((ny, nx))
    return mask


def footprint(xy: np.ndarray) -> tuple[float, float, float]:
    """(width, length, yaw of the long side) of the smallest rectangle around xy points (N, 2)."""
    if len(xy) < 3:
        return 0.0, 0.0, 0.0
    best = (math.inf, 0.0, 0.0, 0.0)
    centred = xy - xy.mean(axis=0)
    for angle in np.deg2rad(np.arange(0.0, 90.0, 3.0)):
        c, s = math.cos(angle), math.sin(angle)
        a = centred @ np.array([c, s])
        b = centred @ np.array([-s, c])
        ea = float(np.percentile(a, 98) - np.percentile(a, 2))
        eb = float(np.percentile(b, 98) - np.percentile(b, 2))
        if ea * eb < best[0]:
            best = (ea * eb, ea, eb, angle)
    _, ea, eb, angle = best
    if ea >= eb:
        return eb, ea, wrap(angle)
    return ea, eb, wrap(angle + math.pi / 2)


def estimate_object(points: np.ndarray, mask: np.ndarray) -> ObjectEstimate:
    """Top height, centre (from the top face) and footprint of a segmented object."""
    pts = points[mask]
    top_z = float(np.percentile(pts[:, 2], 90))
    top = pts[pts[:, 2] > top_z - 0.006]
    xy = top[:, :2].mean(axis=0)
    width, length, yaw = footprint(top[:, :2])
    centre = np.array([xy[0], xy[1], top_z / 2.0])
    return ObjectEstimate(centre, top_z, width, length, yaw, int(mask.sum()))


@dataclass
class MotionScript:
    """Waypoints run closed-loop from proprio; `next_action` gives one EEDelta per step."""

    label: str
    waypoints: list[Waypoint]
    cfg: TabletopPlannerConfig = field(default_factory=TabletopPlannerConfig)
    status: str = "running"  # "running" | "done" | "failed"
    error: str | None = None
    index: int = 0
    held: bool = False  # an object was between the fingers (a later loss is a slip)
    _steps: int = 0
    _settled: int = 0

    @property
    def current(self) -> Waypoint | None:
        return self.waypoints[self.index] if self.index < len(self.waypoints) else None

    def _fail(self, why: str) -> None:
        self.status, self.error = "failed", f"{self.label}: {why}"

    def next_action(self, proprio: np.ndarray) -> EEDelta | None:
        """The next delta towards the current waypoint, or None once done or failed."""
        tcp, yaw, gap = proprio_pose(proprio)
        while self.status == "running":
            wp = self.current
            if wp is None:
                self.status = "done"
                break
            if wp.holding and gap < self.cfg.empty_gap:
                what = "slipped" if self.held else "missed"
                self._fail(
                    f"the grasp {what}: the fingers closed to {gap * 1000:.0f} mm with nothing"
                    f" between them on the way to {wp.name}"
                )
                break
            self.held |= wp.holding
            err = np.asarray(wp.pos) - tcp
            yaw_err = wrap(wp.yaw - yaw)
            arrived = float(np.linalg.norm(err)) < self.cfg.tolerance and abs(yaw_err) < 0.06
            if arrived or (self._steps >= wp.max_steps and not wp.must_reach):
                if self._settled < wp.settle:
                    self._settled += 1
                    return self._delta(wp, err, yaw_err)
                self.index, self._steps, self._settled = self.index + 1, 0, 0
                continue
            if self._steps >= wp.max_steps:
                where = f"{wp.name} at {np.round(wp.pos, 3).tolist()}"
                reach = self.cfg.reachable
                if reach is not None and not reach(np.asarray(wp.pos, float), wp.yaw):
                    self._fail(f"unreachable: {where} is beyond the arm's reach")
                else:
                    self._fail(f"could not reach {where} (blocked)")
                break
            self._steps += 1
            return self._delta(wp, err, yaw_err)
        return None

    def _delta(self, wp: Waypoint, err: np.ndarray, yaw_err: float) -> EEDelta:
        step = wp.step or self.cfg.max_step
        d = err * min(1.0, step / max(float(np.max(np.abs(err))), 1e-9))  # straight lines
        turn = float(np.clip(yaw_err, -self.cfg.max_turn, self.cfg.max_turn))
        return EEDelta(float(d[0]), float(d[1]), float(d[2]), turn, grip=wp.grip)


class TabletopPlanner:
    """Plans pick, place, push and reach scripts from one observation and grounded pixels."""

    def __init__(self, config: TabletopPlannerConfig | None = None) -> None:
        self.cfg = config or TabletopPlannerConfig()
        self.held: Held | None = None

    @classmethod
    def for_env(cls, env: Any) -> TabletopPlanner:
        """A planner for a tabletop env: an arm env's IK limits the reach, a floating gripper
        reaches the whole workspace box."""
        inner = env.unwrapped
        if getattr(inner.config, "robot", "gripper") == "arm":
            return cls(TabletopPlannerConfig(reachable=inner.reachable))
        return cls()

    # --- perception-free geometry ----------------------------------------------------------

    def _cloud(self, obs: dict) -> tuple[np.ndarray, np.ndarray]:
        """World points of the frame, and a mask of the gripper (and what it holds)."""
        for key in ("depth", "K", "T_world_camera", "proprio"):
            if key not in obs:
                raise ActionError(f"the planner needs obs[{key!r}] from a tabletop camera")
        points = lift_points(obs["depth"], obs["K"], obs["T_world_camera"])
        tcp, _, _ = proprio_pose(obs["proprio"])
        near = np.linalg.norm(points[..., :2] - tcp[:2], axis=-1) < 0.09
        reach_below = 0.03 + (self.held.grasp_height if self.held else 0.0)
        gripper = near & (points[..., 2] > tcp[2] - reach_below)
        return points, gripper

    def _check_pixel(self, obs: dict, u: float, v: float) -> None:
        h, w = obs["depth"].shape
        if not (0 <= u < w and 0 <= v < h):
            raise ActionError(f"pixel ({u:.0f}, {v:.0f}) is outside the {w}x{h} observation")

    def _reachable(self, what: str, xyz: np.ndarray, yaw: float = 0.0) -> None:
        lo, hi = np.asarray(self.cfg.workspace_low), np.asarray(self.cfg.workspace_high)
        if np.any(xyz < lo - 1e-6) or np.any(xyz > hi + 1e-6):
            raise ActionError(
                f"unreachable: {what} at {np.round(xyz, 3).tolist()} m is outside the gripper's"
                f" workspace {list(lo)}..{list(hi)}"
            )
        if self.cfg.reachable is not None and not self.cfg.reachable(xyz, yaw):
            raise ActionError(
                f"unreachable: {what} at {np.round(xyz, 3).tolist()} m (yaw {yaw:.2f} rad) is"
                " beyond the arm's reach: no joint angles put the gripper there pointing down"
            )

    def locate_object(self, obs: dict, u: float, v: float) -> ObjectEstimate:
        """Segment and measure the object seen at pixel (u, v); ActionError if none is there."""
        self._check_pixel(obs, u, v)
        points, gripper = self._cloud(obs)
        mask = segment_object(points, u, v, self.cfg, exclude=gripper)
        if mask.sum() < 3:
            raise ActionError(
                f"no object at pixel ({u:.0f}, {v:.0f}): depth shows only the table there"
            )
        return estimate_object(points, mask)

    def locate_place(
        self, obs: dict, u: float, v: float, radius: float = 0.03, onto_objects: bool = True
    ) -> PlaceTarget:
        """Where to put something down for pixel (u, v), and the surface height there.

        A small object at the pixel (when `onto_objects`) means "on top of it": its top centre.
        Otherwise the table point seen there, with the highest surface within `radius` + 2 cm
        of it (a bowl's floor, a zone, the table).
        """
        self._check_pixel(obs, u, v)
        points, gripper = self._cloud(obs)
        mask = segment_object(points, u, v, self.cfg, exclude=gripper) if onto_objects else None
        if mask is not None and mask.sum() >= 3:
            est = estimate_object(points, mask)
            if est.length < self.cfg.max_finger_gap:  # an object, not a bowl's or bin's wall
                return PlaceTarget(est.centre[:2].copy(), est.top_z)
        h, w = gripper.shape
        iu, iv = min(int(round(u)), w - 1), min(int(round(v)), h - 1)
        occluded = bool(gripper[iv, iu])
        if occluded:
            xy = ray_to_plane(u, v, obs["K"], obs["T_world_camera"], 0.0)[:2]
        else:
            xy = points[iv, iu, :2]
        dist = np.linalg.norm(points[..., :2] - xy, axis=-1)
        under = (dist < radius + 0.02) & ~gripper & (points[..., 2] < 0.25)
        if under.sum() < 3:
            return PlaceTarget(np.asarray(xy, float), 0.05, occluded=True)
        surface = max(float(np.percentile(points[under][:, 2], 95)), 0.0)
        return PlaceTarget(np.asarray(xy, float), surface, occluded)

    def push_goal(self, obs: dict, u: float, v: float, start_xy: np.ndarray) -> np.ndarray:
        """Where a push towards pixel (u, v) should leave the object's centre (world xy).

        A pixel on the frame's border stands for a goal that may lie beyond the view (a table
        edge the camera does not see), so the push goes on to `edge_margin` from the edge.
        """
        goal = self.locate_place(obs, u, v, radius=0.0, onto_objects=False).xy
        h, w = obs["depth"].shape
        m = self.cfg.border_px
        if m <= u <= w - 1 - m and m <= v <= h - 1 - m:
            return goal
        d = goal - np.asarray(start_xy, float)[:2]
        dist = float(np.linalg.norm(d))
        if dist < 1e-6:
            return goal
        d /= dist
        lo = np.asarray(self.cfg.workspace_low[:2]) + self.cfg.edge_margin
        hi = np.asarray(self.cfg.workspace_high[:2]) - self.cfg.edge_margin
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(d > 0, (hi - start_xy[:2]) / d, (lo - start_xy[:2]) / d)
        t = float(np.min(room[np.abs(d) > 1e-6]))
        return start_xy[:2] + d * max(t, dist)

    # --- scripts -----------------------------------------------------------------------------

    def _rise(self, tcp: np.ndarray, yaw: float, grip: float, z: float) -> list[Waypoint]:
        """Go straight up first when low and away from where the next move starts."""
        if tcp[2] >= z - 0.03:
            return []
        return [Waypoint("retreat", (tcp[0], tcp[1], z), yaw, grip, must_reach=False)]

    def grasp_yaw(self, est: ObjectEstimate, current: float) -> float:
        """Gripper yaw closing the fingers (local y) across the object's narrow side."""
        if est.length - est.width < 0.15 * max(est.length, 1e-6):
            return nearest_yaw(current, est.yaw, math.pi / 2)  # square or round: any side
        return nearest_yaw(current, est.yaw, math.pi)

    def pick_script(self, est: ObjectEstimate, proprio: np.ndarray) -> MotionScript:
        """Approach above, descend open, close, lift to carrying height, checking the grasp."""
        c = self.cfg
        tcp, yaw, _ = proprio_pose(proprio)
        if est.width > c.max_finger_gap - 0.01:
            raise ActionError(
                f"unreachable: the object is {est.width * 100:.0f} cm wide and the fingers open"
                f" to {c.max_finger_gap * 100:.0f} cm"
            )
        gyaw = self.grasp_yaw(est, yaw)
        x, y = float(est.centre[0]), float(est.centre[1])
        grasp_z = max(float(est.centre[2]), c.min_tcp_z)
        above_z = max(est.top_z + c.approach_clearance, c.approach_z)
        for what, p in (("the grasp", (x, y, grasp_z)), ("the approach", (x, y, above_z))):
            self._reachable(what, np.array(p), gyaw)
        self.held = None
        wps = self._rise(tcp, yaw, -1.0, above_z)
        wps += [
            Waypoint("above the object", (x, y, above_z), gyaw, -1.0),
            Waypoint("the grasp", (x, y, grasp_z), gyaw, -1.0, must_reach=False, max_steps=8),
            Waypoint("close", (x, y, grasp_z), gyaw, 1.0, settle=3, must_reach=False, max_steps=0),
            Waypoint("lift", (x, y, c.carry_z), gyaw, 1.0, holding=True, must_reach=False),
        ]
        self.held = Held(grasp_z, est.radius)
        return MotionScript("pick", wps, c)

    def holding(self, proprio: np.ndarray) -> bool:
        """Whether the fingers are stopped on something: neither shut nor fully open."""
        gap = proprio_pose(proprio)[2]
        return self.cfg.empty_gap <= gap < self.cfg.max_finger_gap - 0.01

    def place_script(self, target: PlaceTarget, proprio: np.ndarray) -> MotionScript:
        """Carry high, move over the target, lower until just above its surface, open, retreat."""
        c = self.cfg
        tcp, yaw, gap = proprio_pose(proprio)
        if not self.holding(proprio):
            raise ActionError(
                f"place needs an object in the gripper; the fingers hold nothing (gap"
                f" {gap * 1000:.0f} mm); pick something first"
            )
        held = self.held or Held(c.min_tcp_z, 0.03)
        x, y = float(target.xy[0]), float(target.xy[1])
        release_z = target.surface_z + held.grasp_height + c.release_clearance
        release_z = min(max(release_z, c.min_tcp_z), c.carry_z)
        self._reachable("the place", np.array([x, y, release_z]), yaw)
        wps = self._rise(tcp, yaw, 1.0, c.carry_z)
        wps += [
            Waypoint("over the target", (x, y, c.carry_z), yaw, 1.0, holding=True),
            Waypoint("lower", (x, y, release_z), yaw, 1.0, holding=True, must_reach=False),
            Waypoint(
                "release", (x, y, release_z), yaw, -1.0, settle=3, must_reach=False, max_steps=0
            ),
            Waypoint("retreat", (x, y, c.carry_z), yaw, -1.0, must_reach=False),
        ]
        self.held = None
        return MotionScript("place", wps, c, held=True)

    def push_script(
        self, est: ObjectEstimate, goal_xy: np.ndarray, proprio: np.ndarray
    ) -> MotionScript:
        """Come down behind the object, push its centre to `goal_xy` in a line, back off."""
        c = self.cfg
        tcp, yaw, _ = proprio_pose(proprio)
        start = est.centre[:2]
        line = np.asarray(goal_xy, float) - start
        dist = float(np.linalg.norm(line))
        if dist < 1e-3:
            raise ActionError("push start and end are the same point")
        d = line / dist
        pyaw = nearest_yaw(yaw, math.atan2(d[1], d[0]), math.pi)
        grip = 1.0 - 2.0 * c.push_gap / c.max_finger_gap
        behind = start - d * (est.radius + c.pad_reach + 0.02)
        end = np.asarray(goal_xy, float) - d * (0.5 * est.width + c.pad_reach)
        z = c.min_tcp_z
        for what, p in (("the push start", behind), ("the push end", end)):
            self._reachable(what, np.array([p[0], p[1], z]), pyaw)
        wps = self._rise(tcp, yaw, grip, c.approach_z)
        wps += [
            Waypoint("behind the object", (*behind, c.approach_z), pyaw, grip),
            Waypoint("down", (*behind, z), pyaw, grip, must_reach=False, max_steps=8),
            Waypoint("push", (*end, z), pyaw, grip, must_reach=False, step=0.025, max_steps=25),
            Waypoint("back off", (*(end - 0.02 * d), c.approach_z), pyaw, grip, must_reach=False),
        ]
        return MotionScript("push", wps, c)

    def reach_script(self, est: ObjectEstimate, proprio: np.ndarray) -> MotionScript:
        """Bring the fingertips just above the object's top centre (fingers closed)."""
        c = self.cfg
        tcp, yaw, _ = proprio_pose(proprio)
        x, y = float(est.centre[0]), float(est.centre[1])
        z = est.top_z + c.fingertip_below_tcp + 0.012
        self._reachable("the object top", np.array([x, y, z]), yaw)
        high = max(z + 0.05, min(float(tcp[2]), c.carry_z))
        return MotionScript(
            "reach",
            [
                Waypoint("above the object", (x, y, high), yaw, 1.0, must_reach=False),
                Waypoint("the object top", (x, y, z), yaw, 1.0, must_reach=False),
            ],
            c,
        )

    def retreat_script(self, proprio: np.ndarray, z: float | None = None) -> MotionScript:
        """Open and go straight up (after a failure, before looking again)."""
        tcp, yaw, _ = proprio_pose(proprio)
        z = self.cfg.carry_z if z is None else z
        self.held = None
        return MotionScript(
            "retreat",
            [
                Waypoint("open", tuple(tcp), yaw, -1.0, settle=2, must_reach=False, max_steps=0),
                Waypoint("up", (tcp[0], tcp[1], z), yaw, -1.0, must_reach=False, max_steps=8),
            ],
            self.cfg,
        )

    # --- one-call plans from pixels (the primitive actions) -----------------------------------

    def plan_pick(self, obs: dict, u: float, v: float) -> MotionScript:
        """Script for `pick(u, v)` from one observation."""
        return self.pick_script(self.locate_object(obs, u, v), obs["proprio"])

    def plan_place(self, obs: dict, u: float, v: float) -> MotionScript:
        """Script for `place(u, v)` from one observation (the gripper must hold something)."""
        radius = self.held.radius if self.held else 0.03
        return self.place_script(self.locate_place(obs, u, v, radius), obs["proprio"])

    def plan_push(self, obs: dict, u0: float, v0: float, u1: float, v1: float) -> MotionScript:
        """Script for `push(u0, v0, u1, v1)`: the object at pixel 0 ends at pixel 1."""
        est = self.locate_object(obs, u0, v0)
        goal = self.push_goal(obs, u1, v1, est.centre[:2])
        return self.push_script(est, goal, obs["proprio"])
