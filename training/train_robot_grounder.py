"""Train the embedded robot grounder on frames the tabletop env renders, labelled from sim state.

Reads top to bottom like a cleanrl script: render a seeded dataset (half of it with domain
randomization, half of the frames with the gripper moved somewhere random), train the small
FiLM CNN of `perception.robot.grounder`, report held-out errors, save the weights. Every
number comes from the seed, so a rerun rebuilds the same data and nearly the same weights
(CPU float reductions vary slightly with thread count).

    nice -n 10 python -m training.train_robot_grounder   # ~10 min idle, 25 min busy (2 cores)
    python -m training.train_robot_grounder --samples 400 --steps 20 --out /tmp/g.pt
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from perception.robot.grounder import (
    HEAT_SIZE,
    MAX_TOKENS,
    PAD,
    SKILLS,
    UNK,
    WEIGHTS_PATH,
    GrounderNetConfig,
    build_net,
    cell_to_pixel,
    decode_heatmap,
    prepare_image,
    save_weights,
    tokenize,
)

TASK_WEIGHTS = {"pick_place": 0.35, "push": 0.35, "stack": 0.15, "reach": 0.15}
FRAME_SIZE = 128  # labels are in the pixels of these frames


@dataclass(frozen=True)
class Args:
    """Data and training budget; CLI flags map 1:1 to these fields."""

    seed: int = 0
    samples: int = 14000  # frames, two per rendered scene
    workers: int = 2  # processes rendering the data
    steps: int = 1500
    batch: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-4
    val_fraction: float = 0.05
    heat_sigma: float = 0.8  # heatmap target spread, cells
    depth_dropout: float = 0.15  # fraction of training frames shown without depth
    threads: int = 1  # one thread: reproducible sums, and faster on a busy 2-core machine
    out: str = str(WEIGHTS_PATH)
    data_cache: str = ""  # .npz to reuse the rendered frames across runs (written if absent)


# --- data -------------------------------------------------------------------------------------


def _labels(info: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Object and target points (2, 2) in frame pixels, and which of them exist."""
    from contracts.camera import world_to_pixel

    p, cam = info["privileged"], info["cameras"]["front"]
    goal = p["goal"]
    obj = p["objects"][goal["object"]]
    points = [obj["pos"] + np.array([0.0, 0.0, obj["half_height"]])]
    valid = [True]
    if goal["task"] == "pick_place":
        points.append(np.r_[p["targets"][goal["target"]]["pos"][:2], 0.004])
    elif goal["task"] == "stack":
        base = p["objects"][goal["target"]]
        points.append(base["pos"] + np.array([0.0, 0.0, base["half_height"]]))
    elif goal["task"] == "push":
        points.append(np.r_[np.asarray(goal["goal_xy"], dtype=float), 0.0])
    valid.append(len(points) == 2)
    if len(points) == 1:
        points.append(points[0])
    u, v, _ = world_to_pixel(np.stack(points), cam["K"], cam["T_world_camera"])
    return np.stack([u, v], axis=1).astype(np.float32), np.array(valid)


