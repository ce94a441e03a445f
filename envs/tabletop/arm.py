"""A Franka-like 7-DoF arm for the tabletop scenes: its MJCF and a damped-least-squares IK solver.

The arm stands on a pedestal behind the table's back edge, facing the front camera, and carries
the tabletop gripper (palm, fingers, tcp/fingertip sites, wrist camera) on its last link. Its
joint axes, offsets and limits follow the Panda's; the upper arm and forearm are 20% longer so
a back-edge mount reaches the front corners of the table pointing down. Links are capsules and
cylinders with no collision (only the gripper touches the world); joints are position servos
over gravity compensation, so tracking a joint target needs no model of the load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ARM_BASE = (0.55, 0.0, 0.0)  # pedestal top, world metres (the table top is z = 0)
ARM_JOINTS = tuple(f"joint{i}" for i in range(1, 8))
# Panda joint limits (radians).
JOINT_LOW = (-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973)
JOINT_HIGH = (2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973)
READY = (0.0, -0.6, 0.0, -2.2, 0.0, 1.6, 0.0)  # a comfortable elbow-up pose, gripper down
SHOULDER_Z = 0.36  # joint 2 above the pedestal
UPPER_ARM = 0.38  # joint 2 to joint 4 along the arm (Panda 0.316)
FOREARM = 0.46  # joint 4 to joint 6 along the arm (Panda 0.384)
ELBOW_OFFSET = 0.0825
WRIST_OFFSET = 0.088
FLANGE = 0.107  # joint 6/7 axis crossing to the flange
HAND_LENGTH = 0.115  # flange to the tcp (the gripper's wrist cylinder top is 0.115 above it)
KP = (4500.0, 4500.0, 3500.0, 3500.0, 2000.0, 2000.0, 2000.0)  # servo stiffness, N m / rad
# Servo damping (N m s / rad): critical for the link inertias at the home pose. (MuJoCo's
# `dampratio` would use the inertia at qpos0, the arm straight up, and leave it ringing.)
KV = (160.0, 180.0, 130.0, 120.0, 30.0, 32.0, 28.0)
IK_TOLERANCE = 0.01  # metres: a tcp target further than this from the IK solution is unreachable


def _fmt(values: tuple[float, ...] | list[float]) -> str:
    return " ".join(f"{float(v):.6g}" for v in values)


def _link(name: str, pos: tuple[float, ...], quat: str, index: int, geoms: str, inner: str) -> str:
    joint = (
        f'<joint name="joint{index}" axis="0 0 1" range="{JOINT_LOW[index - 1]}'
        f' {JOINT_HIGH[index - 1]}" armature="0.1" damping="1"/>'
    )
    return (
        f'<body name="{name}" pos="{_fmt(pos)}" quat="{quat}" gravcomp="1">'
        f"{joint}{geoms}{inner}</body>"
    )


def _capsule(a: tuple[float, ...], b: tuple[float, ...], radius: float, mass: float) -> str:
    return (
        f'<geom type="capsule" fromto="{_fmt(a)} {_fmt(b)}" size="{radius}" mass="{mass}"'
        ' contype="0" conaffinity="0" rgba=".92 .92 .94 1"/>'
    )


def arm_xml(gripper_parts: str) -> str:
    """The arm's bodies, with `gripper_parts` (the gripper's geoms, sites, camera, fingers)."""
    down = '<body name="gripper" pos="0 0 {:.4f}" quat="0 0 1 0" gravcomp="1">{}</body>'
    hand = down.format(FLANGE + HAND_LENGTH, gripper_parts)
    flange = (
        f'<geom type="cylinder" fromto="0 0 -0.03 0 0 {FLANGE}" size="0.045" mass="0.4"'
        ' contype="0" conaffinity="0" rgba=".25 .25 .28 1"/>'
    )
    link7 = _link("link7", (WRIST_OFFSET, 0, 0), "1 1 0 0", 7, flange, hand)
    link6 = _link(
        "link6",
        (0, 0, 0),
        "1 1 0 0",
        6,
        _capsule((0, 0, -0.03), (WRIST_OFFSET, 0, 0), 0.05, 1.2),
        link7,
    )
    link5 = _link(
        "link5",
        (-ELBOW_OFFSET, FOREARM, 0),
        "1 -1 0 0",
        5,
        _capsule((0, 0, -0.08), (0, 0, 0.0), 0.05, 1.0),
        link6,
    )
    link4 = _link(
        "link4",
        (ELBOW_OFFSET, 0, 0),
        "1 1 0 0",
        4,
        _capsule((0, 0, 0), (-ELBOW_OFFSET, 0, 0), 0.055, 0.8)
        + _capsule((-ELBOW_OFFSET, 0, 0), (-ELBOW_OFFSET, FOREARM - 0.08, 0), 0.05, 2.0),
        link5,
    )
    link3 = _link(
        "link3",
        (0, -UPPER_ARM, 0),
        "1 1 0 0",
        3,
        _capsule((0, 0, -0.12), (ELBOW_OFFSET, 0, 0), 0.055, 1.5),
        link4,
    )
    link2 = _link(
        "link2",
        (0, 0, 0),
        "1 -1 0 0",
        2,
        _capsule((0, 0, 0), (0, -UPPER_ARM + 0.12, 0), 0.06, 2.0),
        link3,
    )
    link1 = _link(
        "link1",
        (0, 0, SHOULDER_Z),
        "1 0 0 0",
        1,
        _capsule((0, 0, -SHOULDER_Z + 0.06), (0, 0, 0), 0.065, 3.0),
        link2,
    )
    return (
        f'<body name="link0" pos="{_fmt(ARM_BASE)}" quat="0 0 0 1">'
        '<geom type="cylinder" fromto="0 0 -0.75 0 0 0" size="0.08" contype="0"'
        ' conaffinity="0" rgba=".3 .3 .33 1"/>'
        '<geom type="cylinder" fromto="0 0 0 0 0 0.06" size="0.07" contype="0" conaffinity="0"'
        ' rgba=".92 .92 .94 1"/>'
        f"{link1}</body>"
    )


def arm_actuators_xml() -> str:
    """Position servos on the seven joints, critically damped, ranged to the joint limits."""
    return "".join(
        f'<position name="{j}" joint="{j}" kp="{kp:g}" kv="{kv:g}" ctrlrange="{lo} {hi}"/>'
        for j, kp, kv, lo, hi in zip(ARM_JOINTS, KP, KV, JOINT_LOW, JOINT_HIGH, strict=True)
    )


@dataclass(frozen=True)
class IKResult:
    """A joint solution and how far its tcp pose is from the asked one (metres, radians)."""

    q: np.ndarray
    pos_error: float
    rot_error: float

    @property
    def reached(self) -> bool:
        return self.pos_error <= IK_TOLERANCE and self.rot_error <= 0.1


def _yaw_down_matrix(yaw: float) -> np.ndarray:
    """Rotation of a gripper pointing down (its local z up, as in the scene) turned by `yaw`."""
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rotation_error(r: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Small-angle axis x angle turning frame `r` onto `target` (half the column crosses)."""
    return 0.5 * np.array(
        [
            float(r[1] @ target[2] - r[2] @ target[1]),
            float(r[2] @ target[0] - r[0] @ target[2]),
            float(r[0] @ target[1] - r[1] @ target[0]),
        ]
    )


