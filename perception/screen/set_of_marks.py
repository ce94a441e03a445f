"""Set-of-marks: a screen parse drawn as numbered boxes on the frame, plus the matching list.

A VLM given the marked image and the list can answer "click 3" instead of guessing pixels;
the planner maps the number back with `ScreenParse.get(3).center`, in the frame's own pixels
(small frames are drawn enlarged so the numbers stay legible, which does not change ids).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from perception.screen.parser import ScreenParse

KIND_COLOURS = {
    "button": (230, 25, 75),
    "text_input": (0, 130, 200),
    "checkbox": (145, 30, 180),
    "link": (0, 160, 160),
    "tab": (245, 130, 48),
    "dropdown": (60, 160, 60),
    "icon": (170, 110, 40),
    "text": (128, 128, 128),
}


@dataclass(frozen=True)
class SetOfMarks:
    """The marked image (RGB uint8, possibly enlarged), its scale and the element list."""

    image: np.ndarray
    scale: float
    text: str


def mark_scale(width: int, height: int, min_side: int = 480) -> float:
    """Whole-number enlargement so the shorter side reaches `min_side` (1 for large frames)."""
    short = min(width, height)
    return float(max(1, -(-min_side // short))) if short < min_side else 1.0


def draw_marks(
    image: np.ndarray,
    parse: ScreenParse,
    scale: float | None = None,
    interactable_only: bool = False,
) -> np.ndarray:
    """The frame with each element's box and number drawn in its kind's colour."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(np.asarray(image)[..., :3])
    scale = mark_scale(img.width, img.height) if scale is None else scale
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.NEAREST)
    draw = ImageDraw.Draw(img)
    font = _font(max(10, min(18, round(11 * scale**0.5))))
    width = 2 if scale >= 2 else 1
    for el in parse.elements:
        if interactable_only and not el.interactable:
            continue
        colour = KIND_COLOURS.get(el.kind, (255, 0, 255))
        x0, y0, x1, y1 = (round(v * scale) for v in el.box)
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=colour, width=width)
        tag = str(el.id)
        tx0, ty0, tx1, ty1 = draw.textbbox((0, 0), tag, font=font)
        tw, th = tx1 - tx0 + 4, ty1 - ty0 + 2
        lx, ly = x0, y0 - th if y0 - th >= 0 else y0
        lx = min(lx, img.width - tw)
        draw.rectangle((lx, ly, lx + tw, ly + th), fill=colour)
        draw.text((lx + 2 - tx0, ly + 1 - ty0), tag, fill=(255, 255, 255), font=font)
    return np.asarray(img)


def marks_text(parse: ScreenParse, interactable_only: bool = False) -> str:
    """The element list that goes with the marked image, one `[id] kind "text" at (x, y)` a line."""
    return "\n".join(
        e.describe() for e in parse.elements if e.interactable or not interactable_only
    )


def set_of_marks(
    image: np.ndarray, parse: ScreenParse, interactable_only: bool = False
) -> SetOfMarks:
    """Both halves at once, ready to hand to a VLM backend as extra context."""
    scale = mark_scale(image.shape[1], image.shape[0])
    return SetOfMarks(
        draw_marks(image, parse, scale, interactable_only),
        scale,
        marks_text(parse, interactable_only),
    )


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()
