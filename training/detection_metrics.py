"""Precision and recall of detected UI elements against DOM labels, overall and per kind.

A detection matches a labelled element when their boxes overlap with IoU >= 0.5 (greedy, best
score first, one-to-one). Detections lying mostly inside an ignore region are not counted.
"Element" scores ignore the kind; "kind" scores also require the kind to agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perception.screen.kinds import KINDS, PageLabels


@dataclass
class DetectionTally:
    """Running counts over many frames."""

    iou: float = 0.5
    labelled: Counter = field(default_factory=Counter)  # per labelled kind
    found: Counter = field(default_factory=Counter)  # labelled elements matched, per their kind
    predicted: Counter = field(default_factory=Counter)  # counted detections, per predicted kind
    matched_pred: Counter = field(default_factory=Counter)  # matched detections, per pred. kind
    kind_right: Counter = field(default_factory=Counter)  # matches whose kinds agree, per kind
    frames: int = 0

    def add(self, detections: Sequence[Any], labels: PageLabels) -> None:
        """Score one frame: `detections` carry .box, .kind and .score."""
        self.frames += 1
        gt = [b for b in labels.boxes]
        for b in gt:
            self.labelled[b.kind] += 1
        preds = sorted(detections, key=lambda d: -d.score)
        gboxes = np.array([b.box for b in gt], np.float64).reshape(-1, 4)
        taken = np.zeros(len(gt), bool)
        for d in preds:
            j = -1
            if len(gt):
                ious = box_iou(np.array(d.box, np.float64), gboxes)
                ious[taken] = 0
                j = int(np.argmax(ious))
                if ious[j] < self.iou:
                    j = -1
            if j < 0:
                if _inside_ignore(d.box, labels.ignore):
                    continue
                self.predicted[d.kind] += 1
                continue
            taken[j] = True
            self.predicted[d.kind] += 1
            self.matched_pred[d.kind] += 1
            self.found[gt[j].kind] += 1
            if gt[j].kind == d.kind:
                self.kind_right[d.kind] += 1

    def summary(self) -> dict[str, Any]:
        """Precision/recall overall ("element": any kind; "kind": kinds must agree) and per kind."""
        n_gt, n_pred = sum(self.labelled.values()), sum(self.predicted.values())
        n_match, n_right = sum(self.found.values()), sum(self.kind_right.values())
        per_kind = {}
        for k in KINDS:
            per_kind[k] = {
                "labelled": self.labelled[k],
                "recall": _ratio(self.found[k], self.labelled[k]),
                "precision": _ratio(self.matched_pred[k], self.predicted[k]),
                "kind_precision": _ratio(self.kind_right[k], self.predicted[k]),
                "kind_recall": _ratio(self.kind_right[k], self.labelled[k]),
            }
        return {
            "frames": self.frames,
            "labelled": n_gt,
            "detected": n_pred,
            "element_precision": _ratio(n_match, n_pred),
            "element_recall": _ratio(n_match, n_gt),
            "kind_precision": _ratio(n_right, n_pred),
            "kind_recall": _ratio(n_right, n_gt),
            "kind_accuracy_of_matches": _ratio(n_right, n_match),
            "per_kind": per_kind,
        }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (4,) box with (N, 4) boxes, all x0, y0, x1, y1."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _inside_ignore(box: Iterable[float], ignore: Sequence[Sequence[float]]) -> bool:
    """True when at least half of `box` lies inside ignore regions."""
    if not ignore:
        return False
    b = np.array(list(box), np.float64)
    area = max((b[2] - b[0]) * (b[3] - b[1]), 1e-9)
    regions = np.array(ignore, np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(b[2], regions[:, 2]) - np.maximum(b[0], regions[:, 0]), 0, None)
    iy = np.clip(np.minimum(b[3], regions[:, 3]) - np.maximum(b[1], regions[:, 1]), 0, None)
    return float(np.sum(ix * iy)) >= 0.5 * area
