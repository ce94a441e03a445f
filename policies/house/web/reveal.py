"""Choosing among items by a number they show, when the page shows one item's number at a time:
"pick the card with the greatest number" clicks each of a row of like boxes (cards face down),
reads the number the clicked one shows, and ends on the box whose number is the greatest (or
smallest). Numbers shown all at once are read in one frame. Pixels only: boxes are found by
their outline, numbers by the parse or by OCR of the box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from contracts.actions import Click, Wait
from perception.instructions.plan import Step
from policies.house.web.page_cues import Box, overlaps
from policies.house.web.per_item import number_of
from policies.house.web.pixels import components
from policies.house.web.plan_state import SETTLE_S
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

_EXTREME = re.compile(
    r"\b(?:(greatest|largest|biggest|highest|maximum|max)|(smallest|lowest|least|minimum|min))"
    r"\s+(?:number|value|digit|score|amount)\b",
    re.I,
)
MIN_SIDE = 18  # pixels: a card is at least this tall and wide
SIZE_TOLERANCE = 0.2  # like boxes differ in width and height by at most this share
PLAIN_SHARE = 0.7  # a face showing a number is mostly one colour (not stripes or a picture)
MIN_INK = 8  # dark pixels a face needs before it is read
BACKGROUND_STEP = 40  # how far from the page's colour a pixel must be to be part of a box


def extreme(instruction: str) -> str | None:
    """ "max" or "min" when the instruction picks by the greatest or smallest number."""
    m = _EXTREME.search(instruction)
    if m is None:
        return None
    return "max" if m.group(1) else "min"


def like_boxes(frame: np.ndarray, top: int, avoid: list[Box]) -> list[Box]:
    """The largest group (>= 2) of same-size boxes below row `top` that stand apart from the
    page's colour, in reading order, leaving out boxes over `avoid` (worded widgets)."""
    page = frame[top:]
    if page.size == 0:
        return []
    grey = page.astype(np.int16).mean(axis=2)
    background = float(np.median(grey))
    mask = np.abs(grey - background) > BACKGROUND_STEP
    boxes = [
        (x0, y0 + top, x1, y1 + top)
        for x0, y0, x1, y1 in components(mask)
        if x1 - x0 >= MIN_SIDE and y1 - y0 >= MIN_SIDE
    ]
    boxes = [b for b in boxes if not any(overlaps(b, a) for a in avoid)]
    best: list[Box] = []
    for b in boxes:
        w, h = b[2] - b[0], b[3] - b[1]
        group = [
            c
            for c in boxes
            if abs((c[2] - c[0]) - w) <= SIZE_TOLERANCE * w
            and abs((c[3] - c[1]) - h) <= SIZE_TOLERANCE * h
        ]
        if len(group) > len(best):
            best = group
    best = best if len(best) >= 2 else []
    return sorted(best, key=lambda b: (b[1] // 10, b[0]))


@dataclass
class Reveal:
    """Progress: the boxes, the numbers read on each (None: not yet seen), the box clicked."""

    step: Step
    boxes: list[Box] = field(default_factory=list)
    values: dict[int, float] = field(default_factory=dict)
    clicked: int | None = None
    chosen: bool = False
    misses: int = 0  # frames the clicked box showed no number
    skipped: list[int] = field(default_factory=list)  # boxes whose number could not be read


def reveal_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for a pick-by-number step, None when done, or NOT_MINE."""
    step: Step = state.step
    which = extreme(view.instruction)
    if which is None or step.verb not in ("click", "select", "check"):
        return NOT_MINE
    words = step.target.text if step.target is not None else ""
    if not _EXTREME.search(words):
        nxt = _next_step(policy)
        bare = step.target is None or not step.target.text
        if bare and nxt is not None and nxt.target is not None and _EXTREME.search(nxt.target.text):
            return None  # "find and pick the card with ...": the pick does it
        return NOT_MINE
    progress = policy.__dict__.get("_reveal")
    if progress is None or progress.step is not step:
        progress = policy.__dict__["_reveal"] = Reveal(step)
    top = view.banner_bottom()
    if not progress.boxes:
        worded = [e.box for e in view.content() if e.text.strip() and e.kind == "button"]
        progress.boxes = like_boxes(view.frame, top, worded)
        if not progress.boxes:
            return NOT_MINE
    for i, box in enumerate(progress.boxes):  # every number the frame shows now
        value = _number_in(policy, view, box)
        if value is not None:
            progress.values[i] = value
    if progress.chosen:
        return None
    unseen = [i for i in range(len(progress.boxes)) if i not in progress.values]
    if unseen and progress.clicked == unseen[0] and progress.misses < 1:
        progress.misses += 1  # the clicked face may still be turning: look once more
        return Wait(SETTLE_S), None, "none"
    if unseen and progress.clicked == unseen[0]:
        unseen = unseen[1:]  # it shows no number we can read: go on without it
        progress.skipped.append(progress.clicked)
    unseen = [i for i in unseen if i not in progress.skipped]
    if unseen and progress.clicked != unseen[0]:
        progress.misses = 0
        progress.clicked = unseen[0]
        box = progress.boxes[unseen[0]]
        notes["target"] = f"reveal box {unseen[0] + 1} of {len(progress.boxes)} {box}"
        return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"
    if not progress.values:
        return None
    pick = (max if which == "max" else min)(progress.values, key=progress.values.__getitem__)
    progress.chosen = True
    notes["read"] = {str(k + 1): v for k, v in sorted(progress.values.items())}
    if progress.clicked == pick and not unseen:
        return None  # the chosen box is the one shown now
    box = progress.boxes[pick]
    notes["target"] = f"box {pick + 1} showing {progress.values[pick]:g}"
    progress.clicked = pick
    return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"


def _next_step(policy: Any) -> Step | None:
    steps = policy.plan.steps
    return steps[policy._index + 1] if policy._index + 1 < len(steps) else None


def _number_in(policy: Any, view: View, box: Box) -> float | None:
    """The number shown inside `box`: a parse line there, else OCR of the box's inside."""
    x0, y0, x1, y1 = box
    for e in view.parse.elements:
        cx, cy = e.center
        if x0 <= cx <= x1 and y0 <= cy <= y1 and (v := number_of(e.text)) is not None:
            return v
    reader = getattr(policy.parser, "reader", None)
    if reader is None:
        return None
    inner = view.frame[y0 + 3 : y1 - 3, x0 + 3 : x1 - 3].astype(np.int16).mean(axis=2)
    if inner.size == 0:
        return None
    ink = np.abs(inner - np.median(inner)) > BACKGROUND_STEP
    ys, xs = np.nonzero(ink)
    if len(ys) < MIN_INK or ink.mean() > 1 - PLAIN_SHARE:  # a patterned face is face down
        return None
    pad = 4  # the reader wants a line with a margin, not the whole face
    line = (
        max(x0, x0 + 3 + int(xs.min()) - pad),
        max(y0, y0 + 3 + int(ys.min()) - pad),
        min(x1, x0 + 3 + int(xs.max()) + 1 + pad),
        min(y1, y0 + 3 + int(ys.max()) + 1 + pad),
    )
    ((text, score),) = reader.read(view.text_frame, [(line, "text")])
    return number_of(text) if score >= 0.5 else None
