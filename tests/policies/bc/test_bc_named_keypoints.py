"""The named-object keypoints: labels land on the named object, move with augmentation, load."""

from __future__ import annotations

from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest
import torch

from agent.bc_demonstrations import load_demonstrations
from agent.session import run_episodes
from agent.traces import TraceWriter
from envs.tabletop import register_tabletop_envs
from envs.tabletop.scene import COLOURS
from policies.bc.network import BCModelConfig, build_network
from policies.bc.training import (
    BCTrainConfig,
    Demonstrations,
    _shifted,
    heatmap_loss,
    train_bc,
)
from policies.experts.tabletop_dart import DartExpert

register_tabletop_envs()

PICK = "handeye/tabletop-pick-place-v0"


def colour_distance_near(rgb: np.ndarray, uv: list[float], colour: str, radius: int = 2) -> float:
    """Smallest RGB distance (0-255 units) to `colour` within `radius` pixels of (u, v)."""
    u, v = round(uv[0]), round(uv[1])
    window = rgb[max(0, v - radius) : v + radius + 1, max(0, u - radius) : u + radius + 1]
    want = np.array(COLOURS[colour]) * 255
    return float(np.linalg.norm(window.astype(float) - want, axis=-1).min())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dart_expert_labels_the_named_object_and_its_bowl_where_they_are_drawn(seed):
    env = gym.make(PICK, width=96, height=96)
    try:
        obs, info = env.reset(seed=seed)
    finally:
        env.close()
    expert = DartExpert(seed=0)
    expert.reset(obs["instruction"])
    expert.act(obs, info)
    obj_uv, target_uv = expert.last_extra["keypoints"]
    p = info["privileged"]
    obj = p["objects"][p["goal"]["object"]]["colour"]
    target = p["goal"]["target"].split("_")[0]  # "red_bowl" -> "red"
    others = [o["colour"] for n, o in p["objects"].items() if n != p["goal"]["object"]]
    named = colour_distance_near(obs["rgb"], obj_uv, obj)
    assert named < 90, f"{obs['instruction']}: no {obj} pixel near {obj_uv}"
    assert all(named < colour_distance_near(obs["rgb"], obj_uv, c) for c in others if c != obj)
    assert colour_distance_near(obs["rgb"], target_uv, target) < 90


@pytest.mark.parametrize("seed", range(5))
def test_random_shift_reports_how_far_the_content_moved(seed):
    gen = torch.Generator().manual_seed(seed)
    images = torch.zeros(4, 3, 16, 16)
    rng = np.random.default_rng(seed)
    spots = rng.integers(3, 13, size=(4, 2))  # (u, v) away from the border
    for i, (u, v) in enumerate(spots):
        images[i, :, v, u] = 1.0
    shifted, moved = _shifted(images, 3, gen)
    for i, (u, v) in enumerate(spots):
        du, dv = moved[i].long().tolist()
        assert shifted[i, 0, v + dv, u + du] == 1.0 and shifted[i, 0].sum() == 1.0


def test_heatmap_loss_prefers_the_labelled_cell_and_skips_unknown_labels():
    label = torch.tensor([[[0.0, 0.0], [float("nan"), float("nan")]]])
    right = torch.full((1, 2, 5, 5), -5.0)
    right[0, :, 2, 2] = 5.0
    wrong = torch.full((1, 2, 5, 5), -5.0)
    wrong[0, :, 0, 4] = 5.0
    assert heatmap_loss(right, label) < 0.1 < heatmap_loss(wrong, label)
    other = wrong.clone()
    other[0, 1] = torch.randn(5, 5)  # the unlabelled slot's map does not count
    assert torch.isclose(heatmap_loss(other, label), heatmap_loss(wrong, label))


