"""Drawn shapes on a frame: what they are, their colour name, size and place, from pixels alone.

`find_shapes` separates everything that stands out from the background into blobs, splits a blob
that holds two colours (a letter on a box, two touching circles), and classifies each from its
outline: a filled or outlined circle / rectangle / triangle / polygon with its number of corners,
a glyph (a letter or digit, read by OCR when a reader is given), or a line. Nothing here knows a
page: the background is the commonest colour of the region, colours are named by `colours`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from perception.screen.colours import BASIC, RGB, colour_name

log = logging.getLogger(__name__)
READ_CACHE = 2048  # glyph readings kept, keyed by the glyph's pixels (they repeat across steps)
_READ: OrderedDict[bytes, str] = OrderedDict()

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
SHAPE_KINDS = ("circle", "rectangle", "triangle", "polygon", "glyph", "line")
FG_DIFF = 48  # a pixel differs from the background by more than this in some channel
PURE = 60.0  # a pixel this near (redmean) to an everyday colour is that colour, not a blend
SMALL = 12  # blobs at most this many pixels across are told round or square by ink coverage
X_HEIGHT = "acemnorsuvwxz"  # lower-case letters with neither ascender nor descender
MIN_SPLIT = 0.1  # a second colour takes at least this share of a blob to split it
_NAMES = list(BASIC)
_PALETTE = np.array([BASIC[n] for n in _NAMES], dtype=np.float32)


@dataclass(frozen=True)
class Shape:
    """One drawn thing: its box and centre in frame pixels, colour, kind and corners."""

    box: Box
    center: tuple[int, int]
    area: int  # pixels it covers (its outline only, for an outlined shape)
    rgb: RGB
    colour: str
    kind: str  # one of SHAPE_KINDS
    corners: int  # polygon corners; 0 for circles, glyphs and lines
    filled: bool
    text: str = ""  # what a glyph reads (OCR), "" when not read
    inside: RGB | None = None  # the colour an outlined shape encloses

    @property
    def box_area(self) -> int:
        """Pixels of its box: how big it looks, drawn filled or outlined."""
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])

    @property
    def size(self) -> int:
        """Its larger side in pixels."""
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def category(self) -> str:
        """ "letter", "digit" or "shape" (what a glyph reads decides between the first two)."""
        if self.kind != "glyph":
            return "shape"
        if self.text.isdigit():
            return "digit"
        return "letter" if self.text.isalpha() else "glyph"


def background(image: np.ndarray) -> RGB:
    """The commonest colour of an (H, W, 3) uint8 image."""
    flat = image.reshape(-1, 3)[:: max(1, image.shape[0] * image.shape[1] // 20000)]
    packed = (flat[:, 0].astype(np.int64) << 16) | (flat[:, 1].astype(np.int64) << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    v = int(values[np.argmax(counts)])
    return (v >> 16) & 255, (v >> 8) & 255, v & 255


def _nearest_names(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into `_NAMES` of the nearest everyday colour and its redmean distance, per pixel."""
    p = pixels.astype(np.float32)[:, None, :]
    q = _PALETTE[None, :, :]
    rm = (p[..., 0] + q[..., 0]) / 2
    d = p - q
    dist = (
        (2 + rm / 256) * d[..., 0] ** 2
        + 4 * d[..., 1] ** 2
        + (2 + (255 - rm) / 256) * d[..., 2] ** 2
    )
    idx = np.argmin(dist, axis=1)
    return idx, np.sqrt(dist[np.arange(len(idx)), idx])


RING_MIN = 24  # px: a glyph-like blob this big may be an outline whose strong pixels broke


