"""The behaviour-cloning loop behind `handeye train bc`: demonstrations in, a model folder out.

Demonstrations are plain arrays (`Demonstrations`; `agent.bc_demonstrations` reads them from
trace and LeRobot folders). Training runs in `OUT.partial/`, where a checkpoint after every
epoch (weights, optimizer, schedule, RNG state, losses) lets an interrupted run resume exactly;
the finished folder (model.pt, config.json with vocabulary and normalisation, loss.png,
train_log.jsonl) is renamed to OUT only at the end, so OUT is never half-written. Where the
demonstrations carry keypoint labels (the DART expert's projection of the named object and its
target), a cross-entropy on the net's named-object heat maps joins the action loss.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import ConfigError, TraceError
from policies.bc.network import (
    ACTION_DIM,
    STATE_DIM,
    STD_FLOOR,
    BCModelConfig,
    build_network,
    save_model,
    words,
)
from policies.bc.table_plane import pixel_to_table

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.pt"


@dataclass(frozen=True)
class Demonstrations:
    """Expert steps as arrays: N frames of E episodes, one instruction per episode."""

    images: np.ndarray  # (N, H, W, 3) uint8, the frame each action was taken on
    states: np.ndarray  # (N, 6) float32 proprio
    actions: np.ndarray  # (N, 5) float32 EE deltas in metres/radians, grip in [-1, 1]
    episode: np.ndarray  # (N,) int64 episode number 0..E-1, steps of an episode contiguous
    instructions: tuple[str, ...]  # (E,)
    sources: tuple[str, ...] = ()  # (E,) the file each episode came from
    # (N, 2, 2) training labels: (u, v) pixels of the named object and its target, NaN if unknown
    keypoints: np.ndarray | None = None
    # (N, 3, 3) intrinsics and (N, 4, 4) world-from-camera extrinsics of each frame, if recorded
    intrinsics: np.ndarray | None = None
    extrinsics: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.images)
        if n == 0:
            raise TraceError("no demonstration steps: record expert episodes first")
        shapes = {
            "states": (self.states.shape, (n, STATE_DIM)),
            "actions": (self.actions.shape, (n, ACTION_DIM)),
            "episode": (self.episode.shape, (n,)),
        }
        if self.keypoints is not None:
            shapes["keypoints"] = (self.keypoints.shape, (n, 2, 2))
        if (self.intrinsics is None) != (self.extrinsics is None):
            raise TraceError("demonstration intrinsics and extrinsics come together or not at all")
        if self.intrinsics is not None and self.extrinsics is not None:
            shapes["intrinsics"] = (self.intrinsics.shape, (n, 3, 3))
            shapes["extrinsics"] = (self.extrinsics.shape, (n, 4, 4))
        for name, (got, want) in shapes.items():
            if got != want:
                raise TraceError(f"demonstration {name} have shape {got}, expected {want}")

    @property
    def n_episodes(self) -> int:
        return len(self.instructions)

    def first(self, n_episodes: int) -> Demonstrations:
        """The first `n_episodes` episodes (for success-vs-demos curves)."""
        keep = self.episode < n_episodes
        return Demonstrations(
            self.images[keep],
            self.states[keep],
            self.actions[keep],
            self.episode[keep],
            self.instructions[:n_episodes],
            self.sources[:n_episodes],
            None if self.keypoints is None else self.keypoints[keep],
            None if self.intrinsics is None else self.intrinsics[keep],
            None if self.extrinsics is None else self.extrinsics[keep],
        )


@dataclass(frozen=True)
class BCTrainConfig:
    """Options of `handeye train bc`; CLI flags map 1:1 onto these fields."""

    out: str
    epochs: int = 30
    lr: float = 1e-3  # peak AdamW learning rate (cosine decay to 5 % over the run)
    batch: int = 64
    chunk: int = 1  # actions predicted per step; > 1 is ACT-style chunking
    seed: int = 0
    shift: int = 4  # random-shift augmentation in pixels (0: off)
    channels: tuple[int, ...] = (16, 32, 32, 32)
    pool: str = "keypoints"  # "keypoints" (spatial softmax) or "flatten"
    slots: int = 2  # named-object keypoints found from the instruction's words (0: off)
    keypoint_weight: float = 1.0  # auxiliary loss on them where the demos carry labels (0: off)
    grip_weight: float = 1.0  # weight of the grip command's error beside the 4 motion components
    # Extra factor on the grip error where the expert's grip command flips (close, release): one
    # frame per grasp against many look-alike frames of waiting, which plain L1 outvotes.
    grip_change_weight: float = 1.0
    # Extra factor on the whole action where the expert's vertical command jumps by 0.8 of a
    # step (descend, lift, lower): hovering over the bowl outvotes the one frame that goes down.
    onset_weight: float = 1.0
    # Learn the named object's keypoint only on frames where the expert's gripper is open: once
    # held, the object rides with the gripper, and a net that learns "the object is where the
    # gripper is" from those frames walks the open gripper to the wrong place.
    open_labels_only: bool = False
    head: str = "named"  # MLP inputs: "named" (named keypoints + proprio + words) or "all"
    lift: bool = False  # also feed named keypoints as table xy relative to the tcp (calibration)
    weight_decay: float = 1e-4
    overwrite: bool = False  # replace an existing finished OUT
    resume: bool = True  # continue from OUT.partial/checkpoint.pt when there is one
    threads: int = 1  # torch CPU threads (1 was 10x faster than 2 on a busy 2-core machine)

    def __post_init__(self) -> None:
        for name in ("epochs", "batch", "chunk"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")
        if self.onset_weight < 0:
            raise ConfigError(f"onset_weight must be >= 0, got {self.onset_weight}")
        if self.grip_weight < 0 or self.grip_change_weight < 0:
            raise ConfigError(
                "grip_weight and grip_change_weight must be >= 0, got"
                f" {self.grip_weight}, {self.grip_change_weight}"
            )
        if self.head == "named" and self.slots < 1:
            raise ConfigError("head 'named' reads named keypoints: use slots >= 1 or head 'all'")
        if self.lift and self.slots < 1:
            raise ConfigError("lift places named keypoints on the table: use slots >= 1")


@dataclass(frozen=True)
class EpochLog:
    """One finished epoch, for progress displays."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    seconds: float


