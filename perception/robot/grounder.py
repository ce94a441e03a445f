"""The embedded robot grounder: a small instruction-conditioned CNN that points at what to act on.

It reads a tabletop camera frame (RGB, plus depth when given) and an instruction, and returns
two points in observation pixels, the object to act on and the target (bowl, bin, zone, base
cube or push goal), plus the skill the instruction asks for. A bidirectional GRU over the
instruction's words modulates the image features (FiLM); two heatmaps over a 32x32 grid give
the points. It is trained by `training.train_robot_grounder` on frames the tabletop env
renders, labelled from simulator state, and ships as `perception/robot/weights/robot_grounder.pt`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import GroundingError, SetupError, missing_extra
from perception.grounding import Grounding, Point

WEIGHTS_PATH = Path(__file__).parent / "weights" / "robot_grounder.pt"
SKILLS = ("pick_place", "push", "stack", "reach")  # what the skill head chooses between
NET_SIZE = 64  # frames are box-filtered to NET_SIZE x NET_SIZE before the network
HEAT_SIZE = 32  # heatmap grid (cells per side)
DEPTH_CENTRE, DEPTH_SCALE = 0.9, 0.3  # metres; depth is normalised as (d - centre) / scale
PAD, UNK = "<pad>", "<unk>"
MAX_TOKENS = 24


@dataclass(frozen=True)
class GrounderNetConfig:
    """Sizes of the grounder network; stored in the weights file beside the state dict."""

    word_dim: int = 32
    text_dim: int = 64  # per GRU direction
    channels: tuple[int, int] = (32, 48)  # at 32x32 and 16x16


def tokenize(instruction: str) -> list[str]:
    """Lower-case words of an instruction (letters only), the grounder's text units."""
    return re.findall(r"[a-z]+", instruction.lower())[:MAX_TOKENS]


def encode_words(instruction: str, vocab: dict[str, int]) -> list[int]:
    """Token ids of an instruction, unknown words mapped to the <unk> id (at least one id)."""
    ids = [vocab.get(w, vocab[UNK]) for w in tokenize(instruction)]
    return ids or [vocab[UNK]]


def prepare_image(rgb: np.ndarray, depth: np.ndarray | None) -> np.ndarray:
    """Network input (5, NET_SIZE, NET_SIZE) float32: RGB 0-1, normalised depth, depth-valid.

    Any frame size is box-filtered to NET_SIZE; without depth the depth planes are zero.
    """
    from PIL import Image

    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise GroundingError(f"the robot grounder needs an H x W x 3 uint8 frame, got {rgb.shape}")
    h, w = rgb.shape[:2]
    out = np.zeros((5, NET_SIZE, NET_SIZE), np.float32)
    if (h, w) == (2 * NET_SIZE, 2 * NET_SIZE):
        small = rgb.reshape(NET_SIZE, 2, NET_SIZE, 2, 3).astype(np.float32).mean(axis=(1, 3))
    else:
        small = np.asarray(
            Image.fromarray(rgb).resize((NET_SIZE, NET_SIZE), Image.BOX), dtype=np.float32
        )
    out[:3] = small.transpose(2, 0, 1) / 255.0
    if depth is not None:
        d = np.asarray(depth, dtype=np.float32)
        if d.shape != (h, w):
            raise GroundingError(f"depth {d.shape} does not match the frame {rgb.shape[:2]}")
        d = np.clip(d, DEPTH_CENTRE - 2 * DEPTH_SCALE, DEPTH_CENTRE + 2 * DEPTH_SCALE)
        if (h, w) == (2 * NET_SIZE, 2 * NET_SIZE):
            d = d.reshape(NET_SIZE, 2, NET_SIZE, 2).mean(axis=(1, 3))
        else:
            d = np.asarray(Image.fromarray(d).resize((NET_SIZE, NET_SIZE), Image.BOX))
        out[3] = (d - DEPTH_CENTRE) / DEPTH_SCALE
        out[4] = 1.0
    return out


