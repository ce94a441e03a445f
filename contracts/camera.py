"""Pinhole camera geometry shared by envs (which render) and policies (which lift pixels to 3D).

Pure functions on intrinsics K (3x3, pixels) and world-from-camera extrinsics T (4x4,
OpenCV axes: x right, y down, z forward), the calibration envs put in the observation.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def pixel_to_world(u: Any, v: Any, depth: Any, K: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Lift pixel(s) (u column, v row) with planar depth (metres) to world points (..., 3)."""
    u, v, z = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (u, v, depth)))
    x = (u - K[0, 2]) / K[0, 0] * z
    y = (v - K[1, 2]) / K[1, 1] * z
    cam = np.stack([x, y, z], axis=-1)
    return cam @ T[:3, :3].T + T[:3, 3]


def world_to_pixel(points: Any, K: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    """Project world point(s) (..., 3) to (u, v, depth): sub-pixel coordinates and planar depth."""
    p = np.asarray(points, dtype=float)
    cam = (p - T[:3, 3]) @ T[:3, :3]
    z = cam[..., 2]
    u = K[0, 0] * cam[..., 0] / z + K[0, 2]
    v = K[1, 1] * cam[..., 1] / z + K[1, 2]
    return u, v, z
