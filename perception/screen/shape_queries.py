"""Which drawn shapes a phrase describes: "a large red circle", "the blue item", "small digits",
"Us", "the smaller box".

`describe` turns the words of a phrase into a `ShapeQuery` (size, colour, what it is, a letter
or digit it shows) and `select` picks the `shapes.Shape`s that fit it, best first. The words are
English words for sizes, CSS colour names and shape nouns, nothing one page uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from perception.screen.colours import canonical, is_colour, matches_colour
from perception.screen.shapes import Shape, size_classes

SIZES = {
    "large": "large", "big": "large", "larger": "larger", "bigger": "larger", "largest": "larger",
    "biggest": "larger", "small": "small", "little": "small", "tiny": "small", "smaller": "smaller",
    "smallest": "smaller",
}  # fmt: skip
NOUNS = {
    "circle": "circle", "circles": "circle", "ring": "circle", "rings": "circle", "dot": "circle",
    "dots": "circle", "point": "circle", "points": "circle",
    "disc": "circle", "pie": "circle", "wheel": "circle", "discs": "circle", "disk": "circle",
    "ball": "circle",
    "rectangle": "rectangle", "rectangles": "rectangle", "square": "rectangle",
    "squares": "rectangle", "box": "rectangle", "boxes": "rectangle",
    "triangle": "triangle", "triangles": "triangle",
    "polygon": "polygon", "polygons": "polygon",
    "shape": "shape", "shapes": "shape", "figure": "shape", "figures": "shape",
    "letter": "letter", "letters": "letter", "character": "any_glyph", "characters": "any_glyph",
    "digit": "digit", "digits": "digit", "number": "digit", "numbers": "digit",
    "numeral": "digit", "numerals": "digit",
    "item": "any", "items": "any", "object": "any", "objects": "any", "thing": "any",
    "things": "any", "one": "any", "ones": "any",
}  # fmt: skip
PLACES = {
    "left": "left", "leftmost": "left", "right": "right", "rightmost": "right", "top": "top",
    "topmost": "top", "upper": "top", "bottom": "bottom", "lower": "bottom",
}  # fmt: skip
_WORDS = re.compile(r"[\"'“”‘’]([^\"'“”‘’]{1,2})[\"'“”‘’]|[A-Za-z0-9-]+")


@dataclass(frozen=True)
class ShapeQuery:
    """A shape as a phrase describes it; None fields are left open."""

    size: str | None = None  # large | small | larger | smaller
    colour: str | None = None  # a colour word as said ("red", "aqua", "teal")
    noun: str | None = (
        None  # circle | rectangle | triangle | polygon | shape | letter | digit | any
    )
    char: str | None = None  # the letter or digit it shows ("X", "8")
    place: str | None = None  # left | right | top | bottom: which of the matches

    @property
    def visual(self) -> bool:
        """True when the phrase says anything only the pixels can tell (colour, size, form)."""
        return bool(self.colour or self.size or (self.noun and self.noun != "any") or self.char)


def describe(phrase: str) -> ShapeQuery | None:
    """The shape `phrase` describes, or None when it names no colour, size, shape or glyph."""
    size = colour = noun = char = place = None
    for m in _WORDS.finditer(phrase):
        if m.group(1):  # a quoted letter or digit
            char = m.group(1).strip() or None
            continue
        word = m.group(0)
        low = word.lower()
        if low in PLACES and place is None:
            place = PLACES[low]
        elif low in SIZES and size is None:
            size = SIZES[low]
        elif is_colour(low) and colour is None and low not in NOUNS:
            colour = canonical(low)
        elif low in NOUNS and noun is None:
            noun = NOUNS[low]
        elif low.removesuffix("-colored").removesuffix("-coloured") != low:
            base = low.split("-")[0]
            if is_colour(base):
                colour = canonical(base)
        elif char is None and noun is None and _glyph_word(word):
            char = word[0]
    query = ShapeQuery(size, colour, noun, char, place)
    return query if query.visual or noun == "any" else None


def _glyph_word(word: str) -> bool:
    """True for a lone letter or digit ("X", "8") or one in the plural ("Us", "8s")."""
    if len(word) == 1 and word.isalnum() and word not in ("a", "A", "I"):
        return True
    return len(word) == 2 and word[1] == "s" and (word[0].isupper() or word[0].isdigit())


def select(query: ShapeQuery, shapes: Sequence[Shape]) -> list[Shape]:
    """The shapes that fit `query`, best first (a filled colour over an outline's colour)."""
    sizes = size_classes(shapes)
    scored: list[tuple[int, int, Shape]] = []
    for i, (s, size) in enumerate(zip(shapes, sizes, strict=True)):
        if not _fits_kind(query, s):
            continue
        if query.size in ("large", "small") and size not in (query.size, "any"):
            continue
        score = 4
        if query.colour is not None:
            if matches_colour(s.rgb, query.colour):
                score = 4 if s.filled else 2
            elif s.inside is not None and matches_colour(s.inside, query.colour):
                score = 4
            else:
                continue
        if query.char is not None and s.text != query.char:
            score -= 1  # the letter in the other case
        scored.append((-score, i, s))
    out = [s for _, _, s in sorted(scored, key=lambda t: (t[0], t[1]))]
    if query.size in ("larger", "smaller") and out:
        out.sort(key=lambda s: s.box_area, reverse=query.size == "larger")
    if query.place is not None:
        axis = 0 if query.place in ("left", "right") else 1
        out.sort(key=lambda s: s.center[axis], reverse=query.place in ("right", "bottom"))
    return out


def _fits_kind(query: ShapeQuery, s: Shape) -> bool:
    """True when the shape is the kind of thing the query names."""
    if query.char is not None:  # OCR confuses the case of "x", "o", "s": any case fits
        return s.kind == "glyph" and s.text.lower() == query.char.lower()
    noun = query.noun
    if noun in (None, "any"):
        return s.kind != "line"
    if noun == "shape":
        return s.kind not in ("glyph", "line")
    if noun == "letter":
        return s.category == "letter"
    if noun == "digit":
        return s.category == "digit"
    if noun == "any_glyph":
        return s.kind == "glyph"
    if noun == "rectangle":
        return s.kind == "rectangle" or (s.kind == "polygon" and s.corners == 4)
    if noun == "polygon":
        return s.kind in ("polygon", "triangle", "rectangle")
    return s.kind == noun
