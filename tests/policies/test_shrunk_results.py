"""Pages shown at x0.75 and read enlarged: bold links whose letters blur into their underline
are still links."""

from __future__ import annotations

import pytest

from envs.wrappers.frame_transforms import resize_frame, resized_size
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


@pytest.mark.slow
def test_search_results_are_counted_on_shrunk_pages(plan_policy):
    # dev seeds: 0/4 at x0.75 before underlines fused with bold letters were read
    assert house_wins(plan_policy, "search-engine", range(57000, 57004), variant="x0.75") >= 3
