"""Clicking a point of a drawn Cartesian grid by its coordinates: "click on the grid coordinate
(2,-1)" finds the axes (the longest dark horizontal and vertical strokes), the plotted dots
(small coloured blobs) and their spacing (one unit), and clicks the dot at origin + (x, -y)
units. Pixels only; nothing is known about the page.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Click
from policies.house.web.pixels import components
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

_POINT = re.compile(
    r"\b(?:coordinates?|point|position|location)\s*(?:of\s+)?\(?\s*([-−–]?\d+)\s*,\s*([-−–]?\d+)\s*\)",
    re.I,
)
SATURATED = 80  # a dot's pixels differ this much between their strongest and weakest channel
DARK = 170  # an axis's pixels are at most this grey (a 1-pixel line drawn between rows is ~128)
MIN_AXIS = 0.5  # an axis spans at least this share of the dots' extent
DOT_SIDES = (3, 24)  # a plotted dot's smallest and largest side (pixels)


def wanted_point(instruction: str) -> tuple[int, int] | None:
    """The (x, y) an instruction asks to click on a grid, or None."""
    m = _POINT.search(instruction)
    if m is None:
        return None
    x, y = (int(g.replace("−", "-").replace("–", "-")) for g in m.groups())
    return x, y


def dots(frame: np.ndarray, top: int) -> list[tuple[int, int]]:
    """Centres of the small coloured blobs below row `top` (frame pixels)."""
    page = frame[top:].astype(np.int16)
    mask = (page.max(axis=2) - page.min(axis=2)) > SATURATED
    out = []
    lo, hi = DOT_SIDES
    for x0, y0, x1, y1 in components(mask):
        w, h = x1 - x0, y1 - y0
        if lo <= w <= hi and lo <= h <= hi and 0.6 <= w / h <= 1.6:
            out.append(((x0 + x1) // 2, (y0 + y1) // 2 + top))
    return out


def axes(frame: np.ndarray, top: int, span: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """(column of the vertical axis, row of the horizontal axis) within `span` (x0, y0, x1, y1):
    the column and row of grey pixels with the most dark ones, or None when either is short."""
    x0, y0, x1, y1 = span
    page = frame[top:].astype(np.int16)
    dark = (page.max(axis=2) < DARK) & ((page.max(axis=2) - page.min(axis=2)) < 40)
    box = dark[y0 - top : y1 - top + 1, x0 : x1 + 1]
    if box.size == 0:
        return None
    cols, rows = box.sum(axis=0), box.sum(axis=1)
    col, row = int(cols.argmax()), int(rows.argmax())
    if cols[col] < MIN_AXIS * box.shape[0] or rows[row] < MIN_AXIS * box.shape[1]:
        return None
    return x0 + col, y0 + row


def _unit(values: list[int]) -> float | None:
    """The spacing of a lattice's coordinates (the median gap between distinct neighbours)."""
    distinct = sorted({v for v in values})
    merged: list[int] = []
    for v in distinct:
        if merged and v - merged[-1] <= 3:
            continue
        merged.append(v)
    gaps = np.diff(merged)
    return float(np.median(gaps)) if len(gaps) else None


def grid_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for "click the grid coordinate (x, y)", None once clicked, or
    NOT_MINE for any other step."""
    want = wanted_point(view.instruction)
    if want is None or state.step.verb != "click" or policy._index != 0:
        return NOT_MINE
    if state.phase == "grid_clicked":
        return None
    top = view.banner_bottom()
    found = dots(view.frame, top)
    if len(found) < 4:
        return NOT_MINE
    xs, ys = [p[0] for p in found], [p[1] for p in found]
    span = (min(xs), min(ys), max(xs), max(ys))
    origin = axes(view.frame, top, span)
    ux, uy = _unit(xs), _unit(ys)
    if origin is None or not ux or not uy:
        return NOT_MINE
    gx, gy = origin[0] + want[0] * ux, origin[1] - want[1] * uy
    best = min(found, key=lambda p: (p[0] - gx) ** 2 + (p[1] - gy) ** 2)
    if abs(best[0] - gx) > ux / 2 or abs(best[1] - gy) > uy / 2:
        return NOT_MINE
    state.phase = "grid_clicked"
    notes["target"] = f"grid point {want} at {best} (origin {origin}, unit {ux:g}x{uy:g})"
    return Click(*best), None, "none"
