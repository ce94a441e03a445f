"""Reading skills of the browser house policy: instruction parsing, pixel geometry, episodes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from policies.house.web import pixels_read as px
from policies.house.web.skill import choose
from policies.house.web.skills_read import (
    EmailSkill,
    FeedActionSkill,
    FindWordSkill,
    ReadTableSkill,
    _names_user,
)
from tests.policies.house_episodes import house_wins


def test_email_instructions_pick_sender_action_and_payload():
    s = choose('Find the email by Lorry and reply to them with the text "Pharetra. Cras.".')
    assert isinstance(s, EmailSkill) and (s.who, s.action, s.text) == (
        "Lorry",
        "reply",
        "Pharetra. Cras.",
    )
    s = choose("Find the email by Sophi and forward that email to Batsheva.")
    assert (s.who, s.action, s.text) == ("Sophi", "forward", "Batsheva")
    s = choose("Find the email by Othilie and click the star icon to mark it as important.")
    assert (s.who, s.action) == ("Othilie", "star")
    assert (
        choose("Find the email by Abigale and click the trash icon to delete it.").action == "trash"
    )


def test_feed_word_and_table_instructions_are_read_from_their_wording():
    s = choose('For the user @deneen, click on the "Embed Tweet" button.')
    assert isinstance(s, FeedActionSkill) and (s.user, s.label) == ("@deneen", "Embed Tweet")
    s = choose(
        'Find the 12th word in the paragraph, type that into the textbox and press "Submit".'
    )
    assert isinstance(s, FindWordSkill) and s.nth == 12
    s = choose("Enter the value of Year of Birth into the text field and press Submit.")
    assert isinstance(s, ReadTableSkill) and s.key == "Year of Birth"
    assert FindWordSkill.match("Click the button labelled Submit.") is None
    assert EmailSkill.match('Click on the "Reply" button.') is None


def test_post_header_names_the_handle_not_the_display_name():
    assert _names_user("Staci@odio-19hago", "@odio")
    assert _names_user("Rene @facilisi · 3h ago", "@facilisi")
    assert not _names_user("Odio @nec · 3h ago", "@odio")


def test_runs_join_only_gaps_narrower_than_min_gap():
    flags = np.array([0, 1, 1, 0, 1, 0, 0, 0, 1, 1], bool)
    assert px.runs(flags) == [(1, 3), (4, 5), (8, 10)]
    assert px.runs(flags, min_gap=2) == [(1, 5), (8, 10)]
    assert px.runs(np.zeros(4, bool)) == []


def _page(text_lines: list[str]) -> np.ndarray:
    img = Image.new("RGB", (160, 210), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 159, 49), fill=(255, 255, 0))
    for i, line in enumerate(text_lines):
        draw.text((4, 60 + 14 * i), line, fill="black")
    draw.rectangle((4, 150, 120, 170), outline=(120, 120, 120))
    return np.asarray(img)


def test_lines_and_words_are_found_in_reading_order_below_the_banner():
    frame = _page(["alpha beta gamma", "delta epsilon"])
    assert px.content_top(frame) == 50
    lines = [b for b in px.bands(frame) if b[3] - b[1] <= 16]
    assert len(lines) == 2 and lines[0][1] < lines[1][1]
    assert [len(px.words(frame, line)) for line in lines] == [3, 2]
    rules = px.h_rules(frame, (0, 50, 160, 210))
    assert [r[0] for r in rules] == [150, 170]


def test_header_bar_and_its_marks_are_found_whatever_the_fill():
    img = Image.new("RGB", (160, 210), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((2, 52, 157, 71), fill=(249, 37, 37))
    draw.ellipse((140, 56, 150, 66), outline="white")
    frame = np.asarray(img)
    bar = px.header_bar(frame, 50)
    assert bar is not None and abs(bar[0] - 52) <= 1 and abs(bar[1] - 72) <= 1
    marks = px.marks_on_bar(frame, bar)
    assert len(marks) == 1 and 138 <= marks[0][0] <= 142


@pytest.mark.slow
@pytest.mark.parametrize("task", ["email-inbox", "social-media", "find-word", "read-table"])
def test_house_policy_solves_reading_tasks_from_pixels(task, house_policy):
    wins = house_wins(house_policy, task, range(2000, 2005), max_steps=20)
    assert wins >= 4, (task, wins)
