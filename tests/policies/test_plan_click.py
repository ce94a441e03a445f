"""The plan policy's click step on real MiniWoB pages, from pixels."""

from __future__ import annotations

from tests.policies.house_episodes import house_wins


def test_a_short_word_the_parse_read_one_letter_off_is_found_by_reading_it_again(plan_policy):
    # dev seed 23007 (click-button): the button "yes" was parsed as "ves", and a short word
    # takes no near misses; read again on its own box it reads "yes"
    assert house_wins(plan_policy, "click-button", [23007], max_steps=6) == 1
