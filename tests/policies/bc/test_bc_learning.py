"""BC learns reach from a few expert episodes, reloads exactly, and runs from the CLI."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest
import torch

from agent.bc_demonstrations import load_demonstrations
from agent.cli import main
from agent.session import run_episodes
from agent.traces import TraceWriter
from contracts.errors import ConfigError
from envs.tabletop import register_tabletop_envs
from policies.base import make_policy
from policies.bc.network import build_network, save_model
from policies.bc.policy import BCPolicy
from policies.bc.training import (
    BCTrainConfig,
    Demonstrations,
    chunk_targets,
    dz_onsets,
    grip_changes,
    grip_levels,
    model_config,
    train_bc,
)
from policies.experts.tabletop_dart import DartExpert

register_tabletop_envs()

ENV = "handeye/tabletop-reach-v0"
SMALL = {"width": 32, "height": 32, "min_objects": 1, "max_objects": 1}
TINY = (8, 16, 16)  # conv widths of the test nets


def record(root, seeds, noise=0.3):
    """Expert reach episodes (DART noise on what runs, clean labels) recorded into a trace."""
    env = gym.make(ENV, **SMALL)
    try:
        with TraceWriter(root) as writer:
            expert = DartExpert(noise=noise, seed=0)
            results, _ = run_episodes(env, expert, seeds, env_id=ENV, max_steps=40, writer=writer)
    finally:
        env.close()
    assert all(r.success for r in results)
    return root


@pytest.fixture(scope="module")
def reach_trace(tmp_path_factory):
    return record(tmp_path_factory.mktemp("reach"), list(range(24)))


@pytest.fixture(scope="module")
def trained(reach_trace, tmp_path_factory):
    demos = load_demonstrations(reach_trace)
    out = tmp_path_factory.mktemp("runs") / "bc"
    config = BCTrainConfig(out=str(out), epochs=60, batch=32, channels=TINY, shift=1, lr=2e-3)
    return train_bc(demos, config), demos


def final_distances(model_dir, seeds):
    """Fingertip-to-target distance (m) after each held-out episode of the bc policy."""
    env = gym.make(ENV, **SMALL)
    policy = make_policy("bc", model=str(model_dir))
    out = []
    try:
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            policy.reset(obs["instruction"])
            for _ in range(25):
                obs, _, terminated, _, info = env.step(policy.act(obs, {}))
                if terminated:
                    break
            p = info["privileged"]  # evaluation only: the policy never saw it
            out.append(float(np.linalg.norm(p["fingertip"] - p["goal"]["reach_point"])))
    finally:
        env.close()
    return np.array(out)


def test_bc_goes_from_untrained_to_clearly_closer_on_demonstrated_reach_scenes(trained, tmp_path):
    result, demos = trained
    assert result.last_loss < 0.5 * result.first_loss
    torch.manual_seed(0)
    untrained = tmp_path / "untrained"
    untrained.mkdir()
    mcfg = model_config(demos, BCTrainConfig(out=str(untrained), channels=TINY))
    save_model(build_network(mcfg).eval(), mcfg, untrained)
    # Closed loop from the demonstrated start states (a tiny net on 24 scenes does not generalise
    # to new ones; benchmarks/bench_bc.py measures held-out success at 64x64 with 10-200 demos).
    seeds = list(range(8))
    before, after = final_distances(untrained, seeds), final_distances(result.out, seeds)
    print(f"final distance (m): untrained {before.round(3)}, trained {after.round(3)}")
    assert after.mean() < 0.7 * before.mean()


def test_saved_model_reloads_and_gives_identical_actions(trained):
    result, _ = trained
    env = gym.make(ENV, **SMALL)
    try:
        obs, _ = env.reset(seed=5)
    finally:
        env.close()
    a, b = BCPolicy(str(result.out)), BCPolicy(str(result.out))
    a.reset(obs["instruction"])
    b.reset(obs["instruction"])
    assert a.act(obs) == b.act(obs)
    config = json.loads((result.out / "config.json").read_text())
    assert config["height"] == 32 and "reach" in config["vocab"]
    assert len(config["state_mean"]) == 6 and len(config["action_std"]) == 5
    assert (result.out / "loss.png").stat().st_size > 0
    assert not result.out.with_name(result.out.name + ".partial").exists()


def test_chunk_targets_stay_inside_their_episode():
    actions = np.arange(10, dtype=np.float32)[:, None].repeat(5, 1)
    episode = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
    targets, mask = chunk_targets(actions, episode, 3)
    assert targets[1, :, 0].tolist() == [1, 2, 2] and mask[1].tolist() == [1, 1, 0]
    assert targets[9, :, 0].tolist() == [9, 9, 9] and mask[9].tolist() == [1, 0, 0]
    assert targets[3, :, 0].tolist() == [3, 4, 5] and mask[3].tolist() == [1, 1, 1]


def test_temporal_ensemble_averages_the_chunks_that_predicted_this_step(trained, tmp_path):
    result, demos = trained
    out = tmp_path / "chunked"
    train_bc(
        demos.first(4),
        BCTrainConfig(out=str(out), epochs=1, batch=32, chunk=4, channels=TINY),
    )
    policy = BCPolicy(str(out), ensemble=0.0)
    env = gym.make(ENV, **SMALL)
    try:
        obs, _ = env.reset(seed=3)
    finally:
        env.close()
    policy.reset(obs["instruction"])
    first = policy.predict(obs)
    policy.act(obs)
    second = policy.predict(obs)
    action = policy.act(obs)  # the same frame twice: mean of first[1] and second[0]
    expected = (first[1] + second[0]) / 2
    assert np.allclose([action.dx, action.dy, action.dz], expected[:3], atol=1e-5)


def test_interrupted_training_leaves_no_model_and_resumes(reach_trace, tmp_path):
    demos = load_demonstrations(reach_trace).first(6)
    out = tmp_path / "resumed"
    config = BCTrainConfig(out=str(out), epochs=3, batch=16, channels=TINY)
    calls = {"n": 0}

    def stop_in_epoch_two(step, total, loss):
        calls["n"] += 1
        if calls["n"] > total // 3 + 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_bc(demos, config, on_step=stop_in_epoch_two)
    assert not out.exists() and (tmp_path / "resumed.partial" / "checkpoint.pt").is_file()
    result = train_bc(demos, config)
    assert result.out == out and (out / "model.pt").is_file()
    log = [json.loads(s) for s in (out / "train_log.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in log] == [1, 2, 3]


def test_cli_trains_then_evaluates_the_bc_policy(reach_trace, tmp_path, capsys):
    out = tmp_path / "cli-model"
    train = ["train", "bc", "--data", str(reach_trace), "--out", str(out)]
    assert main([*train, "--epochs", "1", "--episodes", "4", "--batch", "16"]) == 0
    assert (out / "model.pt").is_file() and (out / "config.json").is_file()
    report = tmp_path / "eval.json"
    kwargs = json.dumps(SMALL)
    run = ["eval", "--env", ENV, "--policy", "bc", "--model", str(out), "--episodes", "1"]
    assert main([*run, "--max-steps", "5", "--env-kwargs", kwargs, "--json", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["policy"] == "bc"
    assert main(train) == 2
    assert "exists" in capsys.readouterr().err


def grip_demos(n=256, seed=0):
    """Demonstrations whose grip closes exactly when the gripper is low (proprio z < 0)."""
    rng = np.random.default_rng(seed)
    states = rng.normal(size=(n, 6)).astype(np.float32)
    actions = np.zeros((n, 5), np.float32)
    # Large, unpredictable motion targets dominate an unweighted L1, as the reach/carry moves do.
    actions[:, :4] = rng.normal(size=(n, 4)).astype(np.float32)
    actions[:, 4] = np.where(states[:, 2] < 0, 1.0, -1.0)
    images = rng.integers(0, 255, size=(n, 16, 16, 3), dtype=np.uint8)
    episode = np.repeat(np.arange(n // 16), 16)
    return Demonstrations(images, states, actions, episode, ("pick the red cube",) * (n // 16))


def grip_accuracy(model_dir, demos):
    """Share of demonstration steps where the model's grip has the demonstrated sign."""
    policy = BCPolicy(str(model_dir))
    policy.reset(demos.instructions[0])
    hits = [
        np.sign(policy.predict({"rgb": img, "proprio": s})[0, 4]) == np.sign(a[4])
        for img, s, a in zip(demos.images, demos.states, demos.actions, strict=True)
    ]
    return float(np.mean(hits))


