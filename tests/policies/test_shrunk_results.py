"""Pages shown at x0.75 and read enlarged: bold links whose letters blur into their underline
are still links, and a misread item of a merged menu line is pointed at on its own letters."""

from __future__ import annotations

import pytest

from envs.wrappers.frame_transforms import resize_frame, resized_size
from perception.screen.parser import UIElement
from perception.screen.text_match import point_in
from policies.house.web.canon import canonical
from policies.house.web.pixels import underlined_words
from policies.house.web.plan_targets import split_pager
from tests.policies.house_episodes import data_frame, house_wins


def test_results_and_pager_of_a_shrunk_results_page_are_found_under_blurred_letters():
    # the results page of test_plan_links shown at x0.75, as the robustness bench does, then
    # enlarged back: the pager's underlines fuse with its digits' feet, the results' with
    # their bold letters; read before, no pager was found and one result of three
    frame = data_frame("results_descender.png")
    small = resize_frame(frame, *resized_size(frame.shape[1], frame.shape[0], 0.75))
    canon = canonical(small, zoom=None)
    assert canon.zoom > 1.2
    results, pager = split_pager(underlined_words(canon.frame, round(50 * 0.75 * canon.zoom)))
    assert len(pager) == 3  # "2 3 >"
    assert len(results) >= 2
    # glyph feet fused by blur along the results' green address lines are no links
    assert all(b[2] - b[0] < 0.6 * canon.frame.shape[1] for b in results)


def test_a_misread_word_of_a_merged_menu_line_is_pointed_at_on_its_letters():
    # an opened submenu read into its parent's row: "Meryl >Rhianns" for "Meryl > Rhianna"
    row = UIElement(3, (4, 50, 96, 70), "tab", "Meryl >Rhianns", True, 0.9)
    x, _ = point_in(row, "Rhianna")
    assert x > 50  # on the submenu's word, not between the two
    assert point_in(row, "Zebulon") == row.center  # nothing alike: the middle, as before


@pytest.mark.slow
def test_search_results_are_counted_on_shrunk_pages(plan_policy):
    # dev seeds: 0/4 at x0.75 before underlines fused with bold letters were read
    assert house_wins(plan_policy, "search-engine", range(57000, 57004), variant="x0.75") >= 3


@pytest.mark.slow
def test_a_submenu_read_into_its_parent_row_is_opened_on_a_shrunk_page(plan_policy):
    # dev seed 57004: "Rhianna" read "Rhianns" in one line with "Meryl >"; the pointer was
    # put between the two and the last menu never opened
    assert house_wins(plan_policy, "click-menu", [57004], variant="x0.75") == 1


@pytest.mark.slow
def test_a_submenu_item_taken_for_an_icon_is_read_as_a_line_on_a_shrunk_page(plan_policy):
    # dev seed 57011: "Christal" with its arrow, 36 px wide, was an icon without text; the
    # panel reader skipped boxes under 40 px and the submenu's item was never found
    assert house_wins(plan_policy, "click-menu", [57011], variant="x0.75") == 1
