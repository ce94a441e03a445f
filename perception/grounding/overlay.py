"""Draw a grounding on its image: boxes, points and the action, for debugging a model by eye."""

from __future__ import annotations

from typing import Any

import numpy as np

from perception.grounding import Grounding

_RED, _GREEN = (230, 30, 30), (20, 200, 60)


def draw_grounding(image: np.ndarray, grounding: Grounding) -> Any:
    """A PIL copy of `image` (H x W x 3 uint8) with the grounding's boxes, points and action."""
    from PIL import Image, ImageDraw

    canvas = Image.fromarray(np.asarray(image)[..., :3]).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    r = max(3, round(min(w, h) / 80))
    line = max(1, r // 2)
    for box in grounding.boxes:
        draw.rectangle((box.x0, box.y0, box.x1, box.y1), outline=_GREEN, width=line)
        if box.label:
            draw.text((box.x0 + 2, max(0, box.y0 - 12)), box.label, fill=_GREEN)
    target = grounding.target
    marks = list(grounding.points) or ([target] if target else [])
    for p in marks:
        draw.ellipse((p.x - r, p.y - r, p.x + r, p.y + r), outline=_RED, width=line)
        draw.line((p.x - 2 * r, p.y, p.x + 2 * r, p.y), fill=_RED, width=1)
        draw.line((p.x, p.y - 2 * r, p.x, p.y + 2 * r), fill=_RED, width=1)
    if grounding.action:
        draw.text((4, max(0, h - 14)), grounding.action, fill=_RED)
    return canvas
