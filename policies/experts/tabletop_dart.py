"""The tabletop expert with DART-style noise: it runs a perturbed action, records the clean one.

Behaviour cloning from a deterministic expert only ever sees the expert's own path; one step off
it, the learned policy is in states it never saw and errors compound. Injecting noise into the
executed action (Laskey et al., 2017, "DART") while labelling each frame with the expert's clean
action from that state shows the learner how to recover. `last_extra["action_vector"]` (what
`handeye train bc` learns) is the clean action; the trace's `action` column is what ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import EEDelta
from policies.experts.tabletop import TabletopExpert


@dataclass(frozen=True)
class DartConfig:
    """Options of the noisy tabletop expert."""

    noise: float = 0.3  # std of the xyz perturbation, in units of one step's reach
    seed: int | None = None  # seed of the noise generator (None: fresh entropy)


class DartExpert:
    """TabletopExpert whose executed xyz deltas carry Gaussian noise; the labels stay clean."""

    name = "tabletop-expert-dart"
    privileged = True

    def __init__(self, noise: float = 0.3, seed: int | None = None) -> None:
        self.expert = TabletopExpert()
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.last_extra: dict[str, Any] = {}

    def reset(self, instruction: str = "") -> None:
        """Reset the expert's phase machine."""
        self.expert.reset(instruction)
        self.last_extra = {}

    def act(self, obs: Any, info: dict[str, Any] | None = None) -> EEDelta:
        """The expert's action with noise on dx, dy, dz (metres); the clean one is recorded."""
        clean = self.expert.act(obs, info)
        scale = np.asarray((info or {}).get("action_scale", [0.03] * 5), dtype=float)
        xyz = np.array([clean.dx, clean.dy, clean.dz])
        xyz = xyz + self.rng.normal(0.0, self.noise * scale[:3])
        self.last_extra = {**self.expert.last_extra, "executed": xyz.tolist()}
        return EEDelta(*(float(v) for v in xyz), dyaw=clean.dyaw, grip=clean.grip)

    def close(self) -> None:
        """Nothing to release."""
