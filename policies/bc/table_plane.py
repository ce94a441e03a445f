"""Where a camera pixel meets the table: the map that places a named keypoint in metres.

For points on the plane z = h (world metres), the camera's projection P = K [R | t] (world ->
pixels) reduces to a 3x3 homography H = [p1, p2, h * p3 + p4]; its inverse takes a pixel
(u, v, 1) back to s * (x, y, 1). `handeye train bc --lift` feeds the action head the named
object's and its target's table xy relative to the tcp, so the head need not learn the camera.
Both inputs are what a real robot has: the frame's calibration and its own proprio.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LIFT_HEIGHT = 0.024  # metres: a typical object's centre above the table (half heights 18-30 mm)


def pixel_to_table(K: np.ndarray, T: np.ndarray, height: float = LIFT_HEIGHT) -> np.ndarray:
    """(3, 3) map from homogeneous pixels (u, v, 1) to s * (x, y, 1) on the plane z = `height`.

    K: (3, 3) intrinsics in pixels; T: (4, 4) world-from-camera extrinsics (OpenCV axes).
    """
    K, T = np.asarray(K, float), np.asarray(T, float)
    world_to_camera = np.linalg.inv(T)[:3, :]
    P = K @ world_to_camera  # (3, 4) world -> pixels (homogeneous)
    H = np.stack([P[:, 0], P[:, 1], height * P[:, 2] + P[:, 3]], axis=1)
    return np.linalg.inv(H)


def table_xy(maps: Any, uv: Any) -> Any:
    """Pixels (B, S, 2) through per-frame maps (B, 3, 3) -> table xy (B, S, 2) in metres (torch)."""
    import torch

    ones = torch.ones_like(uv[..., :1])
    h = torch.einsum("bij,bsj->bsi", maps, torch.cat([uv, ones], dim=-1))
    # Points near the horizon blow up; the table in view never comes close to it.
    return h[..., :2] / h[..., 2:].clamp(min=1e-6)


def resized_intrinsics(
    K: np.ndarray, from_wh: tuple[int, int], to_wh: tuple[int, int]
) -> np.ndarray:
    """K of a frame resized from `from_wh` to `to_wh` pixels (width, height)."""
    sx, sy = to_wh[0] / from_wh[0], to_wh[1] / from_wh[1]
    return np.diag([sx, sy, 1.0]) @ np.asarray(K, float)
