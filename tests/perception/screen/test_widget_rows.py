"""Widgets on real rendered pages, each named as a person would: page numbers, touching
buttons, radios, a search button beside its field (also when seen as one with it), a dropdown
beside a tall card, fields labelled after or under themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.rendered_pages import render_with_boxes

DATA = Path(__file__).parent / "data"

# Dark page (light text, links in light blue, native radios), written for this test in no
# site's CSS.
DARK = """<html><head><style>
body { background: #1b1c1f; color: #e4e4e4; font-family: sans-serif; font-size: 16px;
  margin: 40px; }
a { color: #8ab4f8; text-decoration: none; }
.pages a { display: inline-block; margin-right: 24px; }
.boxed a { display: inline-block; width: 38px; height: 38px; line-height: 38px;
  text-align: center; border: 1px solid #77797f; border-radius: 4px; margin-right: 8px; }
label { margin-right: 14px; }
</style></head><body>
<p class="pages"><a href="#" id="prev">Prev</a><a href="#" id="p1">1</a><a href="#"
id="p2">2</a><a href="#" id="next">Next</a></p>
<p class="boxed"><a href="#" id="b3">3</a><a href="#" id="b4">4</a><a href="#" id="b5">5</a></p>
<p><label><input type="radio" name="bike" id="classic"> Classic bike</label>
<label><input type="radio" name="bike" id="electric"> Electric bike</label>
<label><input type="radio" name="bike" id="cargo"> Cargo bike</label></p>
</body></html>"""
DARK_IDS = ("p1", "p2", "b3", "b5", "classic", "electric")

# Light page: a search field with a magnifier button.
LIGHT = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 40px; color: #333; }
.search { display: flex; width: 300px; margin-left: 600px; }
.search input { flex: 1; border: 1px solid #565c65; padding: 6px 8px; font-size: 16px; }
.search button { background: #005ea2; border: 0; width: 48px; border-radius: 0 4px 4px 0; }
</style></head><body>
<form class="search"><input placeholder="Search the site" aria-label="Search the site">
<button id="go" type="button"><svg width="24" height="24" viewBox="0 0 24 24"><circle cx="10"
cy="10" r="6" stroke="#fff" stroke-width="2.5" fill="none"/><line x1="14.5" y1="14.5" x2="20"
y2="20" stroke="#fff" stroke-width="2.5"/></svg></button></form>
</body></html>"""
LIGHT_IDS = ("go",)


@pytest.fixture(scope="module")
def grounder():
    from perception.screen.house_grounder import HouseGrounder

    with HouseGrounder() as g:
        yield g


def _hit(grounding, box) -> bool:
    if not grounding.points:
        return False
    p = grounding.points[0]
    return box[0] <= p.x <= box[2] and box[1] <= p.y <= box[3]


@pytest.mark.slow
def test_page_numbers_and_radios_on_a_dark_page(browser_pool, grounder):
    """A lone page number, boxed or not, is a link to click; each radio of a row is the one
    the words after it name."""
    image, boxes = render_with_boxes(browser_pool, DARK, DARK_IDS)
    asked = {
        "p1": 'follow the "1" link',
        "p2": 'click the "2" link',
        "b3": 'click the "3" link',
        "b5": 'follow the "5" link',
        "classic": 'select the "Classic bike" radio button',
        "electric": 'select the "Electric bike" radio button',
    }
    for key, instruction in asked.items():
        grounder.parser.forget_text()
        got = grounder.ground(image, instruction)
        assert _hit(got, boxes[key]), (key, got.points, got.raw_text.splitlines()[:2])


@pytest.mark.slow
def test_a_magnifier_button_beside_a_search_field(browser_pool, grounder):
    """The "Search" button is the magnifier beside the field whose placeholder says search."""
    image, boxes = render_with_boxes(browser_pool, LIGHT, LIGHT_IDS)
    got = grounder.ground(image, 'click the "Search" button')
    assert _hit(got, boxes["go"]), (got.points, got.raw_text.splitlines()[:2])


def _frame(name: str) -> np.ndarray:
    return np.asarray(Image.open(DATA / name).convert("RGB"))


@pytest.mark.slow
def test_buttons_whose_frames_touch_on_a_dark_page_are_each_found(grounder):
    """Framed buttons a few pixels apart (a dark re-themed row, rendered with Spectre's CSS)
    glue into one mark as tall as their frames: each is still found by its words."""
    frame = _frame("button_row_dark.png")
    for instruction, box in (
        ('press "Remind me"', (160, 20, 254, 48)),
        ('click the "Cancel registration" button', (397, 16, 566, 52)),
        ('press "Download schedule"', (612, 16, 808, 52)),
    ):
        grounder.parser.forget_text()
        got = grounder.ground(frame, instruction)
        assert _hit(got, box), (instruction, got.points, got.raw_text.splitlines()[:2])


@pytest.mark.slow
def test_a_label_left_of_a_dropdown_names_it_not_a_tall_card_further_right(grounder):
    """Words left of a dropdown on its row name it, though a tall card further right (a
    framed box the parse may take for a field) also reaches down to that row."""
    got = grounder.ground(_frame("form_beside_card.png"), 'select from the "Shirt size" dropdown')
    assert _hit(got, (319, 146, 795, 182)), (got.points, got.raw_text.splitlines()[:2])


# Labels after their fields (under one, right of another), between fields labelled the usual
# way (above, with a hint line between), written for this test in no site's CSS.
LABELS_AFTER = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 30px 120px; color: #222; }
input, select { font-size: 16px; padding: 6px; border: 1px solid #888; border-radius: 3px; }
label { display: block; } .hint { color: #666; font-size: 14px; }
.group { margin-top: 24px; } .under { margin-top: 4px; }
.inline { display: flex; align-items: center; gap: 12px; margin-top: 24px; }
.inline label { display: inline; }
</style></head><body>
<div class="group"><label for="first">First name</label><div class="hint">As on your card</div>
<input id="first"></div>
<div class="group"><input type="date" id="end"><label class="under" for="end">End date</label>
</div>
<div class="group"><label for="last">Last name</label><input id="last"></div>
<div class="inline"><input type="time" id="alarm"><label for="alarm">Wake-up alarm</label></div>
<div class="inline"><select id="quality" style="width: 200px"><option>High</option></select>
<label for="quality">Streaming quality</label></div>
<div class="group"><label for="city">City</label><input id="city"></div>
</body></html>"""


@pytest.mark.slow
def test_labels_after_their_fields_and_labels_above_theirs(browser_pool, grounder):
    """Words set close under a field, or just right of it, name it; the usual labels above
    their fields (one with a hint line between) still name theirs, not the field above."""
    ids = ("first", "end", "last", "alarm", "quality", "city")
    image, boxes = render_with_boxes(browser_pool, LABELS_AFTER, ids)
    for key, instruction in (
        ("first", 'click the "First name" field'),
        ("end", 'click the "End date" date field'),
        ("last", 'click in the "Last name" box'),
        ("alarm", 'click the "Wake-up alarm" field'),
        ("quality", 'select from the "Streaming quality" dropdown'),
        ("city", 'click the "City" field'),
    ):
        grounder.parser.forget_text()
        got = grounder.ground(image, instruction)
        assert _hit(got, boxes[key]), (key, got.points, got.raw_text.splitlines()[:2])


@pytest.mark.slow
def test_a_search_field_and_its_button_seen_as_one_button_are_parted(grounder):
    """A dark re-themed header (rendered with USWDS's CSS) whose search field and magnifier
    button the detector boxes as one button: the field and the button are each found."""
    frame = _frame("search_header_dark.png")
    got = grounder.ground(frame, 'click the "Search" button')
    assert _hit(got, (1072, 49, 1120, 81)), (got.points, got.raw_text.splitlines()[:2])
    grounder.parser.forget_text()
    got = grounder.ground(frame, 'click the "Search the site" field')
    assert _hit(got, (856, 49, 1072, 81)), (got.points, got.raw_text.splitlines()[:2])
