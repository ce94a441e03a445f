"""Slider tracks found by their drawing: a thin bar with a thumb, below or beside its label."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions.plan import Target
from perception.screen.parser import ScreenParse, UIElement
from perception.screen.phrase_grounding import PhraseGrounder
from perception.screen.slider_tracks import find_track
from perception.screen.step_grounding import find_target
from tests.rendered_pages import render_with_boxes


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


# A page in no site's CSS: Chromium's own range inputs, one on its label's row (an inline
# slider, the label's words and the track sharing their rows) with words after it, one below
# its label, on a light and on a dark page.
RANGE_PAGE = """<html><head><style>
body {{ font-family: sans-serif; font-size: 16px; margin: 30px; background: {bg}; color: {fg};
  color-scheme: {scheme}; }}
textarea {{ border: 1px solid #888; }}
</style></head><body>
<p>Pick how loud and how bright the reminders are.</p>
<p><label for="loud">Reminder volume</label> <input type="range" id="loud" min="0" max="10">
<label for="note">Note to self</label> <textarea id="note" rows="3"></textarea></p>
<label for="bright" style="display: block">Screen brightness</label>
<input type="range" id="bright" min="0" max="100" value="20" style="width: 300px">
</body></html>"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_native_range_slider_on_its_labels_row_or_below_it_is_clicked_on_its_track(
    browser_pool, theme
):
    from perception.screen.house_grounder import HouseGrounder

    colours = {"light": ("#fff", "#222", "light"), "dark": ("#1c1c20", "#ddd", "dark")}[theme]
    html = RANGE_PAGE.format(bg=colours[0], fg=colours[1], scheme=colours[2])
    image, boxes = render_with_boxes(browser_pool, html, ("loud", "bright"))
    with HouseGrounder() as grounder:
        for name, label in (("loud", "Reminder volume"), ("bright", "Screen brightness")):
            point = grounder.ground(image, f'click the "{label}" slider').points[0]
            x0, y0, x1, y1 = boxes[name]
            assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (name, point, boxes[name])


# Labels after their sliders: one on the slider's row, right of it (a wrapping label, words
# after the input), one under it with its value shown beside the label, stacked so that the
# next slider is as near the second label as a label-first layout would put it.
AFTER_PAGE = """<html><head><style>
body {{ font-family: sans-serif; font-size: 16px; margin: 30px; background: {bg}; color: {fg};
  color-scheme: {scheme}; }}
div {{ margin: 0 0 28px; }}
</style></head><body>
<p>Set the mix before the show starts.</p>
<div><label><input type="range" id="mix" min="0" max="10" value="7"> Crowd noise</label></div>
<div><input type="range" id="gain" value="30" style="width: 260px"><br>
<label for="gain">Stage gain</label> <output>30</output></div>
<div><input type="range" id="echo" value="60" style="width: 260px"><br>
<label for="echo">Hall echo</label></div>
</body></html>"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_range_slider_whose_label_comes_after_it_is_clicked_on_its_own_track(browser_pool, theme):
    from perception.screen.house_grounder import HouseGrounder

    colours = {"light": ("#fff", "#222", "light"), "dark": ("#1c1c20", "#ddd", "dark")}[theme]
    html = AFTER_PAGE.format(bg=colours[0], fg=colours[1], scheme=colours[2])
    image, boxes = render_with_boxes(browser_pool, html, ("mix", "gain", "echo"))
    with HouseGrounder() as grounder:
        for name, label in (("mix", "Crowd noise"), ("gain", "Stage gain"), ("echo", "Hall echo")):
            point = grounder.ground(image, f'click the "{label}" slider').points[0]
            x0, y0, x1, y1 = boxes[name]
            assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (name, point, boxes[name])


# A dark theme that fills every input's box (a range input too) in a grey of its own: the
# track lies inside that fill, with no rows of page colour round it; its label after it.
FILLED_PAGE = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 30px; background: #1b1c1f;
  color: #e4e4e4; }
input { -webkit-appearance: none; height: 24px; margin: 0; padding: 0; background: #2a2c31; }
input::-webkit-slider-runnable-track { height: 8px; background: #e9ecef; border-radius: 4px; }
input::-webkit-slider-thumb { -webkit-appearance: none; width: 16px; height: 16px;
  margin-top: -4px; border: 0; border-radius: 50%; background: #0d6efd; }
</style></head><body>
<p>Routes avoid steep paths where they can.</p>
<label><input type="range" id="climb" min="0" max="5" style="width: 320px"><br>
Maximum climb</label>
</body></html>"""


def test_a_slider_inside_a_filled_box_of_its_own_is_found_after_its_label(browser_pool):
    from perception.screen.house_grounder import HouseGrounder

    image, boxes = render_with_boxes(browser_pool, FILLED_PAGE, ("climb",))
    with HouseGrounder() as grounder:
        point = grounder.ground(image, 'click the "Maximum climb" slider').points[0]
    x0, y0, x1, y1 = boxes["climb"]
    assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (point, boxes["climb"])
