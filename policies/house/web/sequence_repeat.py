"""Repeat a sequence the page shows: "push the buttons in the order displayed", "click the
tiles in the same order as they light up" (a click step whose manner is "shown").

The step watches first. Its first frame is the page at rest; every later frame is compared
with it below the instruction banner, and the region that differs (a button lit, a tile
flashed) is one shown element, counted again only after the page went back to rest (the same
button may flash twice). Once the page has rested for `REST_S` after at least one flash, the
recorded places are clicked in the order they were shown, one click a frame. The rest that
ends the sequence grows with the longest gap seen between flashes and with slow looks (load).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy import ndimage

from contracts.actions import Wait
from policies.house.web.plan_state import ClickRun
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MANNER = "shown"
PERIOD_S = 0.17  # time between looks: a flash lasts ~250 ms, so looks must come faster
MIN_WAIT_S = 0.02
DIFF = 40  # a channel this far from the rest frame marks a changed pixel
MIN_PX = 30  # fewer changed pixels are noise (a caret, antialiasing), not a flash
REST_S = 0.7  # the page at rest this long after a flash: the sequence is over
FIRST_S = 5.0  # nothing flashed this long after the step began: the step gives up
GAP_SHARE = 1.5  # the rest that ends a sequence outlasts its longest gap this many times
LOOKS = 3  # and lasts at least this many times between looks
SAME_PX = 6  # a flash whose centre moved less than this is the same one still lit


def lit_region(
    rest: np.ndarray, frame: np.ndarray, top: int = 0
) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) of the largest region below row `top` where `frame` differs
    from `rest` (both H x W x 3 uint8), or None when they match there."""
    if rest.shape != frame.shape:
        return None
    delta = np.abs(rest[top:].astype(np.int16) - frame[top:].astype(np.int16)).max(axis=2)
    mask = delta > DIFF
    if int(mask.sum()) < MIN_PX:
        return None
    labels, count = ndimage.label(mask)
    sizes = ndimage.sum(mask, labels, range(1, count + 1))
    biggest = int(np.argmax(sizes)) + 1
    if sizes[biggest - 1] < MIN_PX:
        return None
    ys, xs = np.nonzero(labels == biggest)
    return int(xs.min()), int(ys.min()) + top, int(xs.max()) + 1, int(ys.max()) + 1 + top


def _centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return (box[0] + box[2]) // 2, (box[1] + box[3]) // 2


def sequence_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) while watching or repeating, None when every shown element
    is clicked (or nothing flashed), or NOT_MINE for a step that repeats no sequence."""
    step = state.step
    if step.manner != MANNER or step.verb not in ("click", "double_click"):
        return NOT_MINE
    memo = state.memo
    run: ClickRun | None = memo.get("repeat")
    if run is not None:
        return run.next_click(notes, "repeating shown element")
    now = time.monotonic()
    # the wait that makes looks PERIOD_S apart, whatever the parse and the page step take
    overhead = now - memo.get("called", now) - memo.get("waited", 0.0)
    if "called" in memo:  # the time between two looks, smoothed
        last = now - memo["called"]
        memo["period"] = last if "period" not in memo else 0.7 * memo["period"] + 0.3 * last
    memo["called"] = now
    memo["waited"] = max(MIN_WAIT_S, PERIOD_S - overhead)
    look = Wait(round(memo["waited"], 3)), None, "none"
    if "rest" not in memo:
        memo.update(rest=view.frame.copy(), top=view.banner_bottom(), start=now, shown=[])
        memo.update(lit=None, quiet_since=now)
        notes["target"] = "watching for the sequence"
        return look
    box = lit_region(memo["rest"], view.frame, memo["top"])
    shown: list[tuple[int, int]] = memo["shown"]
    if box is not None:
        centre = _centre(box)
        lit = memo["lit"]
        if lit is None or max(abs(centre[0] - lit[0]), abs(centre[1] - lit[1])) > SAME_PX:
            if shown:  # the quiet between two flashes: the rest that ends the sequence is longer
                memo["gap"] = max(memo.get("gap", 0.0), now - memo["quiet_since"])
            shown.append(centre)
        memo["lit"], memo["quiet_since"] = centre, now
        notes["target"] = f"element {len(shown)} shown at {centre}"
        return look
    memo["lit"] = None
    quiet = now - memo["quiet_since"]
    if not shown and now - memo["start"] > FIRST_S:
        notes["target"] = "nothing was shown"
        return None
    rest = max(REST_S, GAP_SHARE * memo.get("gap", 0.0), LOOKS * memo.get("period", 0.0))
    if not shown or quiet < rest:
        notes["target"] = f"watching ({len(shown)} shown)"
        return look
    memo["repeat"] = ClickRun(step, points=list(shown), found=True)
    return memo["repeat"].next_click(notes, "repeating shown element")
