"""`--policy bc --model DIR`: a trained behaviour-cloning net acting from pixels, proprio and words.

At decision time it reads `obs["rgb"]`, `obs["proprio"]` and the instruction only (no simulator
state); a model trained with `--lift` also reads the frame's calibration (`obs["K"]`,
`obs["T_world_camera"]`), as a real robot has it. With a chunking model (K > 1) every step
predicts K actions and the action executed is ACT's temporal ensemble: the mean of all
predictions made for this step, weighted exp(-m * i) with i = 0 for the oldest.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import EEDelta
from contracts.errors import ConfigError, HandeyeError
from policies.bc.network import BCModelConfig, load_model
from policies.bc.table_plane import pixel_to_table, resized_intrinsics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BCPolicyConfig:
    """Options of the behaviour-cloning policy."""

    model: str | None = None  # a folder written by `handeye train bc` (required)
    ensemble: float = 0.1  # temporal-ensembling weight m (ACT); only used when the model chunks
    threads: int = 1  # torch CPU threads for inference (one frame at a time: 1 is fastest)


class BCPolicy:
    """Behaviour-cloned EE-delta policy for the tabletop envs (pixels + proprio only)."""

    name = "bc"
    privileged = False

    def __init__(self, model: str | None = None, ensemble: float = 0.1, threads: int = 1) -> None:
        import torch

        if not model:
            raise ConfigError("the bc policy needs --model DIR (a folder from `handeye train bc`)")
        if threads:
            torch.set_num_threads(threads)
        self.net, self.config = load_model(model)
        self.ensemble = ensemble
        self.last_extra: dict[str, Any] = {}
        self._text = np.zeros(len(self.config.vocab), np.float32)
        self._tokens = self.config.token_ids("")
        self._pending: deque[np.ndarray] = deque(maxlen=self.config.chunk)
        self._warned_size = False

    def reset(self, instruction: str = "") -> None:
        """Start an episode: encode the instruction, forget pending chunk predictions."""
        self._text = self.config.bag_of_words(instruction)
        self._tokens = self.config.token_ids(instruction)
        self._pending.clear()

    def _image(self, rgb: Any) -> np.ndarray:
        """The frame as the net was trained on it: (H, W, 3) uint8 at the model's size."""
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise HandeyeError(f"bc policy needs obs['rgb'] as H x W x 3 uint8, got {rgb.shape}")
        c = self.config
        if rgb.shape[:2] != (c.height, c.width):
            from PIL import Image

            if not self._warned_size:
                log.warning(
                    "bc model was trained on %dx%d frames, the env gives %dx%d: resizing (render"
                    " at the training size for best results)",
                    c.width,
                    c.height,
                    rgb.shape[1],
                    rgb.shape[0],
                )
                self._warned_size = True
            rgb = np.asarray(Image.fromarray(rgb).resize((c.width, c.height), Image.BILINEAR))
        return rgb

    def predict(self, obs: dict[str, Any]) -> np.ndarray:
        """The net's (chunk, 5) actions in metres/radians for one observation."""
        import torch

        if "rgb" not in obs or "proprio" not in obs:
            raise HandeyeError(
                "bc policy needs obs['rgb'] and obs['proprio'] (a handeye tabletop env)"
            )
        c: BCModelConfig = self.config
        maps = self._table_map(obs) if c.lift else None
        image = torch.from_numpy(self._image(obs["rgb"]).transpose(2, 0, 1).copy())[None]
        state = (np.asarray(obs["proprio"], np.float32) - c.state_mean) / np.asarray(c.state_std)
        with torch.no_grad():
            out = self.net(
                image.float() / 255.0,
                torch.from_numpy(state.astype(np.float32))[None],
                torch.from_numpy(self._text)[None],
                torch.from_numpy(self._tokens)[None],
                table_maps=maps,
            )[0].numpy()
        return out * np.asarray(c.action_std, np.float32) + np.asarray(c.action_mean, np.float32)

    def _table_map(self, obs: dict[str, Any]) -> Any:
        """(1, 3, 3) pixel -> table map of this frame at the model's image size."""
        import torch

        if "K" not in obs or "T_world_camera" not in obs:
            raise HandeyeError(
                "this bc model was trained with --lift: it needs obs['K'] and"
                " obs['T_world_camera'] (a handeye tabletop env's calibration)"
            )
        c = self.config
        h, w = np.asarray(obs["rgb"]).shape[:2]
        K = resized_intrinsics(obs["K"], (w, h), (c.width, c.height))
        table = pixel_to_table(K, np.asarray(obs["T_world_camera"]), c.lift_height)
        return torch.from_numpy(table.astype(np.float32))[None]

    def act(self, obs: dict[str, Any], info: dict[str, Any] | None = None) -> EEDelta:
        chunk = self.predict(obs)
        self._pending.append(chunk)
        # The i-th oldest chunk still pending predicted this step at its row (age).
        n = len(self._pending)
        rows = [p[n - 1 - i] for i, p in enumerate(self._pending)]
        weights = np.exp(-self.ensemble * np.arange(n))
        action = (np.stack(rows) * weights[:, None]).sum(0) / weights.sum()
        grip = float(np.clip(action[4], -1.0, 1.0))
        if self.config.grip_values:
            levels = np.asarray(self.config.grip_values)
            grip = float(levels[np.abs(levels - grip).argmin()])
        self.last_extra = {
            "action_vector": [float(v) for v in action[:4]] + [grip],
            "state": np.asarray(obs["proprio"], dtype=float).tolist(),
        }
        return EEDelta(*(float(v) for v in action[:4]), grip=grip)

    def close(self) -> None:
        """Nothing to release (the net is plain memory)."""
