"""Regenerate the screen detector's data and weights, seeded, on a CPU in about 45 minutes.

    nice -n 10 python -m training.train_screen_detector            # data + train
    nice -n 10 python -m training.train_screen_detector --reuse-data

Reads top to bottom: (1) render labelled frames (MiniWoB train families and train page
templates become square crops; held-out families and templates stay whole frames), (2) train
the net on augmented crops (scale, JPEG, inverted and shuffled colours), (3) score it on the
held-out frames, (4) save `perception/screen/weights/screen_detector.pt` with its config and scores.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from perception.screen.detector import (
    STRIDE,
    WEIGHTS_PATH,
    DetectorConfig,
    ScreenDetector,
    build_net,
    make_targets,
    normalise,
)
from perception.screen.kinds import KINDS, LabelledBox, PageLabels
from training.detection_metrics import DetectionTally
from training.screen_data import (
    cut_crops,
    load_crops,
    load_frames,
    miniwob_split,
    page_split,
    render_miniwob,
    render_pages,
    save_crops,
    save_frames,
)

log = logging.getLogger("train_screen_detector")


@dataclass(frozen=True)
class TrainArgs:
    """Everything the run depends on; each field is a --flag."""

    seed: int = 0
    data_dir: str = "runs/screen_data"
    out: str = str(WEIGHTS_PATH)
    reuse_data: bool = False
    miniwob_frames_per_task: int = 16
    pages_per_template: int = 60
    test_frames_per_task: int = 5
    test_pages_per_template: int = 30
    crop: int = 224  # stored crop side
    patch: int = 192  # trained patch side, cut from a rescaled crop
    batch: int = 16
    steps: int = 5000
    lr: float = 4e-3
    miniwob_share: float = 0.5  # chance that a patch comes from a MiniWoB frame
    threads: int = 1


def parse_args(argv: list[str] | None = None) -> TrainArgs:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    for f in fields(TrainArgs):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            p.add_argument(flag, action="store_true")
        else:
            p.add_argument(flag, type=type(f.default), default=f.default)
    return TrainArgs(**vars(p.parse_args(argv)))


# ----------------------------------------------------------------------------- 1. data
def generate_data(args: TrainArgs, root: Path) -> dict:
    """Render and store train crops and held-out frames; returns counts and seconds."""
    rng = random.Random(args.seed)
    mw_train, mw_test = miniwob_split()
    pg_train, pg_test = page_split()
    t0 = time.perf_counter()
    crops = []
    n_mw = 0
    for frame in render_miniwob(
        mw_train,
        args.miniwob_frames_per_task,
        args.seed,
        scales=(1.0, 1.0, 0.75, 1.25, 1.5),
        dark_fraction=0.3,
        interact=0.5,
    ):
        h, w = frame.image.shape[:2]
        crops += cut_crops(frame, args.crop, 1 if max(h, w) <= args.crop else 2, rng)
        n_mw += 1
    t_mw = time.perf_counter() - t0
    log.info("MiniWoB train: %d frames from %d tasks in %.0f s", n_mw, len(mw_train), t_mw)
    n_pg = 0
    for frame in render_pages(pg_train, range(args.pages_per_template)):
        crops += cut_crops(frame, args.crop, 5, rng)
        n_pg += 1
    t_pg = time.perf_counter() - t0 - t_mw
    log.info("pages train: %d frames in %.0f s; %d crops", n_pg, t_pg, len(crops))
    save_crops(crops, root / "train")
    test_seed = args.seed + 1000
    n_mwt = save_frames(
        render_miniwob(mw_test, args.test_frames_per_task, test_seed, interact=0.3),
        root / "test_miniwob",
    )
    n_pgt = save_frames(
        render_pages(pg_test, range(test_seed, test_seed + args.test_pages_per_template)),
        root / "test_pages",
    )
    seconds = time.perf_counter() - t0
    log.info("held-out: %d MiniWoB + %d page frames; data took %.0f s", n_mwt, n_pgt, seconds)
    info = {
        "miniwob_train_tasks": len(mw_train),
        "miniwob_test_tasks": list(mw_test),
        "page_train_templates": list(pg_train),
        "page_test_templates": list(pg_test),
        "train_frames": {"miniwob": n_mw, "pages": n_pg},
        "train_crops": len(crops),
        "test_frames": {"miniwob": n_mwt, "pages": n_pgt},
        "seconds": round(seconds, 1),
        "args": asdict(args),
    }
    (root / "manifest.json").write_text(json.dumps(info, indent=1))
    return info


# ------------------------------------------------------------------------ 2. training
def augment(
    image: np.ndarray, labels: PageLabels, valid: tuple, patch: int, rng: random.Random
) -> tuple[np.ndarray, PageLabels, tuple]:
    """Rescale (x0.7-1.45), cut a patch, maybe JPEG it and shuffle, invert or grey its colours."""
    from PIL import Image

    s = float(np.exp(rng.uniform(np.log(0.7), np.log(1.45))))
    img = Image.fromarray(np.asarray(image))
    size = img.size[0]
    new = max(patch // 2, round(size * s))
    s = new / size
    img = img.resize((new, new), Image.BILINEAR)
    labels = labels.scaled(s)
    vx1, vy1 = valid[2] * s, valid[3] * s
    x0 = rng.randrange(max(1, int(min(new, vx1) - patch // 2)))
    y0 = rng.randrange(max(1, int(min(new, vy1) - patch // 2)))
    arr = np.asarray(img)
    out = np.empty((patch, patch, 3), np.uint8)
    out[:] = arr[y0, x0]
    piece = arr[y0 : y0 + patch, x0 : x0 + patch]
    out[: piece.shape[0], : piece.shape[1]] = piece
    if rng.random() < 0.3:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, "JPEG", quality=rng.randint(25, 90))
        out = np.asarray(Image.open(buf).convert("RGB"))
    if rng.random() < 0.3:
        out = out[..., rng.sample(range(3), 3)]
    if rng.random() < 0.15:
        out = 255 - out
    if rng.random() < 0.1:
        out = np.repeat(out.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    shifted = PageLabels(
        tuple(
            LabelledBox(b.kind, (b.box[0] - x0, b.box[1] - y0, b.box[2] - x0, b.box[3] - y0))
            for b in labels.boxes
        ),
        tuple((r[0] - x0, r[1] - y0, r[2] - x0, r[3] - y0) for r in labels.ignore),
    )
    vis = (0, 0, max(0, min(patch, int(vx1 - x0))), max(0, min(patch, int(vy1 - y0))))
    return np.ascontiguousarray(out), _keep_visible(shifted, patch), vis


def _keep_visible(labels: PageLabels, patch: int) -> PageLabels:
    """Boxes clipped to the patch; ones mostly cut off become ignore regions."""
    boxes, ignore = [], list(labels.ignore)
    for b in labels.boxes:
        x0, y0, x1, y1 = b.box
        c = (max(x0, 0), max(y0, 0), min(x1, patch), min(y1, patch))
        if c[2] - c[0] < 1 or c[3] - c[1] < 1:
            continue
        if (c[2] - c[0]) * (c[3] - c[1]) >= 0.6 * (x1 - x0) * (y1 - y0):
            boxes.append(LabelledBox(b.kind, c))
        else:
            ignore.append(c)
    return PageLabels(tuple(boxes), tuple(ignore))


def batches(args: TrainArgs, root: Path, config: DetectorConfig, area_weight: np.ndarray):
    """Endless augmented batches (uint8 images + target maps), seeded; MiniWoB crops are drawn
    with probability `miniwob_share`, page crops otherwise."""
    rng = random.Random(args.seed)
    images, labels, valid, sources = load_crops(root / "train")
    mw = [i for i, s in enumerate(sources) if s.startswith("miniwob")]
    pg = [i for i, s in enumerate(sources) if not s.startswith("miniwob")]
    while True:
        xs, maps = [], []
        for _ in range(args.batch):
            pool = mw if (rng.random() < args.miniwob_share and mw) or not pg else pg
            i = rng.choice(pool)
            img, lab, vis = augment(images[i], labels[i], valid[i], args.patch, rng)
            xs.append(img)
            maps.append(make_targets(lab, args.patch, args.patch, vis, config.shrink, area_weight))
        yield (np.stack(xs),) + tuple(
            np.stack([getattr(m, f) for m in maps]) for f in ("core", "full", "kind", "weight")
        )


def kind_rarity(root: Path, shrink: float) -> tuple[np.ndarray, np.ndarray]:
    """Per kind: sqrt(top count / count) over training crops, by elements and by core cells."""
    _, labels, _, _ = load_crops(root / "train")
    elements, cells = np.zeros(len(KINDS)), np.zeros(len(KINDS))
    for lab in labels:
        for b in lab.boxes:
            w, h = b.box[2] - b.box[0], b.box[3] - b.box[1]
            s = 2 * shrink * min(w, h)
            k = KINDS.index(b.kind)
            elements[k] += 1
            cells[k] += max(1.0, (w - s) * (h - s) / STRIDE**2)
    return tuple(np.sqrt(c.max() / np.maximum(c, 1)) for c in (elements, cells))


def train(args: TrainArgs, root: Path, config: DetectorConfig) -> tuple[object, dict]:
    """Train the net on the stored crops; returns it and a log of losses and seconds.

    Batches are built in one worker process, so augmentation overlaps the training step.
    """
    import torch
    from torch.nn import functional as F
    from torch.utils.data import DataLoader, IterableDataset

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    # Text outnumbers checkboxes and empty fields ~20:1; without weights the net never finds them.
    by_element, by_cell = kind_rarity(root, config.shrink)
    area_weight = np.clip(by_element, 1.0, 2.0)
    # the kind loss counts cells, and one text line has as many as ten checkboxes
    kind_weight = torch.tensor(np.clip(by_cell, 1.0, 12.0), dtype=torch.float32)

    class Batches(IterableDataset):
        def __iter__(self):
            torch.set_num_threads(1)
            return batches(args, root, config, area_weight)

    loader = iter(DataLoader(Batches(), batch_size=None, num_workers=1, prefetch_factor=4))
    net = build_net(config).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps, pct_start=0.1)
    net.train()
    history, t0 = [], time.perf_counter()

    def mask_loss(logit: torch.Tensor, target: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        bce = F.binary_cross_entropy_with_logits(logit, target, weight=w, reduction="sum")
        p = torch.sigmoid(logit) * w
        dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + (target * w).sum() + 1)
        return bce / w.sum().clamp(min=1) + dice

    for step in range(1, args.steps + 1):
        images, core_t, full_t, kind_t, w_t = next(loader)
        x = normalise(images.permute(0, 3, 1, 2).float()).contiguous(
            memory_format=torch.channels_last
        )
        out = net(x)
        # the ring between a core and its box edge is what keeps neighbours apart: weigh it double
        core_l = mask_loss(out[:, 0], core_t, w_t * (1 + (full_t - core_t).clamp(min=0)))
        full_l = mask_loss(out[:, 1], full_t, w_t)
        ce = F.cross_entropy(out[:, 2:], kind_t, weight=kind_weight, ignore_index=-1)
        loss = core_l + 0.5 * full_l + 0.5 * ce
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == 1:
            rate = (time.perf_counter() - t0) / step
            record = {"step": step, "core": core_l.item(), "full": full_l.item(), "kind": ce.item()}
            history.append({k: round(v, 4) for k, v in record.items()})
            log.info(
                "step %d/%d loss %.3f (core %.3f full %.3f kind %.3f) %.2f s/step, ~%.0f s left",
                step,
                args.steps,
                loss.item(),
                core_l.item(),
                full_l.item(),
                ce.item(),
                rate,
                rate * (args.steps - step),
            )
    net.eval()
    return net, {"seconds": round(time.perf_counter() - t0, 1), "history": history}


# ------------------------------------------------------------------------- 3. scoring
def evaluate(detector: ScreenDetector, root: Path) -> dict:
    """Precision/recall on the held-out MiniWoB and page frames."""
    scores = {}
    for split in ("test_miniwob", "test_pages"):
        tally = DetectionTally()
        for frame in load_frames(root / split):
            tally.add(detector.detect(frame.image), frame.labels)
        scores[split] = tally.summary()
    return scores


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    args = parse_args(argv)
    root = Path(args.data_dir)
    t0 = time.perf_counter()
    log.info(
        "budget (measured on 2 shared cores, load 7-13): ~15 min rendering %d MiniWoB + %d page "
        "frames, ~%.0f min for %d steps of %d patches at ~0.35 s, under 1 min scoring",
        args.miniwob_frames_per_task * 100,
        args.pages_per_template * 12,
        args.steps * 0.35 / 60,
        args.steps,
        args.batch,
    )
    manifest = root / "manifest.json"
    if args.reuse_data and manifest.is_file():
        data_info = json.loads(manifest.read_text())
        log.info("reusing data in %s", root)
    else:
        data_info = generate_data(args, root)
    config = DetectorConfig()
    net, train_info = train(args, root, config)
    detector = ScreenDetector.from_net(net, config)
    scores = evaluate(detector, root)
    total = time.perf_counter() - t0
    for split, s in scores.items():
        log.info(
            "%s: element P %.3f R %.3f | kind P %.3f R %.3f (%d labelled)",
            split,
            s["element_precision"] or 0,
            s["element_recall"] or 0,
            s["kind_precision"] or 0,
            s["kind_recall"] or 0,
            s["labelled"],
        )
    import torch

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "data": {k: v for k, v in data_info.items() if k != "args"},
        "train_seconds": train_info["seconds"],
        "total_seconds": round(total, 1),
        "held_out": scores,
        "args": asdict(args),
    }
    blob = {"config": asdict(config), "state_dict": net.state_dict(), "meta": meta}
    torch.save(blob, out)
    (out.with_suffix(".json")).write_text(json.dumps(meta, indent=1))
    log.info("saved %s (%.0f KB) after %.0f s in all", out, out.stat().st_size / 1024, total)


if __name__ == "__main__":
    main()
