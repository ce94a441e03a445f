"""Pick a colour with a colour picker: the colour is named ("select teal") or shown as a swatch
beside the instruction ("select the following color ▢"); a picker field that shows its value as
a hex code ("AB2567") takes the goal's hex code typed over it, and Tab closes its popup.

The grammar reads the sentence into a select step of manner "colour" whose value is the colour
named (`perception.instructions.routines`). Pixels only: the goal's colour comes from the CSS
colour-name table or the swatch's pixels, the field from the parse's text. Nothing here knows
a page.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Click, Key, Type
from perception.screen.colours import RGB, colour_rgb
from perception.screen.parser import UIElement
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

# OCR lookalikes of hex digits in a field's value ("AB2S67", "O0FF00").
HEX_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "S": "5", "s": "5", "l": "1", "I": "1"})
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")
SWATCH_MIN = 4  # pixels a side of a swatch, at least
SWATCH_CONTRAST = 60  # a swatch differs from the banner's background by this much (max channel)


def hex_value(text: str) -> str | None:
    """The six hex digits a field's text reads as ("#ab2567", "AB2S67"), or None."""
    m = _HEX.match(text.strip().replace(" ", "").translate(HEX_LOOKALIKES))
    return m.group(1).upper() if m else None


def hex_code(rgb: RGB) -> str:
    """An RGB colour as six upper-case hex digits."""
    return "".join(f"{int(v):02X}" for v in rgb)


def named_colour(words_said: str) -> RGB | None:
    """The RGB of the first colour word said ("teal", "dark orange")."""
    words = re.findall(r"[A-Za-z]+", words_said)
    for i, word in enumerate(words):
        for span in (2, 1):  # "dark orange" before "orange"
            rgb = colour_rgb("".join(words[i : i + span]))
            if rgb is not None and (span == 2 or not _is_shade_word(word)):
                return rgb
    return None


def _is_shade_word(word: str) -> bool:
    return word.lower() in ("dark", "light", "medium", "pale", "deep")


def banner_swatch(view: View) -> RGB | None:
    """The colour of a small filled square drawn among the instruction's words: the largest
    blob of one colour in the banner that is neither its background nor its text."""
    banner = [view.parse.get(i).box for i in view.banner()]
    if not banner:
        return None
    bottom = max(b[3] for b in banner)
    strip = view.frame[: bottom + 2].astype(np.int16)
    colours, counts = np.unique(strip.reshape(-1, 3), axis=0, return_counts=True)
    bg = colours[counts.argmax()]
    far = np.abs(strip - bg).max(axis=-1) > SWATCH_CONTRAST
    dark = strip.max(axis=-1) < 90  # text and outlines
    best: tuple[int, RGB] | None = None
    for rgb in colours[np.argsort(-counts)][:12]:
        if np.abs(rgb - bg).max() <= SWATCH_CONTRAST or rgb.max() < 90:
            continue
        mask = (strip == rgb).all(axis=-1) & far & ~dark
        ys, xs = np.nonzero(mask)
        if len(xs) < SWATCH_MIN * SWATCH_MIN:
            continue
        w, h = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        solid = len(xs) / (w * h)  # a swatch fills its box; anti-aliased text does not
        if solid >= 0.6 and min(w, h) >= SWATCH_MIN and (best is None or len(xs) > best[0]):
            best = (len(xs), (int(rgb[0]), int(rgb[1]), int(rgb[2])))
    return best[1] if best else None


def blank_point(frame: np.ndarray, top: int = 0, half: int = 6) -> tuple[int, int] | None:
    """A pixel below `top` in the middle of a plain patch of the page's background colour (no
    element, no popup), lowest and leftmost first: where a click lands on nothing."""
    h, w = frame.shape[:2]
    edge = np.concatenate([frame[top:, :2].reshape(-1, 3), frame[top:, -2:].reshape(-1, 3)])
    colours, counts = np.unique(edge, axis=0, return_counts=True)  # the page's own colour
    bg = colours[counts.argmax()].astype(np.int16)
    plain = (np.abs(frame.astype(np.int16) - bg).max(axis=-1) <= 8).astype(np.int32)
    integral = np.pad(plain.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    side = 2 * half + 1
    for y in range(h - half - 2, top + half, -half):
        for x in range(half + 2, w - half - 1, half):
            y0, x0 = y - half, x - half
            total = (
                integral[y0 + side, x0 + side]
                - integral[y0, x0 + side]
                - integral[y0 + side, x0]
                + integral[y0, x0]
            )
            if total == side * side:
                return x, y
    return None


def _banner_bottom(view: View) -> int:
    return view.banner_bottom()


def hex_field(view: View) -> UIElement | None:
    """The element below the banner whose text reads as a hex colour code."""
    return next((e for e in view.content() if e.text and hex_value(e.text)), None)


def colour_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) of a colour pick (the grammar's manner "colour", the colour
    named its value, else the swatch shown), None when done, or NOT_MINE."""
    step = state.step
    if state.phase == "colour_closed":
        return None
    if step.manner != "colour":
        return NOT_MINE
    if state.phase == "colour_typed":
        state.phase = "colour_closed"  # a click on the empty page closes the picker's popup
        point = blank_point(view.frame, top=_banner_bottom(view))
        if point is None:
            return Key("Tab"), None, "none"
        notes["target"] = f"empty page at {point} (closes the picker)"
        return Click(*point), None, "none"
    if state.phase == "colour_cleared":
        state.phase = "colour_typed"
        return Type(state.memo["hex"]), None, "none"
    if state.phase == "colour_focused":
        state.phase = "colour_cleared"
        return Key("ctrl+a"), None, "none"
    field = hex_field(view)
    if field is None:
        return NOT_MINE
    goal = named_colour(step.value or "") or banner_swatch(view)
    if goal is None:
        return NOT_MINE
    state.memo["hex"] = hex_code(goal)
    state.phase = "colour_focused"
    notes["target"] = f"colour field {field.describe()} <- #{state.memo['hex']}"
    return Click(*field.center), None, "none"
