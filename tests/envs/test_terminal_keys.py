"""Key chords encode to the bytes a real xterm sends."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.errors import ActionError
from envs.terminal.keys import chord_bytes, known_keys


@pytest.mark.parametrize(
    ("chord", "expected"),
    [
        ("Enter", b"\r"),
        ("Return", b"\r"),
        ("Tab", b"\t"),
        ("shift+Tab", b"\x1b[Z"),
        ("Backspace", b"\x7f"),
        ("Escape", b"\x1b"),
        ("Up", b"\x1b[A"),
        ("ArrowDown", b"\x1b[B"),
        ("Right", b"\x1b[C"),
        ("ctrl+Left", b"\x1b[1;5D"),
        ("Home", b"\x1b[H"),
        ("Delete", b"\x1b[3~"),
        ("PageUp", b"\x1b[5~"),
        ("shift+PageDown", b"\x1b[6;2~"),
        ("F1", b"\x1bOP"),
        ("F5", b"\x1b[15~"),
        ("ctrl+c", b"\x03"),
        ("Control+D", b"\x04"),
        ("ctrl+[", b"\x1b"),
        ("ctrl+space", b"\x00"),
        ("alt+b", b"\x1bb"),
        ("alt+Enter", b"\x1b\r"),
        ("shift+a", b"A"),
        ("a", b"a"),
        ("é", "é".encode()),
    ],
)
def test_named_chords_encode_as_xterm_sends_them(chord: str, expected: bytes) -> None:
    assert chord_bytes(chord) == expected


@settings(deadline=None)
@given(st.sampled_from(string.ascii_letters), st.sampled_from(["ctrl", "Ctrl", "CONTROL"]))
def test_ctrl_letter_is_its_control_code_whatever_the_case(letter: str, mod: str) -> None:
    assert chord_bytes(f"{mod}+{letter}") == bytes([ord(letter.lower()) - 96])


@settings(deadline=None)
@given(st.sampled_from(sorted(known_keys())))
def test_every_named_key_encodes_and_is_case_insensitive(name: str) -> None:
    assert chord_bytes(name) == chord_bytes(name.upper()) != b""


@pytest.mark.parametrize(
    ("chord", "fragment"),
    [
        ("Banana", "unknown key"),
        ("cmd+c", "unknown modifier"),
        ("ctrl+é", "no terminal control code"),
        ("ctrl+", "malformed"),
        ("", "malformed"),
    ],
)
def test_bad_chords_raise_action_error_saying_why(chord: str, fragment: str) -> None:
    with pytest.raises(ActionError, match=fragment):
        chord_bytes(chord)