def _wander(env: Any, rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """Drive the gripper a few steps towards a random point (it may bump things); last obs, info."""
    from contracts.actions import EEDelta

    goal = rng.uniform([-0.2, -0.3, 0.05], [0.22, 0.3, 0.25])
    grip = float(rng.choice([-1.0, 1.0]))
    for _ in range(int(rng.integers(2, 8))):
        tcp = np.asarray(env.unwrapped.physics.tcp, dtype=float)
        delta = np.clip(goal - tcp, -0.03, 0.03)
        obs, _, _, _, info = env.step(EEDelta(*map(float, delta), dyaw=0.0, grip=grip))
    return obs, info


def render_shard(args: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """Render frames [start, stop) of the dataset whose seed is `seed` (one worker's share)."""
    import gymnasium as gym

    from envs.tabletop import register_tabletop_envs

    seed, start, stop = args
    register_tabletop_envs()
    envs: dict[tuple[str, bool], Any] = {}
    out: dict[str, list] = {k: [] for k in ("image", "points", "valid", "skill", "text")}
    tasks, weights = list(TASK_WEIGHTS), np.array(list(TASK_WEIGHTS.values()))
    try:
        for scene in range(start // 2, (stop + 1) // 2):
            rng = np.random.default_rng([seed, scene])
            task = tasks[int(rng.choice(len(tasks), p=weights / weights.sum()))]
            randomize = scene % 2 == 1
            key = (task, randomize)
            if key not in envs:
                env_id = f"handeye/tabletop-{task.replace('_', '-')}-v0"
                envs[key] = gym.make(env_id, randomize=randomize, max_episode_steps=1000)
            env = envs[key]
            obs, info = env.reset(seed=int(rng.integers(2**31)))
            frames = [(obs, info), _wander(env, rng)]
            for k, (o, i) in enumerate(frames):
                if not start <= 2 * scene + k < stop:
                    continue
                points, valid = _labels(i)
                out["image"].append(prepare_image(o["rgb"], o["depth"]).astype(np.float16))
                out["points"].append(points)
                out["valid"].append(valid)
                out["skill"].append(SKILLS.index(task))
                out["text"].append(o["instruction"])
    finally:
        for env in envs.values():
            env.close()
    arrays = {k: np.stack(v) for k, v in out.items() if k != "text"}
    return {**arrays, "text": np.array(out["text"], dtype=object)}


def render_dataset(args: Args) -> dict[str, np.ndarray]:
    """All frames, rendered by `args.workers` processes in fixed shards (order is seed-stable)."""
    bounds = np.linspace(0, args.samples, max(args.workers, 1) + 1).astype(int)
    bounds = [int(b) // 2 * 2 for b in bounds]
    jobs = [(args.seed, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    if args.workers > 1:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(args.workers) as pool:
            shards = pool.map(render_shard, jobs)
    else:
        shards = [render_shard(j) for j in jobs]
    return {k: np.concatenate([s[k] for s in shards]) for k in shards[0]}


def build_vocab(texts: np.ndarray) -> dict[str, int]:
    """Word -> id over the training instructions (0 is padding, 1 unknown), sorted for stability."""
    words = sorted({w for t in texts for w in tokenize(str(t))})
    return {PAD: 0, UNK: 1, **{w: i + 2 for i, w in enumerate(words)}}


def encode_texts(texts: np.ndarray, vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Padded token ids (N, MAX_TOKENS) and lengths (N,)."""
    tokens = np.zeros((len(texts), MAX_TOKENS), np.int64)
    lengths = np.zeros(len(texts), np.int64)
    for i, t in enumerate(texts):
        ids = [vocab.get(w, vocab[UNK]) for w in tokenize(str(t))] or [vocab[UNK]]
        tokens[i, : len(ids)] = ids
        lengths[i] = len(ids)
    return tokens, lengths


# --- training ---------------------------------------------------------------------------------


def augment(torch: Any, x: Any, pts: Any, gen: Any, args: Args) -> tuple[Any, Any]:
    """Random scale/rotation/shift (labels follow), colour gain, noise and depth dropout."""
    from torch.nn import functional as F

    b = x.shape[0]

    def uniform(lo: float, hi: float, *shape: int) -> Any:
        return lo + (hi - lo) * torch.rand(b, *shape, generator=gen)

    scale, angle = uniform(0.93, 1.07), uniform(-math.radians(3), math.radians(3))
    shift = uniform(-0.08, 0.08, 2)
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    A = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    theta = torch.cat([A, shift[:, :, None]], dim=2)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    norm = (pts + 0.5) / FRAME_SIZE * 2 - 1  # (B, 2, 2) -> the output frame: A^-1 (p - t)
    norm = torch.einsum("bij,bkj->bki", torch.linalg.inv(A), norm - shift[:, None, :])
    pts = (norm + 1) / 2 * FRAME_SIZE - 0.5
    gain = uniform(0.8, 1.2, 1, 1, 1) * uniform(0.94, 1.06, 3, 1, 1)
    rgb = x[:, :3] * gain + 0.02 * torch.randn(x[:, :3].shape, generator=gen)
    keep = (torch.rand(b, 1, 1, 1, generator=gen) >= args.depth_dropout).float()
    x = torch.cat([rgb.clamp(0, 1), x[:, 3:5] * keep], dim=1)
    return x, pts


def heat_targets(torch: Any, pts: Any, sigma: float) -> Any:
    """Normalised Gaussian target distributions (B, 2, 32*32) centred on the labelled cells."""
    cells = (pts + 0.5) * HEAT_SIZE / FRAME_SIZE - 0.5
    grid = torch.arange(HEAT_SIZE, dtype=torch.float32)
    gx = torch.exp(-((grid[None, None] - cells[..., 0:1]) ** 2) / (2 * sigma**2))
    gy = torch.exp(-((grid[None, None] - cells[..., 1:2]) ** 2) / (2 * sigma**2))
    t = (gy[..., :, None] * gx[..., None, :]).flatten(2)
    return t / t.sum(-1, keepdim=True).clamp_min(1e-12)


def evaluate(torch: Any, net: Any, data: dict[str, np.ndarray], idx: np.ndarray) -> dict:
    """Held-out pixel errors (frame pixels) of both points and the skill accuracy."""
    net.eval()
    errs: list[list[float]] = [[], []]
    correct = 0
    with torch.inference_mode():
        for s in range(0, len(idx), 128):
            j = idx[s : s + 128]
            heat, skill = net(
                torch.from_numpy(data["image"][j]).float(),
                torch.from_numpy(data["tokens"][j]),
                torch.from_numpy(data["lengths"][j]),
            )
            correct += int((skill.argmax(1).numpy() == data["skill"][j]).sum())
            for n, i in enumerate(j):
                for k in range(2):
                    if not data["valid"][i, k]:
                        continue
                    cx, cy, _ = decode_heatmap(heat[n, k].numpy())
                    guess = cell_to_pixel(np.array([cx, cy]), FRAME_SIZE)
                    errs[k].append(float(np.linalg.norm(guess - data["points"][i, k])))
    net.train()
    out: dict[str, Any] = {"skill_accuracy": correct / max(len(idx), 1)}
    for k, name in enumerate(("object", "target")):
        e = np.array(errs[k])
        if not len(e):
            out[name] = {"n": 0}
            continue
        out[name] = {
            "median_px": float(np.median(e)),
            "within_4px": float((e <= 4).mean()),
            "within_8px": float((e <= 8).mean()),
            "n": len(e),
        }
    return out


def train(args: Args) -> dict[str, Any]:
    """Render the data, train, evaluate, save; returns the report."""
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    cache = Path(args.data_cache) if args.data_cache else None
    if cache and cache.exists():
        with np.load(cache, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        print(f"loaded {len(data['skill'])} frames from {cache}", flush=True)
    else:
        print(f"rendering {args.samples} frames with {args.workers} workers ...", flush=True)
        data = render_dataset(args)
        if cache:
            np.savez(cache, **{**data, "text": data["text"].astype(str)})
    t_data = time.perf_counter() - t0
    print(f"data: {len(data['skill'])} frames in {t_data:.0f} s", flush=True)
    data["points"] = np.clip(data["points"], 0.0, FRAME_SIZE - 1.0)  # off-frame goals: border
    vocab = build_vocab(data["text"])
    data["tokens"], data["lengths"] = encode_texts(data["text"], vocab)
    n = len(data["skill"])
    order = np.random.default_rng(args.seed).permutation(n)
    n_val = max(1, int(n * args.val_fraction))
    val, train_idx = order[:n_val], order[n_val:]
    cfg = GrounderNetConfig()
    net = build_net(len(vocab), cfg)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1
    )
    gen = torch.Generator().manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + 1)
    valid_all = torch.from_numpy(data["valid"]).float()
    t1 = time.perf_counter()
    for step in range(1, args.steps + 1):
        j = rng.choice(train_idx, size=args.batch, replace=False)
        x = torch.from_numpy(data["image"][j]).float()
        pts = torch.from_numpy(data["points"][j])
        x, pts = augment(torch, x, pts, gen, args)
        heat, skill = net(
            x, torch.from_numpy(data["tokens"][j]), torch.from_numpy(data["lengths"][j])
        )
        logp = torch.log_softmax(heat.flatten(2), dim=-1)
        target = heat_targets(torch, pts, args.heat_sigma)
        per_map = -(target * logp).sum(-1) * valid_all[j]
        loss = per_map.sum() / valid_all[j].sum() + torch.nn.functional.cross_entropy(
            skill, torch.from_numpy(data["skill"][j])
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == args.steps:
            rate = step * args.batch / (time.perf_counter() - t1)
            print(
                f"step {step}/{args.steps} loss {loss.item():.3f} ({rate:.0f} frames/s)", flush=True
            )
    t_train = time.perf_counter() - t1
    report = {
        "frames": n,
        "train_frames": len(train_idx),
        "data_s": round(t_data, 1),
        "train_s": round(t_train, 1),
        "steps": args.steps,
        "batch": args.batch,
        "val": evaluate(torch, net, data, val),
        "args": asdict(args),
    }
    save_weights(Path(args.out), net, vocab, cfg, **report)
    report["weights_bytes"] = Path(args.out).stat().st_size
    return report


def parse_args(argv: list[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Args):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Args(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2))
