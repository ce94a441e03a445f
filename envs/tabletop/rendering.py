"""Headless MuJoCo rendering on CPU: GL backend choice, one-pass RGB-D capture and camera geometry.

Camera convention (OpenCV): x right, y down, z forward; pixel (u, v) = (column, row) with pixel
centres on integers, so `K = [[f, 0, (W-1)/2], [0, f, (H-1)/2], [0, 0, 1]]`. Extrinsics `T` are
world-from-camera 4x4 matrices in metres; depth is planar z in metres (not ray length).
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from contracts.errors import SetupError

log = logging.getLogger(__name__)

HEADLESS_BACKENDS = ("egl", "osmesa")
# Debian packages each backend needs, named in the SetupError when a probe fails.
DEBIAN_PACKAGES = {"egl": ("libegl1", "libegl-mesa0", "libgl1-mesa-dri"), "osmesa": ("libosmesa6",)}
_LIBRARIES = {"egl": "EGL", "osmesa": "OSMesa"}
_PROBE = """
import mujoco
from mujoco.rendering.classic.gl_context import GLContext
ctx = GLContext(8, 8)
ctx.make_current()
model = mujoco.MjModel.from_xml_string('<mujoco><worldbody><geom size="1"/></worldbody></mujoco>')
con = mujoco.MjrContext(model, mujoco.mjtFontScale.mjFONTSCALE_50.value)
con.free()
ctx.free()
"""
_chosen: str | None = None


def probe_gl_backend(backend: str, timeout_s: float = 60.0) -> str | None:
    """Try `backend` in a fresh interpreter (mujoco fixes it on import); None if it works."""
    env = {**os.environ, "MUJOCO_GL": backend}
    env.pop("PYOPENGL_PLATFORM", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return f"probe timed out after {timeout_s:.0f} s"
    if proc.returncode == 0:
        return None
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else f"probe exited with status {proc.returncode}"


def _library_note(backend: str) -> str:
    """' (libX not found)' when the backend's shared library is absent, else ''."""
    lib = _LIBRARIES[backend]
    return f" (lib{lib} not found)" if ctypes.util.find_library(lib) is None else ""


def choose_gl_backend(probe: Callable[[str], str | None] = probe_gl_backend) -> str:
    """Set MUJOCO_GL to a working headless backend (EGL, else OSMesa) before mujoco is imported.

    An explicit MUJOCO_GL is trusted; otherwise each backend is probed once per process and the
    choice is exported so worker processes inherit it. Raises SetupError naming the Debian
    packages to install when none works, or when mujoco was imported first without MUJOCO_GL.
    """
    global _chosen
    if _chosen is not None:
        return _chosen
    requested = os.environ.get("MUJOCO_GL", "").strip().lower()
    if requested:
        _chosen = requested
        return requested
    if "mujoco" in sys.modules:
        if os.environ.get("DISPLAY"):
            _chosen = "glfw"
            return _chosen
        raise SetupError(
            "mujoco was imported before handeye could choose a headless GL backend and there is"
            " no DISPLAY; set MUJOCO_GL=egl (or osmesa) in the environment, or import"
            " envs.tabletop before mujoco"
        )
    reasons = {}
    for backend in HEADLESS_BACKENDS:
        reason = probe(backend)
        if reason is None:
            os.environ["MUJOCO_GL"] = backend
            _chosen = backend
            log.info("MuJoCo renders headless with MUJOCO_GL=%s", backend)
            return backend
        reasons[backend] = reason
    packages = [p for b in HEADLESS_BACKENDS for p in DEBIAN_PACKAGES[b]]
    detail = "; ".join(f"{b}: {r}{_library_note(b)}" for b, r in reasons.items())
    raise SetupError(
        f"no headless OpenGL backend works for MuJoCo ({detail}). Install the Debian packages"
        f" {' '.join(packages)} (sudo apt-get install {' '.join(packages)}, or `make setup`),"
        " or set MUJOCO_GL to a backend that works on this machine"
    )


def intrinsics(fovy_deg: float, width: int, height: int) -> np.ndarray:
    """Pinhole K (3x3, pixels) of a MuJoCo camera whose vertical field of view is `fovy_deg`."""
    f = 0.5 * height / np.tan(np.deg2rad(fovy_deg) / 2.0)
    return np.array([[f, 0.0, (width - 1) / 2.0], [0.0, f, (height - 1) / 2.0], [0.0, 0.0, 1.0]])


