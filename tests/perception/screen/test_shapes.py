"""Drawn shapes from pixels: kinds, corners, colour names, sizes, and the phrases that pick them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from perception.screen.colours import canonical, colour_name, is_colour, matches_colour
from perception.screen.shape_queries import ShapeQuery, describe, select
from perception.screen.shapes import find_shapes, size_classes

DATA = Path(__file__).parent / "data"


def _rgb(name: str) -> tuple[int, int, int]:
    return {"red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 128, 0), "black": (0, 0, 0),
            "orange": (255, 165, 0), "yellow": (255, 255, 0)}[name]  # fmt: skip


def _scene() -> np.ndarray:
    """A white canvas with a red disc, a blue square, a green triangle, a black outlined pentagon
    around white, a small orange disc and an "A" drawn with strokes."""
    img = np.full((200, 300, 3), 255, np.uint8)
    cv2.circle(img, (40, 40), 20, _rgb("red"), -1, cv2.LINE_AA)
    cv2.rectangle(img, (90, 20), (129, 59), _rgb("blue"), -1)
    tri = np.array([[160, 60], [180, 20], [200, 60]], np.int32)
    cv2.fillPoly(img, [tri], _rgb("green"), cv2.LINE_AA)
    pent = [
        (60 + 45 * np.cos(a), 140 + 45 * np.sin(a))
        for a in np.linspace(-np.pi / 2, 1.5 * np.pi, 6)[:5]
    ]
    cv2.polylines(img, [np.array(pent, np.int32)], True, _rgb("black"), 3, cv2.LINE_AA)
    cv2.circle(img, (160, 140), 9, _rgb("orange"), -1, cv2.LINE_AA)
    cv2.putText(img, "A", (230, 160), cv2.FONT_HERSHEY_SIMPLEX, 1.2, _rgb("black"), 2, cv2.LINE_AA)
    return img


def _at(shapes, point):
    hits = [
        s for s in shapes if s.box[0] <= point[0] < s.box[2] and s.box[1] <= point[1] < s.box[3]
    ]
    assert hits, f"nothing found at {point}: {shapes}"
    return min(hits, key=lambda s: s.box_area)


def test_filled_shapes_are_told_apart_by_outline_with_their_colour_names() -> None:
    shapes = find_shapes(_scene())
    disc, square, tri = _at(shapes, (40, 40)), _at(shapes, (110, 40)), _at(shapes, (180, 50))
    assert (disc.kind, disc.colour) == ("circle", "red")
    assert (square.kind, square.colour, square.corners) == ("rectangle", "blue", 4)
    assert (tri.kind, tri.colour) == ("triangle", "green")
    assert all(s.filled for s in (disc, square, tri))


def test_an_outlined_polygon_counts_its_corners_and_knows_what_it_encloses() -> None:
    pent = _at(find_shapes(_scene()), (60, 97))
    assert not pent.filled
    assert pent.kind == "polygon" and pent.corners == 5
    assert pent.inside is not None and colour_name(pent.inside) == "white"


def test_a_letter_of_strokes_is_a_glyph_not_a_shape() -> None:
    glyph = _at(find_shapes(_scene()), (245, 150))
    assert glyph.kind == "glyph"


def test_large_and_small_split_at_the_widest_gap_of_sizes() -> None:
    shapes = [s for s in find_shapes(_scene()) if s.filled]  # the pentagon is twice as big again
    sizes = dict(zip([s.center for s in shapes], size_classes(shapes), strict=True))
    assert sizes[_at(shapes, (160, 140)).center] == "small"
    assert sizes[_at(shapes, (40, 40)).center] == "large"
    assert size_classes(shapes[:1]) == ["any"]


def test_colour_words_match_as_people_name_colours() -> None:
    assert is_colour("Aqua") and canonical("aqua") == "cyan" and canonical("gray") == "grey"
    assert matches_colour((255, 165, 0), "orange") and not matches_colour((255, 165, 0), "red")
    assert matches_colour((250, 190, 200), "pink") and not matches_colour((255, 0, 255), "pink")
    assert matches_colour((0, 128, 128), "teal") and not is_colour("item")


@pytest.mark.parametrize(
    ("phrase", "query"),
    [
        ("a large red circle", ShapeQuery("large", "red", "circle")),
        ("the orange colored box", ShapeQuery(None, "orange", "rectangle")),
        ("small digits", ShapeQuery("small", None, "digit")),
        ("How many Us are there?", ShapeQuery(None, None, None, "U")),
        ('the letter "k"', ShapeQuery(None, None, "letter", "k")),
        ("the smaller box", ShapeQuery("smaller", None, "rectangle")),
        ("a green item", ShapeQuery(None, "green", "any")),
        ("the right box", ShapeQuery(None, None, "rectangle", None, "right")),
    ],
)
def test_phrases_become_shape_queries(phrase: str, query: ShapeQuery) -> None:
    assert describe(phrase) == query


def test_a_phrase_without_visual_words_is_no_shape_query() -> None:
    assert describe("the Submit button") is None


def test_select_picks_the_shapes_a_phrase_describes_on_a_drawn_scene() -> None:
    shapes = find_shapes(_scene())
    assert [s.kind for s in select(describe("the blue square"), shapes)] == ["rectangle"]
    assert select(describe("the smaller circle"), shapes)[0].colour == "orange"
    biggest = select(describe("the larger shape"), shapes)[0]
    assert biggest.kind == "polygon"


def test_a_miniwob_frame_parses_into_its_drawn_shapes() -> None:
    frame = np.array(Image.open(DATA / "miniwob_click_shape.png").convert("RGB"))
    shapes = find_shapes(frame, (0, 50, frame.shape[1], frame.shape[0]))
    circles = select(describe("a blue circle"), shapes)
    assert [s.center for s in circles] == [(92, 122)]
    assert {s.colour for s in select(describe("a triangle"), shapes)} == {"magenta", "black"}
    assert sum(s.kind == "glyph" for s in shapes) >= 8


def test_a_miniwob_heptagon_has_seven_corners() -> None:
    frame = np.array(Image.open(DATA / "miniwob_count_sides_7.png").convert("RGB"))
    shapes = [s for s in find_shapes(frame, (0, 50, frame.shape[1], 150)) if s.kind != "glyph"]
    assert [(s.kind, s.corners, s.filled) for s in shapes] == [("polygon", 7, False)]


def test_glyphs_are_read_when_a_reader_is_given() -> None:
    from perception.screen.ocr import OcrConfig, shared_reader

    try:
        reader = shared_reader(OcrConfig(engine="rapidocr"))
    except Exception as exc:  # noqa: BLE001 - the house extra is optional
        pytest.skip(f"rapidocr unavailable: {exc}")
    frame = np.array(Image.open(DATA / "miniwob_click_shape.png").convert("RGB"))
    shapes = find_shapes(frame, (0, 50, frame.shape[1], frame.shape[0]), reader=reader)
    xs = select(describe("a X"), shapes)
    assert (52, 61) in [s.center for s in xs]
    assert select(describe("a large red letter"), shapes)


def test_a_disc_a_few_pixels_across_is_round_and_a_square_is_not() -> None:
    img = np.full((40, 60, 3), 255, np.uint8)
    cv2.circle(img, (15, 20), 4, (0, 0, 0), -1, cv2.LINE_AA)
    cv2.rectangle(img, (40, 15), (49, 24), (0, 0, 0), -1)
    kinds = sorted((s.center[0], s.kind) for s in find_shapes(img))
    assert [k for _, k in kinds] == ["circle", "rectangle"]


def test_a_glyph_crop_wider_than_255_px_is_read_without_error() -> None:
    """A long drawn line makes a glyph crop over 255 px wide; its cache key once broke on it."""
    from perception.screen.ocr import OcrConfig, shared_reader
    from perception.screen.shapes import read_glyphs

    try:
        reader = shared_reader(OcrConfig(engine="rapidocr"))
    except Exception as exc:  # noqa: BLE001 - the house extra is optional
        pytest.skip(f"rapidocr unavailable: {exc}")
    from perception.screen.shapes import Shape

    img = np.full((120, 700, 3), 255, np.uint8)
    cv2.putText(
        img, "WIDE WORDS IN ONE LONG LINE", (15, 78), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2
    )
    glyph = Shape(
        box=(10, 50, 690, 85), center=(350, 67), area=6000, rgb=(0, 0, 0), colour="black",
        kind="glyph", corners=0, filled=True, text="", inside=None,
    )  # fmt: skip
    read = read_glyphs(img, [glyph], reader)
    assert len(read) == 1 and read[0].text, read


def test_a_thin_anti_aliased_ring_is_an_outlined_circle_not_a_glyph():
    # circle-center's 58 px ring: its strong pixels alone break open and read as a glyph
    frame = np.asarray(Image.open(DATA / "thin_ring_circle_center.png").convert("RGB"))
    (ring,) = [s for s in find_shapes(frame) if s.size > 20]
    assert ring.kind == "circle" and not ring.filled
    assert abs(ring.center[0] - 40) <= 2 and abs(ring.center[1] - 37) <= 2
