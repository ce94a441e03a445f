"""A small CPU detector of UI elements: pixels in, boxes with kinds out, at any frame size.

The net is a tiny encoder-decoder (strides 2 to 32, depthwise blocks, a top-down path back to
stride 2) that paints maps at half resolution, in the manner of PSENet: each element's *core*
(its box shrunk on every side by `shrink` times its shorter side, so neighbours never touch),
its *full box*, and per-cell kind scores. Connected cores become elements and each grows over
the full-box cells nearest to it, so one net serves 160x210 MiniWoB frames and 1280x720 pages
without anchors or size regression. torch is imported lazily, on the first detector built.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import SetupError, missing_extra
from perception.screen.kinds import KINDS, PageLabels

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).parent / "weights" / "screen_detector.pt"
STRIDE = 2  # output map cell, in input pixels
PAD_TO = 32  # the net's total stride: inputs are padded to a multiple of it


@dataclass(frozen=True)
class DetectorConfig:
    """Shape of the net and how its maps become boxes; saved inside the weights file."""

    channels: tuple[int, ...] = (24, 32, 48, 64, 96)
    shrink: float = 0.25  # core = box shrunk by shrink * min(w, h) on each side
    threshold: float = 0.5  # probability above which a cell belongs to a core / a box
    min_cells: int = 2  # smaller cores are noise
    threads: int = 1  # one thread: two spin against each other on a busy 2-core machine


@dataclass(frozen=True)
class Detection:
    """One element found on a frame: box (x0, y0, x1, y1 observation pixels), kind, score."""

    box: tuple[int, int, int, int]
    kind: str
    score: float
    kind_scores: tuple[float, ...] = field(default=(), compare=False, repr=False)


# ---------------------------------------------------------------------------------- model
@functools.cache
def _net_class() -> type:
    """The torch module class (defined on first use so importing this module stays light)."""
    try:
        import torch
        from torch import nn
        from torch.nn import functional as F
    except ImportError:
        raise missing_extra("torch", "dev") from None

    def cbr(cin: int, cout: int, k: int = 3, s: int = 1, d: int = 1, groups: int = 1) -> nn.Module:
        pad = d * (k // 2)
        return nn.Sequential(
            nn.Conv2d(cin, cout, k, s, pad, dilation=d, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    class Block(nn.Module):
        """Depthwise 3x3 (dilated) + pointwise, with a residual."""

        def __init__(self, c: int, d: int = 1) -> None:
            super().__init__()
            self.body = nn.Sequential(cbr(c, c, 3, 1, d, groups=c), cbr(c, c, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.body(x)

    class ScreenNet(nn.Module):
        """Encoder (strides 2..32) + top-down decoder to stride 4, then a light stride-2 head.

        Output maps: core logit, full-box logit, then one logit per kind."""

        def __init__(self, channels: tuple[int, ...], n_kinds: int) -> None:
            super().__init__()
            c0, c1, c2, c3, c4 = channels
            self.stem = cbr(3, c0, 3, 2)
            self.enc = nn.ModuleList(
                [
                    nn.Sequential(cbr(c0, c1, 3, 2), Block(c1)),
                    nn.Sequential(cbr(c1, c2, 3, 2), Block(c2, 2)),
                    nn.Sequential(cbr(c2, c3, 3, 2), Block(c3, 2), Block(c3, 4)),
                    nn.Sequential(cbr(c3, c4, 3, 2), Block(c4, 2), Block(c4, 4)),
                ]
            )
            outs, ins = (c3, c2, c1), (c4, c3, c2)
            self.lateral = nn.ModuleList([cbr(i, o, 1) for i, o in zip(ins, outs, strict=True)])
            self.fuse = nn.ModuleList([Block(o) for o in outs])
            self.up = nn.ConvTranspose2d(c1, c0, 2, 2)  # stride 4 -> 2, cheaper than resize+1x1
            self.head = nn.Sequential(
                Block(c0), cbr(c0, c0, 3, 1, groups=c0), nn.Conv2d(c0, 2 + n_kinds, 1)
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            feats = [self.stem(x)]
            for stage in self.enc:
                feats.append(stage(feats[-1]))
            y = feats[-1]
            for lat, fuse, skip in zip(self.lateral, self.fuse, feats[-2:0:-1], strict=True):
                y = F.interpolate(lat(y), size=skip.shape[-2:], mode="nearest")
                y = fuse(y + skip)
            y = self.up(y)[..., : feats[0].shape[-2], : feats[0].shape[-1]]
            return self.head(F.relu(y + feats[0]))

    return ScreenNet


def build_net(config: DetectorConfig) -> Any:
    """A fresh, randomly initialised net for `config`; it takes inputs scaled to [-1, 1]."""
    return _net_class()(config.channels, len(KINDS))


def normalise(x: Any) -> Any:
    """Pixels 0..255 to the [-1, 1] the net trains on."""
    return x / 127.5 - 1.0


def fuse_for_inference(net: Any) -> Any:
    """A copy of `net` for inference: the input scaling folded into the stem and every
    BatchNorm folded into its conv (BatchNorm alone was a quarter of CPU time at 1280x720)."""
    import copy

    import torch
    from torch import nn

    net = copy.deepcopy(net).eval()
    with torch.no_grad():
        stem = net.stem[0]
        stem.bias = nn.Parameter(-stem.weight.sum(dim=(1, 2, 3)))
        stem.weight.div_(127.5)
        for mod in net.modules():
            if not isinstance(mod, nn.Sequential):
                continue
            for i in range(len(mod) - 1):
                conv, bn = mod[i], mod[i + 1]
                if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                    continue
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
                conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
                conv.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
                mod[i + 1] = nn.Identity()
    return net.to(memory_format=torch.channels_last)


# -------------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Targets:
    """Training maps at stride 2: core and full-box masks (0/1), kind index (-1 off cores) and
    a per-cell loss weight (0 on ignore regions and padding, > 1 inside rarer kinds)."""

    core: np.ndarray
    full: np.ndarray
    kind: np.ndarray
    weight: np.ndarray


def make_targets(
    labels: PageLabels,
    height: int,
    width: int,
    valid: tuple[int, int, int, int] | None = None,
    shrink: float = DetectorConfig.shrink,
    kind_weights: Sequence[float] | None = None,
) -> Targets:
    """Maps for an image of (height, width) px; `valid` is the part that is not padding."""
    gh, gw = -(-height // STRIDE), -(-width // STRIDE)
    cy = (np.arange(gh) + 0.5) * STRIDE
    cx = (np.arange(gw) + 0.5) * STRIDE
    core = np.zeros((gh, gw), np.float32)
    full = np.zeros((gh, gw), np.float32)
    kind = np.full((gh, gw), -1, np.int64)
    weight = np.ones((gh, gw), np.float32)
    for b in labels.boxes:
        if kind_weights is not None:
            ys, xs = _cells(b.box, cy, cx)
            w = kind_weights[KINDS.index(b.kind)]
            weight[ys, xs] = np.maximum(weight[ys, xs], w)
    for b in sorted(labels.boxes, key=lambda b: -(b.box[2] - b.box[0]) * (b.box[3] - b.box[1])):
        x0, y0, x1, y1 = b.box
        ys, xs = _cells(b.box, cy, cx)
        full[ys, xs] = 1
        s = shrink * min(x1 - x0, y1 - y0)
        ys, xs = _cells((x0 + s, y0 + s, x1 - s, y1 - s), cy, cx)
        if ys.stop <= ys.start or xs.stop <= xs.start:  # tiny: the centre cell stands for it
            i = min(int((y0 + y1) / 2 / STRIDE), gh - 1)
            j = min(int((x0 + x1) / 2 / STRIDE), gw - 1)
            ys, xs = slice(i, i + 1), slice(j, j + 1)
        core[ys, xs] = 1
        kind[ys, xs] = KINDS.index(b.kind)
    for r in labels.ignore:
        ys, xs = _cells(r, cy, cx)
        weight[ys, xs] = 0
    x0v, y0v, x1v, y1v = valid if valid is not None else (0, 0, width, height)
    weight[(cy < y0v) | (cy >= y1v), :] = 0
    weight[:, (cx < x0v) | (cx >= x1v)] = 0
    return Targets(core, full, kind, weight)


def _cells(r: Sequence[float], cy: np.ndarray, cx: np.ndarray) -> tuple[slice, slice]:
    """Cells whose centres fall inside box r."""
    ys = slice(int(np.searchsorted(cy, r[1])), int(np.searchsorted(cy, r[3])))
    xs = slice(int(np.searchsorted(cx, r[0])), int(np.searchsorted(cx, r[2])))
    return ys, xs


# ------------------------------------------------------------------------------- decoding
def decode(
    core: np.ndarray,
    full: np.ndarray,
    kinds: np.ndarray,
    config: DetectorConfig,
    height: int,
    width: int,
) -> list[Detection]:
    """Elements from core and full-box probabilities (gh, gw) and kind probabilities (K, gh, gw).

    Each connected core is one element (cores of neighbours never touch). It grows over the
    full-box cells nearest to it, but no farther than the shrink its core was drawn with, and
    the element's box spans the cells it holds.
    """
    try:
        import cv2
    except ImportError:
        raise missing_extra("opencv-python (via rapidocr-onnxruntime)", "house") from None
    core_mask = core > config.threshold
    if not core_mask.any():
        return []
    dist, nearest = cv2.distanceTransformWithLabels(
        (~core_mask).astype(np.uint8), cv2.DIST_C, 3, labelType=cv2.DIST_LABEL_CCOMP
    )
    n = int(nearest.max()) + 1
    # each core's own extent bounds how far it may grow: by the shrink it was drawn with
    cys, cxs = np.nonzero(core_mask)
    cl = nearest[cys, cxs]
    c_w = _span(cl, cxs, n)
    c_h = _span(cl, cys, n)
    reach = config.shrink / (1 - 2 * config.shrink) * np.minimum(c_w, c_h) + 1.0
    area = np.bincount(cl, minlength=n).astype(np.float64)
    score = np.bincount(cl, core[cys, cxs], minlength=n) / np.maximum(area, 1)
    ksum = np.stack([np.bincount(cl, k[cys, cxs], minlength=n) for k in kinds], axis=1)
    # cells of each element: its core plus the full-box cells it can reach first
    grow = core_mask | (full > config.threshold)
    ys, xs = np.nonzero(grow)
    lab = nearest[ys, xs]
    keep = dist[ys, xs] <= reach[lab]
    ys, xs, lab = ys[keep], xs[keep], lab[keep]
    order = np.argsort(lab, kind="stable")
    ys, xs, lab = ys[order], xs[order], lab[order]
    ids, starts = np.unique(lab, return_index=True)
    x0s, x1s = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts)
    y0s, y1s = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    out = []
    for i, x0, y0, x1, y1 in zip(ids, x0s, y0s, x1s, y1s, strict=True):
        if area[i] < config.min_cells:
            continue
        box = (
            int(x0) * STRIDE,
            int(y0) * STRIDE,
            min(width, (int(x1) + 1) * STRIDE),
            min(height, (int(y1) + 1) * STRIDE),
        )
        probs = ksum[i] / max(ksum[i].sum(), 1e-9)
        k = int(np.argmax(probs))
        out.append(Detection(box, KINDS[k], float(score[i]), tuple(float(p) for p in probs)))
    return out


def _span(labels: np.ndarray, coords: np.ndarray, n: int) -> np.ndarray:
    """Extent (max - min + 1) of `coords` per label, for labels 0..n-1 (0 where absent)."""
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, -1)
    np.minimum.at(lo, labels, coords)
    np.maximum.at(hi, labels, coords)
    return np.where(hi >= 0, hi - lo + 1, 0).astype(np.float64)


# ------------------------------------------------------------------------------ inference
class ScreenDetector:
    """Loads the committed weights once and finds UI elements on RGB frames of any size."""

    def __init__(self, weights: Path | str | None = None, threads: int | None = None) -> None:
        import torch

        path = Path(weights) if weights is not None else WEIGHTS_PATH
        if not path.is_file():
            raise SetupError(
                f"no screen-detector weights at {path}; regenerate them with "
                "`python -m training.train_screen_detector`"
            )
        blob = torch.load(path, map_location="cpu", weights_only=False)
        self.config = DetectorConfig(
            **{**blob["config"], "channels": tuple(blob["config"]["channels"])}
        )
        if threads is not None:
            self.config = DetectorConfig(**{**self.config.__dict__, "threads": threads})
        net = build_net(self.config)
        net.load_state_dict(blob["state_dict"])
        self.net = fuse_for_inference(net)
        self.meta: dict[str, Any] = blob.get("meta", {})

    @classmethod
    def from_net(cls, net: Any, config: DetectorConfig) -> ScreenDetector:
        """Wrap an in-memory net (training and evaluation use it before saving)."""
        self = cls.__new__(cls)
        self.config, self.meta = config, {}
        self.net = fuse_for_inference(net)
        return self

    def maps(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(core, full box (gh, gw), kind probabilities (K, gh, gw)) of an (H, W, 3) uint8 frame."""
        import torch
        from torch.nn import functional as F

        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        h, w = image.shape[:2]
        ph, pw = -(-h // PAD_TO) * PAD_TO, -(-w // PAD_TO) * PAD_TO
        pixels = np.ascontiguousarray(image[..., :3])
        if not pixels.flags.writeable:  # torch wants writable memory even to read it
            pixels = pixels.copy()
        x = torch.from_numpy(pixels).permute(2, 0, 1)[None].float()
        if (ph, pw) != (h, w):
            x = F.pad(x, (0, pw - w, 0, ph - h), mode="replicate")
        x = x.contiguous(memory_format=torch.channels_last)  # 3-5x faster convs on CPU
        with torch.inference_mode():
            out = self.net(x)[0]
        gh, gw = -(-h // STRIDE), -(-w // STRIDE)
        masks = torch.sigmoid(out[:2, :gh, :gw]).numpy()
        kinds = torch.softmax(out[2:, :gh, :gw], dim=0).numpy()
        return masks[0], masks[1], kinds

    def detect(self, image: np.ndarray) -> list[Detection]:
        """UI elements on an (H, W, 3) uint8 RGB frame, boxes in its pixels."""
        if image.ndim != 3 or image.shape[2] < 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 frame, got {image.shape} {image.dtype}")
        core, full, kinds = self.maps(image)
        return decode(core, full, kinds, self.config, image.shape[0], image.shape[1])