def extrinsics(cam_xpos: np.ndarray, cam_xmat: np.ndarray) -> np.ndarray:
    """World-from-camera 4x4 (OpenCV axes) from a MuJoCo camera's position and 3x3 frame."""
    T = np.eye(4)
    T[:3, :3] = np.asarray(cam_xmat, dtype=float).reshape(3, 3) @ np.diag([1.0, -1.0, -1.0])
    T[:3, 3] = np.asarray(cam_xpos, dtype=float)
    return T


class CameraRenderer:
    """Offscreen RGB-D renderer at one resolution: a GL context kept for life, rebound per model.

    One `mjr_render` fills both colour and depth buffers, so an RGB-D frame costs one pass.
    """

    def __init__(self, width: int, height: int, shadows: bool = False) -> None:
        choose_gl_backend()
        import mujoco
        from mujoco.rendering.classic.gl_context import GLContext

        self.width, self.height, self.shadows = int(width), int(height), bool(shadows)
        try:
            self._gl = GLContext(self.width, self.height)
            self._gl.make_current()
        except Exception as exc:  # GL stacks fail with many exception types
            packages = " ".join(p for b in HEADLESS_BACKENDS for p in DEBIAN_PACKAGES[b])
            raise SetupError(
                f"cannot open a MUJOCO_GL={os.environ.get('MUJOCO_GL')} context ({exc});"
                f" install {packages} or unset MUJOCO_GL"
            ) from exc
        self._mj = mujoco
        self._model: Any = None
        self._con: Any = None
        self._scene: Any = None
        self._option = mujoco.MjvOption()
        self._camera = mujoco.MjvCamera()
        self._camera.type = mujoco.mjtCamera.mjCAMERA_FIXED
        self._rect = mujoco.MjrRect(0, 0, self.width, self.height)

    def bind(self, model: Any) -> None:
        """Upload a (new) model's meshes and textures; cheap after the first call per process."""
        mj = self._mj
        self._gl.make_current()
        if self._con is not None:
            self._con.free()
        self._model = model
        self._con = mj.MjrContext(model, mj.mjtFontScale.mjFONTSCALE_50.value)
        mj.mjr_setBuffer(mj.mjtFramebuffer.mjFB_OFFSCREEN.value, self._con)
        self._con.readDepthMap = mj.mjtDepthMap.mjDEPTH_ZEROFAR
        self._scene = mj.MjvScene(model, maxgeom=2000)
        flags = self._scene.flags
        flags[mj.mjtRndFlag.mjRND_SHADOW] = self.shadows
        flags[mj.mjtRndFlag.mjRND_REFLECTION] = False
        flags[mj.mjtRndFlag.mjRND_SKYBOX] = False

    def render(self, data: Any, camera_id: int) -> tuple[np.ndarray, np.ndarray]:
        """RGB (H, W, 3) uint8 and planar depth (H, W) float32 metres from one fixed camera."""
        mj, model = self._mj, self._model
        if self._con is None:
            raise RuntimeError("CameraRenderer.render called before bind() or after close()")
        self._gl.make_current()
        self._camera.fixedcamid = camera_id
        mj.mjv_updateScene(
            model, data, self._option, None, self._camera, mj.mjtCatBit.mjCAT_ALL, self._scene
        )
        mj.mjr_render(self._rect, self._scene, self._con)
        rgb = np.empty((self.height, self.width, 3), dtype=np.uint8)
        raw = np.empty((self.height, self.width), dtype=np.float32)
        mj.mjr_readPixels(rgb, raw, self._rect, self._con)
        return np.ascontiguousarray(rgb[::-1]), _linear_depth(raw[::-1], model)

    def close(self) -> None:
        """Free the GL resources; safe to call twice."""
        if self._con is not None:
            self._gl.make_current()
            self._con.free()
            self._con = None
        if getattr(self, "_gl", None) is not None:
            self._gl.free()
            self._gl = None

    def __enter__(self) -> CameraRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _linear_depth(raw: np.ndarray, model: Any) -> np.ndarray:
    """Planar metres from MuJoCo's reversed-Z depth buffer (as mujoco.Renderer), capped at zfar."""
    extent = model.stat.extent
    znear = np.float32(model.vis.map.znear * extent)
    zfar = np.float32(model.vis.map.zfar * extent)
    c = -(zfar + znear) / (zfar - znear)
    d = -(np.float32(2) * zfar * znear) / (zfar - znear)
    c = np.float32(-0.5) * c - np.float32(0.5)
    d = np.float32(-0.5) * d
    depth = d / (raw.astype(np.float64) + c)
    return np.minimum(depth, zfar).astype(np.float32)
