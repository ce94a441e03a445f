"""Link underlines on real MiniWoB frames shown resized: read at the canonical text size
(`canon.canonical(zoom=None)`), a link keeps its underline whatever scale the page came at."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from envs.wrappers.frame_transforms import resize_frame, resized_size
from policies.house.web.canon import canonical
from policies.house.web.pixels import underlined_words
from policies.house.web.plan_targets import split_pager

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("factor", [1.0, 0.75, 1.5])
def test_a_link_over_a_line_starting_with_an_ascender_keeps_its_underline(factor):
    # an opened section (click-collapsible-2 dev seed 40001): the link on the section's first
    # line sits over a word starting with a tall letter; resized and read back at the
    # canonical size, blur joined that letter's stem to the underline's end and the line
    # was taken for a box's edge
    frame = np.asarray(Image.open(DATA / "open_section_links.png"))[..., :3]
    w, h = resized_size(frame.shape[1], frame.shape[0], factor)
    canon = canonical(resize_frame(frame, w, h), zoom=None)
    sx = frame.shape[1] / canon.frame.shape[1]
    sy = frame.shape[0] / canon.frame.shape[0]
    links = [
        (b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy) for b in underlined_words(canon.frame, 30)
    ]
    assert any(
        abs(x0 - 7) <= 3 and abs(x1 - 42) <= 3 and 92 <= y0 <= 100 for x0, y0, x1, _ in links
    )


def test_links_that_all_sit_in_one_short_row_are_no_pager():
    # only a pager's "1 2 >" found (the results' underlines missed): there is nothing to page
    # past, and no empty page of results to count the n-th result on
    row = [(60, 190, 66, 200), (72, 190, 78, 200), (84, 190, 92, 200)]
    assert split_pager(row) == (row, [])
    results = [(5, 80, 40, 88), (5, 110, 44, 118)]
    assert split_pager(results + row) == (results, row)


def test_tabs_the_detector_merged_on_a_small_frame_are_cut_at_their_faint_borders(plan_policy):
    # click-tab dev seed 40000 shown at x0.75: the three tabs came out as one link box
    # ('ab#ITaD#Tab#3'), no strip of tabs was found and 'Tab #1' was clicked at the box's
    # middle (Tab #2); the border between two light tabs, blurred, steps only ~30 grey levels
    frame = np.asarray(Image.open(DATA / "merged_tabs_small.png"))[..., :3]
    plan_policy.reset("Click on Tab #1.")
    action = plan_policy.act({"screen": frame, "instruction": "Click on Tab #1."})
    assert 3 <= action.x <= 34 and 40 <= action.y <= 62, action


@pytest.mark.parametrize("factor", [1.0, 0.75, 1.5])
def test_a_closed_branch_s_plus_is_found_when_blur_joins_it_to_its_frame(factor):
    # navigate-tree dev seed 40000: the tree's one closed folder; at x0.75, read enlarged, the
    # "+" touches its square frame, the two are one mark and the branch was never opened
    from policies.house.web.marks import expand_boxes

    frame = np.asarray(Image.open(DATA / "closed_tree.png"))[..., :3]
    w, h = resized_size(frame.shape[1], frame.shape[0], factor)
    canon = canonical(resize_frame(frame, w, h), zoom=None)
    s = frame.shape[1] / canon.frame.shape[1]
    boxes = expand_boxes(canon.frame, 40)
    assert len(boxes) == 1, boxes
    x0, y0, x1, y1 = (v * s for v in boxes[0])
    assert 4 <= (x0 + x1) / 2 <= 14 and 54 <= (y0 + y1) / 2 <= 64, boxes


def test_a_text_area_whose_box_stops_short_of_its_right_side_is_still_multiline():
    # click-widget dev seed 40000 at x0.75, read enlarged: the parse's box of the first text
    # area ends before its right border, so the stem of its first letter ('j1tR') was taken
    # for the frame's last column and the area for a one-line field ("a text widget")
    from policies.house.web.marks import multiline

    frame = np.asarray(Image.open(DATA / "small_fields.png"))[..., :3]
    canon = canonical(frame, zoom=None)
    boxes = {"j1tR": (2, 54, 120, 80), "xWQ": (1, 85, 125, 107), "dDxT": (1, 110, 122, 136)}
    assert [multiline(canon.frame, b) for b in boxes.values()] == [True, False, True]


def test_a_link_whose_box_starts_inside_its_word_on_a_small_frame_is_read_whole(plan_policy):
    # click-link dev seed 58003 shown at x0.75: two links side by side, read enlarged; the
    # detector's box of the second started past its capital ('auns'), and no underline was
    # found under it, so the link named in quotes was never clicked
    x, y = _click_shrunk(plan_policy, "two_links_side_by_side.png", 'Click on the link "Mauris".')
    assert 92 <= x <= 126 and 50 <= y <= 64


def test_a_short_link_inside_a_sentence_on_a_small_frame_is_read_as_its_lines_word(plan_policy):
    # click-link dev seed 58002 shown at x0.75: a three-letter link inside a sentence is read
    # only with its line (alone OCR reads nothing; the line reads it one letter off) and had
    # no element of its own, so the link named in quotes was never clicked
    x, y = _click_shrunk(plan_policy, "short_link_in_sentence.png", 'Click on the link "dis".')
    assert 88 <= x <= 108 and 84 <= y <= 98


def _click_shrunk(plan_policy, name: str, task: str) -> tuple[float, float]:
    """Where the policy clicks for `task` on the saved frame `name` shown at x0.75, in the
    frame's own pixels (it may wait a few steps for the page to settle)."""
    frame = np.asarray(Image.open(DATA / name))[..., :3]
    w, h = resized_size(frame.shape[1], frame.shape[0], 0.75)
    small = resize_frame(frame, w, h)
    plan_policy.reset(task)
    action = plan_policy.act({"screen": small, "instruction": task}, {"error": None})
    for _ in range(3):
        if hasattr(action, "x"):
            break
        action = plan_policy.act({"screen": small, "instruction": task}, {"error": None})
    assert hasattr(action, "x"), action
    return action.x * frame.shape[1] / w, action.y * frame.shape[0] / h
