"""Whether a frame came through lossy JPEG compression, read from its pixels alone.

A JPEG stores each 8x8 block's luma as DCT coefficients rounded to multiples of a step table
(the standard table scaled by the quality). Decoding a block back gives pixels whose DCT lands
on that grid again, up to a rounding of the colour conversion; a frame rendered straight from
a page has coefficients spread evenly between grid points. Decoding clips pixels to 0..255
(ringing beside dark text on white goes past white), which moves a block off the grid, so the
clipped pixels are let loose (a clipped 255 stands for 255 or more) and the block is projected
back and forth between the grid and the pixels it showed a few times before it is measured.
"""

from __future__ import annotations

import numpy as np

# the JPEG standard's luma quantisation table (ITU T.81, Annex K), quality 50
_LUMA = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    float,
)
_K = np.arange(8)
_DCT = np.sqrt(2 / 8) * np.cos((2 * _K[None, :] + 1) * _K[:, None] * np.pi / 16)
_DCT[0] /= np.sqrt(2)
_AC = np.ones((8, 8), bool)
_AC[0, 0] = False

QUALITIES = (30,)  # the qualities tested: each costs one pass over the frame's busy blocks
BUSY = 32  # grey levels a block spans at least to be measured (flat blocks sit on any grid)
# Blocks are taken least clipped first: at most this many clipped pixels of 64, in tiers, the
# next tier only when the one before holds too few blocks (clipping frees pixels: the more it
# frees, the closer a clean block can be pulled to a grid, so the looser tiers ask for less).
CLIP_TIERS = ((16, 0.10), (32, 0.11), (48, 0.12))  # (clipped pixels at most, off-grid below)
MIN_BLOCKS = 6  # fewer measured blocks: no verdict (not compressed)
MAX_BLOCKS = 512  # more blocks in a tier: this many spread over them (a large frame's cost)
PROJECTIONS = 8  # back-and-forth projections for the clipped pixels


def jpeg_quality(frame: np.ndarray, qualities: tuple[int, ...] = QUALITIES) -> int | None:
    """The first of `qualities` whose step grid the luma of `frame` ((H, W, 3) uint8, its 8x8
    blocks from the top left corner) lies on, or None (a frame not JPEG compressed at any)."""
    h8, w8 = frame.shape[0] // 8 * 8, frame.shape[1] // 8 * 8
    if h8 == 0 or w8 == 0:
        return None
    import cv2

    rgb = np.ascontiguousarray(frame[:h8, :w8, :3])
    top = np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
    bottom = np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
    square = np.ones((8, 8), np.uint8)  # each block's max and min, read at its corner
    spread = cv2.dilate(top, square, anchor=(0, 0))[::8, ::8].astype(np.int16)
    spread -= cv2.erode(bottom, square, anchor=(0, 0))[::8, ::8]
    busy = spread.ravel() >= BUSY
    clipped = ((top == 255) | (bottom == 0)).astype(np.float32)
    size = (w8 // 8, h8 // 8)
    clips = (cv2.resize(clipped, size, interpolation=cv2.INTER_AREA) * 64).round().ravel()
    for most, below in CLIP_TIERS:
        keep = np.flatnonzero(busy & (clips <= most))
        if len(keep) < MIN_BLOCKS:
            continue
        keep = keep[np.linspace(0, len(keep) - 1, min(len(keep), MAX_BLOCKS)).astype(int)]
        block = _blocks(rgb, h8, w8)[keep]  # (N, 8, 8, 3)
        luma = block.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) - 128
        hi, lo = (block == 255).any(axis=3), (block == 0).any(axis=3)
        for q in qualities:
            off = _off_grid(luma, hi, lo, _steps(q))
            if off is not None and off < below:
                return q
        return None
    return None


def _blocks(plane: np.ndarray, h8: int, w8: int) -> np.ndarray:
    """(N, 8, 8, ...): `plane` (h8, w8, ...) cut into 8x8 blocks, row by row."""
    rest = plane.shape[2:]
    cut = plane.reshape(h8 // 8, 8, w8 // 8, 8, *rest).swapaxes(1, 2)
    return cut.reshape(-1, 8, 8, *rest)


def _steps(quality: int) -> np.ndarray:
    """The luma step table libjpeg uses at `quality` (1-100)."""
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    return np.clip(np.floor((_LUMA * scale + 50) / 100), 1, 255)


def _off_grid(luma: np.ndarray, hi: np.ndarray, lo: np.ndarray, steps: np.ndarray) -> float | None:
    """Mean distance (in steps, 0-0.5) of the blocks' nonzero AC coefficients from the grid,
    after the clipped pixels were projected; None when no coefficient is nonzero."""
    x = luma
    for _ in range(PROJECTIONS):
        grid = np.round(_DCT @ x @ _DCT.T / steps) * steps
        back = _DCT.T @ grid @ _DCT
        x = luma.copy()
        x[hi] = np.maximum(back[hi], luma[hi])
        x[lo] = np.minimum(back[lo], luma[lo])
    coef = (_DCT @ x @ _DCT.T / steps)[:, _AC]
    nonzero = np.abs(coef) >= 0.5
    if not nonzero.any():
        return None
    return float(np.abs(coef - np.round(coef))[nonzero].mean())
