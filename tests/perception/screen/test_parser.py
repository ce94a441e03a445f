"""ScreenParser on real frames, its reading order and text search, and set-of-marks output."""

from __future__ import annotations

import numpy as np
import pytest

from perception.screen.parser import ScreenParse, UIElement, reading_order
from perception.screen.set_of_marks import (
    KIND_COLOURS,
    draw_marks,
    mark_scale,
    marks_text,
    set_of_marks,
)


def _el(i: int, box, kind="button", text="") -> UIElement:
    return UIElement(i, box, kind, text, kind != "text", 0.9)


def test_reading_order_goes_row_by_row_then_left_to_right():
    boxes = [(100, 52, 150, 70), (0, 0, 50, 10), (10, 50, 90, 72), (60, 2, 120, 9)]
    assert reading_order(boxes) == [1, 3, 2, 0]


def test_find_prefers_exact_then_contained_text_and_filters_kinds():
    parse = ScreenParse(
        (
            _el(1, (0, 0, 10, 10), "text", "Click the submit button"),
            _el(2, (0, 20, 10, 30), "button", "Submit"),
            _el(3, (0, 40, 10, 50), "button", "Createaccount"),
        ),
        100,
        100,
    )
    assert parse.find("submit")[0].id == 2
    assert parse.find("submit", kinds=("text",))[0].id == 1
    assert parse.find("create")[0].id == 3  # OCR merged the words; containment still matches
    assert parse.find("zebra") == []
    assert parse.at(5, 25).id == 2 and parse.get(3).text == "Createaccount"
    with pytest.raises(KeyError):
        parse.get(9)


def test_set_of_marks_draws_numbered_boxes_and_lists_them():
    frame = np.full((210, 160, 3), 255, np.uint8)
    parse = ScreenParse(
        (_el(1, (10, 10, 70, 31), "button", "Submit"), _el(2, (10, 50, 150, 61), "text", "Hello")),
        160,
        210,
    )
    marks = set_of_marks(frame, parse)
    s = mark_scale(160, 210)
    assert marks.scale == s and marks.image.shape == (round(210 * s), round(160 * s), 3)
    # the button's box edge is drawn in the button colour
    y = round(20 * s)
    assert tuple(marks.image[y, round(10 * s)]) == KIND_COLOURS["button"]
    assert marks.text.splitlines() == [
        '[1] button "Submit" at (40, 20)',
        '[2] text "Hello" at (80, 55)',
    ]
    assert marks_text(parse, interactable_only=True) == '[1] button "Submit" at (40, 20)'
    big = draw_marks(np.zeros((720, 1280, 3), np.uint8), parse)
    assert big.shape == (720, 1280, 3)


@pytest.fixture(scope="module")
def parser():
    from perception.screen.parser import ScreenParser

    with ScreenParser() as p:
        yield p


@pytest.mark.slow
def test_parse_of_a_miniwob_frame_finds_the_instructed_button_with_its_text(parser, browser_pool):
    import re

    import gymnasium as gym

    from envs.miniwob import register_miniwob_envs

    register_miniwob_envs()
    found, episodes = 0, 6
    with gym.make("handeye/miniwob-click-button-v0") as env:
        for seed in range(episodes):
            obs, info = env.reset(seed=seed)
            word = re.search(r'"(.+?)"', obs["instruction"]).group(1)
            parse = parser.parse(obs["screen"])
            assert set(parse.timings) == {"detect", "ocr", "total"}
            # the instruction line itself also holds the word: look below it
            hits = [e for e in parse.find(word, limit=10) if e.box[1] >= 50]
            if not hits:
                continue
            x, y = hits[0].point_of(word)
            buttons = [
                e
                for e in info["privileged"]["dom"]
                if e["tag"] == "BUTTON" and e.get("text") == word
            ]
            if any(
                b["left"] <= x < b["left"] + b["width"] and b["top"] <= y < b["top"] + b["height"]
                for b in buttons
            ):
                found += 1
    assert found >= 4, f"found the instructed button in {found} of {episodes} episodes"


def test_point_of_a_word_inside_a_merged_element_lands_on_that_word():
    el = _el(1, (0, 0, 200, 20), "text", "submit nunc consectetur")
    x, y = el.point_of("submit")
    assert x < 40 and y == 10
    assert el.point_of("absent") == el.center


def test_parse_accepts_pil_images_and_rejects_bad_arrays(parser):
    from PIL import Image

    img = Image.new("RGB", (160, 210), "white")
    parse = parser.parse(img)
    assert (parse.width, parse.height) == (160, 210)
    with pytest.raises(ValueError):
        parser.parse(np.zeros((10, 10, 3), np.float32))


def test_letters_off_ranks_lines_by_how_near_their_width_is_to_the_phrase():
    from perception.screen.parser import letters_off

    short, long = ((0, 0, 40, 14), "line"), ((0, 0, 600, 14), "line")
    assert letters_off(short, "Email") < 1.5 < 3.0 < letters_off(long, "Email")
    assert letters_off(long, "Enter the email address you use to sign in to your account") < 1.5
    assert letters_off(short, "Enter the email address you use to sign in") > 3.0
    assert letters_off(((0, 0, 900, 40), "text_input"), "Email") == 1.0  # placeholder at a left
