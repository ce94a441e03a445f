"""The outline finder: drawn fields and check boxes, not buttons, cards or lone icons."""

from __future__ import annotations

import numpy as np

from perception.screen.drawn_controls import find_drawn_controls, with_drawn_controls


def _page(bg: int = 248) -> np.ndarray:
    return np.full((200, 400, 3), bg, np.uint8)


def _outline(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: int) -> None:
    img[y0, x0:x1] = img[y1 - 1, x0:x1] = colour
    img[y0:y1, x0] = img[y0:y1, x1 - 1] = colour


def _words(img: np.ndarray, x: int, y: int, n: int, colour: int = 30) -> None:
    """n letter-like strokes, 2 px wide and 4 px apart, 10 px tall."""
    for i in range(n):
        img[y : y + 10, x + 4 * i : x + 4 * i + 2] = colour


def test_a_faint_field_outline_with_a_placeholder_is_a_field():
    img = _page()
    _outline(img, 20, 20, 300, 58, 222)  # bootstrap's #dee2e6 on a #f8f9fa page
    img[21:57, 21:299] = 255
    _words(img, 32, 34, 8, 120)
    found = find_drawn_controls(img)
    assert [(c.kind, c.box) for c in found] == [("text_input", (20, 20, 300, 58))]


def test_a_button_with_centred_words_or_a_coloured_fill_is_not_a_field():
    img = _page()
    _outline(img, 20, 20, 300, 58, 90)
    _words(img, 140, 34, 6)  # words in the middle
    img[100:140, 20:300] = (13, 110, 253)  # a blue filled button
    _words(img, 40, 114, 6, 255)
    assert find_drawn_controls(img) == []


def test_a_check_box_needs_words_beside_it():
    img = _page(255)
    _outline(img, 20, 20, 36, 36, 120)
    _words(img, 44, 23, 10)
    _outline(img, 20, 100, 36, 116, 120)  # the same square alone: an icon's frame, not a box
    found = find_drawn_controls(img)
    assert [(c.kind, c.box) for c in found] == [("checkbox", (20, 20, 36, 36))]


def test_pieces_of_a_drawn_field_become_the_field_and_missed_fields_are_added():
    from perception.screen.detector import Detection

    img = _page()
    for y in (20, 80):
        _outline(img, 20, y, 300, y + 38, 200)
        _words(img, 32, y + 14, 5, 120)
    dets = [
        Detection((20, 20, 120, 58), "button", 0.9),  # the detector split the first field
        Detection((120, 21, 300, 57), "tab", 0.8),
        Detection((30, 90, 60, 104), "text", 0.9),  # the second field's placeholder
    ]
    out = with_drawn_controls(img, dets)
    assert sorted((d.kind, d.box) for d in out) == [
        ("text", (30, 90, 60, 104)),
        ("text_input", (20, 20, 300, 58)),
        ("text_input", (20, 80, 300, 118)),
    ]


def _pill(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: int) -> None:
    """A field with half-circle ends (a search box), anti-aliased as a browser draws it."""
    import cv2

    r = (y1 - y0) // 2
    cv2.rectangle(img, (x0 + r, y0), (x1 - r, y1), (255, 255, 255), -1)
    for cx, start in ((x0 + r, 90), (x1 - r, -90)):
        cv2.circle(img, (cx, y0 + r), r, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.ellipse(img, (cx, y0 + r), (r, r), 0, start, start + 180, (colour,) * 3, 1, cv2.LINE_AA)
    cv2.line(img, (x0 + r, y0), (x1 - r, y0), (colour,) * 3, 1)
    cv2.line(img, (x0 + r, y1), (x1 - r, y1), (colour,) * 3, 1)


def test_a_pill_shaped_search_box_is_a_drawn_field():
    from perception.screen.step_grounding import drawn_box

    img = _page(255)
    _pill(img, 20, 60, 380, 122, 200)
    _words(img, 60, 86, 6, 110)  # the placeholder after a magnifier's place
    found = [c for c in find_drawn_controls(img) if c.kind == "text_input"]
    assert len(found) == 1 and abs(found[0].box[0] - 20) <= 2 and abs(found[0].box[3] - 122) <= 2
    assert drawn_box(img, found[0].box)
    gap = _page(255)  # two stacked fields: the gap between them has their lines, no side
    _outline(gap, 20, 20, 380, 60, 120)
    _outline(gap, 20, 70, 380, 110, 120)
    assert not drawn_box(gap, (40, 58, 360, 72))
