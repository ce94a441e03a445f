"""The "house" grounder backend: `handeye ground` with no model, on real rendered frames."""

from __future__ import annotations

import json

import pytest

from perception.grounders import GROUNDERS, default_backend
from perception.grounding import Grounder


def test_house_is_registered_and_is_the_default_backend():
    assert "house" in GROUNDERS and default_backend() == "house"
    assert default_backend(model="m") == "transformers" and default_backend(endpoint="u") == "http"


@pytest.fixture(scope="module")
def frames(browser_pool, tmp_path_factory):
    """A MiniWoB click-button frame and a larger generated page, saved as PNG with DOM labels."""
    from PIL import Image

    from training.screen_data import render_miniwob, render_pages

    folder = tmp_path_factory.mktemp("frames")
    out = {}
    for name, frame in (
        ("miniwob", next(render_miniwob(["click-button"], 1, 1000))),
        ("page", next(render_pages(["login"], [1001], theme="light"))),
    ):
        path = folder / f"{name}.png"
        Image.fromarray(frame.image).save(path)
        out[name] = (path, frame)
    return out


def _ground(path, instruction, capsys) -> dict:
    from agent.cli import main

    assert main(["ground", str(path), instruction]) == 0
    return json.loads(capsys.readouterr().out)


def _inside(point, box, slack=2) -> bool:
    return (
        box[0] - slack <= point[0] <= box[2] + slack
        and box[1] - slack <= point[1] <= box[3] + slack
    )


@pytest.mark.slow
def test_cli_ground_without_a_model_points_at_the_named_miniwob_button(frames, capsys):
    path, frame = frames["miniwob"]
    # evaluation only: the DOM labels give the instruction banner and the true button boxes
    instruction = frame.labels.boxes[0].text
    target = instruction.split('"')[1]
    boxes = [b.box for b in frame.labels.boxes if b.kind == "button" and b.text == target]
    result = _ground(path, instruction, capsys)
    assert result["format"] == "house" and result["size"] == [160, 210]
    assert boxes and _inside(result["point"], boxes[0])
    assert len(result["boxes"]) == 1 and (path.parent / "miniwob.ground.png").is_file()


@pytest.mark.slow
def test_cli_ground_without_a_model_finds_a_button_on_a_large_page(frames, capsys):
    path, frame = frames["page"]
    h, w = frame.image.shape[:2]
    assert w > 160 * 3
    named = [b for b in frame.labels.boxes if b.kind == "button" and len(b.text) >= 4]
    assert named
    button = named[0]
    result = _ground(path, f'Click the "{button.text}" button', capsys)
    assert result["size"] == [w, h] and _inside(result["point"], button.box)


@pytest.mark.slow
def test_house_grounder_reports_no_point_when_nothing_matches(frames):
    import numpy as np
    from PIL import Image

    from perception.screen.house_grounder import HouseGrounder

    path, _ = frames["miniwob"]
    with HouseGrounder() as grounder:
        assert isinstance(grounder, Grounder)
        grounding = grounder.ground(np.asarray(Image.open(path)), 'the "zxqwv" button')
    assert grounding.target is None and "no element matches" in grounding.raw_text