def test_word_order_reaches_the_slots_a_bag_of_words_cannot_tell_apart():
    torch.manual_seed(0)
    config = BCModelConfig(height=16, width=16, vocab=("blue", "bowl", "cube", "red"), slots=2)
    net = build_network(config)
    a = config.token_ids("put the red cube in the blue bowl")
    b = config.token_ids("put the blue cube in the red bowl")
    assert (
        config.bag_of_words("red cube blue bowl") == config.bag_of_words("blue cube red bowl")
    ).all()
    image = torch.rand(1, 3, 16, 16)
    state, text = (
        torch.zeros(1, 6),
        torch.from_numpy(config.bag_of_words("red cube blue bowl"))[None],
    )
    _, heat_a = net(image, state, text, torch.from_numpy(a)[None], keypoints=True)
    _, heat_b = net(image, state, text, torch.from_numpy(b)[None], keypoints=True)
    assert heat_a.shape == (1, 2, 8, 8) and not torch.allclose(heat_a, heat_b)


def test_labels_from_a_dart_trace_load_with_the_demonstrations(tmp_path):
    env = gym.make(PICK, width=32, height=32)
    try:
        with TraceWriter(tmp_path) as writer:
            run_episodes(env, DartExpert(seed=0), [0], env_id=PICK, max_steps=6, writer=writer)
    finally:
        env.close()
    demos = load_demonstrations(tmp_path, only_success=False)
    assert demos.keypoints is not None and demos.keypoints.shape == (len(demos.images), 2, 2)
    assert np.isfinite(demos.keypoints).all() and (demos.keypoints >= 0).all()
    assert demos.first(1).keypoints.shape == demos.keypoints.shape


def test_named_head_needs_slots_and_acts_from_the_named_keypoints_alone():
    from contracts.errors import ConfigError

    with pytest.raises(ConfigError, match="slots > 0"):
        BCModelConfig(height=16, width=16, vocab=("red",), head="named")
    torch.manual_seed(0)
    config = BCModelConfig(height=16, width=16, vocab=("red", "cube"), slots=1, head="named")
    net = build_network(config)
    tokens = torch.from_numpy(config.token_ids("reach the red cube"))[None]
    state, text = torch.zeros(1, 6), torch.ones(1, 2)
    image = torch.zeros(1, 3, 16, 16)
    image[0, 0, 4, 4] = 1.0
    base = net(image, state, text, tokens)
    # Pixels the named heat map ignores (its slot's logits do not change) cannot move the action.
    with torch.no_grad():
        net.named.log_scale.fill_(-30.0)  # a flat heat map: keypoint (0, 0) whatever the image
    flat_a = net(image, state, text, tokens)
    flat_b = net(torch.rand(1, 3, 16, 16), state, text, tokens)
    assert torch.allclose(flat_a, flat_b, atol=1e-5) and base.shape == (1, 1, 5)


def test_open_labels_only_drops_the_object_label_while_the_gripper_is_closed(tmp_path):
    rng = np.random.default_rng(13000)
    n = 48
    actions = np.zeros((n, 5), np.float32)
    actions[:, 4] = np.where(np.arange(n) % 16 >= 8, 1.0, -1.0)  # closed on half the frames
    keypoints = rng.uniform(2, 13, size=(n, 2, 2)).astype(np.float32)
    demos = Demonstrations(
        rng.integers(0, 255, (n, 16, 16, 3), dtype=np.uint8),
        rng.normal(size=(n, 6)).astype(np.float32),
        actions,
        np.repeat(np.arange(3), 16),
        ("put the red cube in the blue bowl",) * 3,
        keypoints=keypoints,
    )
    closed = actions[:, 4] > 0
    moved_object = keypoints.copy()
    moved_object[closed, 0] = 1.0  # a held object's label: wherever the gripper took it
    moved_target = keypoints.copy()
    moved_target[closed, 1] = 1.0

    def losses(labels: np.ndarray, open_only: bool, name: str) -> list[float]:
        config = BCTrainConfig(
            out=str(tmp_path / name),
            epochs=2,
            batch=16,
            channels=(8, 16, 16),
            shift=0,
            open_labels_only=open_only,
            threads=1,
        )
        return train_bc(replace(demos, keypoints=labels), config).losses

    base = losses(keypoints, True, "base")
    # The object's label on closed frames no longer teaches anything; the target's still does.
    assert losses(moved_object, True, "object") == base
    assert losses(moved_target, True, "target") != base
    assert losses(moved_object, False, "all") != losses(keypoints, False, "all_base")
