"""Drags on text and fields: select (highlight) the N-th paragraph by dragging across it, and
resize a text area by its corner grip ("so that the height is smaller").

Paragraphs are found from ink alone: rows of dark-on-light pixels form lines, and a gap taller
than a line's half height starts a new paragraph. Widgets (framed buttons, fields) are left out.
"""

from __future__ import annotations

import numpy as np

from perception.screen.shapes import find_shapes
from policies.house.web.view import View

Box = tuple[int, int, int, int]
INK = 60  # a pixel this much darker than the background is text
# A resize step's manner: (width sign, height sign) of its grip's move.
RESIZES = {
    "wider": (1, 0), "narrower": (-1, 0), "taller": (0, 1), "shorter": (0, -1),
    "larger": (1, 1), "smaller": (-1, -1),
}  # fmt: skip
RESIZE_SHARE = 0.4  # of the field's side that a resize drags by


def paragraphs(frame: np.ndarray, region: Box, skip: list[Box]) -> list[Box]:
    """Boxes of the text paragraphs inside `region` of an (H, W, 3) frame, top to bottom."""
    x0, y0, x1, y1 = region
    # Text is dark in every channel: its brightest channel is low (a yellow band's is not).
    gray = frame[y0:y1, x0:x1, :3].max(axis=2).astype(np.int16)
    ink = gray < np.median(gray) - INK
    for bx0, by0, bx1, by1 in skip:
        ink[max(0, by0 - y0) : max(0, by1 - y0), max(0, bx0 - x0) : max(0, bx1 - x0)] = False
    rows = np.nonzero(ink.any(axis=1))[0]
    if len(rows) == 0:
        return []
    lines: list[tuple[int, int]] = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        if r > prev + 1:
            lines.append((start, prev + 1))
            start = int(r)
        prev = int(r)
    lines.append((start, prev + 1))
    lines = [ln for ln in lines if ln[1] - ln[0] >= 4]  # specks and rules are no text line
    out: list[Box] = []
    group: list[tuple[int, int]] = []
    for line in lines:
        h = line[1] - line[0]
        if group and line[0] - group[-1][1] > 0.5 * h:
            out.append(_box(ink, group, x0, y0))
            group = []
        group.append(line)
    if group:
        out.append(_box(ink, group, x0, y0))
    return out


def _box(ink: np.ndarray, lines: list[tuple[int, int]], x0: int, y0: int) -> Box:
    cols = np.nonzero(ink[lines[0][0] : lines[-1][1]].any(axis=0))[0]
    return (int(cols[0]) + x0, lines[0][0] + y0, int(cols[-1]) + 1 + x0, lines[-1][1] + y0)


def highlight_drag(view: View, ordinal: int | None) -> tuple[int, int, int, int] | None:
    """The drag that selects the paragraph `ordinal` (1-based; -1 the last; None: the only or
    first one): from just left of its first letter to just right of its last."""
    banner = [view.parse.get(i).box for i in view.banner()]
    top = max((b[3] for b in banner), default=0)
    h, w = view.frame.shape[:2]
    framed = [e.box for e in view.content() if e.kind not in ("text", "link")]
    found = paragraphs(view.frame, (0, top, w, h), framed)
    if not found:
        return None
    index = 0 if ordinal in (None, 0) else (ordinal - 1 if ordinal > 0 else len(found) + ordinal)
    if not 0 <= index < len(found):
        return None
    x0, y0, x1, y1 = found[index]
    first_mid = y0 + min(6, (y1 - y0) // 2)
    last_mid = y1 - min(6, (y1 - y0) // 2)
    # The last line may be shorter: end right of its own last letter.
    gray = view.frame[max(0, last_mid - 3) : last_mid + 3, :, :3].max(axis=2).astype(np.int16)
    cols = np.nonzero((gray < np.median(gray) - INK).any(axis=0))[0]
    cols = cols[(cols >= x0) & (cols <= x1)]
    end = int(cols[-1]) + 2 if len(cols) else x1 + 1
    return max(0, x0 - 2), first_mid, min(w - 1, end), last_mid


def resize_drag(view: View, manner: str) -> tuple[int, int, int, int] | None:
    """The drag of a text area's corner grip that makes it as the step's manner says ("wider",
    "shorter", ...: `RESIZES`), or None."""
    if manner not in RESIZES:
        return None
    fields = [e for e in view.content() if e.kind == "text_input"]
    if not fields:
        return None
    field = max(fields, key=lambda e: (e.box[2] - e.box[0]) * (e.box[3] - e.box[1]))
    x0, y0, x1, y1 = field.box
    # The detector's box has a margin; the drawn frame is the outline inside it.
    frames = [
        s for s in find_shapes(view.frame, _grown(field.box, 4, view.frame.shape)) if not s.filled
    ]
    if frames:
        x0, y0, x1, y1 = max(frames, key=lambda s: s.box_area).box
    sx, sy = RESIZES[manner]
    dx, dy = sx * int(RESIZE_SHARE * (x1 - x0)), sy * int(RESIZE_SHARE * (y1 - y0))
    gx, gy = x1 - 5, y1 - 5  # the grip sits in the bottom-right corner
    h, w = view.frame.shape[:2]
    return gx, gy, min(w - 2, max(1, gx + dx)), min(h - 2, max(1, gy + dy))


def _grown(box: Box, by: int, shape: tuple[int, ...]) -> Box:
    """`box` grown by `by` pixels each way, inside a frame of `shape` (H, W, ...)."""
    return (
        max(0, box[0] - by),
        max(0, box[1] - by),
        min(shape[1], box[2] + by),
        min(shape[0], box[3] + by),
    )