@pytest.mark.slow
def test_a_named_target_on_a_large_page_reads_lines_its_width_first_and_lands_as_a_full_read(
    frames,
):
    from perception.screen.house_grounder import HouseGrounder

    _, frame = frames["page"]
    named = [b for b in frame.labels.boxes if b.kind == "button" and len(b.text) >= 4]
    instruction = f'click the "{named[0].text}" button'
    with HouseGrounder() as grounder:
        full = grounder.parser.parse(frame.image)
        grounder.parser.forget_text()  # or the full parse, cached, is all there is to yield
        reads = list(grounder.parser.parses_for(frame.image, [named[0].text]))
        partial = reads[0]
        assert not reads[-1].unread and [e.text for e in reads[-1]] == [e.text for e in full]
        assert [e.box for e in partial] == [e.box for e in full]  # the same elements and ids
        assert partial.unread and all(partial.get(i).text == "" for i in partial.unread)
        read = [e for e in partial if e.id not in partial.unread and e.text]
        assert read and all(e.text == full.get(e.id).text for e in read)
        grounder.parser.forget_text()
        lazy = grounder.ground(frame.image, instruction)
        assert "partial_read" not in lazy.timings  # the partial read was sure
        whole = grounder.ground_parsed(frame.image, full, instruction)
        assert (lazy.points[0].x, lazy.points[0].y) == (whole.points[0].x, whole.points[0].y)
        # words no line shows: the partial read is not sure, so every line is read
        missing = grounder.ground(frame.image, 'click the "Zebra crossing permit" button')
        assert "partial_read" in missing.timings and missing.latency_s > 0


NAV_PAGE = """<html><body style="background:#1c1d21;color:#ddd;font:300 16px sans-serif;
letter-spacing:.01em;margin:8px">
<nav><a id="home" href="#" style="color:#ccc;text-decoration:none">Home</a> |
<a id="cat" href="#" style="color:#ccc;text-decoration:none">Catalogue</a> |
<a id="events" href="#" style="color:#ccc;text-decoration:none">Events</a></nav>
<h1>Join the club</h1><p>Members borrow up to six books at a time.</p>
<label for="br" style="font-weight:bold">Home branch</label><br>
<select id="br" style="width:600px"><option>Riverside</option></select></body></html>"""


@pytest.mark.slow
def test_a_link_in_a_row_set_apart_by_bars_is_clicked_not_a_label_holding_its_word(
    browser_pool,
):
    from perception.screen.house_grounder import HouseGrounder
    from tests.rendered_pages import render_with_boxes

    image, boxes = render_with_boxes(browser_pool, NAV_PAGE, ("home", "cat"))
    with HouseGrounder() as grounder:
        for name, wording in (("home", 'follow the "Home" link'), ("cat", 'click "Catalogue"')):
            point = grounder.ground(image, wording).points[0]
            x0, y0, x1, y1 = boxes[name]
            assert x0 <= point.x <= x1 and y0 <= point.y <= y1, (name, point)


@pytest.mark.slow
def test_a_radio_in_an_inline_group_takes_the_words_after_it_not_those_before():
    """A dev real-page frame (classless sign-up in new.css): "(o) Adult ( ) Student ( ) Senior"
    on one row, the chosen first radio drawn filled; "Adult" names the radio before it."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from perception.screen.house_grounder import HouseGrounder

    image = np.asarray(Image.open(Path(__file__).parent / "data" / "inline_radio_group.png"))
    with HouseGrounder() as grounder:
        for wording, (x0, x1) in (
            ('select the "Adult" radio button', (298, 359)),  # the radio or its label
            ('choose the "Student" option', (364, 447)),
        ):
            point = grounder.ground(image[..., :3], wording).points[0]
            assert x0 <= point.x <= x1 and 488 <= point.y <= 507, (wording, point)


def test_a_field_before_a_button_with_unread_words_keeps_its_own_placeholder():
    """A dark theme's input group (Bootstrap's, re-themed as the real-page bench does): a
    field, then a filled button the detector takes for a field. The button's words, unread
    by a grounder that reads only the lines a phrase may be, still make it no empty field
    whose label cell the field before it would be: the placeholder names its own field."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from perception.screen.house_grounder import HouseGrounder

    image = np.asarray(Image.open(Path(__file__).parent / "data" / "input_group_dark.png"))
    fields = {"Destination": (383, 118, 617, 156), "Start point": (82, 118, 316, 156)}
    with HouseGrounder() as grounder:
        for words, box in fields.items():
            point = grounder.ground(image, f'click the "{words}" field').points[0]
            assert _inside((point.x, point.y), box, slack=0), (words, point)
