"""Finding a spot by hot/cold feedback: the scale's words, and the probe sequence against a
simulated page that answers by distance."""

from __future__ import annotations

import math
import random

import pytest

from policies.house.web.hover_search import MAX_PROBES, next_probe, rung


@pytest.mark.parametrize(
    ("text", "level"),
    [("HOT", 4), ("ICE COLD", 0), ("COLD", 1), ("warm", 3), ("It is cool here", 2)],
)
def test_the_longest_scale_phrase_sets_the_rung(text, level):
    assert rung(text) == level


def test_words_off_the_scale_have_no_rung():
    assert rung("Find and click on the area.") is None


def _feedback(d: float) -> int:
    return 4 if d < 5 else 3 if d < 10 else 1 if d < 40 else 0


def test_probes_close_in_on_the_hot_spot_of_a_simulated_page():
    area = (2, 52, 158, 178)
    rng = random.Random(0)
    hot = 0
    for _ in range(20):
        goal = (rng.randint(7, 153), rng.randint(57, 173))
        probes = []
        for _ in range(MAX_PROBES):
            p = next_probe(area, probes)
            level = _feedback(math.dist(p, goal))
            probes.append((p, level))
            if level == 4:
                break
        assert max(level for _, level in probes) >= 1  # always at least "cold"
        hot += probes[-1][1] == 4
    assert hot >= 10  # ordinal feedback: a wide "cold" ring tells little; 13 of 20 today
