"""Read steps that work something out: the arithmetic solver, framed boxes found from pixels,
and episodes that solve a formula or copy a text area's text and paste it (real Chromium)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

import envs  # noqa: F401 - registers the ids
from contracts.actions import Key, Type
from policies.house.web.arithmetic import solve
from policies.house.web.framed import framed_boxes, holds_words
from tests.policies.house_episodes import data_frame

small = st.integers(min_value=0, max_value=99)


@given(small, small, st.sampled_from(["+", "-", "x", "×", "*"]))
def test_an_expression_before_an_equals_sign_comes_to_its_value(a: int, b: int, op: str):
    want = a + b if op == "+" else a - b if op == "-" else a * b
    assert solve(f"{a} {op} {b} =") == str(want)


@given(small, small, st.sampled_from(["+", "-"]), st.booleans(), st.sampled_from(["x", "×", "y"]))
def test_a_linear_equation_gives_its_unknown(a: int, c: int, op: str, first: bool, name: str):
    lhs = f"{name} {op} {a}" if first else f"{a} {op} {name}"
    x = (c - a if op == "+" else c + a) if first else (c - a if op == "+" else a - c)
    assert solve(f"{lhs} = {c}") == str(x)


def test_words_around_a_formula_are_ignored_and_text_without_one_is_none():
    assert solve("What is 7 x 8?") == "56"
    assert solve("12 = 5 + y") == "7"
    assert solve("(2 + 3) * 4") == "20"
    assert solve("1/4 =") == "0.25"
    for text in ("Solve for x", "hello", "42", "x + 3", "3 + 4 = 7", "x = x", ""):
        assert solve(text) is None, text


def test_framed_boxes_are_the_outlined_fields_and_say_which_hold_words():
    img = Image.new("RGB", (200, 160), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 20, 150, 45), outline="black")  # an empty field
    draw.rectangle((10, 60, 180, 120), outline="black")  # a text area with words
    draw.text((16, 66), "Lorem ipsum dolor", fill="black")
    draw.text((16, 130), "plain text, no frame", fill="black")
    frame = np.asarray(img)
    boxes = framed_boxes(frame)
    assert len(boxes) == 2
    assert abs(boxes[0][1] - 20) <= 2 and abs(boxes[1][1] - 60) <= 2
    assert [holds_words(frame, b) for b in boxes] == [False, True]


def _episode(policy, task: str, seed: int, steps: int = 10) -> tuple[list, dict]:
    env = gym.make(f"handeye/miniwob-{task}-v0")
    try:
        obs, info = env.reset(seed=seed)
        policy.reset(obs["instruction"])
        actions = []
        for _ in range(steps):
            actions.append(policy.act(obs, {"error": info.get("error")}))
            obs, _, terminated, truncated, info = env.step(actions[-1])
            if terminated or truncated:
                break
        return actions, info
    finally:
        env.close()


@pytest.mark.slow
def test_a_copied_text_area_is_pasted_with_its_exact_characters(plan_policy):
    actions, info = _episode(plan_policy, "copy-paste-2", 9100)
    assert Key("ctrl+c") in actions and Key("ctrl+v") in actions
    assert info.get("success"), actions


@pytest.mark.slow
@pytest.mark.parametrize(("task", "seed"), [("simple-arithmetic", 9100), ("simple-algebra", 9102)])
def test_a_formula_on_the_page_is_solved_and_its_answer_typed(plan_policy, task, seed):
    actions, info = _episode(plan_policy, task, seed)
    assert info.get("success"), actions


def test_unlabelled_rings_and_squares_are_radios_and_checkboxes_in_reading_order():
    from policies.house.web.marks import option_marks

    img = Image.new("RGB", (200, 120), "white")
    draw = ImageDraw.Draw(img)
    draw.text((10, 5), "Some words to set the text size", fill="black")
    for x in (10, 40, 70):
        draw.ellipse((x, 40, x + 13, 53), outline="black")
    draw.rectangle((10, 80, 22, 92), outline="black")
    marks = option_marks(np.asarray(img), top=20)
    assert [k for _, k in marks] == ["radio", "radio", "radio", "checkbox"]
    assert [b[0] for b, _ in marks][:3] == sorted(b[0] for b, _ in marks[:3])


@pytest.mark.slow
@pytest.mark.parametrize(("task", "seed"), [("enter-time", 9100), ("form-sequence-2", 9100)])
def test_a_time_field_and_an_unlabelled_radio_are_filled_from_pixels(plan_policy, task, seed):
    actions, info = _episode(plan_policy, task, seed)
    assert info.get("success"), actions


def test_a_calendar_is_its_grid_of_day_cells_under_a_month_heading(plan_policy):
    from datetime import date

    from policies.house.web.date_picker import find_calendar, months_apart, parse_date

    img = Image.new("RGB", (240, 220), "white")
    draw = ImageDraw.Draw(img)
    draw.text((70, 8), "March 2021", fill="black")
    offset = 1  # the 1st falls on the second column
    for d in range(1, 32):
        row, col = divmod(offset + d - 1, 7)
        x, y = 8 + col * 32, 40 + row * 30
        draw.rectangle((x, y, x + 26, y + 22), outline=(190, 190, 190), fill=(246, 246, 246))
        draw.text((x + 8, y + 6), str(d), fill="black")
    frame = np.asarray(img)
    cal = find_calendar(frame, plan_policy.parser.parse(frame))
    assert cal is not None and len(cal.cells) == 31
    assert abs(cal.cells[0][0] - 40) <= 2  # column two
    assert abs(cal.cells[17][1] - (40 + 2 * 30)) <= 2  # the 18th: third row
    assert cal.month == (2021, 3)
    assert parse_date("03/18/2021") == date(2021, 3, 18) == parse_date("2021-03-18")
    assert parse_date("18 March") is None and parse_date("13/45/2021") is None
    assert months_apart((2021, 3), date(2020, 12, 1)) == -3


@pytest.mark.slow
def test_a_date_is_picked_from_the_calendar_the_field_opens(plan_policy):
    actions, info = _episode(plan_policy, "choose-date-easy", 9100)
    assert info.get("success"), actions


@pytest.mark.slow
def test_press_login_takes_the_forms_sending_button_when_none_reads_login(plan_policy):
    actions, info = _episode(plan_policy, "login-user-popup", 9100)  # its button reads "OK"
    assert info.get("success"), actions
    assert plan_policy.last_extra["target"].startswith("sending button")


@pytest.mark.slow
def test_each_field_takes_the_value_its_label_has_in_the_table(plan_policy):
    actions, info = _episode(plan_policy, "read-table-2", 9100)
    assert info.get("success"), actions
    assert sum(isinstance(a, Type) for a in actions) == 2


def test_a_keys_value_is_read_whole_in_its_cell(plan_policy):
    # dev seed 23004: the parse's box of the cell "1972" cut its last digit off ("197")
    actions, info = _episode(plan_policy, "read-table", 23004)
    assert Type("1972") in actions
    assert info.get("success"), actions
    # dev seed 23103: read whole with the cell's borders, "Orly" came back "Oordy"
    actions, info = _episode(plan_policy, "read-table", 23103)
    assert Type("Orly") in actions


def test_a_line_read_again_is_cut_where_its_box_overlaps_the_lines_above_and_below():
    from perception.screen.parser import UIElement
    from policies.house.web.plan_reading import _own_band

    def line(i: int, box: tuple[int, int, int, int]) -> UIElement:
        return UIElement(i, box, "text", "words", False, 0.9)

    above, middle, below = (
        line(1, (0, 58, 128, 74)),
        line(2, (0, 68, 156, 88)),
        line(3, (0, 86, 22, 96)),
    )
    lines = [above, middle, below]
    x0, y0, x1, y1 = _own_band(middle, lines)
    assert (x0, x1) == (0, 156)
    assert above.box[3] > y0 >= 70 and below.box[1] <= y1 <= 88  # halfway into each overlap
    assert _own_band(line(4, (200, 68, 260, 88)), [*lines, line(4, (200, 68, 260, 88))]) == (
        200,
        68,
        260,
        88,
    )  # a line beside the others keeps its box


def test_the_nth_word_is_read_on_rows_of_ink_not_on_the_parses_line_boxes(plan_policy):
    # dev seed 44006: the parse took two rows as one box and read it "tT"; 44000: a box taller
    # than its row read "ultricies" as "ultrices"; 44002: "iaculis" as "jaculis"
    # 45004: the first two rows were one text box OCR read nothing in
    for seed, word in (
        (44006, "Sodales"),
        (44000, "ultricies"),
        (44002, "iaculis"),
        (45004, "Nisl"),
    ):
        actions, info = _episode(plan_policy, "find-word", seed)
        assert Type(word) in actions, (seed, actions)
        assert info.get("success"), (seed, actions)


def test_a_box_too_low_to_hold_a_line_is_not_the_field_typed_into(plan_policy):
    # dev seed 44000 (read-table): the detector saw 6-pixel 'fields' on the table's rules and
    # the value was typed into them, not into the field below the table
    actions, info = _episode(plan_policy, "read-table", 44000)
    assert info.get("success"), actions


def test_a_value_cell_the_parse_missed_is_read_on_its_keys_row_in_its_case(plan_policy):
    # dev seed 51018 (read-table): the parse found no box on the cell "Ara", and the key's
    # value came from the row below ("Language"); 51019: the band read "Odom" as "odom"
    actions, _ = _episode(plan_policy, "read-table", 51018)
    assert Type("Ara") in actions, actions
    actions, _ = _episode(plan_policy, "read-table", 51019)
    assert Type("Odom") in actions, actions


def test_a_box_about_as_narrow_as_it_is_tall_is_not_the_field_typed_into(plan_policy):
    # dev seed 51001 (read-table): a 12x10 'field' in an empty corner of the table took the
    # value first; typed into the field below the table, it is typed once
    actions, _ = _episode(plan_policy, "read-table", 51001)
    assert [a for a in actions if isinstance(a, Type)] == [Type("Male")], actions


def test_a_key_cell_the_parse_missed_is_found_on_the_rows_of_ink(plan_policy):
    # dev seed 15033 (read-table): the detector saw no box on the key cell "Color" and took
    # the table's cells for fields; the rows of ink, cut at cell borders, hold every pair
    from policies.house.web.plan_reading import _value_in_ink_rows
    from policies.house.web.view import View

    frame = data_frame("table_key_cell_unparsed.png")
    said = "Enter the value of Color into the text field and press Submit."
    parse = plan_policy.parser.parse(frame)
    assert not any(e.text == "Color" for e in parse.elements)  # what it missed
    view = View(said, frame, parse, grounder=plan_policy.grounder)
    reader = plan_policy.parser.reader
    got = {k: _value_in_ink_rows(view, k, reader) for k in ("Color", "First name", "Country")}
    assert got == {"Color": "gold", "First name": "Bunny", "Country": "Solomon Islands"}
    assert _value_in_ink_rows(view, "Email", reader) == ""  # a key the table does not show
