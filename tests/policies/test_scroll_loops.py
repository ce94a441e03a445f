"""Scrolling a box with words to its end: its last whole line read, and a real text area
scrolled to its bottom before its last word is typed."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.scroll_loops import last_in_box, words_box
from policies.house.web.view import View
from tests.policies.house_episodes import house_wins
from tests.rendered_pages import render_with_boxes


def test_the_last_whole_line_of_a_box_is_read_not_one_cut_by_its_edge(plan_policy):
    import cv2

    frame = np.full((210, 160, 3), 255, np.uint8)
    cv2.rectangle(frame, (2, 54), (157, 154), (80, 80, 80), 1)
    for i, line in enumerate(["lorem ipsum", "dolor sit", "amet tempus"]):
        cv2.putText(frame, line, (6, 80 + 22 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    cv2.putText(frame, "cut off", (6, 158), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    frame[155:, :] = 255  # the line below the box's edge shows only its top
    view = View("find the last word", frame, plan_policy.parser.parse(frame))
    word = last_in_box(view, (2, 54, 158, 155), "word", plan_policy.parser.reader)
    assert word.endswith("tempus")  # OCR may glue this font's words; the line is the right one


DISABLED_AREA_PAGE = """<!doctype html><html><body style="margin: 8px; font: 13px sans-serif">
<h4 style="margin: 2px">Terms of use</h4>
<textarea id="area" disabled style="width: 220px; height: 90px">{words}</textarea><br>
<input type="text" placeholder="Your name" disabled><br>
<button id="no">Decline</button> <button disabled>Accept</button></body></html>"""


def test_a_disabled_text_area_with_a_faint_border_is_the_box_to_scroll(plan_policy, browser_pool):
    words = " ".join(["quis nostrud exercitation ullamco laboris"] * 40)
    frame, boxes = render_with_boxes(
        browser_pool, DISABLED_AREA_PAGE.format(words=words), ("area", "no"), 320, 240
    )
    view = View("scroll the text area to the bottom", frame, plan_policy.parser.parse(frame))
    box = words_box(view)
    assert box is not None
    x0, y0, x1, y1 = boxes["area"]
    overlap = max(0, min(box[2], x1) - max(box[0], x0)) * max(0, min(box[3], y1) - max(box[1], y0))
    assert overlap >= 0.7 * (x1 - x0) * (y1 - y0)  # the text area, not the framed button below


@pytest.mark.slow
def test_plan_policy_scrolls_a_disabled_agreement_then_signs_it(plan_policy):
    assert house_wins(plan_policy, "sign-agreement", [55000]) == 1


@pytest.mark.slow
def test_plan_policy_types_the_last_word_of_a_scrolled_text_area(plan_policy):
    assert house_wins(plan_policy, "scroll-text", [14002]) == 1
