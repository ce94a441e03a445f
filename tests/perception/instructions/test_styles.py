"""Formatting wordings become one format step on the text named (or all of it)."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from perception.instructions.plan import ALL


@pytest.mark.parametrize(
    ("instruction", "text", "value"),
    [
        ("In the editor, give the text lorem the style bold and press Submit.", "lorem", "bold"),
        ("In the editor, give everything the style italics and press Submit.", None, "italic"),
        ("Using the text editor, give the text lorem the color red.", "lorem", "red"),
        ("Using the text editor, make everything the color blue and press Submit.", None, "blue"),
        ("Italicize the word Nisl, then press Submit.", "Nisl", "italic"),
        ("Make everything bold and click Save.", None, "bold"),
        ("Colour the word vitae green.", "vitae", "green"),
        ("Apply bold to all the text, then submit.", None, "bold"),
        ('Underline "purus dolor" in the editor and press Submit.', "purus dolor", "underline"),
        ("Please format the word amet as underlined.", "amet", "underline"),
    ],
)  # fmt: skip
def test_a_formatting_wording_is_one_format_step(instruction, text, value):
    steps = parse_instruction(instruction).steps
    formats = [s for s in steps if s.manner == "format"]
    assert len(formats) == 1
    step = formats[0]
    assert step.value == value and step.target is not None and step.target.kind == "text"
    if text is None:
        assert step.target.ordinal == ALL
    else:
        assert step.target.text == text
    assert not any(s.target is not None and s.target.kind == "text_area" for s in steps)


@pytest.mark.parametrize(
    "instruction",
    [
        "Click the Bold button.",
        "Type bold into the field.",
        "Set the color to red and press OK.",
        "Select the red color and submit.",
        "Make sure the box is checked.",
        "Give the dog a bone.",
    ],
)
def test_wordings_that_format_nothing_make_no_format_step(instruction):
    assert all(s.manner != "format" for s in parse_instruction(instruction).steps)


def test_the_send_after_the_format_is_kept():
    steps = parse_instruction("Make everything bold and click Save.").steps
    assert steps[-1].target is not None and steps[-1].target.text == "Save"
