"""The MuJoCo backend of the tabletop envs: one compiled scene, driven by end-effector deltas.

Each control step moves a mocap target by a clipped delta, interpolated over the physics
substeps so contacts stay gentle. The floating gripper follows the target through a weld; the
arm (robot="arm") follows it through inverse kinematics to joint servo targets, solved a few
iterations per substep chunk, and reports how far the IK solution stays from the target.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from envs.tabletop.rendering import choose_gl_backend
from envs.tabletop.scene import FINGER_TRAVEL, TABLE_HALF, TCP_MIN_Z, SceneSpec, build_mjcf

if TYPE_CHECKING:
    from envs.tabletop.arm import ArmIK

WORKSPACE_LOW = np.array([-TABLE_HALF[0], -TABLE_HALF[1], TCP_MIN_Z])
WORKSPACE_HIGH = np.array([TABLE_HALF[0], TABLE_HALF[1], 0.35])
MAX_LEAD = 0.05  # how far (m) the mocap target may run ahead of a blocked gripper
_CHUNKS = 5  # mocap updates per control step: the target moves in 3, then holds for 2
_IK_ITERATIONS = 3  # per chunk while the target moves (warm-started from the last solution)
_IK_FINAL_ITERATIONS = 30  # at most, on the step's final target, before judging reachability


def yaw_of(quat: np.ndarray) -> float:
    """Rotation about world z (radians) of a MuJoCo (w, x, y, z) quaternion."""
    w, x, y, z = quat
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def _yaw_quat(yaw: float) -> np.ndarray:
    return np.array([math.cos(yaw / 2.0), 0.0, 0.0, math.sin(yaw / 2.0)])


class TabletopPhysics:
    """A compiled scene plus the few state queries tasks and observations need."""

    def __init__(
        self,
        spec: SceneSpec,
        width: int,
        height: int,
        shadows: bool = False,
        substeps: int = 50,
        timestep: float = 0.002,
        robot: str = "gripper",
    ) -> None:
        choose_gl_backend()
        import mujoco

        self._mj = mujoco
        self.spec = spec
        self.robot = robot
        self.xml = build_mjcf(spec, width, height, shadows, timestep, robot)
        self.model = mujoco.MjModel.from_xml_string(self.xml)
        self.data = mujoco.MjData(self.model)
        self.substeps = int(substeps)
        m = self.model
        name2id = mujoco.mj_name2id
        obj = mujoco.mjtObj
        self._gripper = name2id(m, obj.mjOBJ_BODY, "gripper")
        self._mocap = int(m.body_mocapid[name2id(m, obj.mjOBJ_BODY, "gripper_target")])
        self._tcp = name2id(m, obj.mjOBJ_SITE, "tcp")
        self._tip = name2id(m, obj.mjOBJ_SITE, "fingertip")
        self._pads = (
            name2id(m, obj.mjOBJ_GEOM, "pad_left"),
            name2id(m, obj.mjOBJ_GEOM, "pad_right"),
        )
        self._fingers = [
            int(m.jnt_qposadr[name2id(m, obj.mjOBJ_JOINT, f"finger_{s}")])
            for s in ("left", "right")
        ]
        self._bodies = {
            n: name2id(m, obj.mjOBJ_BODY, n)
            for n in [o.name for o in spec.objects] + [t.name for t in spec.targets]
        }
        self._object_of_geom = {
            int(g): spec.objects[i].name
            for i, o in enumerate(spec.objects)
            for g in np.flatnonzero(m.geom_bodyid == self._bodies[o.name])
        }
        self.camera_ids = {str(m.camera(i).name): i for i in range(m.ncam)}
        self.grip_command = -1.0
        self.ik_error = 0.0  # metres between the step's tcp target and the IK solution (arm)
        self.arm: ArmIK | None = None
        if robot == "arm":
            from envs.tabletop.arm import ArmIK

            self.arm = ArmIK(m)
            home = np.asarray(spec.gripper_home[:3], dtype=float)
            self._arm_home = self.arm.solve(home, spec.gripper_home[3], self.arm.rest, 200).q
            self._arm_q = self._arm_home.copy()

    def reset(self, settle_s: float = 0.3) -> None:
        """Start from the model's initial state with the gripper open, and let objects settle."""
        mj = self._mj
        mj.mj_resetData(self.model, self.data)
        self.grip_command = -1.0
        self.data.ctrl[:2] = FINGER_TRAVEL
        if self.arm is not None:
            self._arm_q = self._arm_home.copy()
            self.arm.set_joints(self.data, self._arm_q)
            self.ik_error = 0.0
        mj.mj_forward(self.model, self.data)
        mj.mj_step(self.model, self.data, nstep=max(1, round(settle_s / self.model.opt.timestep)))

    def apply(self, delta: np.ndarray, grip: float) -> None:
        """Move the gripper target by `delta` (dx, dy, dz m, dyaw rad), set the fingers, step.

        `grip` runs from -1 (fully open) to 1 (closed); the target is clipped to the workspace
        and kept within MAX_LEAD of where the gripper actually is. The arm tracks the target by
        IK; `ik_error` then says how far the step's final target lies from what IK could reach.
        """
        d = self.data
        start = d.mocap_pos[self._mocap].copy()
        start_yaw = yaw_of(d.mocap_quat[self._mocap])
        goal = start + np.asarray(delta[:3], dtype=float)
        lead = goal - self.tcp
        dist = float(np.linalg.norm(lead))
        if dist > MAX_LEAD:
            goal = self.tcp + lead * (MAX_LEAD / dist)
        goal = np.clip(goal, WORKSPACE_LOW, WORKSPACE_HIGH)
        yaw_err = math.remainder(start_yaw - self.yaw, 2.0 * math.pi)
        goal_yaw = self.yaw + float(np.clip(yaw_err + float(delta[3]), -0.6, 0.6))
        self.grip_command = float(np.clip(grip, -1.0, 1.0))
        d.ctrl[:2] = (1.0 - self.grip_command) / 2.0 * FINGER_TRAVEL
        n = max(1, self.substeps // _CHUNKS)
        for k in range(1, _CHUNKS + 1):
            a = min(1.0, k / (_CHUNKS - 2))
            d.mocap_pos[self._mocap] = start + a * (goal - start)
            d.mocap_quat[self._mocap] = _yaw_quat(
                start_yaw + a * math.remainder(goal_yaw - start_yaw, 2.0 * math.pi)
            )
            if self.arm is not None and k <= _CHUNKS - 2:
                final = k == _CHUNKS - 2
                self._track(
                    d.mocap_pos[self._mocap],
                    start_yaw + a * math.remainder(goal_yaw - start_yaw, 2.0 * math.pi),
                    _IK_FINAL_ITERATIONS if final else _IK_ITERATIONS,
                )
            steps = n if k < _CHUNKS else self.substeps - n * (_CHUNKS - 1)
            self._mj.mj_step(self.model, d, nstep=steps)

    def _track(self, pos: np.ndarray, yaw: float, iterations: int) -> None:
        """Solve IK for a tcp target from the last joint target and hand it to the servos."""
        assert self.arm is not None
        result = self.arm.solve(pos, yaw, self._arm_q, iterations)
        self._arm_q = result.q
        self.data.ctrl[self.arm.actuators] = result.q
        self.ik_error = result.pos_error

    @property
    def unreachable(self) -> bool:
        """Whether the last step's target lay beyond the arm's reach (always False floating)."""
        from envs.tabletop.arm import IK_TOLERANCE

        return self.arm is not None and self.ik_error > IK_TOLERANCE

    def reachable(self, pos: np.ndarray, yaw: float = 0.0) -> bool:
        """Whether the tcp can be at `pos` (world m) pointing down with `yaw` (rad).

        Floating: inside the workspace box. Arm: also an IK solution within IK_TOLERANCE, solved
        on a scratch copy of the state (the simulation is not touched).
        """
        p = np.asarray(pos, dtype=float)
        inside = bool(np.all(p >= WORKSPACE_LOW - 1e-9) and np.all(p <= WORKSPACE_HIGH + 1e-9))
        if self.arm is None or not inside:
            return inside
        return self.arm.reachable(p, float(yaw), self._arm_q)

    @property
    def tcp(self) -> np.ndarray:
        """Grasp point between the pad centres, world metres."""
        return self.data.site_xpos[self._tcp].copy()

    @property
    def fingertip(self) -> np.ndarray:
        """Point between the pad bottoms, world metres."""
        return self.data.site_xpos[self._tip].copy()

    @property
    def yaw(self) -> float:
        """Gripper yaw (radians); the fingers close along the gripper's local y axis."""
        return yaw_of(self.data.xquat[self._gripper])

    @property
    def finger_gap(self) -> float:
        """Distance between the inner pad faces (metres)."""
        return float(sum(self.data.qpos[a] for a in self._fingers))

    def pose(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """World position and (w, x, y, z) quaternion of an object or target body."""
        b = self._bodies[name]
        return self.data.xpos[b].copy(), self.data.xquat[b].copy()

    def touching(self) -> tuple[set[str], set[str]]:
        """Names of the objects each pad (left, right) is in contact with."""
        con = self.data.contact
        g1, g2 = con.geom1[: self.data.ncon], con.geom2[: self.data.ncon]
        sides: tuple[set[str], set[str]] = (set(), set())
        for a, b in zip(g1.tolist(), g2.tolist(), strict=True):
            for side, pad in enumerate(self._pads):
                other = b if a == pad else a if b == pad else None
                if other is not None and other in self._object_of_geom:
                    sides[side].add(self._object_of_geom[other])
        return sides

    def grasped(self) -> str | None:
        """The object squeezed between both pads, if any."""
        left, right = self.touching()
        both = sorted(left & right)
        return both[0] if both else None

    def camera_pose(self, camera_id: int) -> tuple[np.ndarray, np.ndarray]:
        """MuJoCo camera position and 3x3 frame in the world (after the last step)."""
        d = self.data
        return d.cam_xpos[camera_id].copy(), d.cam_xmat[camera_id].reshape(3, 3).copy()

    def camera_fovy(self, camera_id: int) -> float:
        """Vertical field of view of a camera, degrees."""
        return float(self.model.cam_fovy[camera_id])
