"""Runs of True in a 1-D mask: the one place the finders that cut rows, columns and strokes
into runs (text lines, slider tracks, drawn controls, the policy's pixel helpers) take them."""

from __future__ import annotations

import numpy as np

__all__ = ["longest_run", "true_runs"]


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D mask, end exclusive."""
    edges = np.diff(np.concatenate(([0], np.asarray(mask).astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist()
    return list(zip(starts, ends, strict=True))


def longest_run(mask: np.ndarray) -> tuple[int, int]:
    """(start, end) of the longest run of True in a 1-D mask (the first of equals); (0, 0)
    when it has none."""
    runs = true_runs(mask)
    return max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)
