"""Small drawn marks the plan policy looks for when words do not name a target: the expand
boxes of a tree ("+" in a square), the cross of a close button, and a text area's shape. Pure
pixel geometry, sized by the frame's own text height: no page's colours or layout.
"""

from __future__ import annotations

import numpy as np

from policies.house.web.pixels import components, darkness, text_height

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels

INK = 60  # darkness (against the local background) of a mark's strokes
MARK = (0.35, 1.6)  # a mark's side in text heights
ARM = 0.7  # share of a plus's middle row and column that is ink
CORNER_EMPTY = 0.2  # most a plus's (or a cross's) corner cells may hold
FRAME_DRAWN = 0.65  # share of each side a blurred frame around a "+" still draws
FRAME_NEAR = 3  # pixels from a box's end that a field's drawn frame line lies within
DIAGONAL = 0.75  # share of a cross's two diagonals that is ink


def expand_boxes(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Boxes of "+" marks inside a drawn square below row `top` (a tree's or a list's expand
    control; an open one shows "-"), top to bottom."""
    ink = darkness(frame) >= INK
    ink[:top] = False
    th = text_height(frame)
    out: list[Box] = []
    framed: list[Box] = []
    for box in components(ink):
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        if not (MARK[0] * th <= min(w, h) and max(w, h) <= MARK[1] * th and abs(w - h) <= 2):
            continue
        part = ink[y0:y1, x0:x1]
        if _plus(part) and _ringed(ink, box):
            out.append(box)
        elif _framed_plus(part):  # blur joined the "+" to its frame (a frame resized down)
            framed.append(box)
    out += [b for b in framed if not any(_inside(o, b) for o in out)]
    return sorted(out, key=lambda b: (b[1], b[0]))


def _inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def _framed_plus(part: np.ndarray) -> bool:
    """True when a mark is a square frame with a "+" inside that touches it: its two outer rows
    and columns draw most of each side, and inside them a plus (`_plus`) stands."""
    h, w = part.shape
    if h < 7 or w < 7:
        return False
    edges = (part[:2].any(axis=0), part[-2:].any(axis=0), part[:, :2].any(axis=1))
    edges += (part[:, -2:].any(axis=1),)  # blurred, a side may wander over two pixels
    if min(float(e.mean()) for e in edges) < FRAME_DRAWN:
        return False
    for inset in (2, 3):
        inner = part[inset:-inset, inset:-inset]
        if inner.shape[0] >= 3 and inner.shape[1] >= 3 and _plus(inner):
            return True
    return False


def _plus(part: np.ndarray) -> bool:
    """True when a mark is a "+": its middle row and column are ink, its corners are not."""
    h, w = part.shape
    if h < 3 or w < 3:
        return False
    row = part[h // 2 - 1 : h // 2 + 2].any(axis=0).mean()
    col = part[:, w // 2 - 1 : w // 2 + 2].any(axis=1).mean()
    k = max(1, min(h, w) // 3)
    corners = [part[:k, :k], part[:k, -k:], part[-k:, :k], part[-k:, -k:]]
    return row >= ARM and col >= ARM and max(float(c.mean()) for c in corners) <= CORNER_EMPTY


def _ringed(ink: np.ndarray, box: Box) -> bool:
    """True when a square ring of ink surrounds `box` a few pixels out (the control's frame)."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0)
    for pad in range(1, max(2, side // 2) + 2):
        a0, b0, a1, b1 = x0 - pad, y0 - pad, x1 + pad - 1, y1 + pad - 1
        if a0 < 0 or b0 < 0 or a1 >= ink.shape[1] or b1 >= ink.shape[0]:
            return False
        edges = (
            ink[b0, a0 : a1 + 1],
            ink[b1, a0 : a1 + 1],
            ink[b0 : b1 + 1, a0],
            ink[b0 : b1 + 1, a1],
        )
        if min(float(e.mean()) for e in edges) >= 0.8:
            return True
    return False


def is_cross(frame: np.ndarray, box: Box) -> bool:
    """True when `box` draws a lone "x" (a close button's glyph): one mark, ink along both
    diagonals of its extent and none at the middle of its outer sides (a letter X inside a word
    has neighbours; a "+" or a filled square fails the diagonals or the sides)."""
    x0, y0, x1, y1 = box
    ink = darkness(frame)[y0:y1, x0:x1] >= INK
    if ink.shape[0] < 5 or ink.shape[1] < 5:
        return False
    th = text_height(frame)
    marks = [
        c
        for c in components(ink)
        if max(c[2] - c[0], c[3] - c[1]) >= 3 and max(c[2] - c[0], c[3] - c[1]) <= MARK[1] * th
    ]
    if len(marks) != 1:
        return False
    cx0, cy0, cx1, cy1 = marks[0]
    w, h = cx1 - cx0, cy1 - cy0
    if min(w, h) < 4 or abs(w - h) > max(2, 0.3 * max(w, h)):
        return False
    part = ink[cy0:cy1, cx0:cx1]
    t = np.linspace(0, 1, 2 * max(w, h))
    down = _hits(part, t * (w - 1), t * (h - 1))
    up = _hits(part, t * (w - 1), (1 - t) * (h - 1))
    mid_x, mid_y = slice(w // 3, w - w // 3), slice(h // 3, h - h // 3)
    sides = (part[0, mid_x], part[-1, mid_x], part[mid_y, 0], part[mid_y, -1])
    return min(down, up) >= DIAGONAL and max(float(s.mean()) for s in sides) <= CORNER_EMPTY


def _hits(part: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> float:
    """Share of the points (xs, ys) with ink within one pixel."""
    h, w = part.shape
    near = 0
    for x, y in zip(np.round(xs).astype(int), np.round(ys).astype(int), strict=True):
        near += bool(part[max(0, y - 1) : min(h, y + 2), max(0, x - 1) : min(w, x + 2)].any())
    return near / max(1, len(xs))


def multiline(frame: np.ndarray, box: Box) -> bool:
    """True when a field looks like a text area: inside its drawn frame the text starts at the
    top with room below (a one-line field centres it), or a resize grip shows in the
    bottom-right corner."""
    x0, y0, x1, y1 = box
    ink = darkness(frame)[y0:y1, x0:x1] >= INK
    rows = _inside_frame(np.nonzero(ink.mean(axis=1) >= 0.6)[0], ink.shape[0])
    cols = _inside_frame(np.nonzero(ink.mean(axis=0) >= 0.6)[0], ink.shape[1])
    ink = ink[rows, cols]
    h, w = ink.shape
    if h < 4 or w < 4:
        return False
    side = max(2, h // 2)
    corner = ink[-side:, -side:]
    over = ink[: h - side, -side:]
    if corner.any() and not over.any() and w >= 3 * h:
        return True  # the grip: ink in the corner and nothing above it there
    rows = np.nonzero(ink[:, : max(1, w - side)].any(axis=1))[0]
    if len(rows) == 0:
        return False
    above, below = int(rows[0]), h - 1 - int(rows[-1])
    return below >= above + 0.4 * text_height(frame)


def _inside_frame(full: np.ndarray, n: int) -> slice:
    """The span inside a field's drawn frame along one axis of its box (`n` pixels), from the
    indices of its full lines: only lines near an end of the box are its frame (a box cut
    short of a side leaves a tall letter's stem as the last full column)."""
    lo = int(full[0]) + 2 if len(full) and full[0] <= FRAME_NEAR else 0
    hi = int(full[-1]) - 1 if len(full) and full[-1] >= n - 1 - FRAME_NEAR else n
    return slice(lo, hi) if hi - lo >= 2 else slice(0, n)


def option_marks(frame: np.ndarray, top: int = 0) -> list[tuple[Box, str]]:
    """Unlabelled radio buttons (rings) and checkboxes (square outlines) below `top`, in
    reading order, as (box, kind): hollow or dotted marks about a text height across, apart
    from any word (a letter "O" sits close to its neighbours)."""
    from policies.house.web.pixels import edge_mask

    edges = edge_mask(frame)
    th = text_height(frame)
    blobs = components(edges)
    out = []
    for b in blobs:
        x0, y0, x1, y1 = b
        w, h = x1 - x0, y1 - y0
        if y0 < top or not (0.7 * th <= min(w, h) and max(w, h) <= 2.2 * th):
            continue
        if any(o != b and _near(b, o, 0.3 * th) for o in blobs):
            continue  # a letter of a word
        kind = _outline_kind(edges[y0:y1, x0:x1])
        if kind is not None:
            out.append((b, kind))
    return sorted(out, key=lambda m: (m[0][1] // max(th, 1), m[0][0]))


def mark_in(frame: np.ndarray, box: Box) -> tuple[Box, str] | None:
    """The leftmost outline mark about a text height across inside `box` (a control the
    detector found, maybe run together with its label) as (box, "checkbox" | "radio")."""
    from policies.house.web.pixels import edge_mask

    x0, y0, x1, y1 = box
    edges = edge_mask(frame)[y0:y1, x0:x1]
    th = text_height(frame)
    for bx0, by0, bx1, by1 in sorted(components(edges), key=lambda b: b[0]):
        w, h = bx1 - bx0, by1 - by0
        if 0.7 * th <= min(w, h) and max(w, h) <= 2.2 * th:
            kind = _outline_kind(edges[by0:by1, bx0:bx1])
            if kind is not None:
                return (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1), kind
    return None


def _outline_kind(part: np.ndarray) -> str | None:
    """ "checkbox" for a square outline, "radio" for a ring, None for anything else (a filled
    blob, an open stroke, a shape far from square); `part` is the edge mask of one blob."""
    h, w = part.shape
    if abs(w - h) > 0.2 * max(w, h):
        return None
    mid = part[h // 3 : h - h // 3, w // 3 : w - w // 3]
    sides = [part[: h // 5, w // 3 : w - w // 3], part[h - h // 5 :, w // 3 : w - w // 3]]
    if not all(s.any() for s in sides) or mid.mean() > 0.9:
        return None  # not an outline (a filled blob or an open stroke)
    c = max(1, w // 6)
    corners = [part[:c, :c], part[:c, -c:], part[-c:, :c], part[-c:, -c:]]
    return "checkbox" if sum(k.any() for k in corners) >= 3 else "radio"


def _near(a: Box, b: Box, gap: float) -> bool:
    """Whether two boxes lie within `gap` pixels of each other, on the same row."""
    dx = max(a[0] - b[2], b[0] - a[2], 0)
    dy = max(a[1] - b[3], b[1] - a[3], 0)
    return dx <= gap and dy <= gap
