"""Colour names as people use them: CSS named colours, and the name a pixel colour goes by.

A pixel is named by the nearest of the everyday names (`BASIC`, CSS values); a word from the
whole CSS table ("teal", "gold", "darkorange") is matched against the basic names plus itself,
so "pink" and "magenta" are told apart but "crimson" still finds a red that is nearest to it.
"""

from __future__ import annotations

import colorsys
import functools

import numpy as np

RGB = tuple[int, int, int]

# The everyday names, with CSS values (https://www.w3.org/TR/css-color-4/#named-colors).
BASIC: dict[str, RGB] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "red": (255, 0, 0),
    "maroon": (128, 0, 0),
    "orange": (255, 165, 0),
    "yellow": (255, 255, 0),
    "olive": (128, 128, 0),
    "lime": (0, 255, 0),
    "green": (0, 128, 0),
    "teal": (0, 128, 128),
    "cyan": (0, 255, 255),
    "blue": (0, 0, 255),
    "navy": (0, 0, 128),
    "purple": (128, 0, 128),
    "magenta": (255, 0, 255),
    "pink": (255, 192, 203),
    "brown": (165, 42, 42),
}
# Other spellings and names of the same colours.
SYNONYMS = {"gray": "grey", "aqua": "cyan", "fuchsia": "magenta"}


@functools.cache
def css_table() -> dict[str, RGB]:
    """Every CSS named colour (matplotlib ships the table), plus the basic names."""
    table: dict[str, RGB] = {}
    try:
        from matplotlib.colors import CSS4_COLORS
    except ImportError:  # the basic names and their synonyms still work
        CSS4_COLORS = {}
    for name, hexa in CSS4_COLORS.items():
        table[name] = (int(hexa[1:3], 16), int(hexa[3:5], 16), int(hexa[5:7], 16))
    table.update(BASIC)
    for alias, name in SYNONYMS.items():
        table.setdefault(alias, BASIC[name])
    return table


def canonical(word: str) -> str:
    """The basic name a colour word stands for when it has one ("gray" -> "grey")."""
    w = word.lower().replace(" ", "")
    return SYNONYMS.get(w, w)


def is_colour(word: str) -> bool:
    """True when `word` is a colour name (CSS or everyday)."""
    return canonical(word) in css_table() or word.lower() in css_table()


def colour_rgb(word: str) -> RGB | None:
    """The RGB of a colour name, or None when it is no colour."""
    table = css_table()
    return table.get(canonical(word)) or table.get(word.lower())


def _distance(a: RGB | np.ndarray, b: RGB | np.ndarray) -> float:
    """Perceptual-ish distance: RGB weighted the way 'redmean' weighs it."""
    r1, g1, b1 = (float(v) for v in a)
    r2, g2, b2 = (float(v) for v in b)
    rm = (r1 + r2) / 2
    dr, dg, db = r1 - r2, g1 - g2, b1 - b2
    return float(np.sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db))


def colour_name(rgb: RGB | np.ndarray) -> str:
    """The everyday name of an RGB colour (nearest basic CSS name)."""
    return min(BASIC, key=lambda n: _distance(rgb, BASIC[n]))


def matches_colour(rgb: RGB | np.ndarray, word: str) -> bool:
    """True when a person would call `rgb` by the colour `word`: it is nearer to the word's
    colour than to any other everyday name."""
    name = canonical(word)
    want = colour_rgb(word)
    if want is None:
        return False
    if name in BASIC:
        return colour_name(rgb) == name
    d = _distance(rgb, want)
    return all(d <= _distance(rgb, BASIC[n]) for n in BASIC)


def hue_of(rgb: RGB | np.ndarray) -> tuple[float, float, float]:
    """(hue 0-1, saturation 0-1, value 0-1) of an RGB colour."""
    r, g, b = (float(v) / 255 for v in rgb)
    return colorsys.rgb_to_hsv(r, g, b)