def test_grip_weight_is_what_teaches_when_to_close(tmp_path, one_thread):
    demos = grip_demos()
    accuracy = {}
    for weight in (0.0, 5.0):
        config = BCTrainConfig(
            out=str(tmp_path / f"w{weight}"),
            epochs=40,
            batch=32,
            channels=TINY,
            shift=0,
            lr=3e-3,
            grip_weight=weight,
        )
        train_bc(demos, config)
        accuracy[weight] = grip_accuracy(config.out, demos)
    # Unweighted the grip output gets no gradient and stays a guess; weighted it follows z.
    assert accuracy[5.0] > 0.9, accuracy
    assert accuracy[0.0] < 0.75, accuracy


def test_negative_grip_weight_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="grip_weight"):
        BCTrainConfig(out=str(tmp_path / "x"), grip_weight=-1.0)


def test_grip_changes_mark_close_and_release_inside_episodes_only():
    grip = np.array([-1, -1, 1, 1, -1, 1, 1, -1], np.float32)
    actions = np.zeros((8, 5), np.float32)
    actions[:, 4] = grip
    episode = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    assert grip_changes(actions, episode).tolist() == [0, 0, 1, 0, 1, 0, 0, 1]


def waiting_demos(n_episodes=16, seed=0):
    """Episodes of 12 open frames waiting, 1 frame commanding close, 3 frames holding.

    The close frame's state looks like the waiting ones (open fingers, same noise), as the
    expert's last frame before a grasp looks like the frames it spent lining up.
    """
    rng = np.random.default_rng(seed)
    n = 16 * n_episodes
    states = rng.normal(scale=0.1, size=(n, 6)).astype(np.float32)
    phase = np.tile(np.arange(16), n_episodes)
    states[:, 5] = np.where(phase > 12, -1.0, 1.0)  # finger gap: closed while holding
    actions = np.zeros((n, 5), np.float32)
    actions[:, 4] = np.where(phase >= 12, 1.0, -1.0)
    images = np.full((n, 16, 16, 3), 128, np.uint8)
    episode = np.repeat(np.arange(n_episodes), 16)
    return Demonstrations(images, states, actions, episode, ("pick the red cube",) * n_episodes)