class ArmIK:
    """Damped-least-squares IK on the tcp site Jacobian, with joint limits and a nullspace pull.

    It works on its own scratch MjData, so solving never disturbs the simulation.
    """

    def __init__(self, model: object, damping: float = 0.03, nullspace_gain: float = 0.1) -> None:
        import mujoco

        self._mj = mujoco
        self.model = model
        self.scratch = mujoco.MjData(model)
        name2id = mujoco.mj_name2id
        obj = mujoco.mjtObj
        joints = [name2id(model, obj.mjOBJ_JOINT, j) for j in ARM_JOINTS]
        self.qpos_adr = np.array([model.jnt_qposadr[j] for j in joints])
        self.dof_adr = np.array([model.jnt_dofadr[j] for j in joints])
        self.actuators = np.array([name2id(model, obj.mjOBJ_ACTUATOR, j) for j in ARM_JOINTS])
        self.site = name2id(model, obj.mjOBJ_SITE, "tcp")
        self.low, self.high = np.array(JOINT_LOW), np.array(JOINT_HIGH)
        self.damping = damping
        self.nullspace_gain = nullspace_gain
        self.rest = np.array(READY)
        self._jacp = np.zeros((3, model.nv))
        self._jacr = np.zeros((3, model.nv))

    def tcp_pose(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Forward kinematics: tcp position (m) and 3x3 frame for joint angles `q` (rad)."""
        d = self.scratch
        d.qpos[self.qpos_adr] = q
        self._mj.mj_kinematics(self.model, d)
        return d.site_xpos[self.site].copy(), d.site_xmat[self.site].reshape(3, 3).copy()

    def solve(
        self, pos: np.ndarray, yaw: float, q0: np.ndarray, iterations: int = 3, tol: float = 1e-4
    ) -> IKResult:
        """Joint angles putting the tcp at `pos` pointing down with `yaw`, from `q0`."""
        mj, d = self._mj, self.scratch
        target_r = _yaw_down_matrix(yaw)
        pos = np.asarray(pos, dtype=float)
        q = np.clip(np.asarray(q0, dtype=float), self.low, self.high)
        lam2 = self.damping**2
        eye6 = np.eye(6)
        for step in range(iterations + 1):
            x, r = self.tcp_pose(q)
            e_pos = pos - x
            e_rot = _rotation_error(r, target_r)
            close = float(np.linalg.norm(e_pos)) < tol and float(np.linalg.norm(e_rot)) < 10 * tol
            if close or step == iterations:
                break
            mj.mj_comPos(self.model, d)
            mj.mj_jacSite(self.model, d, self._jacp, self._jacr, self.site)
            jac = np.vstack([self._jacp[:, self.dof_adr], self._jacr[:, self.dof_adr]])
            pinv = np.linalg.solve(jac @ jac.T + lam2 * eye6, jac).T
            dq = pinv @ np.concatenate([e_pos, e_rot])
            dq += (np.eye(7) - pinv @ jac) @ (self.nullspace_gain * (self.rest - q))
            scale = min(1.0, 0.5 / max(float(np.max(np.abs(dq))), 1e-9))  # no wild jumps
            q = np.clip(q + scale * dq, self.low, self.high)
        rot_err = float(np.linalg.norm(e_rot))
        return IKResult(q, float(np.linalg.norm(e_pos)), rot_err)

    def reachable(self, pos: np.ndarray, yaw: float, q0: np.ndarray | None = None) -> bool:
        """Whether some joint angles put the tcp at `pos` (m) pointing down with `yaw` (rad)."""
        starts = [self.rest] if q0 is None else [np.asarray(q0, float), self.rest]
        return any(self.solve(pos, yaw, q, iterations=200).reached for q in starts)

    def joint_positions(self, data: object) -> np.ndarray:
        """The arm's current joint angles in a simulation's MjData (radians)."""
        return data.qpos[self.qpos_adr].copy()  # type: ignore[attr-defined]

    def set_joints(self, data: object, q: np.ndarray) -> None:
        """Put the arm at `q` with its servos holding there (for resets)."""
        data.qpos[self.qpos_adr] = q  # type: ignore[attr-defined]
        data.qvel[self.dof_adr] = 0.0  # type: ignore[attr-defined]
        data.ctrl[self.actuators] = q  # type: ignore[attr-defined]
