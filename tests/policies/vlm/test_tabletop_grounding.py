"""A transformers VLM grounder driving the house tabletop policy on real robot frames.

The tiny Qwen2.5-VL is rigged (at test time) to answer the pixel of the object the seeded
scene asks for, projected from the simulator's privileged state: the reply goes through the
model's smart_resize frame back to the 128x128 observation and on into the planner.
"""

from __future__ import annotations

import functools

import gymnasium as gym
import numpy as np
import pytest

from agent.session import run_episode
from agent.traces import TraceWriter, list_episodes, load_episode
from contracts.actions import EEDelta, parse_action
from contracts.camera import world_to_pixel
from envs.tabletop import register_tabletop_envs
from perception.grounders import make_grounder
from perception.grounding.resize import smart_resize
from policies.base import make_policy

register_tabletop_envs()

pytestmark = pytest.mark.slow

SEED = 0
MODEL_SIDE = smart_resize(128, 128, 28, 56 * 56, 28 * 28 * 1280)[0]  # 140: the model's frame
NO_POINT_REPLY = "no cube"


def _object_pixel(env_id: str) -> tuple[np.ndarray, np.ndarray]:
    """The goal object's top centre in observation pixels, and the object's world position."""
    env = gym.make(env_id)
    try:
        _, info = env.reset(seed=SEED)
    finally:
        env.close()
    p, cam = info["privileged"], info["cameras"]["front"]
    obj = p["objects"][p["goal"]["object"]]
    top = np.asarray(obj["pos"], float) + [0.0, 0.0, obj["half_height"]]
    u, v, _ = world_to_pixel(top[None], cam["K"], cam["T_world_camera"])
    return np.array([u[0], v[0]]), np.asarray(obj["pos"], float)


@functools.cache
def _tokenizer():
    from training.tiny_models import train_tokenizer

    return train_tokenizer()


def _distinct_tokens(reply: str) -> bool:
    """Whether the bigram-wired tiny model can say `reply` (no token recurs)."""
    ids = _tokenizer()("\n" + reply, add_special_tokens=False)["input_ids"]
    return len(ids) == len(set(ids))


def _point_reply(obs_px: np.ndarray) -> tuple[str, np.ndarray]:
    """A sayable Qwen point reply nearest `obs_px`, and where it lands in observation pixels."""
    mx, my = obs_px * MODEL_SIDE / 128
    near = sorted(
        ((round(mx) + dx, round(my) + dy) for dx in range(-3, 4) for dy in range(-3, 4)),
        key=lambda p: (p[0] - mx) ** 2 + (p[1] - my) ** 2,
    )
    for x, y in near:
        reply = f'{{"point_2d": [{x}, {y}]}}'
        if _distinct_tokens(reply):
            return reply, np.array([x, y]) * 128 / MODEL_SIDE
    raise AssertionError(f"no sayable point near {obs_px}")


@pytest.fixture(scope="module")
def reach_model(tmp_path_factory):
    """A tiny VLM that points at the reach object of seed 0, and where it points."""
    from training.tiny_models import build_tiny_qwen2_5_vl

    obs_px, obj_pos = _object_pixel("handeye/tabletop-reach-v0")
    reply, said_px = _point_reply(obs_px)
    folder = build_tiny_qwen2_5_vl(tmp_path_factory.mktemp("tiny-qwen2_5_vl-reach"), reply=reply)
    return folder, reply, obs_px, said_px, obj_pos


@pytest.fixture(scope="module")
def no_point_model(tmp_path_factory):
    from training.tiny_models import build_tiny_qwen2_5_vl

    assert _distinct_tokens(NO_POINT_REPLY)
    folder = tmp_path_factory.mktemp("tiny-qwen2_5_vl-nopoint")
    return build_tiny_qwen2_5_vl(folder, reply=NO_POINT_REPLY)


def test_vlm_reply_on_robot_frame_maps_through_smart_resize_to_observation_pixels(reach_model):
    folder, reply, obs_px, said_px, _ = reach_model
    env = gym.make("handeye/tabletop-reach-v0")
    try:
        obs, _ = env.reset(seed=SEED)
    finally:
        env.close()
    assert obs["rgb"].shape == (128, 128, 3)
    with make_grounder(model=str(folder), prompt="robot_point", device="cpu") as grounder:
        assert grounder.template.task == "robot_point"
        (raw,) = grounder.generate([obs["rgb"]], [obs["instruction"]])
        g = grounder.parse(raw)
    assert raw.text == reply
    assert raw.frame.span == (MODEL_SIDE, MODEL_SIDE)
    point = np.array([g.target.x, g.target.y])
    np.testing.assert_allclose(point, said_px, atol=1e-6)
    assert np.abs(point - obs_px).max() < 4 * 128 / MODEL_SIDE  # within the sayable nudge


def test_house_policy_with_model_path_reaches_the_object_the_vlm_points_at(reach_model):
    folder, _, _, said_px, obj_pos = reach_model
    env = gym.make("handeye/tabletop-reach-v0")
    policy = make_policy("house", model=str(folder))
    actions, extras = [], []
    try:
        result = run_episode(
            env,
            policy,
            seed=SEED,
            max_steps=20,
            on_step=lambda o: (actions.append(o.action), extras.append(policy.last_extra)),
        )
    finally:
        policy.close()
        env.close()
    assert result.success and result.error is None, result
    assert all(isinstance(parse_action(a), EEDelta) for a in actions)
    assert extras[-1]["skill"] == "reach"
    np.testing.assert_allclose(extras[-1]["object_px"], said_px, atol=0.1)
    start, end = (
        np.linalg.norm(np.asarray(e["state"][:2]) - obj_pos[:2]) for e in (extras[0], extras[-1])
    )
    assert end < start - 0.01, (start, end)


def test_vlm_reply_without_a_point_is_a_grounding_error_recorded_with_the_step(
    no_point_model, tmp_path
):
    env = gym.make("handeye/tabletop-pick-place-v0")
    policy = make_policy("house", model=str(no_point_model))
    try:
        with TraceWriter(tmp_path) as writer:
            result = run_episode(env, policy, seed=SEED, max_steps=6, writer=writer)
        episode = load_episode(tmp_path, list_episodes(tmp_path)[0].episode_id)
    finally:
        policy.close()
        env.close()
    assert result.steps == 6
    assert all(isinstance(parse_action(s.action), EEDelta) for s in episode.steps)
    errors = [s.extra.get("last_error", "") for s in episode.steps]
    assert errors[0] and all(e == errors[0] for e in errors)
    assert "no cube" in errors[0], errors[0]
