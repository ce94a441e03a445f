"""Click skills of the browser house policy: wording -> skill, grounding geometry, pixel finders,
and real MiniWoB episodes solved from pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contracts.actions import Click
from perception.screen.parser import ScreenParse, UIElement
from policies.house.web import pixels
from policies.house.web.skills_click import (
    SKILLS,
    ButtonSkill,
    DialogCloseSkill,
    LinkSkill,
    TabLinkSkill,
    TabSkill,
    WidgetSkill,
    exposed_point,
    match_score,
    near_miss,
    tab_points,
)
from policies.house.web.view import View
from tests.policies.house_episodes import house_wins


def _choose(instruction: str):
    for kind in SKILLS:
        skill = kind.match(instruction)
        if skill is not None:
            return skill
    return None


@pytest.mark.parametrize(
    ("instruction", "kind", "label"),
    [
        ('Click on the "okay" button.', ButtonSkill, "okay"),
        ("Click button ONE.", ButtonSkill, "ONE"),
        ("Click the button.", ButtonSkill, None),
        ('Click the button in the dialog box labeled "Cancel".', ButtonSkill, "Cancel"),
        ('Click on the link "sed.".', LinkSkill, "sed."),
    ],
)
def test_instruction_wording_picks_skill_and_label(instruction, kind, label):
    skill = _choose(instruction)
    assert isinstance(skill, kind)
    assert skill.label == label


def test_tab_dialog_and_widget_wordings_pick_their_skills():
    tab = _choose("Click on Tab #2.")
    assert isinstance(tab, TabSkill) and tab.n == 2
    tab_link = _choose('Switch between the tabs to find and click on the link "egestas".')
    assert isinstance(tab_link, TabLinkSkill) and tab_link.label == "egestas"
    assert isinstance(_choose('Close the dialog box by clicking the "x".'), DialogCloseSkill)
    widget = _choose('Click on a "textarea" widget.')
    assert isinstance(widget, WidgetSkill) and widget.kind == "textarea"
    assert _choose("Enter the password and press submit.") is None


def test_match_score_ranks_exact_over_word_over_substring_over_fuzzy():
    exact = match_score("Previous", "previous")
    word = match_score("Previous", "Previous|No")
    inside = match_score("no", "nonumy")
    fuzzy = match_score("ONE", "bNE")
    assert exact > word > inside > fuzzy > 0
    assert match_score("okay", "cancel") == 0


def test_exposed_point_leaves_the_overlapping_box_but_not_an_enclosing_panel():
    target, cover, panel = (30, 110, 78, 156), (2, 96, 50, 142), (0, 50, 160, 210)
    x, y = exposed_point(target, [cover, panel], near=(40, 120))
    assert target[0] <= x < target[2] and target[1] <= y < target[3]
    assert not (cover[0] <= x < cover[2] and cover[1] <= y < cover[3])
    assert exposed_point(target, [panel], near=(40, 120)) == (40, 120)


def _view(elements, frame=None, instruction="Click on Tab #2.") -> View:
    frame = np.full((210, 160, 3), 255, np.uint8) if frame is None else frame
    els = tuple(
        UIElement(i, box, kind, text, True, 1.0) for i, (box, kind, text) in enumerate(elements, 1)
    )
    return View(instruction, frame, ScreenParse(els, 160, 210))


def test_tab_points_split_a_merged_tab_row_left_to_right_and_fill_unread_labels():
    view = _view(
        [((4, 56, 144, 84), "link", "Tab#1Tab#2Tab#3"), ((0, 100, 150, 116), "text", "Tab #5")]
    )
    tabs = tab_points(view)
    assert tabs[1][0] < tabs[2][0] < tabs[3][0]
    assert all(56 <= tabs[n][1] <= 84 for n in (1, 2, 3))
    gaps = _view([((4, 56, 144, 84), "link", "Tab#1Tab?Tab#3")])
    filled = tab_points(gaps)
    assert filled[1][0] < filled[2][0] < filled[3][0]


def test_button_skill_clicks_the_exact_label_inside_merged_buttons():
    view = _view(
        [((2, 74, 108, 96), "text_input", "Previous|No"), ((0, 100, 150, 116), "text", "nonumy")],
        instruction='Click on the "No" button.',
    )
    action = ButtonSkill("No").act(view)
    assert isinstance(action, Click) and 60 < action.x < 108 and 74 <= action.y < 96


@pytest.mark.parametrize(
    ("label", "text", "near"),
    [
        ("eu,", "Su,", True),  # x0.75 pages read an 8 px "eu," so
        ("Eu", "eo", True),
        ("eu,", "Su", False),  # no final punctuation: another link ("eu" and "eu," differ)
        ("eu", "eu", False),  # an exact read is match_score's, not a near miss
        ("mi,", "mL", False),
        ("in", "on", True),
        ("in", "at", False),
        ("sed", "sad", False),  # three letters: match_score's fuzzy match takes those
    ],
)
def test_a_near_miss_is_one_letter_off_a_two_letter_link(label, text, near):
    assert near_miss(label, text) is near


def _draw(draw_fn) -> np.ndarray:
    img = Image.new("RGB", (160, 210), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 159, 49), fill=(255, 255, 0))
    draw_fn(draw)
    return np.asarray(img)


def test_link_words_find_blue_words_and_skip_black_text():
    frame = _draw(
        lambda d: (
            d.text((4, 60), "plain", fill=(0, 0, 0)),
            d.text((60, 60), "link", fill=(0, 0, 238)),
            d.text((4, 90), "other", fill=(0, 0, 238)),
        )
    )
    words = pixels.link_words(frame, pixels.banner_bottom(frame))
    assert len(words) == 2
    assert words[0][1] < 75 and words[0][0] >= 55 and words[1][1] >= 85


def test_close_glyph_is_the_dark_mark_at_the_right_of_the_title_bar():
    def dialog(d):
        d.rectangle((20, 70, 134, 150), outline=(200, 200, 200))
        d.rectangle((24, 74, 131, 94), fill=(233, 233, 233))
        d.text((30, 78), "Title", fill=(40, 40, 40))
        d.line((113, 79, 122, 88), fill=(84, 84, 84), width=2)
        d.line((113, 88, 122, 79), fill=(84, 84, 84), width=2)

    x, y = pixels.close_glyph(_draw(dialog))
    assert 110 <= x <= 125 and 76 <= y <= 91


def test_widget_rows_tell_checkbox_radio_field_textarea_and_button_apart():
    def widgets(d):
        d.rectangle((6, 60, 18, 72), outline=(118, 118, 118))
        d.text((22, 61), "abc", fill=(0, 0, 0))
        d.ellipse((6, 82, 18, 94), outline=(118, 118, 118))
        d.rectangle((2, 102, 129, 122), outline=(118, 118, 118))
        d.rectangle((2, 128, 127, 158), outline=(118, 118, 118))
        d.rectangle((2, 164, 50, 184), fill=(239, 239, 239), outline=(118, 118, 118))

    rows = pixels.widget_rows(_draw(widgets), 50)
    assert [k for k, _ in rows] == ["checkbox", "radio", "text", "textarea", "button"]


def _dark(draw_fn) -> np.ndarray:
    """A page as the canonical frame shows a dark theme: one light grey for page and fills."""
    img = Image.new("RGB", (160, 210), (221, 222, 225))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 159, 49), fill=(206, 208, 212))
    for i, word in enumerate(("Some words", "in the banner", "set the scale")):
        draw.text((4, 4 + 14 * i), word, fill=(30, 30, 30))
    draw_fn(draw)
    return np.asarray(img)


def test_link_words_find_underlined_words_of_any_colour():
    def page(d):
        d.text((4, 60), "plain", fill=(40, 40, 40))
        d.text((60, 60), "linked", fill=(40, 40, 40))
        d.line((60, 72, 95, 72), fill=(40, 40, 40))

    frame = _dark(page)
    words = pixels.link_words(frame, pixels.banner_bottom(frame))
    assert len(words) == 1
    x0, y0, x1, y1 = words[0]
    assert 55 <= x0 <= 62 and 90 <= x1 <= 98 and y0 <= 64 and 70 <= y1 <= 75


def test_widget_rows_and_close_glyph_work_where_fills_match_the_page():
    def widgets(d):
        d.rectangle((6, 60, 18, 72), fill=(25, 25, 25))
        d.text((22, 61), "abc", fill=(30, 30, 30))
        d.rectangle((2, 80, 129, 100), fill=(205, 205, 205), outline=(170, 170, 170))
        d.text((6, 84), "field", fill=(30, 30, 30))
        d.rectangle((2, 106, 50, 126), fill=(205, 205, 205), outline=(170, 170, 170))
        d.text((14, 110), "Go", fill=(30, 30, 30))

    rows = pixels.widget_rows(_dark(widgets), 50)
    assert [k for k, _ in rows] == ["checkbox", "text", "button"]

    def dialog(d):
        d.rectangle((20, 70, 134, 150), outline=(170, 170, 170))
        d.rectangle((24, 74, 131, 96), outline=(170, 170, 170))
        d.line((114, 80, 122, 88), fill=(120, 120, 120), width=2)
        d.line((114, 88, 122, 80), fill=(120, 120, 120), width=2)

    x, y = pixels.close_glyph(_dark(dialog))
    assert 110 <= x <= 126 and 76 <= y <= 92


TASKS = [
    "click-button",
    "click-link",
    "click-dialog",
    "click-dialog-2",
    "click-tab",
    "click-tab-2",
    "click-test-2",
    "click-widget",
]


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_house_policy_solves_click_tasks_from_pixels(task, house_policy):
    wins = house_wins(house_policy, task, range(2000, 2005), max_steps=8)
    assert wins >= 4, f"{task}: {wins}/5"
