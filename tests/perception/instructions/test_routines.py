"""Routines read from instructions: several wordings per intent give a step of the routine's
manner with the fields its step module reads, and wordings of other intents give none."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from perception.instructions.plan import ROUTINES, Step


def routine(text: str) -> Step | None:
    """The plan's first step of a routine manner, or None."""
    return next((s for s in parse_instruction(text).steps if s.manner in ROUTINES), None)


@pytest.mark.parametrize(
    ("text", "button", "inside", "outside"),
    [
        ("Generate a number less than 5, then press submit.", "Generate", [4, 0], [5, 9]),
        ("Generate an odd number, then press submit.", "Generate", [3], [4]),
        ("Roll a dice until you get an even number.", "Roll", [2, 6], [1, 5]),
        ("Keep generating numbers until you get one greater than 7.", "generate", [8], [7]),
        ("Keep rolling the dice until it shows an odd number.", "roll", [1], [2]),
        ("Press Generate until the number shown is less than 4, then click Submit.", "Generate",
         [3], [4]),
        ("Get a random number that is at most 5, then hit submit.", "Get", [5], [6]),
        ("Spin until you get a number above 3.", "Spin", [4], [3]),
    ],
)  # fmt: skip
def test_a_number_is_produced_until_it_meets_the_condition(text, button, inside, outside):
    from perception.instructions.number_conditions import condition

    steps = parse_instruction(text).steps
    step = steps[0]
    assert step.manner == "until" and step.target is not None and step.target.text == button
    cond = condition(step.condition or "")
    assert all(cond.holds(n) for n in inside) and not any(cond.holds(n) for n in outside)
    assert [s.manner for s in steps].count("until") == 1


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Guess the number between 0-9 and press Submit.", 0, 9),
        ("Try to guess the secret number from 1 to 100 using the hints.", 1, 100),
        ("Guess a value between 10 and 20; the page tells you higher or lower.", 10, 20),
        ("Use the feedback to guess the hidden integer, then you win.", None, None),
    ],
)
def test_a_guess_step_holds_the_range(text, low, high):
    from perception.instructions.number_conditions import condition

    step = routine(text)
    assert step is not None and step.manner == "guess"
    cond = condition(step.condition or "")
    if low is None:
        assert step.condition is None
    else:
        assert (cond.low, cond.high) == (low, high)


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Playing as 'X', win a game of tic-tac-toe.", "X"),
        ("Win a game of tic-tac-toe playing as 'O'.", "O"),
        ("Play noughts and crosses as O and win.", "O"),
        ("Beat the computer at tic tac toe.", None),
        ("You are X: win this tictactoe game.", None),
    ],
)
def test_a_game_is_one_step_that_plays_its_side(text, side):
    step = routine(text)
    assert step is not None and step.manner == "game"
    assert step.value == side
    assert [s.manner for s in parse_instruction(text).steps].count("game") == 1


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("Select teal with the color picker and hit Submit.", "teal"),
        ("Select the following color with the color picker and hit Submit.", None),
        ("Pick dark orange in the colour wheel.", "dark orange"),
        ("Using the colour picker, choose navy, then press Submit.", "navy"),
        ("Set the color picker to the colour shown above and submit.", None),
    ],
)
def test_a_colour_picker_step_holds_the_colour_named(text, colour):
    step = routine(text)
    assert step is not None and step.manner == "colour"
    assert step.value == colour


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("Type the total number of blocks into the textbox and press Submit.", "blocks"),
        ("Enter the number of squares into the text field, then submit.", "squares"),
        ("Count the blocks and type the count into the box.", "blocks"),
        ("Write the total count of circles in the field and press Submit.", "circles"),
        ("Find the number of dots and enter it in the textbox.", "dots"),
    ],
)
def test_a_read_step_counts_drawn_things(text, things):
    step = routine(text)
    assert step is not None and step.manner == "count" and step.verb == "read"
    assert step.target is not None and step.target.text == things


