"""Camera geometry and headless rendering for the tabletop envs, checked on real MuJoCo frames."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.camera import pixel_to_world, world_to_pixel
from envs.tabletop.rendering import (
    CameraRenderer,
    choose_gl_backend,
    extrinsics,
    intrinsics,
    probe_gl_backend,
)


def _rotation(q: tuple[float, float, float, float]) -> np.ndarray:
    w, x, y, z = np.asarray(q) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


quaternions = st.tuples(*[st.floats(-1, 1) for _ in range(4)]).filter(
    lambda q: np.linalg.norm(q) > 0.1
)
cameras = st.tuples(
    st.floats(20.0, 110.0),
    st.integers(16, 640),
    st.integers(16, 480),
    quaternions,
    st.tuples(*[st.floats(-2, 2) for _ in range(3)]),
)


def _camera(fovy, w, h, q, t):
    T = np.eye(4)
    T[:3, :3], T[:3, 3] = _rotation(q), t
    return intrinsics(fovy, w, h), T


@settings(max_examples=200, deadline=None)
@given(cameras, st.floats(0, 1), st.floats(0, 1), st.floats(0.05, 10.0))
def test_pixel_to_world_then_back_returns_the_same_pixel_and_depth(cam, fu, fv, depth):
    K, T = _camera(*cam)
    u, v = fu * (cam[1] - 1), fv * (cam[2] - 1)
    point = pixel_to_world(u, v, depth, K, T)
    u2, v2, d2 = world_to_pixel(point, K, T)
    np.testing.assert_allclose([u2, v2, d2], [u, v, depth], rtol=1e-9, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(cameras, st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(0.05, 8.0)))
def test_world_point_in_front_of_camera_round_trips_through_its_pixel(cam, xyz):
    K, T = _camera(*cam)
    world = T[:3, :3] @ np.array(xyz) + T[:3, 3]
    u, v, d = world_to_pixel(world, K, T)
    np.testing.assert_allclose(pixel_to_world(u, v, d, K, T), world, atol=1e-7)
    assert d == pytest.approx(xyz[2])


def test_pixel_helpers_are_vectorised_over_whole_depth_images():
    K, T = _camera(45.0, 8, 6, (1, 0.2, 0, 0), (0, 0, 1))
    v, u = np.mgrid[0:6, 0:8]
    points = pixel_to_world(u, v, np.full((6, 8), 2.0), K, T)
    assert points.shape == (6, 8, 3)
    u2, v2, d2 = world_to_pixel(points, K, T)
    np.testing.assert_allclose(u2, u, atol=1e-9)
    np.testing.assert_allclose(v2, v, atol=1e-9)
    np.testing.assert_allclose(d2, 2.0)


def test_intrinsics_put_the_optical_axis_at_the_image_centre_and_fovy_at_the_edges():
    K = intrinsics(60.0, 160, 120)
    T = np.eye(4)
    u, v, _ = world_to_pixel([0.0, 0.0, 3.0], K, T)
    assert (u, v) == pytest.approx((79.5, 59.5))
    # A ray at half the vertical field of view meets the image's top edge (row -0.5).
    _, v_top, _ = world_to_pixel([0.0, -np.tan(np.deg2rad(30.0)), 1.0], K, T)
    assert v_top == pytest.approx(-0.5)


def test_extrinsics_turn_mujocos_backward_looking_frame_into_opencv_axes():
    T = extrinsics(np.array([0.0, 0.0, 1.0]), np.eye(3))  # MuJoCo camera looking down -z
    assert np.allclose(T[:3, 2], [0, 0, -1])  # OpenCV z looks forward
    assert np.allclose(T[:3, 1], [0, -1, 0])  # OpenCV y points down the image
    assert np.linalg.det(T[:3, :3]) == pytest.approx(1.0)


def test_probe_accepts_the_chosen_backend_and_explains_a_broken_one():
    backend = choose_gl_backend()
    assert os.environ["MUJOCO_GL"] == backend
    assert probe_gl_backend(backend) is None
    reason = probe_gl_backend("nonsense")
    assert reason and "nonsense" in reason


def test_no_working_backend_raises_setup_error_naming_debian_packages():
    code = (
        "import os; os.environ.pop('MUJOCO_GL', None)\n"
        "from envs.tabletop.rendering import choose_gl_backend\n"
        "from contracts.errors import SetupError\n"
        "try:\n"
        "    choose_gl_backend(probe=lambda backend: 'cannot open display')\n"
        "except SetupError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "libegl1" in out and "libosmesa6" in out and "apt-get install" in out


@pytest.fixture(scope="module")
def scene_physics():
    from envs.tabletop.physics import TabletopPhysics
    from envs.tabletop.scene import sample_scene

    spec = sample_scene(np.random.default_rng(11), [("cube",), ("cylinder",), ("ball",)], [], 4)
    # Park the gripper in a corner so that no object is hidden behind it.
    spec = dataclasses.replace(spec, gripper_home=(-0.3, 0.4, 0.33, 0.0))
    physics = TabletopPhysics(spec, 256, 256)
    physics.reset()
    return physics


@pytest.mark.parametrize("camera", ["front", "top"])
def test_depth_at_an_objects_projected_top_matches_its_true_distance(scene_physics, camera):
    physics = scene_physics
    cid = physics.camera_ids[camera]
    with CameraRenderer(256, 256) as renderer:
        renderer.bind(physics.model)
        _, depth = renderer.render(physics.data, cid)
    K = intrinsics(physics.camera_fovy(cid), 256, 256)
    T = extrinsics(*physics.camera_pose(cid))
    for obj in physics.spec.objects:
        pos, _ = physics.pose(obj.name)
        top = pos + [0.0, 0.0, obj.half_height]
        u, v, d = world_to_pixel(top, K, T)
        r, c = int(round(float(v))), int(round(float(u)))
        assert 0 <= r < 256 and 0 <= c < 256, obj.name
        assert depth[r, c] == pytest.approx(d, abs=0.012), obj.name
        lifted = pixel_to_world(c, r, depth[r, c], K, T)
        assert np.linalg.norm(lifted - top) < 0.015, obj.name


def test_table_depth_from_the_top_camera_is_its_height_above_the_table(scene_physics):
    physics = scene_physics
    cid = physics.camera_ids["top"]
    with CameraRenderer(64, 64) as renderer:
        renderer.bind(physics.model)
        _, depth = renderer.render(physics.data, cid)
    K = intrinsics(physics.camera_fovy(cid), 64, 64)
    T = extrinsics(*physics.camera_pose(cid))
    v, u = np.mgrid[0:64, 0:64]
    points = pixel_to_world(u, v, depth, K, T)
    on_table = (np.abs(points[..., 0]) < 0.3) & (np.abs(points[..., 1]) < 0.4)
    on_table &= points[..., 2] < 0.004  # excludes objects
    assert on_table.mean() > 0.5
    assert np.abs(points[on_table][:, 2]).max() < 0.004
