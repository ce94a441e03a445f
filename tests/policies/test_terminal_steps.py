"""Deleting a file in a page's terminal: which file the instruction asks for."""

from __future__ import annotations

import pytest

from policies.house.web.terminal_steps import wanted_extension


@pytest.mark.parametrize(
    ("instruction", "ext"),
    [
        ("Use the terminal below to delete a file ending with the extension .zip", ".zip"),
        ("Use the terminal below to delete a file ending with the extension .tar.gz", ".tar.gz"),
        ("In the shell, remove a file with extension gpg.", ".gpg"),
        ("Delete the file.", None),
        ("Delete a file ending with .txt from the list", None),  # no terminal named
    ],
)
def test_the_extension_of_the_file_to_delete_is_read(instruction, ext):
    assert wanted_extension(instruction) == ext
