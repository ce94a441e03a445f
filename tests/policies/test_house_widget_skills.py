"""Widget skills of the browser house policy: instruction parsing, pixel finders, real episodes."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web import pixels_widgets as pw
from policies.house.web.skills_widgets import (
    SKILLS,
    ExpandLinkSkill,
    ExpandSubmitSkill,
    MenuSkill,
    ScrollListSkill,
    ToggleSkill,
    TreeSkill,
    split_items,
)
from tests.policies.house_episodes import house_wins


def _pick(instruction: str):
    """The first of this module's skills that accepts `instruction`."""
    for kind in SKILLS:
        skill = kind.match(instruction)
        if skill is not None:
            return skill
    return None


def test_split_items_reads_lists_and_nothing() -> None:
    assert split_items("A1sLd, UnO, DygrYg0, ddDJh") == ["A1sLd", "UnO", "DygrYg0", "ddDJh"]
    assert split_items("Phil and Imojean") == ["Phil", "Imojean"]
    assert split_items("nothing") == []


@pytest.mark.parametrize(
    ("instruction", "kind", "state"),
    [
        ("Select A1sLd, UnO and click Submit.", ToggleSkill, ("items", ["A1sLd", "UnO"])),
        ("Select nothing and click Submit.", ToggleSkill, ("items", [])),
        ("Select Yg and click Submit.", ToggleSkill, ("items", ["Yg"])),
        (
            "Select Phil, Imojean from the scroll list and click Submit.",
            ScrollListSkill,
            ("items", ["Phil", "Imojean"]),
        ),
        ("Expand the section below and click submit.", ExpandSubmitSkill, ("opened", False)),
        (
            'Expand the sections below, to find and click on the link "egestas".',
            ExpandLinkSkill,
            ("target", "egestas"),
        ),
        (
            "Select Rubina>Horatia>Donnamarie",
            MenuSkill,
            ("path", ["Rubina", "Horatia", "Donnamarie"]),
        ),
        ("Select Sibby", MenuSkill, ("path", ["Sibby"])),
        (
            'Navigate through the file tree. Find and click on the folder or file named "Olin".',
            TreeSkill,
            ("target", "Olin"),
        ),
    ],
)
def test_instruction_wording_picks_the_widget_skill(instruction, kind, state) -> None:
    skill = _pick(instruction)
    assert isinstance(skill, kind)
    assert getattr(skill, state[0]) == state[1]


@pytest.mark.parametrize(
    "instruction",
    [
        "Click on the button.",
        "Enter the text and press Submit.",
        "Select 11/02/2016 as the date and hit submit.",
        "Select words similar to happy and click Submit.",
        "Select Kazakhstan from the list and click Submit.",
    ],
)
def test_other_wordings_are_left_to_other_skills(instruction) -> None:
    assert _pick(instruction) is None


def _page() -> np.ndarray:
    frame = np.full((210, 160, 3), 255, np.uint8)
    frame[:50] = (255, 255, 0)  # the instruction banner
    return frame


def _ring(frame: np.ndarray, x: int, y: int, size: int, grey: int) -> None:
    frame[y, x : x + size] = grey
    frame[y + size - 1, x : x + size] = grey
    frame[y : y + size, x] = grey
    frame[y : y + size, x + size - 1] = grey


def test_toggles_finds_square_outlines_left_of_labels_and_skips_text() -> None:
    frame = _page()
    for y in (60, 80):
        _ring(frame, 9, y, 13, 118)
        frame[y + 3 : y + 11, 30:34] = 20  # a glyph of the label
        frame[y + 3 : y + 11, 36:40] = 20
    frame[120:128, 60:68] = 20  # a solid glyph, too small for a box
    assert pw.banner_bottom(frame) == 50
    boxes = pw.toggles(frame, 50)
    assert boxes == [(9, 60, 22, 73), (9, 80, 22, 93)]
    words = pw.ink_words(frame, (0, 50, 160, 210))
    assert pw.label_of(boxes[1], words) == (30, 83, 40, 91)


@pytest.mark.parametrize(("page", "ring", "cross"), [(255, 128, 0), (222, 127, 255)])
def test_expanders_tell_plus_from_minus_on_light_and_dark_themes(page, ring, cross) -> None:
    frame = _page()
    frame[50:] = page
    for y, plus in ((70, True), (90, False)):
        _ring(frame, 5, y, 9, ring)
        frame[y + 4, 7:12] = cross
        if plus:
            frame[y + 2 : y + 7, 9] = cross
    frame[112:119, 36:44] = 20  # a file's label: no expander left of it
    rows = [(36, 71, 60, 78), (36, 91, 60, 98), (36, 111, 60, 119)]
    assert [pw.expander_left_of(frame, row) for row in rows] == [True, False, None]


def test_underlined_words_are_links_whatever_their_colour() -> None:
    frame = _page()
    for x, ink in ((10, (0, 0, 238)), (60, (30, 30, 30))):
        frame[70:78, x : x + 20 : 2] = ink  # the word's glyph strokes
        frame[80, x : x + 20] = ink  # its underline
    frame[100:108, 10:30:2] = 30  # plain text: no underline
    assert pw.underlined_words(frame, 50) == [(10, 70, 30, 81), (60, 70, 80, 81)]


def test_list_box_and_banner_follow_a_dark_theme() -> None:
    frame = np.full((210, 160, 3), 221, np.uint8)
    frame[:50] = 204  # the banner a shade off the page
    _ring(frame, 3, 57, 148, 170)
    frame[57 + 90 :] = 221
    frame[146, 3:151] = 170
    assert pw.banner_bottom(frame) == 50
    assert pw.list_box(frame, 50) == (3, 57, 151, 147)


def test_blue_bars_and_list_box_are_found_in_order() -> None:
    frame = _page()
    frame[55:71, 4:156] = (0, 127, 255)
    frame[75:91, 4:156] = (0, 127, 255)
    assert pw.blue_bars(frame, 50) == [(4, 55, 156, 71), (4, 75, 156, 91)]
    frame = _page()
    _ring(frame, 3, 57, 148, 40)
    frame[57 + 90 :] = 255
    frame[146, 3:151] = 40
    assert pw.list_box(frame, 50) == (3, 57, 151, 147)


def test_similarity_forgives_ocr_confusions() -> None:
    assert pw.similarity("A1sLd", "AlsLd") == 1.0
    assert pw.similarity("DygrYg0", "DygrYgO") == 1.0
    assert pw.similarity("Phil", "Imojean") < 0.5


class _FakeView:
    """Just enough of a View for skills that read only the frame (pure pixel logic)."""

    def __init__(self, frame: np.ndarray) -> None:
        self.frame = frame
        self.notes: dict = {}


def test_expand_link_skill_opens_headers_in_turn_when_the_link_is_hidden() -> None:
    frame = _page()
    for y in (55, 75, 95):
        frame[y : y + 16, 4:156] = (0, 127, 255)
    skill = ExpandLinkSkill("egestas")
    clicks = [skill.act(_FakeView(frame)) for _ in range(4)]
    assert [c.y for c in clicks] == [63, 83, 103, 63]


@pytest.mark.slow
@pytest.mark.parametrize(
    "task",
    [
        "click-checkboxes",
        "click-option",
        "click-collapsible",
        "click-collapsible-2",
        "click-menu",
        "click-scroll-list",
        "navigate-tree",
    ],
)
def test_house_policy_solves_widget_tasks_from_pixels(task, house_policy):
    wins = house_wins(house_policy, task, (2000, 2001, 2002), max_steps=30)
    assert wins >= 2, f"{task}: {wins}/3"
