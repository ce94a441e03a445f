"""`TabletopEnv`: the gymnasium adapter joining a tabletop task, the MuJoCo backend and cameras.

Observation: `rgb` (H, W, 3) uint8 and `depth` (H, W) float32 metres from the first camera, with
its calibration `K` (3x3 pixels) and `T_world_camera` (4x4, OpenCV axes) as a real robot would
have it (more cameras add `rgb_<name>`, `depth_<name>`, `K_<name>`, `T_world_camera_<name>`),
`proprio` (tcp xyz, sin/cos yaw, finger gap), and the `instruction`. `info["cameras"][name]`
repeats the calibration; simulator truth is only under `info["privileged"]`. With the arm
(`robot="arm"`) `info` also has `ik_error` (metres from the step's tcp target to what inverse
kinematics reached) and `unreachable` (that error is over 1 cm: the arm cannot get there).

`step` takes the (5,) Box action, a typed `EEDelta` in metres/radians, or its string form;
anything else is a no-op step reported in `info["error"]`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from contracts.actions import Done, EEDelta, Wait, as_action, format_action
from contracts.errors import ActionError, EnvError
from contracts.spaces import text_space
from envs.tabletop.physics import TabletopPhysics
from envs.tabletop.rendering import CameraRenderer, extrinsics, intrinsics
from envs.tabletop.scene import (
    CAMERA_NAMES,
    DEPTH_FAR,
    ROBOTS,
    add_distractors,
    sample_appearance,
)
from envs.tabletop.tasks import Goal, Task, make_task, privileged_state


@dataclass(frozen=True)
class TabletopConfig:
    """Knobs of a tabletop env; the defaults are the fast ones measured on a 2-core CPU."""

    width: int = 128
    height: int = 128
    cameras: tuple[str, ...] = ("front",)  # any of "front", "top", "wrist"; the first is `rgb`
    min_objects: int = 3
    max_objects: int = 5
    randomize: bool = False  # lighting, table colours/texture, camera jitter, distractors
    max_distractors: int = 2
    shadows: bool = False  # ~10x slower rendering on llvmpipe
    control_hz: float = 10.0
    physics_dt: float = 0.002  # MuJoCo timestep (s)
    max_translation: float = 0.03  # metres per step at |action| = 1
    max_rotation: float = 0.25  # radians per step at |action| = 1
    reward: str = "sparse"  # "sparse" (1 on success) or "shaped" (adds progress below 1)
    terminate_on_success: bool = True
    robot: str = "gripper"  # "gripper" (floating, mocap-driven) or "arm" (7-DoF arm + gripper)

    def __post_init__(self) -> None:
        unknown = [c for c in self.cameras if c not in CAMERA_NAMES]
        if unknown or not self.cameras:
            raise EnvError(f"unknown cameras {unknown or self.cameras}; known: {CAMERA_NAMES}")
        if not 1 <= self.min_objects <= self.max_objects <= 6:
            raise EnvError("need 1 <= min_objects <= max_objects <= 6")
        if min(self.width, self.height) < 8:
            raise EnvError(f"image size {self.width}x{self.height} is too small; use >= 8x8")
        if self.reward not in ("sparse", "shaped"):
            raise EnvError(f"reward must be 'sparse' or 'shaped', got {self.reward!r}")
        if self.robot not in ROBOTS:
            raise EnvError(f"robot must be one of {ROBOTS}, got {self.robot!r}")

    @property
    def substeps(self) -> int:
        return max(1, round(1.0 / (self.control_hz * self.physics_dt)))

    @property
    def action_scale(self) -> np.ndarray:
        """Metres/radians per unit of each action component (grip is already in [-1, 1])."""
        t, r = self.max_translation, self.max_rotation
        return np.array([t, t, t, r, 1.0], dtype=np.float32)


def ee_delta_to_action(action: EEDelta, config: TabletopConfig) -> np.ndarray:
    """The Box action (5,) in [-1, 1] for a typed EEDelta in metres/radians (clipped)."""
    raw = np.array([action.dx, action.dy, action.dz, action.dyaw, action.grip], dtype=np.float64)
    return np.clip(raw / config.action_scale, -1.0, 1.0).astype(np.float32)


class TabletopEnv(gym.Env):
    """Tabletop manipulation by a floating gripper or an arm: pixels in, end-effector deltas out."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        task: str | Task = "pick_place",
        config: TabletopConfig | None = None,
        render_mode: str | None = None,
        **overrides: Any,
    ) -> None:
        config = config or TabletopConfig()
        names = {f.name for f in fields(TabletopConfig)}
        bad = sorted(set(overrides) - names)
        if bad:
            raise EnvError(f"unknown TabletopConfig fields {bad}; known: {sorted(names)}")
        self.config = replace(config, **overrides)
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise EnvError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.render_mode = render_mode
        self.task = make_task(task) if isinstance(task, str) else task
        self.metadata = {**self.metadata, "render_fps": self.config.control_hz}
        c = self.config
        image = {
            "rgb": spaces.Box(0, 255, (c.height, c.width, 3), np.uint8),
            "depth": spaces.Box(0.0, DEPTH_FAR, (c.height, c.width), np.float32),
            "K": spaces.Box(0.0, 1e5, (3, 3), np.float32),
            "T_world_camera": spaces.Box(-100.0, 100.0, (4, 4), np.float32),
        }
        obs_spaces: dict[str, spaces.Space] = {}
        for i, cam in enumerate(c.cameras):
            suffix = "" if i == 0 else f"_{cam}"
            obs_spaces.update({f"{k}{suffix}": v for k, v in image.items()})
        obs_spaces["proprio"] = spaces.Box(-10.0, 10.0, (6,), np.float32)
        obs_spaces["instruction"] = text_space()
        self.observation_space = spaces.Dict(obs_spaces)
        self.action_space = spaces.Box(-1.0, 1.0, (5,), np.float32)
        self._renderer: CameraRenderer | None = None
        self._physics: TabletopPhysics | None = None
        self._goal: Goal | None = None
        self._last_rgb: np.ndarray | None = None

    @property
    def physics(self) -> TabletopPhysics:
        if self._physics is None:
            raise EnvError("call reset() before stepping or reading the tabletop env")
        return self._physics

    @property
    def goal(self) -> Goal:
        if self._goal is None:
            raise EnvError("call reset() before reading the goal")
        return self._goal

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        c = self.config
        # Separate streams: the task layout never depends on whether appearance is randomized.
        task_rng, look_rng = (
            np.random.default_rng(s)
            for s in np.random.SeedSequence(int(self.np_random.integers(2**63))).spawn(2)
        )
        n_objects = int(task_rng.integers(c.min_objects, c.max_objects + 1))
        spec, goal = self.task.sample(task_rng, n_objects)
        if c.randomize:
            n = int(look_rng.integers(1, c.max_distractors + 1)) if c.max_distractors else 0
            spec = add_distractors(spec, look_rng, n, self.task.keep_clear(spec, goal))
            spec = replace(spec, appearance=sample_appearance(look_rng, c.cameras))
        self._physics = TabletopPhysics(
            spec, c.width, c.height, c.shadows, c.substeps, c.physics_dt, c.robot
        )
        self._physics.reset()
        self._goal = goal
        if self._renderer is None:
            self._renderer = CameraRenderer(c.width, c.height, c.shadows)
        self._renderer.bind(self._physics.model)
        obs = self._observe()
        return obs, self._info(success=self.task.success(self._physics, goal))

    def step(
        self, action: np.ndarray | EEDelta | str
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        physics, goal = self.physics, self.goal
        a, error = self._box_action(action)
        physics.apply(a[:4] * self.config.action_scale[:4], float(a[4]))
        obs = self._observe()
        success = self.task.success(physics, goal)
        reward = float(success)
        if self.config.reward == "shaped" and not success:
            reward = 0.5 * self.task.progress(physics, goal)
        info = self._info(success=success)
        if error:
            info["error"] = error
        return obs, reward, bool(success and self.config.terminate_on_success), False, info

    def _box_action(self, action: Any) -> tuple[np.ndarray, str | None]:
        """The clipped (5,) Box action for any accepted form, or a hold-still no-op and why."""
        noop = np.array([0.0, 0.0, 0.0, 0.0, self.physics.grip_command])
        if isinstance(action, str) or not isinstance(action, (np.ndarray, list, tuple)):
            try:
                typed = as_action(action)
            except ActionError as exc:
                return noop, f"{exc}; the step was a no-op"
            if isinstance(typed, EEDelta):
                return ee_delta_to_action(typed, self.config).astype(np.float64), None
            if isinstance(typed, (Wait, Done)):
                return noop, None
            return noop, (
                f"{format_action(typed)} is not a motor command; the tabletop env takes"
                " ee_delta(dx, dy, dz, dyaw, grip) or a (5,) Box action (wrap the env in"
                " envs.wrappers.primitives.PrimitiveActions for pick/place/push); the step was a"
                " no-op"
            )
        try:
            a = np.asarray(action, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            return noop, f"action {action!r} is not numeric ({exc}); the step was a no-op"
        if a.shape != (5,):
            return noop, (
                f"tabletop actions are (dx, dy, dz, dyaw, grip); got shape {a.shape}; the step was"
                " a no-op"
            )
        if not np.all(np.isfinite(a)):
            return noop, f"non-finite action {a.tolist()} was replaced by a no-op"
        return np.clip(a, -1.0, 1.0), None

    def _observe(self) -> dict[str, Any]:
        physics, renderer = self.physics, self._renderer
        assert renderer is not None
        c = self.config
        obs: dict[str, Any] = {}
        for i, cam in enumerate(c.cameras):
            cid = physics.camera_ids[cam]
            rgb, depth = renderer.render(physics.data, cid)
            suffix = "" if i == 0 else f"_{cam}"
            obs[f"rgb{suffix}"], obs[f"depth{suffix}"] = rgb, depth
            pos, mat = physics.camera_pose(cid)
            K = intrinsics(physics.camera_fovy(cid), c.width, c.height)
            obs[f"K{suffix}"] = K.astype(np.float32)
            obs[f"T_world_camera{suffix}"] = extrinsics(pos, mat).astype(np.float32)
        self._last_rgb = obs["rgb"]
        yaw = physics.yaw
        obs["proprio"] = np.array(
            [*physics.tcp, math.sin(yaw), math.cos(yaw), physics.finger_gap], dtype=np.float32
        )
        obs["instruction"] = self.goal.instruction
        return obs

    def reachable(self, pos: np.ndarray, yaw: float = 0.0) -> bool:
        """Whether the robot can put its tcp at `pos` (world m) pointing down with `yaw` (rad)."""
        return self.physics.reachable(pos, yaw)

    def _info(self, success: bool) -> dict[str, Any]:
        physics, c = self.physics, self.config
        cameras = {}
        for cam in c.cameras:
            cid = physics.camera_ids[cam]
            pos, mat = physics.camera_pose(cid)
            cameras[cam] = {
                "K": intrinsics(physics.camera_fovy(cid), c.width, c.height),
                "T_world_camera": extrinsics(pos, mat),
            }
        info: dict[str, Any] = {
            "success": success,
            "task": self.task.name,
            "cameras": cameras,
            "action_scale": c.action_scale.copy(),
            "privileged": privileged_state(physics, self.task, self.goal),
        }
        if physics.arm is not None:
            info["ik_error"], info["unreachable"] = physics.ik_error, physics.unreachable
        return info

    def render(self) -> np.ndarray | None:
        """The first camera's latest RGB frame (rgb_array mode)."""
        if self.render_mode != "rgb_array":
            return None
        if self._last_rgb is None:
            raise EnvError("call reset() before render()")
        return self._last_rgb.copy()

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
        self._physics = None
        super().close()