def find_shapes(
    frame: np.ndarray,
    region: Box | None = None,
    min_area: int = 4,
    reader: object | None = None,
) -> list[Shape]:
    """Every drawn blob in `region` (default: the whole frame) of an (H, W, 3) uint8 RGB frame,
    classified; glyphs are read with `reader` (an `ocr.TextReader`) when one is given."""
    from scipy import ndimage

    x0, y0, x1, y1 = region if region is not None else (0, 0, frame.shape[1], frame.shape[0])
    crop = np.ascontiguousarray(frame[y0:y1, x0:x1, :3])
    if crop.size == 0:
        return []
    bg = np.array(background(crop), dtype=np.int16)
    fg = np.abs(crop.astype(np.int16) - bg).max(axis=2) > FG_DIFF
    if not fg.any():
        return []
    names = np.full(fg.shape, -1, dtype=np.int16)
    idx, dist = _nearest_names(crop[fg])
    names[fg] = np.where(dist < PURE, idx, -1)
    eight = np.ones((3, 3), bool)
    labels, _ = ndimage.label(fg, structure=eight)
    masks: list[tuple[tuple[slice, slice], np.ndarray]] = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        m = labels[sl] == i
        total = int(m.sum())
        if total < min_area:
            continue
        sub = np.where(m, names[sl], -1)
        counts = np.bincount(sub[sub >= 0].ravel(), minlength=len(_NAMES))
        dominant = [k for k in range(len(_NAMES)) if counts[k] >= 2 * min_area]
        if len(dominant) <= 1:
            masks.append((sl, m))
            continue
        seeds = np.zeros(m.shape, dtype=np.int32)
        n_seeds = 0
        for k in dominant:
            # Pure pixels a blend apart (the joints of a "W") are one part.
            near, n = ndimage.label(ndimage.binary_dilation(sub == k, eight), structure=eight)
            part = np.where(sub == k, near, 0)
            blend = any(_on_blend(_PALETTE[k], _PALETTE[o], bg) for o in dominant if o != k)
            for j in range(1, n + 1):
                piece = part == j
                share = piece.sum() >= max(min_area, MIN_SPLIT * total)
                if (share and _thick(piece)) or (not blend and piece.sum() >= 2 * min_area):
                    n_seeds += 1
                    seeds[piece] = n_seeds
        if n_seeds <= 1:
            masks.append((sl, m))
            continue
        _, (iy, ix) = ndimage.distance_transform_edt(seeds == 0, return_indices=True)
        owner = np.where(m, seeds[iy, ix], 0)
        for j in range(1, n_seeds + 1):
            part = owner == j
            if part.sum() >= min_area:
                masks.append((sl, part))
    shapes = [_describe(crop, bg, sl, m, (x0, y0)) for sl, m in masks]
    shapes = _join_dots(shapes)
    if reader is not None:
        shapes = read_glyphs(frame, shapes, reader)
    return shapes


def _on_blend(colour: np.ndarray, other: np.ndarray, bg: np.ndarray) -> bool:
    """True when `colour` lies between `other` and the background (within 40 per channel): the
    anti-aliased edge of something drawn in `other`, not a colour of its own."""
    a, b, c = bg.astype(np.float32), other.astype(np.float32), colour.astype(np.float32)
    d = b - a
    t = float(np.clip(np.dot(c - a, d) / max(1.0, float(np.dot(d, d))), 0.0, 1.0))
    return float(np.abs(c - (a + t * d)).max()) <= 40


def _thick(mask: np.ndarray) -> bool:
    """True when a part is more than a stroke: a second colour that splits a blob is a shape of
    its own, not the anti-aliased edge of a letter."""
    from scipy import ndimage

    return float(ndimage.distance_transform_edt(np.pad(mask, 1)).max()) >= 2.5


