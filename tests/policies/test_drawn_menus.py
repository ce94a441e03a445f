"""Drawn menus: labels drawn inside a filled shape are read from their strokes, and a pie menu
opens on its one drawn control."""

from __future__ import annotations

import numpy as np
import pytest

from policies.house.web.drawn_menus import labels_inside
from tests.policies.house_episodes import house_wins


def test_labels_drawn_inside_a_filled_disc_are_read_where_they_are(plan_policy):
    import cv2

    frame = np.full((210, 160, 3), 255, np.uint8)
    cv2.circle(frame, (80, 130), 70, (227, 76, 38), -1)
    for text, (x, y) in (("Z", (40, 100)), ("h", (110, 150))):
        cv2.putText(frame, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (90, 30, 15), 1)
    found = dict(labels_inside(frame, (10, 60, 150, 200), plan_policy.parser.reader))
    assert set(found) == {"Z", "h"}
    zx, zy = found["Z"]
    assert 38 <= zx <= 58 and 82 <= zy <= 102


@pytest.mark.slow
def test_plan_policy_opens_a_pie_menu_and_clicks_a_slice_label(plan_policy):
    assert house_wins(plan_policy, "click-pie-nodelay", [14001]) == 1
