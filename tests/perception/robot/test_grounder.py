"""The embedded robot grounder: its pure pieces, the shipped weights on fresh frames, training."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import GroundingError, SetupError
from envs.tabletop import register_tabletop_envs
from perception.grounding import Grounder
from perception.robot.grounder import (
    HEAT_SIZE,
    SKILLS,
    WEIGHTS_PATH,
    RobotGrounder,
    cell_to_pixel,
    decode_heatmap,
    encode_words,
    pixel_to_cell,
    prepare_image,
)

register_tabletop_envs()


@given(u=st.floats(-0.5, 200.0), size=st.sampled_from([64, 128, 200]))
def test_pixel_and_heatmap_cell_coordinates_are_inverse(u, size):
    assert float(cell_to_pixel(pixel_to_cell(u, size), size)) == pytest.approx(u, abs=1e-3)


@given(cx=st.floats(1.0, HEAT_SIZE - 2.0), cy=st.floats(1.0, HEAT_SIZE - 2.0))
def test_heatmap_decoding_finds_a_peak_to_a_fraction_of_a_cell(cx, cy):
    ys, xs = np.mgrid[0:HEAT_SIZE, 0:HEAT_SIZE]
    logits = -((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * 0.7**2)
    x, y, peak = decode_heatmap(logits)
    assert abs(x - cx) < 0.35 and abs(y - cy) < 0.35 and 0 < peak <= 1


def test_frames_are_box_filtered_and_depth_planes_stay_empty_without_depth():
    rgb = np.zeros((128, 128, 3), np.uint8)
    rgb[:2, :2] = 255
    x = prepare_image(rgb, None)
    assert x.shape == (5, 64, 64) and x[0, 0, 0] == pytest.approx(1.0)
    assert not x[3:].any()
    d = prepare_image(rgb, np.full((128, 128), 0.9, np.float32))
    assert d[4].min() == 1.0 and np.allclose(d[3], 0.0)
    assert prepare_image(np.zeros((96, 160, 3), np.uint8), None).shape == (5, 64, 64)
    with pytest.raises(GroundingError, match="depth"):
        prepare_image(rgb, np.zeros((10, 10), np.float32))


def test_unknown_words_map_to_the_unknown_token():
    vocab = {"<pad>": 0, "<unk>": 1, "red": 2, "cube": 3}
    assert encode_words("Grab the RED cube!", vocab) == [1, 1, 2, 3]
    assert encode_words("", vocab) == [1]


def test_missing_weights_say_how_to_train_them(tmp_path):
    with pytest.raises(SetupError, match="train_robot_grounder"):
        RobotGrounder(tmp_path / "none.pt")


@pytest.fixture(scope="module")
def grounder():
    g = RobotGrounder()
    yield g
    g.close()


def _label(info):
    p, cam = info["privileged"], info["cameras"]["front"]
    obj = p["objects"][p["goal"]["object"]]
    from contracts.camera import world_to_pixel

    u, v, _ = world_to_pixel(
        obj["pos"] + [0, 0, obj["half_height"]], cam["K"], cam["T_world_camera"]
    )
    return np.array([float(u), float(v)])


@pytest.mark.parametrize("randomize", [False, True])
def test_shipped_grounder_points_at_the_named_object_on_unseen_scenes(grounder, randomize):
    assert isinstance(grounder, Grounder) and WEIGHTS_PATH.stat().st_size < 5_000_000
    hits, skills = 0, 0
    for task in ("pick-place", "push", "stack", "reach"):
        env = gym.make(f"handeye/tabletop-{task}-v0", randomize=randomize)
        try:
            for seed in (900_001, 900_002):
                obs, info = env.reset(seed=seed)
                g = grounder.ground(obs["rgb"], obs["instruction"], depth=obs["depth"])
                obj = next(p for p in g.points if p.label == "object")
                hits += np.linalg.norm(np.array([obj.x, obj.y]) - _label(info)) <= 5.0
                skills += (
                    g.tool_call["name"]
                    == SKILLS[("pick-place", "push", "stack", "reach").index(task)]
                )
                assert g.latency_s > 0 and g.format == "robot-heatmap"
        finally:
            env.close()
    assert skills == 8 and hits >= 7, (hits, skills)


@pytest.mark.slow
def test_training_script_writes_weights_the_grounder_loads(tmp_path):
    from training.train_robot_grounder import parse_args, train

    out = tmp_path / "g.pt"
    args = parse_args(
        ["--samples", "8", "--workers", "1", "--steps", "2", "--batch", "4", "--out", str(out)]
    )
    report = train(args)
    assert report["frames"] == 8 and out.exists() and report["weights_bytes"] < 2_000_000
    g = RobotGrounder(out)
    rgb = np.zeros((128, 128, 3), np.uint8)
    assert len(g.ground(rgb, "push the red cube to the left edge").points) == 2