def test_grip_change_weight_lets_the_rare_close_frame_outvote_the_waiting(tmp_path, one_thread):
    demos = waiting_demos()
    waiting = {"rgb": demos.images[0], "proprio": np.array([0, 0, 0, 0, 0, 1.0], np.float32)}
    grips = {}
    for weight in (1.0, 30.0):
        config = BCTrainConfig(
            out=str(tmp_path / f"c{weight}"),
            epochs=30,
            batch=32,
            channels=TINY,
            shift=0,
            lr=3e-3,
            slots=0,
            head="all",
            grip_weight=5.0,
            grip_change_weight=weight,
        )
        train_bc(demos, config)
        policy = BCPolicy(config.out)
        policy.reset(demos.instructions[0])
        grips[weight] = float(policy.predict(waiting)[0, 4])
    # 12 waiting frames outvote 1 close frame under L1; weighted 30x the close frame wins.
    assert grips[1.0] < 0 < grips[30.0], grips


def test_the_policy_snaps_grip_to_the_few_commands_the_expert_used(tmp_path, one_thread):
    demos = waiting_demos(n_episodes=2)
    assert grip_levels(demos.actions) == (-1.0, 1.0)
    smooth = demos.actions.copy()
    smooth[:, 4] = np.linspace(-1, 1, len(smooth))
    assert grip_levels(smooth) == ()  # a push-like continuous grip stays continuous
    config = BCTrainConfig(
        out=str(tmp_path / "snap"), epochs=1, batch=16, channels=TINY, slots=0, head="all"
    )
    train_bc(demos, config)
    policy = BCPolicy(config.out)
    policy.reset(demos.instructions[0])
    for img, state in zip(demos.images[:8], demos.states[:8], strict=True):
        assert policy.act({"rgb": img, "proprio": state}).grip in (-1.0, 1.0)


def test_dz_onsets_mark_where_the_vertical_command_jumps_inside_an_episode():
    actions = np.zeros((7, 5), np.float32)
    actions[:, 2] = [0.0, 0.003, -0.03, -0.03, 0.03, 0.0, -0.03]  # hover, descend, lift | new ep
    episode = np.array([0, 0, 0, 0, 0, 0, 1])
    assert dz_onsets(actions, episode).tolist() == [0, 0, 1, 0, 1, 1, 0]
    with pytest.raises(ConfigError, match="onset_weight"):
        BCTrainConfig(out="x", onset_weight=-1.0)