@dataclass(frozen=True)
class BCTrainResult:
    """What a run wrote and measured."""

    out: Path
    steps: int
    first_loss: float
    last_loss: float
    seconds: float
    frames: int
    episodes: int
    losses: list[float] = field(default_factory=list)  # per optimizer step


def chunk_targets(actions: np.ndarray, episode: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """(N, k, 5) actions t..t+k-1 of each step's own episode and an (N, k) mask of real ones."""
    n = len(actions)
    idx = np.arange(n)[:, None] + np.arange(k)[None, :]
    idx_c = np.minimum(idx, n - 1)
    mask = (idx < n) & (episode[idx_c] == episode[:, None])
    # Past an episode's end repeat its last action (masked out of the loss anyway).
    last = np.maximum.accumulate(np.where(mask, idx_c, 0), axis=1)
    return actions[last].astype(np.float32), mask.astype(np.float32)


def grip_changes(actions: np.ndarray, episode: np.ndarray) -> np.ndarray:
    """(N,) bool: frames whose grip command flips sign from the previous one in their episode."""
    closed = actions[:, ACTION_DIM - 1] > 0
    out = np.zeros(len(actions), bool)
    out[1:] = (closed[1:] != closed[:-1]) & (episode[1:] == episode[:-1])
    return out


def grip_levels(actions: np.ndarray, most: int = 3) -> tuple[float, ...]:
    """The distinct grip commands (sorted) when the expert used at most `most`, else ()."""
    values = np.unique(np.round(actions[:, ACTION_DIM - 1], 3))
    return tuple(float(v) for v in values) if len(values) <= most else ()


def dz_onsets(actions: np.ndarray, episode: np.ndarray, jump: float = 0.024) -> np.ndarray:
    """(N,) bool: frames whose dz command (m) differs by over `jump` from the previous one."""
    dz = actions[:, 2]
    out = np.zeros(len(actions), bool)
    out[1:] = (np.abs(dz[1:] - dz[:-1]) > jump) & (episode[1:] == episode[:-1])
    return out


def model_config(demos: Demonstrations, config: BCTrainConfig) -> BCModelConfig:
    """Shapes, vocabulary and normalisation statistics of the demonstrations."""
    _, h, w, _ = demos.images.shape
    vocab = tuple(sorted({wd for text in demos.instructions for wd in words(text)}))
    s_std = np.maximum(demos.states.std(0), STD_FLOOR)
    a_std = np.maximum(demos.actions.std(0), STD_FLOOR)
    return BCModelConfig(
        height=h,
        width=w,
        vocab=vocab,
        chunk=config.chunk,
        channels=tuple(config.channels),
        pool=config.pool,
        slots=config.slots,
        head=config.head,
        lift=config.lift,
        grip_values=grip_levels(demos.actions),
        state_mean=tuple(float(v) for v in demos.states.mean(0)),
        state_std=tuple(float(v) for v in s_std),
        action_mean=tuple(float(v) for v in demos.actions.mean(0)),
        action_std=tuple(float(v) for v in a_std),
        extra={
            "episodes": demos.n_episodes,
            "frames": len(demos.images),
            "train": {
                k: v
                for k, v in asdict(config).items()
                if k not in ("out", "overwrite", "resume", "threads")
            },
        },
    )


def _shifted(images: Any, pad: int, gen: Any) -> tuple[Any, Any]:
    """Random-shift augmentation: replicate-pad by `pad` pixels, crop back at a random offset.

    Also returns each image's content shift (B, 2) in pixels (dx, dy), to move labels with it.
    """
    import torch

    b, _, h, w = images.shape
    if pad <= 0:
        return images, torch.zeros(b, 2)
    padded = torch.nn.functional.pad(images, (pad, pad, pad, pad), mode="replicate")
    ox = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    oy = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    rows = (oy[:, None] + torch.arange(h)[None, :])[:, None, :, None]
    cols = (ox[:, None] + torch.arange(w)[None, :])[:, None, None, :]
    bidx = torch.arange(b)[:, None, None, None]
    cidx = torch.arange(images.shape[1])[None, :, None, None]
    return padded[bidx, cidx, rows, cols], torch.stack([pad - ox, pad - oy], dim=1).float()


def heatmap_loss(heat: Any, label: Any) -> Any:
    """Cross-entropy of heat-map logits (B, S, h, w) against labels (B, S, 2) in [-1, 1].

    Each label spreads bilinearly over its four nearest cells; NaN labels (unknown) are skipped.
    Cross-entropy, not the error of the soft-argmax, gives a near-uniform map a strong gradient.
    """
    import torch

    b, s, h, w = heat.shape
    known = torch.isfinite(label).all(-1)
    grid = (torch.nan_to_num(label).clamp(-1.0, 1.0) + 1.0) / 2.0 * torch.tensor([w - 1, h - 1])
    lo = grid.floor().clamp(max=torch.tensor([w - 2, h - 2])).long()
    frac = grid - lo
    logp = torch.log_softmax(heat.reshape(b, s, h * w), dim=-1)
    nll = torch.zeros(b, s)
    for dx in (0, 1):
        for dy in (0, 1):
            wx = frac[..., 0] if dx else 1.0 - frac[..., 0]
            wy = frac[..., 1] if dy else 1.0 - frac[..., 1]
            cell = (lo[..., 1] + dy) * w + lo[..., 0] + dx
            nll = nll - wx * wy * logp.gather(-1, cell[..., None])[..., 0]
    return (nll * known).sum() / known.sum().clamp(min=1.0)


def _shape_of(model_json: dict[str, Any]) -> dict[str, Any]:
    """A model config without its provenance: what must agree for a checkpoint to resume."""
    return {k: v for k, v in model_json.items() if k != "extra"}


def _lr_at(step: int, total: int, peak: float) -> float:
    warm = min(50, max(1, total // 20))
    if step < warm:
        return peak * (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    return peak * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def train_bc(
    demos: Demonstrations,
    config: BCTrainConfig,
    on_epoch: Callable[[EpochLog], None] | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
) -> BCTrainResult:
    """Train a BC net on `demos`; the model folder appears at `config.out` when it is done."""
    import torch

    from policies.vlm.finetune import draw_loss_curve

    out = Path(config.out)
    if out.exists() and not config.overwrite:
        raise ConfigError(f"{out} exists; choose another --out or pass --overwrite")
    work = out.with_name(out.name + ".partial")
    if work.exists() and not config.resume:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    mcfg = model_config(demos, config)
    net = build_network(mcfg)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)

    images = torch.from_numpy(np.ascontiguousarray(demos.images.transpose(0, 3, 1, 2)))
    states = torch.from_numpy(
        ((demos.states - np.array(mcfg.state_mean)) / np.array(mcfg.state_std)).astype(np.float32)
    )
    targets_np, mask_np = chunk_targets(demos.actions, demos.episode, config.chunk)
    targets = torch.from_numpy(
        ((targets_np - np.array(mcfg.action_mean)) / np.array(mcfg.action_std)).astype(np.float32)
    )
    mask = torch.from_numpy(mask_np)
    n_all, k = len(demos.actions), config.chunk
    ahead = np.minimum(np.arange(n_all)[:, None] + np.arange(k)[None, :], n_all - 1)
    flips = grip_changes(demos.actions, demos.episode)[ahead]  # (N, chunk)
    grip_factor = torch.from_numpy(np.where(flips, config.grip_change_weight, 1.0)).float()
    onsets = dz_onsets(demos.actions, demos.episode)[ahead]
    onset_factor = torch.from_numpy(np.where(onsets, config.onset_weight, 1.0)).float()
    bows = np.stack([mcfg.bag_of_words(t) for t in demos.instructions])
    text = torch.from_numpy(bows)[torch.from_numpy(demos.episode)]
    ids = np.stack([mcfg.token_ids(t) for t in demos.instructions])
    tokens = torch.from_numpy(ids)[torch.from_numpy(demos.episode)]
    use_kp = mcfg.slots > 0 and config.keypoint_weight > 0 and demos.keypoints is not None
    kp_np = (
        np.zeros((len(demos.images), 2, 2), np.float32)
        if demos.keypoints is None
        else demos.keypoints.astype(np.float32)
    )
    if config.open_labels_only:
        kp_np = kp_np.copy()
        kp_np[demos.actions[:, ACTION_DIM - 1] > 0, 0] = np.nan  # unknown: skipped by the loss
    kp_px = torch.from_numpy(kp_np)
    maps = None
    if mcfg.lift:
        if demos.intrinsics is None or demos.extrinsics is None:
            raise ConfigError(
                "--lift needs each frame's camera calibration: record the demonstrations with"
                " --policy tabletop-expert-dart (it writes extra['camera']) or train without --lift"
            )
        maps = torch.from_numpy(
            np.stack(
                [
                    pixel_to_table(k, t, mcfg.lift_height)
                    for k, t in zip(demos.intrinsics, demos.extrinsics, strict=True)
                ]
            ).astype(np.float32)
        )
    _, _, h_img, w_img = images.shape
    px_scale = torch.tensor([2.0 / max(1, w_img - 1), 2.0 / max(1, h_img - 1)])

    # Per-component weights of the L1: pick-place hinges on *when* the grip closes.
    component_weight = torch.ones(ACTION_DIM)
    component_weight[ACTION_DIM - 1] = config.grip_weight

    n = len(images)
    per_epoch = math.ceil(n / config.batch)
    total = per_epoch * config.epochs
    gen = torch.Generator().manual_seed(config.seed)
    start_epoch, losses = 0, []
    ckpt = work / CHECKPOINT
    if ckpt.is_file():
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        if _shape_of(state["model_config"]) != _shape_of(mcfg.to_json()):
            raise ConfigError(
                f"{ckpt} was written for other data or options; delete {work} or pass --no-resume"
            )
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        gen.set_state(state["gen"])
        start_epoch, losses = state["epoch"], list(state["losses"])
        log.info("resuming %s at epoch %d", work, start_epoch)

    started = time.perf_counter()
    step = start_epoch * per_epoch
    net.train()
    for epoch in range(start_epoch, config.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        epoch_losses = []
        for b in range(per_epoch):
            idx = order[b * config.batch : (b + 1) * config.batch]
            for group in opt.param_groups:
                group["lr"] = _lr_at(step, total, config.lr)
            img, moved = _shifted(images[idx].float() / 255.0, config.shift, gen)
            pred, heat = net(
                img,
                states[idx],
                text[idx],
                tokens[idx],
                keypoints=True,
                table_maps=None if maps is None else maps[idx],
                shift=moved,
            )
            weight = component_weight.repeat(len(idx), k, 1)
            weight[..., -1] *= grip_factor[idx]
            weight *= onset_factor[idx][..., None]
            err = ((pred - targets[idx]).abs() * weight).sum(-1)  # weighted L1
            loss = (err * mask[idx]).sum() / mask[idx].sum().clamp(min=1.0)
            if use_kp:
                label = (kp_px[idx, : mcfg.slots] + moved[:, None, :]) * px_scale - 1.0
                loss = loss + config.keypoint_weight * heatmap_loss(heat, label)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            value = loss.item()
            losses.append(value)
            epoch_losses.append(value)
            if on_step:
                on_step(step, total, value)
        torch.save(
            {
                "net": net.state_dict(),
                "opt": opt.state_dict(),
                "gen": gen.get_state(),
                "epoch": epoch + 1,
                "losses": losses,
                "model_config": mcfg.to_json(),
            },
            ckpt,
        )
        entry = EpochLog(
            epoch + 1,
            config.epochs,
            step,
            total,
            float(np.mean(epoch_losses)),
            time.perf_counter() - t0,
        )
        with (work / "train_log.jsonl").open("a") as f:
            f.write(json.dumps(asdict(entry)) + "\n")
        if on_epoch:
            on_epoch(entry)

    net.eval()
    save_model(net, mcfg, work)
    draw_loss_curve(losses, work / "loss.png", title="behaviour cloning loss (L1, normalised)")
    if out.exists():
        shutil.rmtree(out)
    work.rename(out)
    return BCTrainResult(
        out=out,
        steps=step,
        first_loss=losses[0] if losses else float("nan"),
        last_loss=losses[-1] if losses else float("nan"),
        seconds=time.perf_counter() - started,
        frames=n,
        episodes=demos.n_episodes,
        losses=losses,
    )
