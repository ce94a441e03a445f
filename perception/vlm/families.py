"""Model families a grounder talks to: coordinate convention, image resize, prompts, formats.

Qwen2.5-VL and UI-TARS-1.5 answer in pixels of the image after Qwen's smart_resize;
Qwen3-VL, Qwen2-VL and UI-TARS-1.0 in 0-1000; any other model is asked (by the generic
prompts) for 0-1000 too. A family is detected from the checkpoint's model_type and the
model's name (path or served name), or named explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from contracts.errors import SetupError
from perception.grounding.resize import QWEN_MIN_PIXELS, CoordinateFrame, smart_resize

# What shipped Qwen2.5-VL / UI-TARS-1.5 checkpoints set in preprocessor_config.json (the
# processor class default is 1280 * 28 * 28); servers use it unless told otherwise.
QWEN25_CHECKPOINT_MAX_PIXELS = 12_845_056
QWEN3_MIN_PIXELS, QWEN3_MAX_PIXELS = 65_536, 16_777_216


@dataclass(frozen=True)
class Family:
    """How one model family sees images and writes coordinates.

    coords: "pixels" (of the image after the processor's resize) or a normalized kind
    ("norm1000", ...). patch * merge is the resize factor; min/max_pixels bound the
    resized area as the family's shipped processor does. prompts: folder of its prompt
    templates. formats: grounding parsers to try, in order (None: all).
    """

    name: str
    coords: str
    patch: int = 14
    merge: int = 2
    min_pixels: int = QWEN_MIN_PIXELS
    max_pixels: int = QWEN25_CHECKPOINT_MAX_PIXELS
    prompts: str = "generic"
    formats: tuple[str, ...] | None = None

    @property
    def factor(self) -> int:
        """Side multiple of the resized image (patch size x spatial merge)."""
        return self.patch * self.merge

    def frame(self, obs_size: tuple[int, int], model_size: tuple[int, int]) -> CoordinateFrame:
        """The frame mapping this family's replies about a `model_size` image to `obs_size`."""
        if self.coords == "pixels":
            return CoordinateFrame("pixels", model_size, obs_size)
        return CoordinateFrame(self.coords, obs_size, obs_size)

    def resized(self, width: int, height: int, max_pixels: int | None = None) -> tuple[int, int]:
        """(width, height) the family's processor makes of a width x height image."""
        h, w = smart_resize(
            height, width, self.factor, self.min_pixels, max_pixels or self.max_pixels
        )
        return w, h


_UITARS_FORMATS = ("uitars", "tool_call", "handeye", "qwen_json", "point_tag", "plain")
FAMILIES: dict[str, Family] = {
    "qwen2_5_vl": Family("qwen2_5_vl", "pixels", prompts="qwen2_5_vl"),
    "qwen3_vl": Family(
        "qwen3_vl",
        "norm1000",
        patch=16,
        min_pixels=QWEN3_MIN_PIXELS,
        max_pixels=QWEN3_MAX_PIXELS,
        prompts="qwen3_vl",
    ),
    "qwen2_vl": Family("qwen2_vl", "norm1000", max_pixels=QWEN25_CHECKPOINT_MAX_PIXELS),
    "uitars": Family("uitars", "pixels", prompts="uitars", formats=_UITARS_FORMATS),
    "uitars1": Family("uitars1", "norm1000", prompts="uitars", formats=_UITARS_FORMATS),
    "generic": Family("generic", "norm1000"),
}
_NAME_PATTERNS = (
    ("qwen3_vl", re.compile(r"qwen[-_ ]?3[-_.]?(?:\d+[-_.]?)?vl")),
    ("qwen2_5_vl", re.compile(r"qwen[-_ ]?2[-_.]?5[-_.]?vl")),
    ("qwen2_vl", re.compile(r"qwen[-_ ]?2[-_.]?vl")),
)
_MODEL_TYPES = {
    "qwen2_5_vl": "qwen2_5_vl",
    "qwen3_vl": "qwen3_vl",
    "qwen3_vl_moe": "qwen3_vl",
    "qwen2_vl": "qwen2_vl",
}


def detect_family(model_type: str | None, name: str = "") -> Family:
    """The family for a checkpoint's model_type and a model name or path (UI-TARS by name).

    UI-TARS on a Qwen2-VL base (1.0) answers in 0-1000, on Qwen2.5-VL (1.5) in pixels.
    """
    lowered = name.lower()
    if re.search(r"ui[-_ ]?tars", lowered):
        old = model_type == "qwen2_vl" or (
            model_type is None and re.search(r"ui[-_ ]?tars[-_ ]?(?:7b|72b|2b)", lowered)
        )
        return FAMILIES["uitars1" if old else "uitars"]
    if model_type in _MODEL_TYPES:
        return FAMILIES[_MODEL_TYPES[model_type]]
    for family, pattern in _NAME_PATTERNS:
        if pattern.search(lowered):
            return FAMILIES[family]
    return FAMILIES["generic"]


def get_family(
    family: str = "auto", model_type: str | None = None, name: str = "", coords: str | None = None
) -> Family:
    """A family by name ("auto": detected), with its coordinate convention optionally overridden."""
    if family == "auto":
        chosen = detect_family(model_type, name)
    elif family in FAMILIES:
        chosen = FAMILIES[family]
    else:
        raise SetupError(f"unknown model family {family!r}; known: auto, {', '.join(FAMILIES)}")
    if coords is not None:
        try:
            CoordinateFrame(coords, (1, 1), (1, 1))
        except ValueError as exc:
            raise SetupError(str(exc)) from None
        chosen = replace(chosen, coords=coords)
    return chosen
