"""Drawn controls on real rendered pages: faint filled fields, selects, striped table rows."""

from __future__ import annotations

import pytest

from perception.screen.drawn_controls import find_drawn_controls
from tests.rendered_pages import render_with_boxes

# A page in no site's CSS: a dark theme whose fields are fills 14 grey levels above the page
# with rounded corners and no border, a native select, and a light table with striped rows
# whose white fields sit on a tinted row.
PAGE = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 0; }
.dark { background: #2e3240; color: #eee; padding: 20px 300px 20px 40px; }
.dark label { display: block; margin: 6px 0 4px; }
.dark input, .dark select { display: block; width: 600px; border: 0; border-radius: 5px;
  background: #3b3f4e; color: #eee; padding: 8px; font-size: 16px; }
.light { padding: 20px 40px; background: #fff; }
.light select { font-size: 16px; padding: 6px 10px; }
table { border-collapse: collapse; width: 700px; }
tr:nth-child(even) { background: #e8f2fc; }
td { padding: 10px; }
td.label { width: 420px; }
td input { border: 1px solid #ddd; border-radius: 4px; padding: 6px; font-size: 16px; }
</style></head><body>
<div class="dark">
<label for="given">Given name</label><input id="given">
<label for="family">Family name</label><input id="family">
<label for="branch">Branch</label><select id="branch"><option>Riverside</option></select>
</div>
<div class="light">
<label for="size">Size</label> <select id="size"><option>Medium</option></select>
<p><input type="radio" id="r1" name="r"><label for="r1">Paper</label>
<input type="radio" id="r2" name="r"><label id="l2" for="r2">Audio</label>
<input type="radio" id="r3" name="r"><label id="l3" for="r3">Ebook</label></p>
<table><tr><td class="label">Street</td><td><input id="street"></td></tr>
<tr><td>Town</td><td><input id="town"></td></tr>
<tr><td>Phone</td><td><input id="phone"></td></tr></table>
</div>
</body></html>"""

IDS = ("given", "family", "branch", "size", "street", "town", "phone", "r2", "r3", "l2", "l3")


@pytest.fixture(scope="module")
def page(browser_pool):
    """The page at 1280x720 as pixels, with its controls' boxes (for checking only)."""
    return render_with_boxes(browser_pool, PAGE, IDS)


def _found(found, box, slack: float = 3):
    """The kind of the found control whose box matches `box` within `slack` pixels, or None."""
    for c in found:
        if all(abs(a - b) <= slack for a, b in zip(c.box, box, strict=True)):
            return c.kind
    return None


def test_faint_filled_fields_with_rounded_corners_are_found(page):
    image, boxes = page
    found = find_drawn_controls(image)
    assert _found(found, boxes["given"]) == "text_input"
    assert _found(found, boxes["family"]) == "text_input"


def test_a_select_is_a_dropdown_by_the_arrow_at_its_right_end(page):
    image, boxes = page
    found = find_drawn_controls(image)
    assert _found(found, boxes["branch"]) == "dropdown"  # a wide one in the dark theme
    assert _found(found, boxes["size"]) == "dropdown"  # a short one: its choice near the middle


def test_fields_on_striped_table_rows_are_found_not_their_cells(page):
    image, boxes = page
    found = find_drawn_controls(image)
    for name in ("street", "town", "phone"):
        assert _found(found, boxes[name]) == "text_input", name


def test_the_grounder_clicks_faint_fields_selects_far_labelled_fields_and_radios_in_a_row(page):
    """A faint field is a drawn box for a named field, a select is the dropdown its label
    names, a form table's wide label column still labels the field across it, and each radio
    of a row is named by the label after it."""
    from perception.screen.house_grounder import HouseGrounder

    image, boxes = page
    asks = {
        'click the "Family name" field': ("family",),
        'select from the "Branch" dropdown': ("branch",),
        'open the "Size" dropdown': ("size",),
        'click the "Street" field': ("street",),
        'click in the "Town" box': ("town",),
        'select the "Audio" radio button': ("r2", "l2"),  # a row of radios, each labelled
        'choose the "Ebook" option': ("r3", "l3"),  # (a radio's label toggles it)
    }
    with HouseGrounder() as grounder:
        parse = grounder.parser.parse(image)
        for instruction, names in asks.items():
            g = grounder.ground_parsed(image, parse, instruction)
            assert g.points, instruction
            x, y = g.points[0].x, g.points[0].y
            assert any(
                boxes[n][0] <= x <= boxes[n][2] and boxes[n][1] <= y <= boxes[n][3] for n in names
            ), (instruction, (x, y), g.raw_text)


# Buttons drawn like fields (an outline on a light fill) beside fields holding text from their
# left, in two sizes: only the fields are fields, judged by where their words sit.
LOOKALIKES = """<html><body style="font: 16px sans-serif; margin: 0; padding: 30px">
<style>.b, .f { display: block; margin: 14px 0; border: 1px solid #888; background: #f4f4f4;
  border-radius: 3px; font-size: 16px; padding: 8px; }
.b { text-align: center; } .f { text-align: left; }</style>
<button id="b1" class="b" style="width: 220px">Continue</button>
<input id="f1" class="f" style="width: 220px" value="Ada Lovelace">
<button id="b2" class="b" style="width: 420px; font-size: 20px">Save and go on</button>
<input id="f2" class="f" style="width: 420px; font-size: 20px" placeholder="Your street address">
</body></html>"""


def test_words_centred_in_a_field_shaped_box_make_a_button_in_both_layers(browser_pool):
    from perception.screen.drawn_controls import box_ink, centred_words

    image, boxes = render_with_boxes(browser_pool, LOOKALIKES, ("b1", "f1", "b2", "f2"))
    box = {k: tuple(round(v) for v in b) for k, b in boxes.items()}
    assert centred_words(box_ink(image, box["b1"])) and centred_words(box_ink(image, box["b2"]))
    assert not centred_words(box_ink(image, box["f1"]))
    assert not centred_words(box_ink(image, box["f2"]))
    loose = (box["b1"][0] - 4, box["b1"][1] - 4, box["b1"][2] + 4, box["b1"][3] + 4)
    assert centred_words(box_ink(image, loose))  # a detection box that holds the outline
    found = find_drawn_controls(image)
    assert _found(found, box["f1"]) == _found(found, box["f2"]) == "text_input"
    assert _found(found, box["b1"]) is None and _found(found, box["b2"]) is None


# A dark page whose text area has the page's own fill and no border: only its resize grip
# shows where it ends. Words with slashes and a diagonal-heavy line sit above it.
BARE_AREA = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 30px; background: #1b1c1f;
  color: #e4e4e4; }
label { display: block; margin: 14px 0 6px; }
textarea { background: transparent; border: 0; color: #e4e4e4; width: 560px; }
</style></head><body>
<p>Reply by 12/08 or 1/9 with your zig-zag plan (x/y/z).</p>
<label for="story">Tell us your story</label><textarea id="story" rows="4"></textarea>
<p>Thanks for writing.</p>
</body></html>"""


def test_a_text_area_drawn_only_as_its_resize_grip_is_clicked_inside(browser_pool):
    from perception.screen.drawn_controls import resize_grips
    from perception.screen.house_grounder import HouseGrounder

    image, boxes = render_with_boxes(browser_pool, BARE_AREA, ("story",))
    x0, y0, x1, y1 = boxes["story"]
    grips = resize_grips(image, (0, 0, image.shape[1], image.shape[0]))
    assert len(grips) == 1 and x1 - 8 <= grips[0][0] <= x1 and y1 - 8 <= grips[0][1] <= y1
    with HouseGrounder() as grounder:
        point = grounder.ground(image, 'click in the "Tell us your story" box').points[0]
    assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (point, boxes["story"])


# A label set inline before a text area (both inline, so the label sits on the area's last
# line, below its middle), then a checkbox with its own words after the area.
INLINE_AREA = """<html><head><style>
body { font-family: sans-serif; font-size: 16px; margin: 30px; }
textarea { border: 1px solid #ccc; background: #f6f6f6; margin-bottom: 12px; }
</style></head><body>
<p><input placeholder="Your name"> <label for="notes">Delivery notes</label>
<textarea id="notes" rows="3" placeholder="Leave it at the door"></textarea>
<label><input type="checkbox" id="keep"> Keep as my default</label></p>
</body></html>"""


def test_a_label_inline_before_a_text_area_names_the_area_not_the_box_after_it(browser_pool):
    from perception.screen.house_grounder import HouseGrounder

    image, boxes = render_with_boxes(browser_pool, INLINE_AREA, ("notes",))
    x0, y0, x1, y1 = boxes["notes"]
    with HouseGrounder() as grounder:
        point = grounder.ground(image, 'click the "Delivery notes" text area').points[0]
    assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (point, boxes["notes"])
