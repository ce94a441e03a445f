"""The plan policy's steps about drawn shapes: colour/shape clicks, counts, naming, drags."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from perception.instructions.plan import Look
from policies.house.web.list_drags import wanted_place
from policies.house.web.visual_steps import _query, shape_query
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "look"),
    [
        ("Click on a small green item", Look(size="small", colour="green", shape="any")),
        ("Click on the orange colored box.", Look(colour="orange", shape="rectangle")),
        ("Click on the small red box.", Look(size="small", colour="red", shape="rectangle")),
        ("Drag all circles into the black box.", Look(shape="circle")),
        ("Find and click on the center of the circle, then press submit.", Look(shape="circle")),
    ],
)
def test_the_plan_says_what_the_drawing_looks_like(instruction, look):
    step = parse_instruction(instruction).steps[0]
    assert step.target.look == look and step.target.kind == "any"
    query = _query(step)
    assert (query.size, query.colour, query.noun) == (look.size, look.colour, look.shape)


def test_a_widget_with_a_colour_word_is_not_a_drawing():
    instruction = 'Click on the "Submit" button.'
    assert _query(parse_instruction(instruction).steps[0]) is None


def test_a_box_to_type_into_stays_a_text_field():
    (step,) = parse_instruction("Type hello into the small box.").steps
    assert step.target.kind == "text_field" and step.target.look is None


@pytest.mark.parametrize(
    ("instruction", "manner"),
    [
        ("Click on the numbers in ascending order.", "ascending"),
        ("Click the numbers from smallest to largest.", "ascending"),
        ("Press each number in increasing order", "ascending"),
        ("Click the numbers in descending order.", "descending"),
        ("Click from the highest number to the lowest.", "descending"),
        ("Click on the orange colored box.", None),
    ],
)
def test_an_order_phrase_says_which_way_the_numbers_are_clicked(instruction, manner):
    assert parse_instruction(instruction).steps[0].manner == manner


def test_a_sort_is_a_list_to_drag_not_an_order_to_click_in():
    (step,) = parse_instruction("Sort the numbers in increasing order.").steps
    assert step.verb == "drag" and step.manner == "ascending"


@pytest.mark.parametrize(
    ("instruction", "question", "about"),
    [
        ("How many large items are there?", "count", Look(size="large", shape="any")),
        ("How many blue circles are there?", "count", Look(colour="blue", shape="circle")),
        ("How many small bs are there?", "count", Look(size="small", char="b")),
        (
            "Press the button that correctly denotes how many sides the shape has.",
            "sides",
            Look(shape="shape"),
        ),
        ("Click the button that best describes the figure below.", "category", Look(shape="shape")),
    ],
)
def test_a_question_is_answered_with_a_button(instruction, question, about):
    (step,) = parse_instruction(instruction).steps
    assert (step.verb, step.target.kind, step.question) == ("click", "button", question)
    assert step.about.look == about


def test_no_look_is_any_drawn_thing():
    assert shape_query(None).noun == "any"


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
    said = parse_instruction(instruction).steps[0].value
    assert wanted_place(said, 5, index) == place


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
    first, rest = parse_instruction(
        "Drag all circles into the left box, and everything else into the right box."
    ).steps
    assert first.target.look == Look(shape="circle") and first.manner is None
    assert first.destination.look == Look(shape="rectangle", place="left")
    assert rest.manner == "rest" and rest.destination.look == Look(shape="rectangle", place="right")
    assert len(parse_instruction("Drag all circles into the black box.").steps) == 1


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
    said = parse_instruction(instruction).steps[0].value or ""
    words = said.split()
    found = (words[0], words[1] if len(words) > 1 else None) if words[0] != "down" else None
    assert found == cell


def test_a_line_to_draw_names_its_direction_and_what_it_runs_through():
    line, submit = parse_instruction(
        "Draw a vertical line that runs through the dot, then press submit."
    ).steps
    assert (line.verb, line.manner, line.target.look) == ("drag", "vertical", Look(shape="circle"))
    assert submit.target.text == "submit"
    assert parse_instruction("Click on the line.").steps[0].manner is None


@pytest.mark.parametrize(
    ("instruction", "manner"),
    [
        ("Highlight the text in the 2nd paragraph.", "highlight"),
        ("Resize the textarea so that its width is larger, then press Submit.", "wider"),
        ("Resize the text area so its height is smaller.", "shorter"),
        ("Click the midpoint between the two dots.", "midpoint"),
    ],
)
def test_how_a_step_is_done_is_read_by_the_grammar(instruction, manner):
    assert parse_instruction(instruction).steps[0].manner == manner
