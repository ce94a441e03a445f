"""Choosing every swatch of a colour family: "select all the shades of red" clicks each small
patch of one colour whose hue is the named colour's (light or dark, pale or strong), and no
other. Patches are found on the pixels below the task banner; no page is known.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from perception.instructions.plan import Step
from perception.screen.colours import colour_rgb, hue_of, is_colour
from policies.house.web.page_cues import Box, overlaps
from policies.house.web.pixels import components
from policies.house.web.plan_state import ClickRun
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

_SHADES = re.compile(r"\b(?:shades?|tones?|tints?|hues?|variants?)\s+of\s+([a-z]+)\b", re.I)
CHROMA = 12  # a patch's pixels differ at least this much between their channels (not grey)
PATCH_SIDES = (6, 60)  # a swatch's smallest and largest side (pixels)
HUE_SPAN = 1 / 12  # hues within 30 degrees of the named colour's are its shades
MIN_SATURATION = 0.04  # below this an RGB is grey (hsl(0, 30%, 90%) is 0.065)
UNIFORM = 0.8  # share of a swatch's pixels near its median colour


def shade_word(instruction: str) -> str | None:
    """The colour whose shades an instruction asks for, or None."""
    m = _SHADES.search(instruction)
    return m.group(1).lower() if m is not None and is_colour(m.group(1)) else None


def swatches(frame: np.ndarray, top: int, avoid: list[Box]) -> list[tuple[Box, np.ndarray]]:
    """(box, median RGB) of the small patches of one colour below row `top`."""
    page = frame[top:].astype(np.int16)
    mask = (page.max(axis=2) - page.min(axis=2)) > CHROMA
    lo, hi = PATCH_SIDES
    out = []
    for x0, y0, x1, y1 in components(mask):
        box = (x0, y0 + top, x1, y1 + top)
        if not (lo <= x1 - x0 <= hi and lo <= y1 - y0 <= hi) or any(
            overlaps(box, a) for a in avoid
        ):
            continue
        pixels = page[y0:y1, x0:x1].reshape(-1, 3)
        median = np.median(pixels, axis=0)
        if (np.abs(pixels - median).max(axis=1) < 20).mean() < UNIFORM:
            continue  # a picture or a word, not a swatch
        out.append((box, median))
    return out


def is_shade(rgb: np.ndarray, word: str) -> bool:
    """Whether `rgb` has the hue of the colour `word` (within HUE_SPAN), being no grey."""
    want = colour_rgb(word)
    if want is None:
        return False
    h, s, _ = hue_of(rgb)
    wh, ws, _ = hue_of(want)
    if s < MIN_SATURATION or ws < MIN_SATURATION:
        return False
    gap = abs(h - wh)
    return min(gap, 1 - gap) <= HUE_SPAN


def shades_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) while clicking the shades of the named colour, None when all
    are clicked, or NOT_MINE."""
    step: Step = state.step
    word = shade_word(view.instruction)
    target = step.target.text.lower() if step.target is not None else ""
    if word is None or step.verb not in ("select", "click", "check") or word not in target:
        return NOT_MINE
    progress = policy.__dict__.get("_shades")
    if progress is None or progress.step is not step:
        progress = policy.__dict__["_shades"] = ClickRun(step)
    if not progress.found:
        progress.found = True
        top = view.banner_bottom()
        # Widgets with words (a coloured button) are no swatches; a glyph OCR read on a swatch
        # ("■") is no word.
        worded = [e.box for e in view.content() if any(ch.isalnum() for ch in e.text)]
        chosen = [b for b, rgb in swatches(view.frame, top, worded) if is_shade(rgb, word)]
        chosen.sort(key=lambda b: (b[1] // 8, b[0]))
        progress.points = [((b[0] + b[2]) // 2, (b[1] + b[3]) // 2) for b in chosen]
        notes["shades"] = len(progress.points)
        if not progress.points:
            return NOT_MINE
    return progress.next_click(notes, f"shade of {word}")
