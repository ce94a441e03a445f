"""Form skills of the browser house policy: wording -> skill, pixel finders for fields, buttons,
links and menus, scripted moves on drawn forms, and real MiniWoB form episodes from pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contracts.actions import Click, Key, Type, Wait
from perception.screen.parser import ScreenParse, UIElement
from policies.house.web import pixels_form
from policies.house.web.canon import canonical
from policies.house.web.skills_form import (
    SKILLS,
    AutocompleteSkill,
    ChooseListSkill,
    DateSkill,
    EnterTextSkill,
    FocusSkill,
    LoginSkill,
    PasswordSkill,
    SearchSkill,
    ends_score,
    field_near_label,
    final_button,
)
from policies.house.web.view import View
from tests.policies.house_episodes import house_wins

GREY, RING = (118, 118, 118), (16, 16, 16)


def _choose(instruction: str):
    for kind in SKILLS:
        skill = kind.match(instruction)
        if skill is not None:
            return skill
    return None


def _page(fields=(), buttons=(), links=(), banner=True, ring=None) -> np.ndarray:
    """A 160x210 form drawn like Chromium draws one: yellow banner, framed white fields, grey
    buttons, blue links."""
    img = Image.new("RGB", (160, 210), "white")
    d = ImageDraw.Draw(img)
    if banner:
        d.rectangle((0, 0, 159, 49), fill=(255, 255, 0))
    for box in fields:
        d.rounded_rectangle(box, radius=2, fill="white", outline=GREY)
    if ring is not None:
        d.rounded_rectangle(ring, radius=3, outline=RING, width=2)
    for box in buttons:
        d.rounded_rectangle(box, radius=2, fill=(239, 239, 239), outline=GREY)
    for box in links:
        d.rectangle(box, fill=(0, 0, 238))
    return np.asarray(img)


def _view(frame, instruction="", elements=()) -> View:
    return View(instruction, frame, ScreenParse(tuple(elements), 160, 210))


@pytest.mark.parametrize(
    ("instruction", "kind", "fields"),
    [
        ('Enter "Myron" into the text field and press Submit.', EnterTextSkill, ("Myron",)),
        ('Enter "tv2" into the text field and press Submit.', EnterTextSkill, ("tv2",)),
        (
            'Enter the password "AA1" into both text fields and press submit.',
            PasswordSkill,
            ("AA1",),
        ),
        ("Enter 06/20/2014 as the date and hit submit.", DateSkill, ("06202014",)),
        ("Focus into the textbox.", FocusSkill, (1,)),
        ("Focus into the 3rd input textbox.", FocusSkill, (3,)),
        (
            'Enter the username "livia" and the password "A1sL" into the text fields and press '
            "login.",
            LoginSkill,
            ("livia", "A1sL"),
        ),
        ('Enter an item that starts with "Isl".', AutocompleteSkill, ("Isl", None)),
        (
            'Enter an item that starts with "Aust" and ends with "tria".',
            AutocompleteSkill,
            ("Aust", "tria"),
        ),
        ("Select Deeann from the list and click Submit.", ChooseListSkill, ("Deeann",)),
        (
            'Use the textbox to enter "Kenda" and press "Search", then find and click the 7th '
            "search result.",
            SearchSkill,
            ("Kenda", "Search", 7),
        ),
    ],
)
def test_form_wordings_pick_their_skill_and_values(instruction, kind, fields):
    skill = _choose(instruction)
    assert isinstance(skill, kind)
    got = {
        EnterTextSkill: lambda s: (s.text,),
        PasswordSkill: lambda s: (s.text,),
        DateSkill: lambda s: (s.digits,),
        FocusSkill: lambda s: (s.n,),
        LoginSkill: lambda s: (s.user, s.password),
        AutocompleteSkill: lambda s: (s.start, s.end),
        ChooseListSkill: lambda s: (s.option,),
        SearchSkill: lambda s: (s.term, s.button, s.n),
    }[kind](skill)
    assert got == fields


def test_other_wordings_are_left_to_other_skills():
    assert _choose('Click on the "okay" button.') is None
    assert _choose("Select Bob, Alice from the scroll list and click Submit.") is None
    assert _choose("Select 5 with the slider and hit Submit.") is None


def test_final_button_reads_the_last_verb_object():
    assert final_button("Enter x and press Submit.") == "Submit"
    assert final_button("... into the text fields and press login.") == "login"
    assert final_button("Enter 01/02/2003 as the date and hit submit.") == "submit"
    assert final_button("Focus into the textbox.") == "Submit"


def test_ends_score_tolerates_one_garbled_letter_but_not_another_word():
    assert ends_score("Austria", "tria") == 1.0
    assert ends_score("Austrla", "tria") >= 0.7
    assert ends_score("Australia", "tria") < 0.75
    assert ends_score("anything", None) == 1.0
    assert ends_score("", "ji") == 0.0


def test_framed_boxes_find_fields_and_buttons_exactly_with_their_fill():
    frame = _page(fields=[(7, 62, 131, 82), (12, 110, 140, 130)], buttons=[(7, 140, 107, 170)])
    found = [(b.box, b.fill) for b in pixels_form.framed_boxes(frame)]
    assert found == [
        ((7, 62, 132, 83), "white"),
        ((12, 110, 141, 131), "white"),
        ((7, 140, 108, 171), "grey"),
    ]
    assert pixels_form.text_fields(frame) == [(7, 62, 132, 83), (12, 110, 141, 131)]
    assert pixels_form.banner_bottom(frame) == 50


def test_focused_field_with_a_two_pixel_ring_is_found_once():
    frame = _page(fields=[(8, 80, 130, 100)], ring=(7, 79, 131, 101))
    assert len(pixels_form.text_fields(frame)) == 1


def test_text_and_blank_page_give_no_boxes():
    frame = _page()
    img = Image.fromarray(frame)
    ImageDraw.Draw(img).text((10, 80), "Username ____ lorem", fill="black")
    assert pixels_form.framed_boxes(np.asarray(img)) == []


def test_flipped_dark_form_tells_fields_from_buttons_by_their_text():
    """A dark theme flipped to light gives fields and buttons one fill, darker than the page."""
    img = Image.new("RGB", (160, 210), (221, 222, 225))
    d = ImageDraw.Draw(img)
    for box in [(7, 62, 131, 82), (7, 100, 131, 120), (7, 140, 107, 170)]:
        d.rectangle(box, fill=(206, 206, 206), outline=(136, 136, 136))
    d.text((11, 104), "Kenda", fill=(15, 15, 15))
    d.text((40, 150), "Submit", fill=(15, 15, 15))
    found = [b.fill for b in pixels_form.framed_boxes(np.asarray(img))]
    assert found == ["white", "white", "grey"]


def test_jpeg_compressed_form_keeps_its_boxes():
    frame = _page(fields=[(7, 62, 131, 82)], buttons=[(7, 88, 107, 118)])
    buf = io.BytesIO()
    Image.fromarray(frame).save(buf, "JPEG", quality=30)
    noisy = canonical(np.asarray(Image.open(buf).convert("RGB"))).frame
    found = pixels_form.framed_boxes(noisy)
    assert [b.fill for b in found] == ["white", "grey"]
    assert all(abs(b.box[1] - top) <= 2 for b, top in zip(found, (62, 88), strict=True))


def test_flipped_dark_links_are_still_blue():
    frame = _page(buttons=[(4, 75, 66, 96)], links=[(4, 99, 40, 108)])
    frame = np.where((frame == (0, 0, 238)).all(axis=2, keepdims=True), (7, 49, 117), frame)
    assert pixels_form.link_lines(frame.astype(np.uint8), 97) == [(4, 99, 41, 109)]


def test_link_lines_and_page_glyphs_are_split_by_column():
    frame = _page(
        buttons=[(4, 75, 66, 96)],
        links=[(4, 99, 40, 108), (4, 132, 46, 141), (4, 165, 34, 174), (60, 193, 66, 204)]
        + [(74, 193, 80, 204), (86, 195, 96, 203)],
    )
    assert pixels_form.link_lines(frame, 97) == [
        (4, 99, 41, 109),
        (4, 132, 47, 142),
        (4, 165, 35, 175),
    ]
    groups = pixels_form.glyph_groups(frame, (190, 206), min_x=40)
    assert [g[0] for g in groups] == [60, 74, 86]


def test_menu_rows_counts_suggestions_under_a_field():
    img = Image.fromarray(_page(fields=[(10, 71, 137, 91)]))
    d = ImageDraw.Draw(img)
    d.rectangle((10, 91, 137, 158), fill="white", outline=(197, 197, 197))
    for y in (98, 120, 142):
        d.text((16, y), "Austria", fill=(60, 60, 60))
    frame = np.asarray(img)
    rows = pixels_form.menu_rows(frame, (10, 71, 138, 92))
    assert rows is not None and len(rows) == 3
    assert pixels_form.menu_rows(_page(fields=[(10, 71, 137, 91)]), (10, 71, 138, 92)) is None


def test_text_clipped_tells_a_cut_off_value_from_a_short_one():
    box = (10, 71, 138, 92)
    short = Image.fromarray(_page(fields=[(10, 71, 137, 91)]))
    ImageDraw.Draw(short).text((14, 75), "Fiji", fill="black")
    long = short.copy()
    ImageDraw.Draw(long).text((14, 75), "DominicanRepublicWWWWWWWW", fill="black")
    assert not pixels_form.text_clipped(np.asarray(short), box)
    assert pixels_form.text_clipped(np.asarray(long), box)


def test_enter_text_script_clicks_field_types_then_presses_grey_button_without_detections():
    frame = _page(fields=[(8, 70, 136, 91)], buttons=[(8, 98, 109, 129)])
    skill = _choose('Enter "Kasie" into the text field and press Submit.')
    first, second, third = (skill.act(_view(frame)) for _ in range(3))
    assert isinstance(first, Click) and 8 < first.x < 137 and 70 < first.y < 92
    assert second == Type("Kasie")
    assert isinstance(third, Click) and 8 < third.x < 110 and 98 < third.y < 130
    assert isinstance(skill.act(_view(frame)), Wait)


def test_password_script_fills_every_field_before_submitting():
    frame = _page(fields=[(7, 78, 115, 99), (7, 130, 115, 151)], buttons=[(9, 166, 110, 197)])
    skill = _choose('Enter the password "V6" into both text fields and press submit.')
    actions = [skill.act(_view(frame)) for _ in range(5)]
    assert [type(a) for a in actions] == [Click, Type, Click, Type, Click]
    assert actions[0].y < 100 < 130 < actions[2].y < 152 < 166 < actions[4].y


def test_date_script_clicks_the_month_segment_and_types_digits():
    frame = _page(fields=[(7, 62, 131, 82)], buttons=[(7, 88, 107, 118)])
    skill = _choose("Enter 8/2/2010 as the date and hit submit.")
    click, typed = skill.act(_view(frame)), skill.act(_view(frame))
    assert click.x < 7 + 20 and typed == Type("08022010")


def test_login_fields_follow_their_labels_not_their_order():
    boxes = [(7, 78, 135, 99), (7, 130, 115, 151)]
    labels = (
        UIElement(1, (0, 112, 60, 126), "text", "Username", False, 0.9),
        UIElement(2, (0, 60, 60, 74), "text", "Password", False, 0.9),
    )
    view = _view(_page(fields=boxes), elements=labels)
    assert field_near_label(view, "Username", boxes) == boxes[1]
    assert field_near_label(view, "Password", boxes) == boxes[0]
    assert field_near_label(view, "Email", boxes) is None


def test_choose_list_focuses_types_the_option_and_closes_the_popup():
    frame = _page(fields=[(2, 57, 151, 75)], buttons=[(2, 81, 102, 111)])
    skill = _choose("Select Fionnula from the list and click Submit.")
    actions = [skill.act(_view(frame)) for _ in range(4)]
    assert actions[1:3] == [Type("Fionnula"), Key("enter")]
    assert isinstance(actions[3], Click) and actions[3].y > 81


def test_focus_skill_clicks_the_nth_field_from_the_top():
    frame = _page(fields=[(13, 71, 141, 92), (15, 118, 143, 139), (9, 161, 137, 182)])
    click = _choose("Focus into the 2nd input textbox.").act(_view(frame))
    assert 118 < click.y < 139


TASKS = [
    "enter-text",
    "enter-text-dynamic",
    "enter-password",
    "enter-date",
    "focus-text",
    "focus-text-2",
    "login-user",
    "use-autocomplete",
    "choose-list",
    "search-engine",
]


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_house_policy_solves_form_tasks_from_pixels(task, house_policy):
    wins = house_wins(house_policy, task, range(3000, 3004), max_steps=16)
    assert wins >= 3, f"{task}: {wins}/4"
