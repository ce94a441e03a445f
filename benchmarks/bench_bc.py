"""Behaviour cloning: success against the number of expert demonstrations, beside its peers.

For each task and each demo count N (first N episodes of a recorded expert trace folder), train
`handeye train bc`'s loop for the same number of gradient steps, then run `--policy bc` through
`agent.evaluation.evaluate` on held-out seeds from 100000 (record traces below them). Peers on
the same seeds: the privileged tabletop expert (the ceiling) and the untrained net (the floor).
Prints JSON, writes benchmarks/plots/bc_<task>.json and redraws bc_curve.png from every bc_*.json.

    python -m benchmarks.bench_bc --task reach --data /tmp/bc-data/reach --demos 10,50,200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

PLOTS = Path(__file__).resolve().parent / "plots"
ENV_IDS = {"reach": "handeye/tabletop-reach-v0", "pick_place": "handeye/tabletop-pick-place-v0"}


@dataclass(frozen=True)
class BenchBCConfig:
    """One curve: a task, its demonstrations, the demo counts, the step budget, the eval."""

    task: str = "reach"
    data: str = "/tmp/bc-data/reach"
    demos: str = "10,50,200"
    steps: int = 6000  # gradient steps per model, whatever N (same compute for every point)
    max_epochs: int = 0  # cap on passes over the data (0: none), to spare few-demo overfitting
    batch: int = 32
    chunk: int = 1
    lr: float = 2e-3
    shift: int = 2  # random-shift augmentation (pixels)
    slots: int = 2  # named-object keypoints (0, with head "all": session 9's net)
    keypoint_weight: float = 1.0  # auxiliary keypoint loss where the traces carry labels
    grip_weight: float = 1.0  # weight of the grip command in the L1 (pick-place: when to close)
    grip_change_weight: float = 1.0  # extra factor where the expert's grip flips (close, release)
    onset_weight: float = 1.0  # extra factor where the expert's dz jumps (descend, lift, lower)
    open_labels_only: bool = False  # object keypoint labels only where the expert's grip is open
    head: str = "named"  # "named": the action MLP sees named keypoints + proprio + words only
    lift: bool = False  # named keypoints also as table xy relative to the tcp (calibration)
    eval_episodes: int = 50
    eval_seed: int = 100_000  # held out: record the expert traces on seeds below it
    runs: str = "/tmp/bc-runs/bench"
    size: int = 64  # env render size; must match the traces
    objects: int = 0  # objects on the table (0: the env's default 3-5); must match the traces


def _success(policy: str, config: BenchBCConfig, **policy_kwargs: object) -> dict:
    from agent.evaluation import evaluate

    t0 = time.perf_counter()
    reports, _ = evaluate(
        [ENV_IDS[config.task]],
        policy,
        episodes=config.eval_episodes,
        seed=config.eval_seed,
        env_kwargs={
            "width": config.size,
            "height": config.size,
            **(
                {"min_objects": config.objects, "max_objects": config.objects}
                if config.objects
                else {}
            ),
        },
        policy_kwargs=dict(policy_kwargs),
    )
    r = reports[0]
    return {
        "success": r.success_rate,
        "mean_steps": r.mean_steps,
        "eval_s": round(time.perf_counter() - t0, 1),
    }


def draw_curve(results: list[dict], path: Path) -> None:
    """Success (%) against demos (log axis), one line per task, BC and the expert's level."""
    from PIL import Image, ImageDraw

    w, h, pad = 640, 400, 50
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([pad, pad, w - pad, h - pad], outline=(160, 160, 160))
    d.text((pad, 12), "behaviour cloning: held-out success vs expert demonstrations", fill="black")
    ns = sorted({p["demos"] for r in results for p in r["points"]}) or [1]
    lo, hi = math.log(min(ns)), math.log(max(ns)) if max(ns) > min(ns) else math.log(min(ns)) + 1

    def xy(n: float, s: float) -> tuple[float, float]:
        x = pad + (w - 2 * pad) * (math.log(n) - lo) / (hi - lo)
        return x, h - pad - (h - 2 * pad) * s

    for s in (0.0, 0.5, 0.8, 1.0):
        y = xy(ns[0], s)[1]
        d.line([(pad, y), (w - pad, y)], fill=(225, 225, 225))
        d.text((8, y - 6), f"{100 * s:.0f}%", fill="black")
    for n in ns:
        d.text((xy(n, 0)[0] - 8, h - pad + 8), str(n), fill="black")
    colours = [(30, 90, 200), (200, 60, 40), (40, 150, 60)]
    for i, r in enumerate(results):
        c = colours[i % len(colours)]
        pts = [xy(p["demos"], p["bc"]["success"]) for p in r["points"]]
        if len(pts) > 1:
            d.line(pts, fill=c, width=2)
        for x, y in pts:
            d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=c)
        ey = xy(ns[0], r["expert"]["success"])[1]
        d.line([(pad, ey), (w - pad, ey)], fill=c, width=1)
        d.text((pad + 8, pad + 8 + 14 * i), f"{r['task']} (line: expert)", fill=c)
    d.text((w // 2 - 40, h - 22), "expert episodes", fill="black")
    img.save(path)


def run(config: BenchBCConfig) -> dict:
    """Train and evaluate one model per demo count; the JSON result."""
    from agent.bc_demonstrations import load_demonstrations
    from policies.bc.network import build_network, save_model
    from policies.bc.training import BCTrainConfig, model_config, train_bc

    os.environ.setdefault("MUJOCO_GL", "egl")
    all_demos = load_demonstrations(config.data)
    counts = [int(n) for n in config.demos.split(",")]
    runs = Path(config.runs) / config.task
    points = []
    for n in counts:
        demos = all_demos.first(n)
        per_epoch = math.ceil(len(demos.images) / config.batch)
        epochs = max(1, round(config.steps / per_epoch))
        if config.max_epochs:
            epochs = min(epochs, config.max_epochs)
        train = BCTrainConfig(
            out=str(runs / f"n{n}"),
            epochs=epochs,
            lr=config.lr,
            batch=config.batch,
            chunk=config.chunk,
            shift=config.shift,
            slots=config.slots,
            keypoint_weight=config.keypoint_weight,
            grip_weight=config.grip_weight,
            grip_change_weight=config.grip_change_weight,
            onset_weight=config.onset_weight,
            open_labels_only=config.open_labels_only,
            head=config.head,
            lift=config.lift,
            overwrite=True,
            resume=False,
        )
        result = train_bc(demos, train)
        bc = _success("bc", config, model=str(result.out))
        points.append(
            {
                "demos": demos.n_episodes,
                "frames": len(demos.images),
                "epochs": epochs,
                "train_steps": result.steps,
                "train_s": round(result.seconds, 1),
                "loss_first_last": [round(result.first_loss, 4), round(result.last_loss, 4)],
                "bc": bc,
            }
        )
        print(json.dumps(points[-1]), flush=True)
    import torch

    torch.manual_seed(0)
    untrained_dir = runs / "untrained"
    untrained_dir.mkdir(parents=True, exist_ok=True)
    mcfg = model_config(all_demos, replace(train, out=str(untrained_dir)))
    save_model(build_network(mcfg).eval(), mcfg, untrained_dir)
    return {
        "bench": "bc",
        "task": config.task + (f" ({config.objects} object)" if config.objects else ""),
        "env_id": ENV_IDS[config.task],
        "config": asdict(config),
        "points": points,
        "untrained": _success("bc", config, model=str(untrained_dir)),
        "expert": _success("tabletop-expert", config),
        "load_avg": os.getloadavg(),
        "torch_threads": 1,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = BenchBCConfig()
    for f, v in asdict(defaults).items():
        if isinstance(v, bool):
            p.add_argument(
                f"--{f.replace('_', '-')}", action=argparse.BooleanOptionalAction, default=v
            )
        else:
            p.add_argument(f"--{f.replace('_', '-')}", type=type(v), default=v)
    args = p.parse_args()
    config = BenchBCConfig(**vars(args))
    result = run(config)
    PLOTS.mkdir(parents=True, exist_ok=True)
    name = config.task + (f"_{config.objects}obj" if config.objects else "")
    (PLOTS / f"bc_{name}.json").write_text(json.dumps(result, indent=2))
    everything = [json.loads(f.read_text()) for f in sorted(PLOTS.glob("bc_*.json"))]
    draw_curve(everything, PLOTS / "bc_curve.png")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