def _describe(
    crop: np.ndarray, bg: np.ndarray, sl: tuple[slice, slice], m: np.ndarray, at: tuple[int, int]
) -> Shape:
    """A `Shape` for the blob `m` (a mask over the slice `sl` of `crop`)."""
    ys, xs = np.nonzero(m)
    top, left = sl[0].start + ys.min(), sl[1].start + xs.min()
    bottom, right = sl[0].start + ys.max() + 1, sl[1].start + xs.max() + 1
    # Its colour is that of its strongest pixels: the edges of a small glyph are mostly blends.
    ink = np.abs(crop[sl].astype(np.int16) - bg).max(axis=2)
    pix, strength = crop[sl][m], ink[m]
    strongest = pix[strength >= np.percentile(strength, 70)]
    rgb = tuple(int(v) for v in np.median(strongest, axis=0))
    # Its form is that of its strong pixels too: blends close the hole of a small "o".
    strong = m & (ink >= 0.5 * strength.max())
    sy, sx = np.nonzero(strong)
    kind, corners, filled = classify(strong[sy.min() : sy.max() + 1, sx.min() : sx.max() + 1])
    bh, bw = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    if kind == "glyph" and min(bh, bw) >= RING_MIN:
        # A thin anti-aliased ring loses pixels to blends and opens in its strong part; whole,
        # with its blends, it is the outline it is drawn as.
        whole = classify(m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
        if not whole[2]:
            kind, corners, filled = whole
    if kind == "rectangle" and max(bh, bw) <= SMALL and 0.8 <= bw / bh <= 1.25:
        # Too few pixels for an outline: a disc covers pi/4 of its box in ink, a square all.
        coverage = float(ink[m].sum()) / 255 / (bh * bw)
        if coverage < 0.88:
            kind, corners = "circle", 0
    box = (int(left + at[0]), int(top + at[1]), int(right + at[0]), int(bottom + at[1]))
    inside = None
    if not filled:
        from scipy import ndimage

        hole = ndimage.binary_fill_holes(m) & ~m
        if hole.any():
            inside = tuple(int(v) for v in np.median(crop[sl][hole], axis=0))
    return Shape(
        inside=inside,  # type: ignore[arg-type]
        box=box,
        center=((box[0] + box[2]) // 2, (box[1] + box[3]) // 2),
        area=int(m.sum()),
        rgb=rgb,  # type: ignore[arg-type]
        colour=colour_name(rgb),
        kind=kind,
        corners=corners,
        filled=filled,
    )


def classify(mask: np.ndarray) -> tuple[str, int, bool]:
    """(kind, corners, filled) of one blob's tight (h, w) bool mask, from its outline."""
    import cv2
    from scipy import ndimage

    h, w = mask.shape
    if min(h, w) <= 2 and max(h, w) >= 4 * min(h, w):
        return "line", 0, True
    solid = ndimage.binary_fill_holes(mask)
    hole = 1.0 - mask.sum() / max(1, solid.sum())
    stroke = 2 * float(ndimage.distance_transform_edt(np.pad(mask, 1)).max())
    # A solid shape keeps a core when its rim is peeled; a letter of one-pixel strokes does not.
    core = ndimage.binary_erosion(mask, structure=np.ones((3, 3), bool)).sum()
    thick = stroke >= 0.3 * min(h, w) and core >= 0.3 * mask.sum()
    outline = hole >= 0.5 and stroke <= 0.2 * min(h, w)
    if not thick and not outline:
        if max(h, w) >= 6 * max(1.0, stroke) and min(h, w) <= 2 * stroke + 1:
            return "line", 0, True
        return "glyph", 0, True
    kind, corners = _outline_kind(solid.astype(np.uint8), cv2)
    if kind == "glyph" or (outline and kind == "circle" and min(h, w) < 10 * stroke):
        return "glyph", 0, True  # a ring as thick as an "o" is a letter
    return kind, corners, not outline


def _outline_kind(solid: np.ndarray, cv2) -> tuple[str, int]:
    """(kind, corners) of a filled blob from its convex outline and how much of its box it fills."""
    padded = np.pad(solid, 2)
    contours, _ = cv2.findContours(padded, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return "glyph", 0
    c = max(contours, key=cv2.contourArea)
    area = float(solid.sum())
    hull = cv2.convexHull(c)
    solidity = area / max(1.0, cv2.contourArea(hull) + cv2.arcLength(hull, True) / 2)
    if solidity < 0.85:
        return "glyph", 0
    h, w = solid.shape
    fill = area / (h * w)
    approx = cv2.approxPolyDP(hull, 0.06 * cv2.arcLength(hull, True), True)
    corners = len(approx)
    if 0.7 <= fill < 0.95 and 0.8 <= w / h <= 1.25 and _round(hull):
        return "circle", 0  # before the box test: a small disc fills most of its box
    if fill >= 0.9 and corners == 4:
        return "rectangle", 4
    if corners == 3 or (0.4 <= fill <= 0.62 and corners <= 4):
        return "triangle", 3
    return "polygon", len(cv2.approxPolyDP(hull, 0.025 * cv2.arcLength(hull, True), True))


def _round(hull: np.ndarray) -> bool:
    """True when the outline keeps one distance from its centre, within pixel rounding (1.2 px)
    or 6 % (a regular heptagon's corners stand 11 % further out than its sides)."""
    pts = hull.reshape(-1, 2).astype(np.float64)
    if len(pts) < 5:
        return False
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2
    r = np.hypot(*(pts - centre).T)
    return float(r.max() - r.min()) <= max(1.2, 0.06 * float(r.mean()))


def _join_dots(shapes: list[Shape]) -> list[Shape]:
    """A glyph's dot ("i", "j") joins the stroke below it: same colour, small, right above."""
    out = list(shapes)
    for dot in sorted(shapes, key=lambda s: s.area):
        if dot not in out:
            continue
        for s in out:
            if s is dot or s.colour != dot.colour or s.kind != "glyph" or dot.area * 3 > s.area:
                continue
            h = s.box[3] - s.box[1]
            above = 0 <= s.box[1] - dot.box[3] <= max(2, h // 2)
            over = s.box[0] - 1 <= dot.center[0] <= s.box[2] + 1
            if above and over and dot.size <= max(4, h // 3):
                box = (min(s.box[0], dot.box[0]), dot.box[1], max(s.box[2], dot.box[2]), s.box[3])
                joined = replace(
                    s,
                    box=box,
                    area=s.area + dot.area,
                    center=((box[0] + box[2]) // 2, (box[1] + box[3]) // 2),
                )
                out[out.index(s)] = joined
                out.remove(dot)
                break
    return out


def glyph_crop(frame: np.ndarray, shape: Shape, height: int = 32) -> np.ndarray:
    """The glyph drawn dark on white, padded and scaled to `height` px (BGR, for the recogniser):
    OCR reads dark-on-light text, and a yellow letter on white is barely there for it."""
    import cv2

    x0, y0, x1, y1 = shape.box
    patch = frame[y0:y1, x0:x1, :3].astype(np.int16)
    diff = np.abs(patch - np.array(shape.rgb, dtype=np.int16)).max(axis=2)
    ink = np.clip(255 - (255 - diff) * 1.0, 0, 255).astype(np.uint8)
    pad = max(2, (y1 - y0) // 3)
    ink = np.pad(ink, pad, constant_values=255)
    scale = height / ink.shape[0]
    ink = cv2.resize(
        ink, (max(8, int(ink.shape[1] * scale)), height), interpolation=cv2.INTER_CUBIC
    )
    return np.ascontiguousarray(np.repeat(ink[..., None], 3, axis=2))


def read_glyphs(frame: np.ndarray, shapes: Sequence[Shape], reader: object) -> list[Shape]:
    """The shapes with each glyph's text read by `reader` (an `ocr.TextReader`)."""
    glyphs = [i for i, s in enumerate(shapes) if s.kind in ("glyph", "line")]
    if not glyphs:
        return list(shapes)
    crops = [glyph_crop(frame, shapes[i]) for i in glyphs]
    keys = [c.tobytes() + str(c.shape).encode() for c in crops]
    todo = [k for k in range(len(crops)) if keys[k] not in _READ]
    recognise = getattr(reader, "recognise", None)
    if todo and recognise is not None:
        read = [t for t, _ in recognise([crops[k] for k in todo])]
    else:  # a reader without a crop recogniser reads the glyph crops as whole frames
        read = [
            reader.read(crops[k][..., ::-1], [((0, 0, crops[k].shape[1], 32), "text")])[0][0]
            for k in todo
        ]
    for k, text in zip(todo, read, strict=True):
        _READ[keys[k]] = text
        if len(_READ) > READ_CACHE:
            _READ.popitem(last=False)
    texts = [_READ[k] for k in keys]
    out = list(shapes)
    for i, text in zip(glyphs, texts, strict=True):
        text = text.strip()[:1]
        if out[i].kind == "line" and not text.isalnum():
            continue  # a drawn line, not an "l" or a "1"
        out[i] = replace(out[i], kind="glyph", text=text)
    return out


def size_classes(shapes: Sequence[Shape]) -> list[str]:
    """ "large" or "small" per shape, split at the widest gap of their sizes (a shape's side, a
    glyph's font size: both are how big it looks); when all are alike each is "any"."""
    out = ["any"] * len(shapes)
    sizes = sorted((_size_measure(s), i) for i, s in enumerate(shapes) if s.kind != "line")
    if len(sizes) < 2 or sizes[-1][0] < 1.5 * sizes[0][0]:
        return out
    ratios = [sizes[k + 1][0] / max(1.0, sizes[k][0]) for k in range(len(sizes) - 1)]
    cut = int(np.argmax(ratios))
    for k, (_, i) in enumerate(sizes):
        out[i] = "small" if k <= cut else "large"
    return out


def _size_measure(s: Shape) -> float:
    """Size for large/small: a glyph's font size (its height over the share of the em its
    letter takes: about 0.53 for x-height letters, 0.72 for capitals, digits and ascenders)."""
    w, h = s.box[2] - s.box[0], s.box[3] - s.box[1]
    if s.kind == "glyph":
        return h / (0.53 if s.text and s.text in X_HEIGHT else 0.72)
    return float(max(w, h))
