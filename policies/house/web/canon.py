"""The frame as the pixel finders expect it: a light page with flat fills.

Three conditions break finders that key on grey levels, fills and sizes: a dark colour scheme
(ink is lighter than the page), lossy compression (a flat grey fill becomes a field of
near-greys) and a small rendering (a zoomed-out page: words too small to read, icons below
the finders' sizes). `canonical` undoes them on pixels alone: it snaps near-copies of the
frame's dominant colours inside flat areas back onto them, flips lightness (keeping hue) when
the background around text and borders is dark (`perception.screen.polarity`), and enlarges a
frame whose text measures small (`perception.screen.frame_scale`); `Canonical.to_observation`
maps an action back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from contracts.actions import Action, scale_action
from perception.screen.compression import jpeg_quality
from perception.screen.frame_scale import resample, text_scale, zoom_for
from perception.screen.parser import ScreenParse
from perception.screen.polarity import flip_dark_page

DARK_PAGE = 100  # text whose surround is darker than this grey is light-on-dark
EDGE_STEP = 60  # grey step across 3 px that marks a stroke or border edge
MIN_EDGE_PX = 50  # fewer edge pixels: judge by the frame's median grey instead
SURROUND = 9  # px, median window that sees past a stroke to its background
SNAP_TOL = 10  # a pixel this close (max over channels) to a dominant colour is that colour
MAX_COLOURS = 12  # dominant colours kept: a page's fills, text and borders fit in fewer
DENOISE_H = 10  # strength of the non-local-means filter that clears JPEG ringing around text
DENOISE_REACH = 11  # px: side of the window searched for like patches (7 reads worse)


@dataclass(frozen=True)
class Canonical:
    """The frame the policy reads, and what was done to get it."""

    frame: np.ndarray
    inverted: bool = False
    denoised: bool = False
    zoom: float = 1.0  # `frame` is the observation enlarged this much
    scale: float | None = None  # the observation's text size measured (1.0: as tuned)
    source: tuple[int, int] = (0, 0)  # the observation's (width, height); (0, 0): as `frame`
    # a lossy frame's copy with the noise around strokes filtered out, for reading its text (the
    # filter fades faint glyphs, so the pixel finders keep `frame`); None: read `frame`
    text: np.ndarray | None = None

    def to_observation(self, action: Action) -> Action:
        """`action`, given in this frame's pixels, in the pixels of the observation."""
        if self.zoom == 1.0 or not self.source[0]:
            return action
        h, w = self.frame.shape[:2]
        return scale_action(action, self.source[0] / w, self.source[1] / h)

    def parse_in_observation(self, parse: ScreenParse) -> ScreenParse:
        """A parse of this frame with its boxes in the observation's pixels."""
        if self.zoom == 1.0 or not self.source[0]:
            return parse
        h, w = self.frame.shape[:2]
        sx, sy = self.source[0] / w, self.source[1] / h

        def box(b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
            return (
                int(b[0] * sx),
                int(b[1] * sy),
                int(np.ceil(b[2] * sx)),
                int(np.ceil(b[3] * sy)),
            )

        elements = tuple(replace(e, box=box(e.box)) for e in parse.elements)
        return replace(parse, elements=elements, width=self.source[0], height=self.source[1])


def canonical(frame: np.ndarray, zoom: float | None = 1.0) -> Canonical:
    """`frame` (H, W, 3+) uint8 denoised when lossy, flipped to light when dark, and enlarged
    by `zoom` (None: by what its text size asks, `frame_scale.zoom_for`)."""
    raw = np.ascontiguousarray(frame[..., :3])
    centres = dominant_colours(raw)
    rgb, changed = snap(raw, centres)
    denoised = changed > 0
    lossy = jpeg_quality(raw) is not None  # the test for a JPEG'd frame: `compression`
    reading = snap(_denoise(raw), centres)[0] if lossy else None
    inverted = is_dark(rgb)
    if inverted:  # dark ink on the dark page (icons made for light pages) stays dark
        rgb = flip_dark_page(rgb, raw)
        reading = None if reading is None else flip_dark_page(reading, raw)
    scale = None
    if zoom is None:
        scale = text_scale(rgb)
        zoom = zoom_for(scale)
    source = (rgb.shape[1], rgb.shape[0])
    text = None if reading is None else resample(reading, zoom)
    return Canonical(resample(rgb, zoom), inverted, denoised, zoom, scale, source, text)


def _denoise(rgb: np.ndarray) -> np.ndarray:
    """`rgb` (H, W, 3) uint8 with compression noise filtered out, strokes and edges kept."""
    import cv2

    return cv2.fastNlMeansDenoisingColored(rgb, None, DENOISE_H, DENOISE_H, 3, DENOISE_REACH)


def is_dark(rgb: np.ndarray) -> bool:
    """True when text is drawn light on dark: the background around the frame's sharp edges
    (text strokes, borders) is dark. Reading the surround of edges, not the whole frame,
    keeps a light window on an empty black desktop light."""
    import cv2

    lum = rgb.mean(axis=2).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    edges = (cv2.dilate(lum, kernel) - cv2.erode(lum, kernel)) >= EDGE_STEP
    if edges.sum() < MIN_EDGE_PX:
        return float(np.median(lum)) < DARK_PAGE
    surround = cv2.medianBlur(lum, SURROUND)
    return float(np.median(surround[edges])) < DARK_PAGE


def dominant_colours(rgb: np.ndarray, tol: int = SNAP_TOL) -> np.ndarray:
    """(K, 3) int16: the most common colours, each at least `tol` away from a commoner one."""
    step = 2 if rgb.shape[0] * rgb.shape[1] <= 200_000 else 4
    keys = _keys(rgb[::step, ::step]).ravel()
    values, counts = np.unique(keys, return_counts=True)
    order = np.argsort(counts)[::-1]
    floor = max(4, int(0.003 * len(keys)))
    centres: list[np.ndarray] = []
    for i in order:
        if counts[i] < floor or len(centres) >= MAX_COLOURS:
            break
        k = int(values[i])
        c = np.array([(k >> 16) & 255, (k >> 8) & 255, k & 255], np.int16)
        if all(np.abs(c - o).max() > tol for o in centres):
            centres.append(c)
    return np.array(centres, np.int16).reshape(-1, 3)


def _keys(rgb: np.ndarray) -> np.ndarray:
    """One int32 per colour (r << 16 | g << 8 | b), shape rgb.shape[:-1]."""
    c = rgb.astype(np.int32)
    return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def snap(rgb: np.ndarray, centres: np.ndarray, tol: int = SNAP_TOL) -> tuple[np.ndarray, int]:
    """Pixels inside flat areas (every channel spans at most `tol` over the 3x3 around them)
    that lie within `tol` of a dominant colour are set to it: JPEG noise in fills goes, edges
    and text stay as they were. Also returns how many pixels changed."""
    if len(centres) == 0:
        return rgb, 0
    import cv2

    kernel = np.ones((3, 3), np.uint8)
    candidate = (cv2.dilate(rgb, kernel) - cv2.erode(rgb, kernel)).max(axis=2) <= tol
    key = _keys(rgb)
    for k in _keys(centres):
        candidate &= key != k
    ys, xs = np.nonzero(candidate)
    if ys.size == 0:
        return rgb, 0
    px = rgb[ys, xs].astype(np.int16)
    dist = np.abs(px[:, None, :] - centres[None, :, :]).max(axis=2)
    best = dist.argmin(axis=1)
    d = dist[np.arange(len(best)), best]
    change = (d > 0) & (d <= tol)
    if not change.any():
        return rgb, 0
    out = rgb.copy()
    out[ys[change], xs[change]] = centres[best[change]].astype(np.uint8)
    return out, int(change.sum())
