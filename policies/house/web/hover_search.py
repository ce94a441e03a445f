"""Find a spot by the page's hot/cold feedback: "find and click on the HOT area".

The pointer probes the drawing area (hover, then read the frame's words); each reading is a
rung on the temperature scale people use for such games ("ice cold" < "cold" < "warm" <
"hot"). Two probes on different rungs say the goal is nearer the hotter one: a half-plane.
The next probe is the middle of the spots every such half-plane still allows, after a coarse
grid; the step clicks the first probe that reads as the asked word, else the hottest one.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Click, Hover
from perception.instructions.routines import SCALE  # coldest first, as the grammar reads it
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

GRID = 3  # coarse probes a side
MAX_PROBES = 22  # probes before the step clicks the hottest spot found
CELL = 2  # pixels between the candidate spots the half-planes are kept for


def rung(text: str) -> int | None:
    """The scale rung a page's words say (the longest phrase wins: "ICE COLD" is not "COLD")."""
    low = " " + re.sub(r"[^a-z]+", " ", text.lower()) + " "
    found = [(len(w), i) for i, w in enumerate(SCALE) if f" {w} " in low]
    if not found:
        return None
    return _level(SCALE[max(found)[1]])


def _level(word: str) -> int:
    """Coarse temperature of a scale word: synonyms share a level."""
    groups = (("freezing", "ice cold", "icy"), ("cold",), ("cool", "lukewarm", "tepid"),
              ("warm",), ("hot", "very hot"), ("burning", "on fire"))  # fmt: skip
    return next(i for i, g in enumerate(groups) if word in g)


def _area(view: View) -> tuple[int, int, int, int]:
    """The drawing area to probe: the largest outlined box below the banner, else all of it."""
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    boxes = view.outlined_boxes()
    if boxes:
        x0, y0, x1, y1 = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        if (x1 - x0) * (y1 - y0) >= 0.2 * w * (h - top):
            return x0 + 2, y0 + 2, x1 - 2, y1 - 2
    return 0, top, w, h


def next_probe(
    area: tuple[int, int, int, int], probes: list[tuple[tuple[int, int], int]]
) -> tuple[int, int]:
    """The grid spot not yet probed, then the middle of the spots that every pair of probes on
    different rungs allows (nearer the hotter of the two)."""
    x0, y0, x1, y1 = area
    done = {p for p, _ in probes}
    for j in range(GRID):
        for i in range(GRID):
            p = (int(x0 + (i + 0.5) * (x1 - x0) / GRID), int(y0 + (j + 0.5) * (y1 - y0) / GRID))
            if p not in done:
                return p
    ys, xs = np.mgrid[y0:y1:CELL, x0:x1:CELL]
    keep = np.ones(xs.shape, bool)
    for a, ra in probes:
        for b, rb in probes:
            if ra > rb:  # nearer a than b
                da = (xs - a[0]) ** 2 + (ys - a[1]) ** 2
                db = (xs - b[0]) ** 2 + (ys - b[1]) ** 2
                keep &= da < db
    if not keep.any():
        best = max(probes, key=lambda q: q[1])[0]
        return best[0] + 3, best[1] + 3
    cx, cy = xs[keep].mean(), ys[keep].mean()
    d = (xs - cx) ** 2 + (ys - cy) ** 2
    d[~keep] = np.inf
    for p in done:  # a probed spot tells nothing new
        d[(xs == p[0]) & (ys == p[1])] = np.inf
    k = int(np.argmin(d))
    return int(xs.flat[k]), int(ys.flat[k])


def search_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """Probe by hovering until the page's word is the asked one, then click there; None once
    clicked; NOT_MINE for a step that is no such search (the grammar's manner "probe")."""
    step = state.step
    if step.manner != "probe" or step.target is None:
        return NOT_MINE
    goal = rung(step.target.text)
    if goal is None:
        return NOT_MINE
    memo = state.memo
    if memo.get("clicked"):
        return None
    probes: list[tuple[tuple[int, int], int]] = memo.setdefault("probes", [])
    if "area" not in memo:
        memo["area"] = _area(view)
    pending = memo.pop("pending", None)
    if pending is not None:
        said = rung(" ".join(e.text for e in view.content()))
        notes["feedback"] = said
        if said is not None:
            probes.append((pending, said))
            if said >= goal:
                memo["clicked"] = True
                notes["target"] = f"spot {pending} reads the asked word"
                return Click(*pending), None, "none"
    if len(probes) >= MAX_PROBES or memo.get("tries", 0) >= MAX_PROBES + 4:
        memo["clicked"] = True
        best = max(probes, key=lambda q: q[1])[0] if probes else next_probe(memo["area"], [])
        notes["target"] = f"hottest spot found {best}"
        return Click(*best), None, "none"
    memo["tries"] = memo.get("tries", 0) + 1
    memo["pending"] = next_probe(memo["area"], probes)
    notes["target"] = f"probe {memo['pending']}"
    return Hover(*memo["pending"]), None, "none"
