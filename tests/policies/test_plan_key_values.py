"""A value named by its key ("click on their email") and a pager's next control, on parses
built in the test; the phone-book episode runs in the house benchmark."""

from __future__ import annotations

import numpy as np

from perception.screen.parser import ScreenParse, UIElement
from policies.house.web.key_values import keyed_value
from policies.house.web.pager import next_control
from policies.house.web.view import View


def _el(i: int, y: int, text: str, kind: str = "text") -> UIElement:
    return UIElement(i, (4, y, 150, y + 14), kind, text, True, 0.9)


def test_the_value_after_a_key_is_found_by_the_keys_stem():
    lines = [_el(1, 60, "Ada Lovelace"), _el(2, 90, "Phone: 663-209-3598"),
             _el(3, 104, "Email: ada@example.org")]  # fmt: skip
    assert keyed_value(lines, "phone number") == (lines[1], "663-209-3598")
    assert keyed_value(lines, "email") == (lines[2], "ada@example.org")
    assert keyed_value(lines, "address") is None
    assert keyed_value([_el(1, 60, "Email:")], "email") is None  # a label with no value


def test_a_pagers_next_control_reads_as_a_mark_or_a_word():
    frame = np.full((210, 160, 3), 255, np.uint8)
    parse = ScreenParse((_el(1, 60, "Results"), _el(2, 180, "Next", "link")), 160, 210)
    assert next_control(View("Find Ada", frame, parse)).id == 2
    parse = ScreenParse((_el(1, 60, "Results"), _el(2, 180, "Previous", "link")), 160, 210)
    assert next_control(View("Find Ada", frame, parse)) is None
