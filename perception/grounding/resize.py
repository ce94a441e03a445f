"""How a model's image size and coordinate convention map onto the observation's pixels.

A grounded VLM rarely answers in the pixels of the frame it was shown: Qwen2/2.5-VL and
UI-TARS answer in pixels of the image *after* their processor's `smart_resize`, Qwen3-VL
and UI-TARS-1.0 in 0-1000, Molmo in 0-100 percent, PaliGemma in `<loc_N>` bins of 1024.
`CoordinateFrame` names the convention once so every parser maps through the same maths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from contracts.errors import GroundingError

# Qwen2-VL / Qwen2.5-VL / UI-TARS defaults: patch 14 x merge 2; Qwen3-VL uses patch 16 (32).
QWEN_FACTOR = 28
QWEN_MIN_PIXELS = 56 * 56
QWEN_MAX_PIXELS = 14 * 14 * 4 * 1280
MAX_ASPECT_RATIO = 200

# Model units spanning the whole image width (or height), per coordinate kind.
_SPAN = {"norm1000": 1000.0, "norm1": 1.0, "norm100": 100.0, "loc1024": 1024.0}
KINDS = ("pixels", *_SPAN)


def smart_resize(
    height: int,
    width: int,
    factor: int = QWEN_FACTOR,
    min_pixels: int = QWEN_MIN_PIXELS,
    max_pixels: int = QWEN_MAX_PIXELS,
) -> tuple[int, int]:
    """The (height, width) a Qwen2-VL-style processor resizes an image to (same maths as Qwen's).

    Both sides become multiples of `factor`, the area is brought inside
    [min_pixels, max_pixels] keeping the aspect ratio, and ratios above 200:1 raise
    GroundingError where the processor raises ValueError.
    """
    if height <= 0 or width <= 0:
        raise GroundingError(f"image size must be positive, got height={height} width={width}")
    if max(height, width) / min(height, width) > MAX_ASPECT_RATIO:
        raise GroundingError(
            f"absolute aspect ratio must be smaller than {MAX_ASPECT_RATIO}, "
            f"got {max(height, width) / min(height, width):.1f} for {width}x{height}"
        )
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def _size(name: str, value: tuple[int, int]) -> tuple[int, int]:
    try:
        w, h = value
    except (TypeError, ValueError):
        raise GroundingError(f"{name} must be a (width, height) pair, got {value!r}") from None
    if isinstance(w, bool) or isinstance(h, bool) or int(w) != w or int(h) != h or w < 1 or h < 1:
        raise GroundingError(f"{name} must be positive integer pixels (w, h), got {value!r}")
    return int(w), int(h)


@dataclass(frozen=True)
class CoordinateFrame:
    """A model's coordinate convention plus the image sizes needed to map it to observation pixels.

    kind: "pixels" (absolute, in the model's input image of `model_size`), "norm1000"
    (0-1000), "norm1" (0-1), "norm100" (0-100 percent) or "loc1024" (`<loc_N>` bins,
    N / 1024 of the side). Sizes are (width, height) in pixels; `model_size` only
    matters for "pixels". The map is linear: model 0 is the observation's left/top edge
    and the model's full span is the observation's full width/height.
    """

    kind: str
    model_size: tuple[int, int]
    obs_size: tuple[int, int]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise GroundingError(f"unknown coordinate kind {self.kind!r}; known: {KINDS}")
        object.__setattr__(self, "model_size", _size("model_size", self.model_size))
        object.__setattr__(self, "obs_size", _size("obs_size", self.obs_size))

    @classmethod
    def identity(cls, width: int, height: int) -> CoordinateFrame:
        """Absolute pixels of the observation itself (the model saw the frame unresized)."""
        return cls("pixels", (width, height), (width, height))

    @classmethod
    def normalized(cls, kind: str, width: int, height: int) -> CoordinateFrame:
        """A resolution-free convention (norm1000, norm1, norm100, loc1024) over a frame."""
        if kind == "pixels":
            raise GroundingError("'pixels' is not normalized; use CoordinateFrame.smart_resized")
        return cls(kind, (width, height), (width, height))

    @classmethod
    def smart_resized(
        cls,
        width: int,
        height: int,
        factor: int = QWEN_FACTOR,
        min_pixels: int = QWEN_MIN_PIXELS,
        max_pixels: int = QWEN_MAX_PIXELS,
    ) -> CoordinateFrame:
        """Absolute pixels of the image a Qwen-style processor made from a width x height frame."""
        h, w = smart_resize(height, width, factor, min_pixels, max_pixels)
        return cls("pixels", (w, h), (width, height))

    def with_kind(self, kind: str) -> CoordinateFrame:
        """The same images under another convention (for formats that fix their own)."""
        return replace(self, kind=kind)

    @property
    def span(self) -> tuple[float, float]:
        """Model units covering the full observation width and height."""
        if self.kind == "pixels":
            return float(self.model_size[0]), float(self.model_size[1])
        s = _SPAN[self.kind]
        return s, s

    @property
    def unit_px(self) -> tuple[float, float]:
        """Observation pixels per model unit along x and y (the model's quantization step)."""
        (sx, sy), (w, h) = self.span, self.obs_size
        return w / sx, h / sy

    def to_observation(self, x: float, y: float) -> tuple[float, float]:
        """Map a model coordinate to (x, y) observation pixels (floats, unclamped)."""
        ux, uy = self.unit_px
        return x * ux, y * uy

    def from_observation(self, x: float, y: float) -> tuple[float, float]:
        """Map observation pixels to model units (floats); the inverse of `to_observation`."""
        ux, uy = self.unit_px
        return x / ux, y / uy
