"""The tabletop expert with DART-style noise: it runs a perturbed action, records the clean one.

Behaviour cloning from a deterministic expert only ever sees the expert's own path; one step off
it, the learned policy is in states it never saw and errors compound. Injecting noise into the
executed action (Laskey et al., 2017, "DART") while labelling each frame with the expert's clean
action from that state shows the learner how to recover. `last_extra["action_vector"]` (what
`handeye train bc` learns) is the clean action; the trace's `action` column is what ran.
`last_extra["keypoints"]` labels where the named object and its target (bowl, bin, base cube;
null when the task has none) are in the frame, as (u, v) pixels: training-time labels for
`handeye train bc`'s auxiliary keypoint loss, never an input to the learned policy.
`last_extra["camera"]` repeats the frame's calibration from the observation (`K`,
`T_world_camera`), which `handeye train bc --lift` needs to place pixels on the table.
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
    # The expert's style: "decisive" (pick-place: close within 1 cm of the grasp point, let go
    # as soon as the object is over the bowl or bin) gives a clone few look-alike hovering
    # frames to copy; "precise" is the plain expert's.
    style: str = "decisive"


def goal_keypoints(obs: Any, info: dict[str, Any]) -> list[list[float] | None]:
    """(u, v) pixels of the goal object and its target (None if absent or not seen) in `rgb`."""
    if not isinstance(obs, dict) or "K" not in obs or "T_world_camera" not in obs:
        return [None, None]
    p = info["privileged"]
    K, T = np.asarray(obs["K"], float), np.asarray(obs["T_world_camera"], float)
    goal = p["goal"]
    points = [p["objects"].get(goal["object"], {}).get("pos")]
    target = goal.get("target")
    points.append((p["targets"].get(target) or p["objects"].get(target) or {}).get("pos"))
    out: list[list[float] | None] = []
    for pos in points:
        if pos is None:
            out.append(None)
            continue
        cam = np.linalg.inv(T) @ np.append(np.asarray(pos, float), 1.0)
        if cam[2] <= 1e-6:
            out.append(None)
            continue
        uv = K @ (cam[:3] / cam[2])
        out.append([float(uv[0]), float(uv[1])])
    return out


def camera_of(obs: dict[str, Any]) -> dict[str, list[list[float]]]:
    """The observed frame's calibration as JSON lists: K (3x3 pixels), T_world_camera (4x4)."""
    return {
        "K": np.asarray(obs["K"], float).tolist(),
        "T_world_camera": np.asarray(obs["T_world_camera"], float).tolist(),
    }


class DartExpert:
    """TabletopExpert whose executed xyz deltas carry Gaussian noise; the labels stay clean."""

    name = "tabletop-expert-dart"
    privileged = True

    def __init__(
        self, noise: float = 0.3, seed: int | None = None, style: str = "decisive"
    ) -> None:
        self.expert = TabletopExpert(style=style)
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
        self.last_extra = {
            **self.expert.last_extra,
            "executed": xyz.tolist(),
            **({"keypoints": goal_keypoints(obs, info)} if info and "privileged" in info else {}),
            **({"camera": camera_of(obs)} if isinstance(obs, dict) and "K" in obs else {}),
        }
        return EEDelta(*(float(v) for v in xyz), dyaw=clean.dyaw, grip=clean.grip)

    def close(self) -> None:
        """Nothing to release."""
