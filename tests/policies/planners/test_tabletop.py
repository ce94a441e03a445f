"""The pixel -> 3D planner: pure geometry (property-based), closed-loop scripts, real frames."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.camera import world_to_pixel
from contracts.errors import ActionError
from envs.tabletop import register_tabletop_envs
from envs.tabletop.rendering import extrinsics, intrinsics
from envs.tabletop.scene import CAMERAS, xyaxes
from policies.planners.tabletop import (
    MotionScript,
    TabletopPlanner,
    TabletopPlannerConfig,
    Waypoint,
    footprint,
    nearest_yaw,
    ray_to_plane,
    wrap,
)

register_tabletop_envs()
CFG = TabletopPlannerConfig()


def _front_camera(size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    pos, look, fovy = CAMERAS["front"]
    ax = np.array(xyaxes(pos, look))
    right, up = ax[:3], ax[3:]
    mat = np.stack([right, up, np.cross(right, up)], axis=1)
    return intrinsics(fovy, size, size), extrinsics(np.array(pos), mat)


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(-0.3, 0.3),
    y=st.floats(-0.3, 0.3),
    z=st.floats(0.0, 0.1),
    size=st.sampled_from([64, 128]),
)
def test_ray_through_a_projected_point_meets_its_height_plane_at_the_point(x, y, z, size):
    K, T = _front_camera(size)
    u, v, _ = world_to_pixel(np.array([x, y, z]), K, T)
    np.testing.assert_allclose(ray_to_plane(float(u), float(v), K, T, z), [x, y, z], atol=1e-7)


def test_ray_above_the_horizon_is_an_error_not_a_point_behind_the_camera():
    K, T = _front_camera()
    with pytest.raises(ActionError, match="horizon"):
        ray_to_plane(64.0, 0.0, K, T, 2.0)


@settings(max_examples=40, deadline=None)
@given(
    yaw=st.floats(-math.pi, math.pi),
    width=st.floats(0.02, 0.04),
    extra=st.floats(0.012, 0.03),
)
def test_footprint_recovers_a_rectangles_narrow_side_and_direction(yaw, width, extra):
    length = width + extra
    a, b = np.meshgrid(
        np.linspace(-length / 2, length / 2, 25), np.linspace(-width / 2, width / 2, 15)
    )
    local = np.stack([a.ravel(), b.ravel()], axis=1)
    rot = np.array([[math.cos(yaw), -math.sin(yaw)], [math.sin(yaw), math.cos(yaw)]])
    w, ln, got = footprint(local @ rot.T + np.array([0.1, -0.05]))
    assert w == pytest.approx(width, rel=0.1) and ln == pytest.approx(length, rel=0.1)
    assert abs(wrap(2 * (got - yaw))) < math.radians(8)  # direction is defined modulo pi


@given(
    current=st.floats(-10, 10),
    base=st.floats(-10, 10),
    period=st.sampled_from([math.pi, math.pi / 2]),
)
def test_nearest_yaw_is_within_half_a_period_and_congruent_to_the_base(current, base, period):
    got = nearest_yaw(current, base, period)
    assert abs(got - current) <= period / 2 + 1e-9
    k = (got - base) / period
    assert abs(k - round(k)) < 1e-6


def _proprio(tcp, yaw=0.0, gap=0.09):
    return np.array([*tcp, math.sin(yaw), math.cos(yaw), gap])


def test_script_moves_in_straight_bounded_steps_and_finishes():
    script = MotionScript("t", [Waypoint("goal", (0.1, 0.2, 0.1), 0.0, -1.0)], CFG)
    tcp = np.array([0.0, 0.0, 0.1])
    for _ in range(20):
        a = script.next_action(_proprio(tcp))
        if a is None:
            break
        d = np.array([a.dx, a.dy, a.dz])
        assert np.max(np.abs(d)) <= CFG.max_step + 1e-12
        assert abs(d[0] * 0.2 - d[1] * 0.1) < 1e-9  # stays on the line to the goal
        tcp = tcp + d
    assert script.status == "done"


def test_object_lost_before_it_was_ever_held_is_a_miss_and_later_a_slip():
    wps = [Waypoint("lift", (0.0, 0.0, 0.2), 0.0, 1.0, holding=True)]
    missed = MotionScript("pick", list(wps), CFG)
    assert missed.next_action(_proprio((0, 0, 0.1), gap=0.001)) is None
    assert missed.status == "failed" and "missed" in missed.error
    slipped = MotionScript("pick", list(wps), CFG)
    assert slipped.next_action(_proprio((0, 0, 0.1), gap=0.04)) is not None
    assert slipped.next_action(_proprio((0, 0, 0.13), gap=0.002)) is None
    assert "slipped" in slipped.error


def test_unreachable_waypoint_fails_with_a_reason_when_it_must_be_reached():
    script = MotionScript("t", [Waypoint("far", (0.0, 0.0, 0.3), 0.0, 1.0, max_steps=2)], CFG)
    stuck = _proprio((0.0, 0.0, 0.1))
    assert script.next_action(stuck) is not None and script.next_action(stuck) is not None
    assert script.next_action(stuck) is None and "could not reach far" in script.error


@pytest.fixture(scope="module")
def pick_scene():
    env = gym.make("handeye/tabletop-pick-place-v0")
    obs, info = env.reset(seed=11)
    yield obs, info
    env.close()


def test_object_under_a_pixel_is_located_within_a_centimetre_from_depth_alone(pick_scene):
    obs, info = pick_scene
    priv = info["privileged"]
    name = priv["goal"]["object"]
    obj = priv["objects"][name]
    top = obj["pos"] + [0, 0, obj["half_height"]]
    u, v, _ = world_to_pixel(top, obs["K"].astype(float), obs["T_world_camera"].astype(float))
    est = TabletopPlanner().locate_object(obs, float(u), float(v))
    assert np.linalg.norm(est.centre[:2] - obj["pos"][:2]) < 0.01
    assert est.top_z == pytest.approx(2 * obj["half_height"], abs=0.006)


def test_pixel_on_bare_table_has_no_object_and_off_table_place_is_unreachable(pick_scene):
    obs, _ = pick_scene
    planner = TabletopPlanner()
    K, T = obs["K"].astype(float), obs["T_world_camera"].astype(float)
    u, v, _ = world_to_pixel(np.array([0.27, 0.3, 0.0]), K, T)  # a bare far table corner
    with pytest.raises(ActionError, match="no object"):
        planner.locate_object(obs, float(u), float(v))
    obs_held = {**obs, "proprio": _proprio((0.0, 0.0, 0.14), gap=0.04)}
    with pytest.raises(ActionError, match="unreachable"):
        planner.plan_place(obs_held, 64.0, 2.0)  # the far wall, beyond the table
