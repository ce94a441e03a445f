"""Choosing options by meaning: the words asked for, one option per word, and a real episode."""

from __future__ import annotations

import numpy as np
import pytest

from perception.instructions import parse_instruction
from policies.house.web.similar_words import pair_up
from tests.policies.house_episodes import house_wins


@pytest.mark.parametrize(
    ("instruction", "words"),
    [
        ("Select words similar to laughable, pork and click Submit.", ["laughable", "pork"]),
        (
            "Select words similar to genuine, despise, savory and click Submit.",
            ["genuine", "despise", "savory"],
        ),  # fmt: skip
        ("Tick the options close in meaning to happy or sad.", ["happy", "sad"]),
        ("Check the synonyms of big, then press OK.", ["big"]),
        ("Choose the words related to cold and wet, then hit Submit.", ["cold", "wet"]),
        ('Pick options equivalent to "fast", "rapid" and press Submit.', ["fast", "rapid"]),
        ("Mark every word that is alike in meaning to angry and click Done.", ["angry"]),
        ("Select words similar to nothing and click Submit.", []),
        ("Select the word big and click Submit.", []),
    ],
)
def test_the_words_options_must_resemble_come_from_the_instruction(instruction, words):
    steps = parse_instruction(instruction).steps
    assert [s.target.text for s in steps if s.manner == "similar" and s.target] == words


def test_each_word_gets_its_own_option_best_pairs_first():
    scores = np.array([[0.9, 0.8, 0.1], [0.85, 0.2, 0.3]])  # both like option 0 best
    assert pair_up(scores) == [(0, 1), (1, 0)]  # 1.65 in all, not 0.9 + 0.3
    assert pair_up(np.array([[0.2, 0.9], [0.8, 0.1]])) == [(0, 1), (1, 0)]


@pytest.mark.slow
def test_plan_policy_ticks_the_synonyms_and_nothing_else(plan_policy):
    assert house_wins(plan_policy, "click-checkboxes-soft", [13001]) == 1