@pytest.mark.parametrize(
    ("text", "manner"),
    [
        ("Add a third point to create a right angle, then press submit.", "right_angle"),
        ("Click a point so that the two lines are perpendicular, then submit.", "right_angle"),
        ("Place a dot that makes a 90 degree angle and press Submit.", "right_angle"),
        ("Create a line that bisects the angle evenly in two, then press submit.", "bisect"),
        ("Add a point so the new line splits the angle in half, then hit submit.", "bisect"),
        ("Draw a line to divide the angle into two equal parts and press submit.", "bisect"),
    ],
)
def test_a_point_placed_by_geometry_is_one_click_before_the_submit(text, manner):
    steps = parse_instruction(text).steps
    assert steps[0].manner == manner and steps[0].verb == "click"
    assert [s.manner for s in steps].count(manner) == 1
    assert (
        steps[-1].target is not None
        and steps[-1].target.text.lower() == "submit"
        or (steps[-1].verb == "submit")
    )


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        (
            "Find the last word in the text area, enter it into the text field and hit Submit.",
            "read",
        ),
        ("What is the last word in the text box? Type it in the field and submit.", "read"),
        ("Scroll the textarea to the bottom of the text hit submit.", "scroll"),
        ("Scroll the panel to the bottom and press Submit.", "scroll"),
        ("Scroll down to the bottom of the text area, then submit.", "scroll"),
        ("Scroll the list to the top.", "scroll"),
    ],
)
def test_a_scroll_to_a_box_end_keeps_the_box_named(text, verb):
    step = parse_instruction(text).steps[0]
    assert step.verb == verb
    assert step.target is not None and step.target.kind in ("text_area", "text_field", "dropdown")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Find and click on the HOT area.", "HOT"),
        ("Locate the hot spot and click it.", "hot"),
        ("Look for the spot that is hot and click there.", "hot"),
        ("Find the warm area and click on it.", "warm"),
    ],
)
def test_a_hot_cold_search_probes_for_the_word(text, word):
    step = routine(text)
    assert step is not None and step.manner == "probe" and step.target is not None
    assert step.target.text == word


@pytest.mark.parametrize(
    ("text", "item", "place"),
    [
        ("Drag Kati to the top.", "Kati", "top"),
        ("Drag Kati to the 3rd position.", "Kati", "3"),
        ("Drag Kati down by one position.", "Kati", "down 1"),
        ("Drag Kati up by 2 places.", "Kati", "up 2"),
        ("Drag Kati to the top left.", "Kati", "top left"),
        ("Drag Kati to the center.", "Kati", "center"),
        ("Drag Kati to the centre right.", "Kati", "center right"),
        ("Drag Kati right by one.", "Kati", "right 1"),
        ("Move Rhea to the last position.", "Rhea", "-1"),
        ("Move Rhea to the end of the list.", "Rhea", "bottom"),
        ("Please drag the item Rhea to the beginning.", "Rhea", "top"),
    ],
)
def test_a_list_drag_holds_its_item_and_place(text, item, place):
    step = parse_instruction(text).steps[0]
    assert step.verb == "drag" and step.value == place
    assert step.target is not None and step.target.text == item


def test_a_scroll_of_the_page_names_no_box():
    assert parse_instruction("Scroll to the bottom of the page.").steps[0].target is None


@pytest.mark.parametrize(
    "text",
    [
        'Click on the "Submit" button.',
        "Select all the shades of red and press Submit.",
        "Click the red button.",
        "Select Apple from the dropdown.",
        "Enter the number 5 into the text field and press Submit.",
        "Draw a vertical line through the blue circle.",
        "Scroll down until the Contact form appears.",
        "Find the phone number of the support team.",
        "Type your name, then click Next.",
        "Find the hot dog and click it.",
        "Get the number of items and type it in.",
        'Draw the number "3" in the box.',
    ],
)
def test_everyday_instructions_ask_for_no_routine(text):
    assert routine(text) is None
