"""The plan policy's item moves on a real page: the "more" glyph of the named post, the space
right of a "To:" label, and the empty body under a form's last line."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions.plan import Target
from policies.house.web.plan_relations import blank_field, more_menu
from policies.house.web.view import View
from tests.perception.screen.test_icons import _inside, _page


@pytest.fixture(scope="module")
def shot(browser_pool):
    """The mail/social test page (icons drawn, a frameless "To:" line, a blank body under it)
    and where the DOM drew each icon (test labels only)."""
    handle = browser_pool.new_page(480, 420)
    try:
        space = "<div style='height:90px'></div></body>"
        handle.page.set_content(_page().replace("</body>", space))
        boxes: dict[str, list[tuple[int, int, int, int]]] = {}
        for el in handle.page.query_selector_all(".i"):
            b = el.bounding_box()
            box = (int(b["x"]), int(b["y"]), int(b["x"] + b["width"]), int(b["y"] + b["height"]))
            boxes.setdefault(el.get_attribute("data-icon"), []).append(box)
        return handle.screenshot(), boxes
    finally:
        handle.close()


@pytest.fixture(scope="module")
def view(shot, plan_policy) -> View:
    frame = shot[0]
    return View("", frame, plan_policy.parser.parse(frame), grounder=plan_policy.grounder)


def test_more_menu_is_the_ellipsis_of_the_named_post(view, shot, plan_policy) -> None:
    mute = Target("Mute", relation="near", anchor=Target("@lee"))
    point = more_menu(view, mute, plan_policy.grounder, set())
    assert point is not None and _inside(point, shot[1]["ellipsis"][1]), point
    # No anchor, no item to open.
    assert more_menu(view, Target("Mute"), plan_policy.grounder, set()) is None


def test_a_frameless_field_is_the_line_right_of_its_label(view, plan_policy) -> None:
    to = blank_field(view, Target("to", "text_field"), plan_policy.grounder, set())
    assert to, "the 'To:' label was not found"
    label = next(e for e in view.parse.elements if e.text.strip().lower().startswith("to"))
    x, y = to[0].point
    assert x > label.box[2] and label.box[1] <= y <= label.box[3]


def test_a_body_without_a_frame_is_the_empty_band_under_the_last_line(view) -> None:
    body = blank_field(view, Target(kind="text_area"), view.grounder, set())
    assert body
    lowest = max(e.box[3] for e in view.parse.elements if e.text.strip())
    x, y = body[0].point
    assert y > lowest and not np.asarray(view.frame)[y - 2 : y + 3, x - 2 : x + 3].std()


def test_a_checkbox_named_by_kind_is_a_square_mark_not_the_ring_the_detector_called_one(
    plan_policy,
):
    from pathlib import Path

    from PIL import Image

    from perception.instructions.plan import Step
    from policies.house.web.plan_state import StepState
    from policies.house.web.plan_targets import by_shape

    # dev seed 23101 (click-widget): the detector ran the checkbox into its label "k" (text)
    # and called the radio ring below it a checkbox
    frame = np.asarray(Image.open(Path(__file__).parent / "data" / "widgets_mark_in_label.png"))
    frame = np.ascontiguousarray(frame[..., :3])
    parse = plan_policy.parser.parse(frame)
    page = View("", frame, parse, grounder=plan_policy.grounder)
    want = Target(kind="checkbox")
    hits = plan_policy._find(page, want, StepState(Step("click", want)))
    best = by_shape(page, hits, want)[0]
    x, y = best.point
    assert 4 <= x < 20 and 58 <= y < 76  # on the square, not the ring below or the "k" right


def test_tabs_the_detector_took_as_one_box_are_cut_at_their_borders():
    from pathlib import Path

    from PIL import Image

    from perception.screen.parser import UIElement
    from policies.house.web.plan_targets import split_tabs

    # dev seed 23101 (click-tab): "Tab #1" and "Tab #2" parsed as one link; "the 1st tab"
    # was clicked at the box's middle, on the open tab #2, three times
    frame = np.asarray(Image.open(Path(__file__).parent / "data" / "tabs_run_together.png"))
    both = UIElement(2, (4, 56, 94, 82), "link", "Tab#1Tab#2", True, 0.92)
    third = UIElement(3, (94, 58, 138, 78), "link", "Tab#3", True, 0.9)
    tabs = split_tabs(frame[..., :3], [both, third])
    assert len(tabs) == 3 and tabs[2] is third
    assert tabs[0].center[0] < 46 < tabs[1].center[0] < 94  # tab #1's right border at x=46
