"""Act when a number the page shows meets the step's condition: a wait on a named quantity
("when the <quantity> is less than <number>", "once the <counter> reaches <number>").

The condition is the plan step's own words (`Step.condition`), read by
`perception.instructions.number_conditions.comparison` into a comparison and a number. Each
frame the number is read off the page below the instruction banner (the one on the line naming
the condition's quantity, or else the one number shown in the same unit); while it does not
meet the condition the step waits and looks again, and once it does the step goes on as a
plain click of its target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contracts.actions import Click, Wait
from perception.instructions.number_conditions import NUMBER, Comparison, comparison, number_value
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

POLL_S = 0.05  # wait between reads near the bound: a ticking value changes every ~100 ms
MAX_POLL_S = 0.4  # and far from it, where it needs many typical changes to get there
LAG_SHARE = 1.0  # typical changes between reads kept as a margin (a click lands a read later)
MIN_READS = 3  # reads before acting: the first ones tell how fast the value moves
MAX_WAITS = 400  # reads before the step acts anyway (the page's own timer ends it sooner)


def read_value(view: View, want: Comparison) -> float | None:
    """The number the page shows for `want`'s quantity, below the banner: one on a line that
    names the quantity, else the only number in the same unit; None when none is shown."""
    found: list[tuple[bool, float]] = []
    for el in view.content():
        text = el.text or ""
        for m in NUMBER.finditer(text):
            if want.unit and m.group(1) != want.unit and want.unit not in text:
                continue
            named = bool(want.quantity) and want.quantity in text.lower()
            found.append((named, number_value(m.group(2))))
    named = [v for n, v in found if n]
    if named:
        return named[-1]
    return found[0][1] if len(found) == 1 else None


def watch_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """A wait while the shown number does not meet the step's condition, then one click on the
    step's target (found while waiting, so the click follows the read at once); None once
    clicked; NOT_MINE for a step with no numeric condition or a target never found."""
    step = state.step
    memo = state.memo
    if memo.get("watched"):
        return None
    if memo.get("met") or step.verb not in ("click", "double_click", "submit"):
        return NOT_MINE
    if step.manner == "until":  # "press X until ...": pressing makes the number (feedback_loops)
        return NOT_MINE
    want = comparison(step.condition)
    if want is None:
        return NOT_MINE
    if "watch_at" not in memo and step.target is not None:
        hits = policy._find(view, step.target, state, limit=1)
        memo["watch_at"] = (hits[0].point, hits[0].element.box) if hits else None
    seen = read_value(view, want)
    reads: list[float] = memo.setdefault("reads", [])
    if seen is not None:
        reads.append(seen)
    waits = memo.get("watch_waits", 0)
    margin = LAG_SHARE * _typical_change(reads)  # the value moves on while the click travels
    ready = seen is not None and len(reads) >= MIN_READS
    if ready and want.holds(_ahead(seen, want.op, margin)) or waits >= MAX_WAITS:
        notes["watched"] = f"{want.quantity} {seen} {want.op} {want.value} (margin {margin:.2f})"
        at = memo.get("watch_at")
        if at is None:
            memo["met"] = True
            return NOT_MINE  # the plan finds and clicks the target as usual
        memo["watched"] = True
        notes["target"] = f"target at {at[0]}"
        return Click(*at[0]), None, "none"
    memo["watch_waits"] = waits + 1
    notes["target"] = f"waiting: {want.quantity} reads {seen}, needs {want.op} {want.value}"
    notes["interactive"] = "value_watch"
    wait = POLL_S
    if seen is not None and margin > 0:  # far from the bound: fewer looks (a step budget)
        wait = min(MAX_POLL_S, POLL_S * abs(seen - want.value) / margin)
    return Wait(round(max(POLL_S, wait), 3)), None, "none"


def _typical_change(reads: list[float]) -> float:
    """The median change between consecutive differing reads (0 before two reads differ)."""
    steps = [abs(b - a) for a, b in zip(reads, reads[1:], strict=False) if b != a]
    return float(np.median(steps)) if steps else 0.0


def _ahead(seen: float, op: str, margin: float) -> float:
    """`seen` moved by `margin` against the condition: a value that must be low is judged as if
    a little higher, so it still holds when the click lands."""
    if op in ("<", "<="):
        return seen + margin
    if op in (">", ">="):
        return seen - margin
    return seen
