"""The behaviour-cloning network and its saved form (weights + config JSON with vocabulary and
normalisation statistics).

The net sees what a pixel policy may see: the RGB frame (H x W x 3 uint8), the proprio vector
(tcp xyz in metres, sin/cos yaw, finger gap) and the instruction. A small CNN whose last layers
are FiLM-modulated by a bag-of-words embedding of the instruction (so "the red cube" selects
which object the features follow) ends in a spatial softmax (one expected x, y per channel:
keypoints); an MLP on keypoints + normalised proprio + instruction embedding predicts a chunk
of K future EE deltas (ACT-style action chunking; K = 1 is plain BC), normalised per component.

With `slots` > 0 the net also finds the objects the instruction names: a bidirectional GRU over
the instruction's words lets each slot (0: the object, 1: its target) attend to one word, whose
embedding becomes a 1x1 kernel over half-resolution features; the kernel's heat map, through a
spatial softmax, is that slot's (x, y). Training may supervise these keypoints with labelled
pixel positions (an auxiliary loss); at decision time they come from pixels and words alone.
A bag of words cannot say which colour goes with the cube and which with the bowl; word order can.

With `lift`, each named keypoint also goes through the frame's calibration onto the table plane
(`policies.bc.table_plane`), and the head reads its xy relative to the tcp in metres: "above the
object" becomes a small vector instead of a camera projection the MLP would have to learn.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import ConfigError, SetupError, missing_extra
from policies.bc.table_plane import table_xy

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
    slots: int = 0  # named-object keypoints (0: none; 2: the object and its target)
    max_words: int = 16  # instruction words the slot attention reads
    head: str = "all"  # the MLP's inputs: "all", or "named" (named keypoints, proprio, words)
    lift: bool = False  # named keypoints also as table xy relative to the tcp (needs calibration)
    lift_height: float = 0.024  # metres: the table-parallel plane the keypoints are placed on
    # The few grip commands the expert used (pick-place: -1, 1); the policy snaps to the nearest,
    # since a half-closed gripper is a state no demonstration shows. Empty: continuous grip.
    grip_values: tuple[float, ...] = ()
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
        if self.head not in ("all", "named") or (self.head == "named" and not self.slots):
            raise ConfigError(f"head must be 'all' or 'named' (with slots > 0), got {self.head!r}")
        if self.lift and not self.slots:
            raise ConfigError("lift places named keypoints on the table: it needs slots > 0")
        if self.slots < 0 or self.max_words < 1:
            raise ConfigError(
                f"need slots >= 0 and max_words >= 1, got {self.slots}, {self.max_words}"
            )
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

    def token_ids(self, instruction: str) -> np.ndarray:
        """(max_words,) int64 word ids (vocabulary index + 1; 0 pads and unknown words)."""
        index = {w: i + 1 for i, w in enumerate(self.vocab)}
        ids = [index.get(w, 0) for w in words(instruction)][: self.max_words]
        out = np.zeros(self.max_words, np.int64)
        out[: len(ids)] = ids
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
            ex, ey = expected_xy(x / self.log_temperature.exp())
            return torch.cat([ex, ey], dim=1)

    def expected_xy(logits: Any) -> tuple[Any, Any]:
        """(B, C, H, W) logits -> expected x, y (B, C) in [-1, 1] under each channel's softmax."""
        b, c, h, w = logits.shape
        attn = torch.softmax(logits.reshape(b, c, h * w), dim=-1).reshape(b, c, h, w)
        ys = torch.linspace(-1.0, 1.0, h, device=logits.device)
        xs = torch.linspace(-1.0, 1.0, w, device=logits.device)
        return (attn.sum(dim=2) * xs).sum(dim=-1), (attn.sum(dim=3) * ys).sum(dim=-1)

    class NamedKeypoints(nn.Module):
        """Instruction words + half-resolution features -> (B, slots, 2) named-thing keypoints."""

        def __init__(self, cfg: BCModelConfig, vocab: int, dim: int = 32) -> None:
            super().__init__()
            feat = cfg.channels[0] + 3  # the trunk's first features and the (pooled) RGB
            self.embed = nn.Embedding(vocab + 1, dim, padding_idx=0)
            self.context = nn.GRU(dim, dim, batch_first=True, bidirectional=True)
            self.query = nn.Linear(2 * dim, cfg.slots)
            # One heat map per vocabulary word; a slot's map mixes the maps of the words it reads
            # (linear in the maps, so a colour word's detector learns from the first step).
            self.word_maps = nn.Sequential(
                nn.Conv2d(feat, feat, 3, padding=1, groups=feat),
                nn.ReLU(),
                nn.Conv2d(feat, 32, 1),
                nn.ReLU(),
                nn.Conv2d(32, vocab + 1, 1),
            )
            self.log_scale = nn.Parameter(torch.zeros(cfg.slots))

        def forward(self, early: Any, rgb: Any, tokens: Any) -> tuple[Any, Any]:
            """Keypoints (B, slots, 2) in [-1, 1] of what each slot's words name, and the heat
            maps' logits (B, slots, H/2, W/2) they are the expectation of."""
            ctx, _ = self.context(self.embed(tokens))
            scores = self.query(ctx).masked_fill((tokens == 0)[:, :, None], -1e4)
            pick = torch.softmax(scores, dim=1)  # (B, T, slots): which word each slot reads
            onehot = torch.nn.functional.one_hot(tokens, self.word_maps[-1].out_channels)
            per_word = torch.einsum("bts,btv->bsv", pick, onehot.float())
            small = torch.nn.functional.avg_pool2d(rgb, 2)
            maps = self.word_maps(torch.cat([early, small], dim=1))
            heat = torch.einsum("bsv,bvhw->bshw", per_word, maps)
            heat = heat * self.log_scale.exp()[None, :, None, None]
            ex, ey = expected_xy(heat)
            return torch.stack([ex, ey], dim=-1), heat

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
            n_in = n_feat + STATE_DIM + cfg.text_dim + 2 * cfg.slots * (2 if cfg.lift else 1)
            if cfg.head == "named":
                n_in -= n_feat
            self.named = NamedKeypoints(cfg, vocab) if cfg.slots else None
            # Normalisation of the tcp's xy, from the config (not saved with the weights).
            mean, std = (
                torch.tensor(v[:2], dtype=torch.float32) for v in (cfg.state_mean, cfg.state_std)
            )
            self.register_buffer("tcp_mean", mean, persistent=False)
            self.register_buffer("tcp_std", std, persistent=False)
            self.head = nn.Sequential(
                nn.Linear(n_in, cfg.hidden),
                nn.ReLU(),
                nn.Linear(cfg.hidden, cfg.hidden),
                nn.ReLU(),
                nn.Linear(cfg.hidden, cfg.chunk * ACTION_DIM),
            )

        def forward(
            self,
            image: Any,
            state: Any,
            text: Any,
            tokens: Any = None,
            keypoints: bool = False,
            table_maps: Any = None,
            shift: Any = None,
        ) -> Any:
            """image (B, 3, H, W) in [0, 1], normalised state (B, 6), bag of words (B, V), word
            ids (B, max_words) -> actions (B, chunk, 5) [and named heat logits (B, slots, h, w)].

            With `lift`: `table_maps` (B, 3, 3) pixel -> table maps of the frames as taken, and
            `shift` (B, 2) pixels the image content was moved by augmentation (None: 0)."""
            if text.shape[1] == 0:
                text = torch.zeros(text.shape[0], 1, device=text.device)
            t = self.text(text)
            b, _, h, w = image.shape
            ys = torch.linspace(-1.0, 1.0, h).view(1, 1, h, 1).expand(b, 1, h, w)
            xs = torch.linspace(-1.0, 1.0, w).view(1, 1, 1, w).expand(b, 1, h, w)
            x = torch.cat([image - 0.5, xs, ys], dim=1)
            early = None
            # A "named" head reads only the first conv's features (through the named keypoints).
            convs = self.convs[:1] if self.cfg.head == "named" else self.convs
            for i, conv in enumerate(convs):
                x = conv(x)
                early = torch.relu(x) if i == 0 else early
                if i >= 2:
                    gamma, beta = self.films[i - 2](t).chunk(2, dim=1)
                    x = x * (1.0 + gamma[:, :, None, None]) + beta[:, :, None, None]
                if i < len(self.convs) - 1 or self.cfg.pool == "flatten":
                    x = torch.relu(x)  # keypoint logits stay signed
            parts = [state, t]
            if self.cfg.head == "all":
                parts.insert(0, self.keypoints(x) if self.cfg.pool == "keypoints" else x.flatten(1))
            heat = None
            if self.named is not None:
                named, heat = self.named(early, image - 0.5, tokens)
                parts.append(named.flatten(1))
                if self.cfg.lift:
                    parts.append(self._lifted(named, state, table_maps, shift).flatten(1))
            actions = self.head(torch.cat(parts, dim=1)).reshape(-1, self.cfg.chunk, ACTION_DIM)
            return (actions, heat) if keypoints else actions

        def _lifted(self, named: Any, state: Any, table_maps: Any, shift: Any) -> Any:
            """Named keypoints (B, S, 2) in [-1, 1] -> table xy minus the tcp's, in 5 cm units."""
            if table_maps is None:
                raise ConfigError(
                    "this BC model lifts keypoints onto the table: it needs each frame's camera"
                    " calibration (obs['K'], obs['T_world_camera'])"
                )
            size = torch.tensor([self.cfg.width - 1, self.cfg.height - 1], dtype=named.dtype)
            uv = (named + 1.0) / 2.0 * size
            if shift is not None:
                uv = uv - shift[:, None, :]
            xy = table_xy(table_maps, uv)
            tcp = state[:, :2] * self.tcp_std + self.tcp_mean
            return ((xy - tcp[:, None, :]) / 0.05).clamp(-20.0, 20.0)

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
