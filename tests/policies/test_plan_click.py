"""The plan policy's click step on real MiniWoB pages, from pixels."""

from __future__ import annotations

from contracts.actions import Click
from tests.policies.house_episodes import house_wins


def test_a_short_word_the_parse_read_one_letter_off_is_found_by_reading_it_again(plan_policy):
    # dev seed 23007 (click-button): the button "yes" was parsed as "ves", and a short word
    # takes no near misses; read again on its own box it reads "yes"
    assert house_wins(plan_policy, "click-button", [23007], max_steps=6) == 1


PAGE = """<!doctype html><html><body style="margin: 0; font: 16px sans-serif">
<div style="position: fixed; top: 0; height: 70px; width: 100%; background: #ff0">Inbox</div>
<div style="padding-top: 76px">{rows}</div></body></html>"""


def test_a_row_cut_at_the_bottom_edge_is_not_scrolled_past_under_a_fixed_header(
    plan_policy, tmp_path
):
    from tests.policies.house_episodes import run_on_page

    # dev seed 23100 (email-inbox): the row "Drusi" showed its top half at the frame's
    # bottom; three notches at once carried it under the fixed banner at the top
    names = ["Zelma", "Clary", "Rebeca", "Pegeen", "Drusi", "Willie", "Norene", "Jemima"] * 2
    rows = "".join(
        f'<div style="height: 60px" onclick="this.style.background=&quot;#08f&quot;">{n}</div>'
        for n in names
    )
    actions, info = run_on_page(
        plan_policy, tmp_path / "list.html", PAGE.format(rows=rows), "click Drusi", max_steps=8
    )
    clicks = [a for a in actions if isinstance(a, Click)]
    assert len(clicks) == 1 and 100 <= clicks[0].y <= 180, actions  # after two notches


def test_a_quoted_word_keeps_its_case_inside_a_line_of_text():
    from policies.house.web.plan_click import says_exactly

    assert says_exactly("sit lectus nibh", "sit")
    assert not says_exactly("Sit", "sit")
    assert not says_exactly("situs lectus", "sit")
    assert says_exactly("Sit", "Sit") and says_exactly("amet, sit.", "sit")


def test_the_link_reading_the_quoted_word_in_its_case_wins_over_a_capitalised_one(plan_policy):
    # dev seed 44005 (click-tab-2): the second tab shows the links "sit" (starting a line of
    # text) and "Sit" (alone); "sit" was asked and "Sit", matched as the same text, was clicked
    assert house_wins(plan_policy, "click-tab-2", [44005], max_steps=12) == 1
