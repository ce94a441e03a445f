"""Chores on a sender's message read by roles, in many wordings (written for these tests)."""

from __future__ import annotations

import pytest

from perception.instructions import parse_instruction
from perception.instructions.message_chores import read_message_chore

FORWARDS = [
    "Forward the email from Bo to Ana.",
    "Send Ana the email you got from Bo.",
    "Send to Ana the message Bo wrote.",
    "Ana wants the email Bo sent you.",
    "Ana is waiting for the mail by Bo.",
    "Give Ana Bo's email",
    "Forward Ana Bo's latest email.",
    "Bo's email should be forwarded to Ana.",
    "Please find the message by Bo, then send it to Ana.",
    "I need an email written to me by Bo sent to Ana",
    "Pass the e-mail from Bo on to Ana, please.",
    "Could you get Bo's mail and share it with Ana? Forward it to Ana.",
    "Locate Bo's email and put a copy in Ana's inbox.",
    "Send Bo's email Ana.",
    "Ask Bo to forward her messages to Ana.",
    "Forward email to Ana from Bo.",
]
REPLIES = [
    ('Reply to Bo\'s email with "See you at noon."', "See you at noon."),
    ('Tell Bo "On my way"', "On my way"),
    ('Answer the mail from Bo: "Thanks, got it"', "Thanks, got it"),
    ('Send "Running late" to Bo.', "Running late"),
    ("Respond with 'Sounds good' to Bo's message from Tuesday.", "Sounds good"),
    ('Hi Bo, I will "bring the slides".', "bring the slides"),
]
DELETES = [
    ("Get rid of the message from Bo.", "delete"),
    ("I don't want Bo's email in my inbox.", "delete"),
    ("Bo's mail can go in the trash.", "trash"),
    ("Please throw away the email Bo sent.", "delete"),
    ("There is an email from Bo that needs to be deleted.", "delete"),
    ("Erase the emails by Bo.", "erase"),
]
MARKS = [
    ("Flag Bo's email as important.", "important"),
    ("Put a star on the mail from Bo.", "star"),
    ("The message from Bo is importnat, mark it so.", "important"),
    ("Make Bo's email a favorite.", "favorite"),
]
NOT_CHORES = [
    'Enter the email "ana@x.com" and click Submit.',
    "Click the trash icon next to the email from Ben.",
    "Open Kandace's email and move it to the trash.",
    'Type "Hello there" into the message text area.',
    "Sign in with email bob@example.com and password hunter2",
    "Send the form to Ana.",
    "Forward it to carol@example.com.",
]


@pytest.mark.parametrize("text", FORWARDS)
def test_forward_opens_senders_message_and_sends_it_to_the_recipient(text: str) -> None:
    steps = [s.to_dict() for s in parse_instruction(text).steps]
    assert steps == [
        {"verb": "click", "target": {"text": "Bo"}},
        {"verb": "click", "target": {"text": "forward"}},
        {"verb": "type", "target": {"text": "to", "kind": "text_field"}, "value": "Ana"},
        {"verb": "click", "target": {"text": "send"}},
    ]


@pytest.mark.parametrize(("text", "words"), REPLIES)
def test_quoted_words_said_to_a_sender_are_a_reply(text: str, words: str) -> None:
    steps = [s.to_dict() for s in parse_instruction(text).steps]
    assert steps == [
        {"verb": "click", "target": {"text": "Bo"}},
        {"verb": "click", "target": {"text": "reply"}},
        {"verb": "type", "target": {"kind": "text_area"}, "value": words},
        {"verb": "click", "target": {"text": "send"}},
    ]


@pytest.mark.parametrize(("text", "control"), DELETES + MARKS)
def test_delete_or_mark_presses_the_chores_control_near_the_sender(text: str, control: str) -> None:
    steps = [s.to_dict() for s in parse_instruction(text).steps]
    assert steps == [
        {"verb": "click", "target": {"text": control, "relation": "near", "anchor": {"text": "Bo"}}}
    ]


@pytest.mark.parametrize("text", NOT_CHORES)
def test_sentences_about_controls_or_without_two_roles_are_left_to_the_grammar(text: str) -> None:
    assert read_message_chore(text) is None


def test_two_people_told_apart_by_nothing_give_no_plan() -> None:
    assert read_message_chore("Ana and Bo want the emails.") is None
