"""Copying a pattern shown as an example into a grid of checkboxes: "draw the number 3 in the
checkboxes using the example on the right" finds two grids of cells with the same rows and
columns, takes the one whose cells all look alike as the boxes to tick and the other as the
example, and clicks each box whose example cell is lit (the cells that stand out from the
example's background the most). Pixels only; nothing is known about the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from perception.instructions.plan import Step
from policies.house.web.page_cues import Box
from policies.house.web.pixels import components
from policies.house.web.plan_state import ClickRun
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

CELL_SIDES = (7, 24)  # a cell's smallest and largest side (pixels)
SIZE_SLACK = 0.3  # cells of one grid differ in side by at most this share
LIT_SPREAD = 40  # grey levels between an example's lit and unlit cells at least


def cells(frame: np.ndarray, top: int) -> list[list[Box]]:
    """Square-ish blobs a cell across below `top`: those drawn dark on light, and those drawn
    light on dark (two lists: a grid is drawn one way)."""
    grey = frame[top:].astype(np.int16).mean(axis=2)
    lo, hi = CELL_SIDES
    out = []
    for mask in (grey < 200, grey > 60):
        found = []
        for x0, y0, x1, y1 in components(mask):
            w, h = x1 - x0, y1 - y0
            if lo <= w <= hi and lo <= h <= hi and abs(w - h) <= 0.3 * max(w, h):
                found.append((x0, y0 + top, x1, y1 + top))
        out.append(found)
    return out


def grids(boxes: list[Box]) -> list[list[list[Box]]]:
    """Rows of cells (top to bottom, each left to right) of every full grid the boxes form:
    boxes of one size, each near a neighbour, filling every row and column."""
    found = []
    left = sorted(set(boxes))
    while left:
        seed = left[0]
        side = seed[2] - seed[0]
        group, todo = [seed], [seed]
        rest = [b for b in left[1:] if abs((b[2] - b[0]) - side) <= SIZE_SLACK * side]
        while todo:
            b = todo.pop()
            near = [c for c in rest if _gap(b, c) <= side]
            for c in near:
                rest.remove(c)
            group += near
            todo += near
        left = [b for b in left if b not in group]
        rows = _lines([(b[1] + b[3]) / 2 for b in group], side)
        cols = _lines([(b[0] + b[2]) / 2 for b in group], side)
        if len(rows) < 2 or len(cols) < 2 or len(group) != len(rows) * len(cols):
            continue
        grid = [[b for b in group if _at(b, r, c, side)] for r in rows for c in cols]
        if all(len(g) == 1 for g in grid):
            found.append([[grid[i * len(cols) + j][0] for j in range(len(cols))]
                          for i in range(len(rows))])  # fmt: skip
    return found


def _gap(a: Box, b: Box) -> float:
    return max(0, b[0] - a[2], a[0] - b[2]) + max(0, b[1] - a[3], a[1] - b[3])


def _lines(values: list[float], side: int) -> list[float]:
    """Centres of the rows (or columns) the values fall in."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= side / 2:
            continue
        out.append(v)
    return out


def _at(b: Box, row: float, col: float, side: int) -> bool:
    return abs((b[1] + b[3]) / 2 - row) <= side / 2 and abs((b[0] + b[2]) / 2 - col) <= side / 2


def lit_cells(frame: np.ndarray, grid: list[list[Box]]) -> list[list[bool]] | None:
    """Which cells of an example grid are lit (their inside furthest from the grid's
    background), or None when the cells do not fall in two clear levels."""
    means = np.array([[_inside(frame, b) for b in row] for row in grid])
    if means.max() - means.min() < LIT_SPREAD:
        return None
    x0, y0 = grid[0][0][0], grid[0][0][1]
    x1, y1 = grid[-1][-1][2], grid[-1][-1][3]
    span = frame[y0:y1, x0:x1].astype(np.int16).mean(axis=2)
    between = span[np.abs(span - means.mean()) > LIT_SPREAD / 2]  # the lines between cells
    background = float(np.median(between)) if between.size else 0.0
    middle = (means.max() + means.min()) / 2
    far_high = abs(means.max() - background) >= abs(means.min() - background)
    return [[(m > middle) == far_high for m in row] for row in means]


def _inside(frame: np.ndarray, b: Box) -> float:
    x0, y0, x1, y1 = b
    m = max(2, (x1 - x0) // 4)
    return float(frame[y0 + m : y1 - m, x0 + m : x1 - m].astype(np.int16).mean())


def pattern_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) while ticking the example's pattern (the grammar's manner
    "copy"), None when done, or NOT_MINE."""
    step: Step = state.step
    if step.manner != "copy":
        return NOT_MINE
    if policy._index != 0:
        return NOT_MINE
    progress = policy.__dict__.get("_pattern")
    if progress is None or progress.step is not step:
        progress = policy.__dict__["_pattern"] = ClickRun(step)
    if not progress.found:
        progress.found = True
        top = view.banner_bottom()
        found = [g for way in cells(view.frame, top) for g in grids(way)]
        pair = _pair(view.frame, found)
        if pair is None:
            return NOT_MINE
        boxes, lit = pair
        progress.points = [
            ((b[0] + b[2]) // 2, (b[1] + b[3]) // 2)
            for row, on in zip(boxes, lit, strict=True)
            for b, o in zip(row, on, strict=True)
            if o
        ]
        notes["pattern"] = ["".join("#" if o else "." for o in row) for row in lit]
    return progress.next_click(notes, "box")


def _pair(
    frame: np.ndarray, found: list[list[list[Box]]]
) -> tuple[list[list[Box]], list[list[bool]]] | None:
    """(the grid to tick, the example's lit cells) from two grids of the same shape."""
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            if len(a) != len(b) or len(a[0]) != len(b[0]):
                continue
            lit_a, lit_b = lit_cells(frame, a), lit_cells(frame, b)
            if lit_a is None and lit_b is not None:
                return a, lit_b
            if lit_b is None and lit_a is not None:
                return b, lit_a
    return None
