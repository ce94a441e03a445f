"""Deleting a file in a page's terminal: which file the instruction asks for."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction


def wanted_extension(instruction: str) -> str | None:
    """The extension of the plan's file-deleting step (manner "delete_file"), or None."""
    steps = [s for s in parse_instruction(instruction).steps if s.manner == "delete_file"]
    return steps[0].value if steps else None


@pytest.mark.parametrize(
    ("instruction", "ext"),
    [
        ("Use the terminal below to delete a file ending with the extension .zip", ".zip"),
        ("Use the terminal below to delete a file ending with the extension .tar.gz", ".tar.gz"),
        ("In the shell, remove a file with extension gpg.", ".gpg"),
        ("Delete the file.", None),
        ("Open the console and erase the file that ends in .log", ".log"),
        ("With the command line below, remove one file ending with the extension .csv", ".csv"),
        ("Using the terminal, delete the file with the extension 'py'.", ".py"),
        ("Delete a file ending with .txt from the list", None),  # no terminal named
    ],
)
def test_the_extension_of_the_file_to_delete_is_read(instruction, ext):
    assert wanted_extension(instruction) == ext
