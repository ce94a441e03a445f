"""The plan policy's steps about drawn shapes: colour/shape clicks, counts, naming, drags."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from policies.house.web.list_drags import wanted_place
from policies.house.web.visual_steps import _ORDER, _clause, _query
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "words"),
    [
        ("Click on a small green item", "small green item"),
        ("Click on the orange colored box.", "orange colored box"),
        ("Drag all circles into the black box.", "circles"),
    ],
)
def test_the_target_grows_into_the_phrase_that_describes_the_drawing(instruction, words):
    step = parse_instruction(instruction).steps[0]
    assert _clause(instruction, step.target.text) == words


def test_a_widget_with_a_colour_word_is_not_a_drawing():
    instruction = 'Click on the "Submit" button.'
    assert _query(instruction, parse_instruction(instruction).steps[0]) is None


@pytest.mark.parametrize(
    ("instruction", "down"),
    [
        ("Click on the numbers in ascending order.", False),
        ("Click the numbers from smallest to largest.", False),
        ("Press each number in increasing order", False),
        ("Click the numbers in descending order.", True),
        ("Click from the highest number to the lowest.", True),
    ],
)
def test_an_order_phrase_says_which_way_the_numbers_are_clicked(instruction, down):
    m = _ORDER.search(instruction)
    assert m is not None
    assert bool(m.group(2) or m.group(4)) == down


def test_a_plain_click_names_no_order():
    assert _ORDER.search("Click on the orange colored box.") is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "seed"),
    [
        ("click-color", 9100),
        ("count-sides", 9101),
        ("identify-shape", 9100),
        ("drag-box", 9100),
        ("drag-items", 9102),
        ("ascending-numbers", 9200),
    ],
)
def test_plan_policy_solves_a_task_about_drawn_shapes(plan_policy, task, seed):
    assert house_wins(plan_policy, task, [seed]) == 1


@pytest.mark.parametrize(
    ("instruction", "index", "place"),
    [
        ("Drag Kati to the top.", 3, 0),
        ("Drag Kati to the bottom.", 1, 4),
        ("Drag Davida to the 2nd position.", 4, 1),
        ("Drag Glenn down by one position.", 2, 3),
        ("Move Glenn up by two places.", 2, 0),
        ("Drag Kati somewhere.", 2, None),
    ],
)
def test_a_list_drag_finds_the_place_the_instruction_names(instruction, index, place):
    assert wanted_place(instruction, 5, index) == place


def test_paragraphs_are_lines_of_ink_split_at_wider_gaps():
    import cv2
    import numpy as np

    from policies.house.web.text_drags import paragraphs

    img = np.full((120, 160, 3), 255, np.uint8)
    img[:20] = (255, 255, 0)  # a coloured band is no text
    for y, text in ((35, "Lorem ipsum"), (48, "dolor sit"), (80, "amet elit")):
        cv2.putText(img, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    found = paragraphs(img, (0, 0, 160, 120), [])
    assert len(found) == 2
    assert found[0][1] < 35 < 48 <= found[0][3] + 1 and found[1][1] < 80 <= found[1][3] + 1


def test_everything_else_goes_where_the_instruction_says():
    from policies.house.web.visual_steps import _split_else

    first, rest = _split_else(
        "Drag all circles into the left box, and everything else into the right box."
    )
    assert first.startswith("Drag all circles into the left box") and rest == "right box"
    assert _split_else("Drag all circles into the black box.")[1] is None


@pytest.mark.parametrize(
    ("instruction", "cell"),
    [
        ("Drag Kaile to the top center.", ("top", "center")),
        ("Drag Lynda to the bottom-right.", ("bottom", "right")),
        ("Drag Lynda to the center.", ("center", None)),
        ("Drag Kati down by one position.", None),
    ],
)
def test_a_grid_drag_reads_the_cell_the_instruction_names(instruction, cell):
    from policies.house.web.list_drags import _GRID_PLACE

    m = _GRID_PLACE.search(instruction)
    assert (m.group(1).lower(), m.group(2) and m.group(2).lower()) == cell if cell else m is None


def test_a_line_to_draw_names_its_direction_and_what_it_runs_through():
    from policies.house.web.visual_steps import _DRAW_LINE

    m = _DRAW_LINE.search("Draw a vertical line that runs through the dot, then press submit.")
    assert m is not None and (m.group(1), m.group(2)) == ("vertical", "dot")
    assert _DRAW_LINE.search("Click on the line.") is None
