"""Scrolling a box with words to its end: its last whole line read, and a real text area
scrolled to its bottom before its last word is typed."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.scroll_loops import last_in_box
from policies.house.web.view import View
from tests.policies.house_episodes import house_wins


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


@pytest.mark.slow
def test_plan_policy_types_the_last_word_of_a_scrolled_text_area(plan_policy):
    assert house_wins(plan_policy, "scroll-text", [14002]) == 1