def pixel_to_cell(u: np.ndarray, size: int) -> np.ndarray:
    """Continuous heatmap-cell coordinate of an observation pixel coordinate on a `size` axis."""
    return (np.asarray(u, dtype=np.float32) + 0.5) * HEAT_SIZE / size - 0.5


def cell_to_pixel(c: np.ndarray, size: int) -> np.ndarray:
    """Observation pixel coordinate of a continuous heatmap-cell coordinate (inverse of above)."""
    return (np.asarray(c, dtype=np.float32) + 0.5) * size / HEAT_SIZE - 0.5


@cache
def _net_class() -> type:
    """The torch module class, built on first use so importing this module stays light."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    def conv(i: int, o: int, stride: int = 1, dilation: int = 1, k: int = 3) -> nn.Module:
        pad = dilation * (k // 2)
        return nn.Sequential(
            nn.Conv2d(i, o, k, stride, padding=pad, dilation=dilation, bias=False),
            nn.BatchNorm2d(o),
            nn.ReLU(inplace=True),
        )

    class GrounderNet(nn.Module):
        """Image encoder (32x32 and 16x16 stages) with FiLM from a GRU, two heatmap logits."""

        def __init__(self, vocab_size: int, cfg: GrounderNetConfig) -> None:
            super().__init__()
            c1, c2 = cfg.channels
            self.embed = nn.Embedding(vocab_size, cfg.word_dim, padding_idx=0)
            self.gru = nn.GRU(cfg.word_dim, cfg.text_dim, batch_first=True, bidirectional=True)
            text = 2 * cfg.text_dim
            self.skill = nn.Sequential(nn.Linear(text, 64), nn.ReLU(), nn.Linear(64, len(SKILLS)))
            self.stem = conv(7, c1, stride=2)
            self.b1 = conv(c1, c1)
            self.b2 = conv(c1, c2, stride=2)
            self.b3 = conv(c2, c2)
            self.b4 = conv(c2, c2, dilation=2)
            self.b5 = conv(c2, c2, dilation=4)
            self.d0 = conv(c1 + c2, c1, k=1)
            self.d1 = conv(c1, c1)
            self.head = nn.Conv2d(c1, 2, 1)
            self.film_sizes = (c1, c2, c2, c1)
            self.film = nn.Linear(text, 2 * sum(self.film_sizes))
            ys, xs = torch.meshgrid(
                torch.linspace(-1, 1, NET_SIZE), torch.linspace(-1, 1, NET_SIZE), indexing="ij"
            )
            self.register_buffer("coords", torch.stack([xs, ys])[None], persistent=False)

        def encode_text(self, tokens: Any, lengths: Any) -> Any:
            packed = nn.utils.rnn.pack_padded_sequence(
                self.embed(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            _, h = self.gru(packed)
            return torch.cat([h[0], h[1]], dim=1)

        def forward(self, image: Any, tokens: Any, lengths: Any) -> tuple[Any, Any]:
            """Heatmap logits (B, 2, 32, 32) and skill logits (B, len(SKILLS))."""
            text = self.encode_text(tokens, lengths)
            films = torch.split(self.film(text), [2 * n for n in self.film_sizes], dim=1)

            def modulate(x: Any, film: Any) -> Any:
                gamma, beta = film.chunk(2, dim=1)
                return x * (1 + gamma[:, :, None, None]) + beta[:, :, None, None]

            x = torch.cat([image, self.coords.expand(image.shape[0], -1, -1, -1)], dim=1)
            x = self.stem(x)
            skip = modulate(self.b1(x), films[0])
            x = self.b2(skip)
            x = modulate(self.b3(x), films[1])
            x = self.b4(x)
            x = modulate(self.b5(x), films[2])
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            x = self.d0(torch.cat([x, skip], dim=1))
            x = modulate(self.d1(x), films[3])
            return self.head(x), self.skill(text)

    return GrounderNet


def build_net(vocab_size: int, cfg: GrounderNetConfig | None = None) -> Any:
    """A freshly initialised grounder network (torch.nn.Module)."""
    return _net_class()(vocab_size, cfg or GrounderNetConfig())


def decode_heatmap(logits: np.ndarray) -> tuple[float, float, float]:
    """(cell x, cell y, peak probability) of one (32, 32) logit map: argmax refined by 3x3 mean."""
    flat = logits.reshape(-1).astype(np.float64)
    p = np.exp(flat - flat.max())
    p = (p / p.sum()).reshape(logits.shape)
    cy, cx = np.unravel_index(int(np.argmax(p)), p.shape)
    y0, y1 = max(cy - 1, 0), min(cy + 2, p.shape[0])
    x0, x1 = max(cx - 1, 0), min(cx + 2, p.shape[1])
    win = p[y0:y1, x0:x1]
    ys, xs = np.mgrid[y0:y1, x0:x1]
    total = float(win.sum())
    return float((xs * win).sum() / total), float((ys * win).sum() / total), float(p[cy, cx])


def save_weights(path: Path, net: Any, vocab: dict[str, int], cfg: GrounderNetConfig, **meta: Any):
    """Write the state dict, vocabulary and config (float16 weights keep the file small)."""
    import torch

    state = {k: (v.half() if v.is_floating_point() else v) for k, v in net.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state": state, "vocab": vocab, "config": asdict(cfg), "meta": meta}, path)


class RobotGrounder:
    """The embedded CPU grounder for tabletop frames (implements perception.grounding.Grounder).

    `ground(image, instruction, history, depth=None)` returns points labelled "object" and
    "target" (observation pixels) and a tool call naming the skill with both points.
    """

    def __init__(self, weights: Path | str | None = None, threads: int | None = None) -> None:
        try:
            import torch
        except ImportError:
            raise missing_extra("torch", "robot") from None
        path = Path(weights) if weights else WEIGHTS_PATH
        if not path.exists():
            raise SetupError(
                f"robot grounder weights {path} are missing; train them with"
                " `python -m training.train_robot_grounder`"
            )
        if threads:
            torch.set_num_threads(threads)
        blob = torch.load(path, map_location="cpu", weights_only=True)
        self.vocab: dict[str, int] = dict(blob["vocab"])
        cfg = blob["config"]
        self.config = GrounderNetConfig(**{**cfg, "channels": tuple(cfg["channels"])})
        self.meta: dict[str, Any] = dict(blob.get("meta", {}))
        self.net = build_net(len(self.vocab), self.config)
        self.net.load_state_dict({k: v.float() for k, v in blob["state"].items()})
        self.net.eval()
        self._torch = torch

    def ground(
        self,
        image: np.ndarray,
        instruction: str,
        history: Sequence[str] = (),
        depth: np.ndarray | None = None,
    ) -> Grounding:
        """Point at the instruction's object and target in `image` (H x W x 3 uint8)."""
        torch = self._torch
        t0 = time.perf_counter()
        h, w = np.asarray(image).shape[:2]
        x = torch.from_numpy(prepare_image(image, depth))[None]
        ids = encode_words(instruction, self.vocab)
        tokens = torch.tensor([ids], dtype=torch.long)
        with torch.inference_mode():
            heat, skill = self.net(x, tokens, torch.tensor([len(ids)]))
        heat = heat[0].numpy()
        probs = torch.softmax(skill[0], 0).numpy()
        labels = ("object", "target")
        points, confidence = [], {}
        for k, label in enumerate(labels):
            cx, cy, peak = decode_heatmap(heat[k])
            points.append(Point(float(cell_to_pixel(cx, w)), float(cell_to_pixel(cy, h)), label))
            confidence[label] = round(peak, 4)
        name = SKILLS[int(np.argmax(probs))]
        args = {p.label: [round(p.x, 2), round(p.y, 2)] for p in points}
        call = {"name": name, "arguments": args}
        latency = time.perf_counter() - t0
        raw = json.dumps(
            {**call, "confidence": confidence, "skill_p": round(float(probs.max()), 4)}
        )
        return Grounding(
            points=tuple(points),
            tool_call=call,
            raw_text=raw,
            format="robot-heatmap",
            latency_s=latency,
            timings={"ground": latency},
        )

    def close(self) -> None:
        """Drop the network (the grounder holds no process or file)."""
        self.net = None
