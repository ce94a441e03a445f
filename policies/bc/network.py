"""The behaviour-cloning network and its saved form (weights + config JSON with vocabulary and
normalisation statistics).

The net sees what a pixel policy may see: the RGB frame (H x W x 3 uint8), the proprio vector
(tcp xyz in metres, sin/cos yaw, finger gap) and the instruction. A small CNN whose last layers
are FiLM-modulated by a bag-of-words embedding of the instruction (so "the red cube" selects
which object the features follow) ends in a spatial softmax (one expected x, y per channel:
keypoints); an MLP on keypoints + normalised proprio + instruction embedding predicts a chunk
of K future EE deltas (ACT-style action chunking; K = 1 is plain BC), normalised per component.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import ConfigError, SetupError, missing_extra

WEIGHTS = "model.pt"
CONFIG = "config.json"
ACTION_DIM = 5  # dx, dy, dz (m), dyaw (rad), grip in [-1, 1]
STATE_DIM = 6  # tcp xyz (m), sin yaw, cos yaw, finger gap (m)
STD_FLOOR = 1e-3  # a constant component (reach's grip) normalises to 0 rather than blowing up


def words(text: str) -> list[str]:
    """Lower-case word tokens of an instruction (the bag-of-words vocabulary's units)."""
    return re.findall(r"[a-z]+", text.lower())


@dataclass(frozen=True)
class BCModelConfig:
    """Everything needed to rebuild a trained net: shapes, vocabulary, normalisation."""

    height: int
    width: int
    vocab: tuple[str, ...]
    chunk: int = 1  # actions predicted per step (ACT-style chunking when > 1)
    channels: tuple[int, ...] = (16, 32, 32, 32)  # conv widths; the first two convs stride 2
    text_dim: int = 32
    hidden: int = 256
    pool: str = "keypoints"  # "keypoints" (spatial softmax) or "flatten" (the last feature map)
    state_mean: tuple[float, ...] = (0.0,) * STATE_DIM
    state_std: tuple[float, ...] = (1.0,) * STATE_DIM
    action_mean: tuple[float, ...] = (0.0,) * ACTION_DIM
    action_std: tuple[float, ...] = (1.0,) * ACTION_DIM
    extra: dict[str, Any] = field(default_factory=dict)  # provenance: data, demos, epochs, ...

    def __post_init__(self) -> None:
        if self.chunk < 1:
            raise ConfigError(f"chunk must be >= 1, got {self.chunk}")
        if self.pool not in ("keypoints", "flatten"):
            raise ConfigError(f"pool must be 'keypoints' or 'flatten', got {self.pool!r}")
        if len(self.channels) < 2:
            raise ConfigError(f"need at least two conv layers, got channels={self.channels}")

    def bag_of_words(self, instruction: str) -> np.ndarray:
        """Multi-hot (len(vocab),) float32 vector of the instruction's known words."""
        index = {w: i for i, w in enumerate(self.vocab)}
        out = np.zeros(len(self.vocab), np.float32)
        for w in words(instruction):
            if w in index:
                out[index[w]] = 1.0
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BCModelConfig:
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise missing_extra(exc.name or "torch", "robot") from None
    return torch


def build_network(config: BCModelConfig) -> Any:
    """A fresh `torch.nn.Module` for `config` (random weights from torch's current seed)."""
    torch = _torch()
    nn = torch.nn

    class SpatialSoftmax(nn.Module):
        """(B, C, H, W) features -> (B, 2C) expected x, y in [-1, 1] of each channel."""

        def __init__(self) -> None:
            super().__init__()
            self.log_temperature = nn.Parameter(torch.zeros(()))

        def forward(self, x: Any) -> Any:
            b, c, h, w = x.shape
            logits = x.reshape(b, c, h * w) / self.log_temperature.exp()
            attn = torch.softmax(logits, dim=-1).reshape(b, c, h, w)
            ys = torch.linspace(-1.0, 1.0, h, device=x.device)
            xs = torch.linspace(-1.0, 1.0, w, device=x.device)
            ex = (attn.sum(dim=2) * xs).sum(dim=-1)
            ey = (attn.sum(dim=3) * ys).sum(dim=-1)
            return torch.cat([ex, ey], dim=1)

    class BCNet(nn.Module):
        """CNN (FiLM by the instruction) -> keypoints; MLP -> (B, chunk, 5) normalised actions."""

        def __init__(self, cfg: BCModelConfig) -> None:
            super().__init__()
            self.cfg = cfg
            chans = (5, *cfg.channels)  # RGB + x, y coordinate planes (CoordConv)
            self.convs = nn.ModuleList(
                nn.Conv2d(chans[i], chans[i + 1], 3, stride=2 if i < 2 else 1, padding=1)
                for i in range(len(cfg.channels))
            )
            vocab = max(1, len(cfg.vocab))
            self.text = nn.Sequential(nn.Linear(vocab, cfg.text_dim), nn.ReLU())
            # FiLM (scale, shift) for every conv after the first two.
            self.films = nn.ModuleList(nn.Linear(cfg.text_dim, 2 * c) for c in cfg.channels[2:])
            self.keypoints = SpatialSoftmax()
            side = (cfg.height + 3) // 4, (cfg.width + 3) // 4
            n_feat = 2 * cfg.channels[-1]
            if cfg.pool == "flatten":
                n_feat = cfg.channels[-1] * side[0] * side[1]
            n_in = n_feat + STATE_DIM + cfg.text_dim
            self.head = nn.Sequential(
                nn.Linear(n_in, cfg.hidden),
                nn.ReLU(),
                nn.Linear(cfg.hidden, cfg.hidden),
                nn.ReLU(),
                nn.Linear(cfg.hidden, cfg.chunk * ACTION_DIM),
            )

        def forward(self, image: Any, state: Any, text: Any) -> Any:
            """image (B, 3, H, W) in [0, 1], normalised state (B, 6), bag of words (B, V)."""
            if text.shape[1] == 0:
                text = torch.zeros(text.shape[0], 1, device=text.device)
            t = self.text(text)
            b, _, h, w = image.shape
            ys = torch.linspace(-1.0, 1.0, h).view(1, 1, h, 1).expand(b, 1, h, w)
            xs = torch.linspace(-1.0, 1.0, w).view(1, 1, 1, w).expand(b, 1, h, w)
            x = torch.cat([image - 0.5, xs, ys], dim=1)
            for i, conv in enumerate(self.convs):
                x = conv(x)
                if i >= 2:
                    gamma, beta = self.films[i - 2](t).chunk(2, dim=1)
                    x = x * (1.0 + gamma[:, :, None, None]) + beta[:, :, None, None]
                if i < len(self.convs) - 1 or self.cfg.pool == "flatten":
                    x = torch.relu(x)  # keypoint logits stay signed
            pooled = self.keypoints(x) if self.cfg.pool == "keypoints" else x.flatten(1)
            feats = torch.cat([pooled, state, t], dim=1)
            return self.head(feats).reshape(-1, self.cfg.chunk, ACTION_DIM)

    return BCNet(config)


def save_model(net: Any, config: BCModelConfig, folder: Path) -> None:
    """Write `model.pt` (state dict) and `config.json` into `folder` (which must exist)."""
    torch = _torch()
    torch.save(net.state_dict(), folder / WEIGHTS)
    (folder / CONFIG).write_text(json.dumps(config.to_json(), indent=2))


def load_model(folder: Path | str) -> tuple[Any, BCModelConfig]:
    """The trained net (eval mode, CPU) and its config from a `handeye train bc` output folder."""
    torch = _torch()
    folder = Path(folder)
    if not (folder / CONFIG).is_file() or not (folder / WEIGHTS).is_file():
        raise SetupError(
            f"{folder}: no BC model here (needs {CONFIG} and {WEIGHTS}); train one with"
            " `handeye train bc --data DEMOS --out DIR`"
        )
    try:
        config = BCModelConfig.from_json(json.loads((folder / CONFIG).read_text()))
    except (ValueError, TypeError) as exc:
        raise SetupError(f"{folder / CONFIG}: not a BC model config ({exc})") from None
    net = build_network(config)
    net.load_state_dict(torch.load(folder / WEIGHTS, map_location="cpu", weights_only=True))
    net.eval()
    return net, config
