"""Slider tracks found by their drawing: a thin bar with a thumb, below or beside its label."""

from __future__ import annotations

import numpy as np

from perception.instructions.plan import Target
from perception.screen.parser import ScreenParse, UIElement
from perception.screen.phrase_grounding import PhraseGrounder
from perception.screen.slider_tracks import find_track
from perception.screen.step_grounding import find_target


def _words(img: np.ndarray, x: int, y: int, n: int) -> None:
    for i in range(n):
        img[y : y + 14, x + 6 * i : x + 6 * i + 3] = 40


def _range_page() -> np.ndarray:
    """A label, then a range input: a faint 8 px track and a dark round thumb in its middle,
    then a text field's outline below (no track: no thumb)."""
    img = np.full((400, 900, 3), 255, np.uint8)
    _words(img, 40, 60, 10)  # the label, y 60..74
    img[100:108, 40:860] = (223, 227, 235)
    yy, xx = np.mgrid[0:400, 0:900]
    img[(yy - 104) ** 2 + (xx - 450) ** 2 <= 100] = (82, 95, 122)
    img[200, 40:860] = img[240, 40:860] = 150  # a field's top and bottom
    img[200:241, 40] = img[200:241, 859] = 150
    return img


def test_a_horizontal_track_with_its_thumb_is_found_below_its_label():
    box = find_track(_range_page(), (40, 60, 100, 74))
    assert box is not None
    x0, y0, x1, y1 = box
    assert x0 <= 45 and x1 >= 455 and y0 <= 100 and y1 >= 108 and y1 < 200


def test_a_vertical_rail_beside_a_thumb_is_found_and_a_bare_field_is_not_a_track():
    img = np.full((500, 400, 3), 255, np.uint8)
    _words(img, 30, 20, 8)
    img[80:400, 96:106] = 180  # the rail
    img[230:244, 78:126] = 0  # the thumb across it
    box = find_track(img, (30, 20, 80, 34))
    assert box is not None and box[0] <= 96 and box[2] >= 106 and box[1] <= 82 and box[3] >= 398
    field = np.full((300, 900, 3), 255, np.uint8)
    _words(field, 40, 20, 6)
    field[60, 40:860] = field[100, 40:860] = 150
    field[60:101, 40] = field[60:101, 859] = 150
    assert find_track(field, (40, 20, 80, 34)) is None


def test_a_named_slider_is_acted_on_at_its_track_not_at_its_label():
    page = ScreenParse((UIElement(1, (40, 60, 100, 74), "text", "Volume", False, 0.9),), 900, 400)
    found = find_target(
        page, _range_page(), Target(text="Volume", kind="slider"), PhraseGrounder(embed="never")
    )
    assert found[0].element.kind == "slider" and 100 <= found[0].point[1] <= 108
