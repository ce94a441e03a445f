"""Dark pages flipped to light on real rendered frames: faint dark icons stay visible."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from perception.screen.icons import default_classifier, find_glyphs
from perception.screen.polarity import dark_ink, flip_dark_page, invert_lightness, light_controls

ICONS = Path(__file__).parent / "data" / "icons"
BACK = (30, 31, 34)  # the dark page's background


def _star(ink: str, size: int) -> str:
    """The star as an <img> drawn in `ink` (a CSS colour, translucent allowed)."""
    svg = (ICONS / "star.svg").read_text().replace("currentColor", ink)
    data = base64.b64encode(svg.encode()).decode()
    return f'<img src="data:image/svg+xml;base64,{data}" width="{size}" height="{size}">'


# A dark page as a dark theme draws one: light text on a near-black page, and an outline star
# made for light pages (translucent dark ink), which lands a few grey levels below the page.
PAGE = f"""<html><body style="margin:0;background:rgb{BACK};color:#e6e6e6;
font:13px sans-serif"><div style="position:absolute;left:10px;top:10px">Mark the message</div>
<div style="position:absolute;left:120px;top:40px">{_star("rgba(0,0,0,0.35)", 16)}</div>
<div style="position:absolute;left:10px;top:70px">Lorem ipsum dolor sit amet.</div>
</body></html>"""
STAR = (118, 38, 138, 58)  # the star's box with a margin


@pytest.fixture(scope="module")
def frame(browser_pool) -> np.ndarray:
    """The page rendered by Chromium at 200x100."""
    handle = browser_pool.new_page(200, 100)
    try:
        handle.page.set_content(PAGE)
        handle.page.wait_for_function("() => [...document.images].every((i) => i.complete)")
        return np.ascontiguousarray(handle.screenshot()[..., :3])
    finally:
        handle.close()


def _contrast(rgb: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """Grey levels between the box's background and its darkest pixel."""
    x0, y0, x1, y1 = box
    grey = rgb[y0:y1, x0:x1].mean(axis=2)
    return int(np.median(grey) - grey.min())


def test_dark_ink_on_a_dark_page_is_drawn_dark_on_the_flipped_page(frame) -> None:
    x0, y0, x1, y1 = STAR
    assert frame[y0:y1, x0:x1].mean(axis=2).min() < sum(BACK) / 3 - 5  # the ink is below
    assert _contrast(invert_lightness(frame), STAR) < 20  # a plain flip all but loses it
    flipped = flip_dark_page(frame)
    assert flipped[5, 5].mean() > 200  # the page is light
    assert _contrast(flipped, STAR) >= 60
    assert flipped[10:25, 10:100].mean(axis=2).min() < 80  # the light text turned dark


def test_the_flipped_page_is_white_with_near_black_text(frame) -> None:
    """The levels a light page has, which the detector and the finders know."""
    flipped = flip_dark_page(frame)
    assert flipped[5, 5].min() >= 250
    assert flipped[10:25, 10:100].mean(axis=2).min() < 40


def test_the_star_is_found_and_read_on_the_flipped_page(frame) -> None:
    flipped = flip_dark_page(frame)
    boxes = [b for b in find_glyphs(flipped) if b[0] >= STAR[0] - 4 and b[2] <= STAR[2] + 4]
    assert boxes, find_glyphs(flipped)
    glyphs = default_classifier().classify(flipped, boxes)
    assert max(g.probs["star"] for g in glyphs) > 0.5, [g.probs for g in glyphs]


def test_text_fills_and_borders_carry_no_dark_ink(frame) -> None:
    """Only pixels below a background grey count: mixed windows over text lines do not."""
    mask, _ = dark_ink(frame)
    outside = mask.copy()
    x0, y0, x1, y1 = STAR
    outside[y0:y1, x0:x1] = False
    assert not outside.any(), np.argwhere(outside)[:5]


def test_a_thin_strip_of_the_page_between_two_lighter_fills_is_no_ink() -> None:
    """A 5-pixel gap of page between a banner and a field has their grey as its median."""
    page = np.full((90, 120, 3), BACK, np.uint8)
    page[:40, :] = (43, 45, 49)  # a banner
    page[45:, 5:115] = (47, 49, 54)  # a field below it
    mask, _ = dark_ink(page)
    assert not mask.any(), np.argwhere(mask)[:5]


def test_a_light_page_has_no_dark_ink() -> None:
    light = np.full((60, 80, 3), 255, np.uint8)
    light[20:30, 10:70] = 40  # a dark bar, as text or a button would be
    mask, _ = dark_ink(light)
    assert not mask.any()


def test_lightness_flip_keeps_hue_and_is_its_own_inverse() -> None:
    rng = np.random.default_rng(13000)
    rgb = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    assert np.array_equal(invert_lightness(invert_lightness(rgb)), rgb)
    blue = np.array([[[138, 180, 248]]], np.uint8)  # a pale link blue turns deep
    r, g, b = invert_lightness(blue)[0, 0].astype(int)
    assert b > r + 60 and b > g + 60


# A dark scheme that styles text and fields but not the browser's own check boxes and radio
# buttons: Chromium draws them white with a grey rim, or blue once checked.
CONTROLS = f"""<html><body style="margin:0;background:rgb{BACK};color:#e6e6e6;
font:13px sans-serif"><div style="position:absolute;left:10px;top:10px">
<label><input type="checkbox" id="a">Alpha</label><br>
<label><input type="checkbox" id="b" checked>Beta</label><br>
<label><input type="radio" id="c" name="r">Gamma</label></div></body></html>"""


def test_unstyled_check_boxes_stay_light_on_the_flipped_page(browser_pool) -> None:
    handle = browser_pool.new_page(200, 100)
    try:
        handle.page.set_content(CONTROLS)
        raw = np.ascontiguousarray(handle.screenshot()[..., :3])
        boxes = handle.page.evaluate(
            """() => ['a', 'b', 'c'].map((id) => {
                const r = document.getElementById(id).getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom].map(Math.round); })"""
        )
    finally:
        handle.close()
    found = light_controls(raw)
    centres = [((x0 + x1) // 2, (y0 + y1) // 2) for x0, y0, x1, y1 in found]

    def inside(box: list[int]) -> bool:
        return any(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in centres)

    blank_box, checked_box, radio = boxes
    assert inside(blank_box) and inside(radio) and not inside(checked_box), (found, boxes)
    flipped = flip_dark_page(raw)
    for x0, y0, x1, y1 in (blank_box, radio):
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        assert flipped[cy, cx].mean() >= 235  # the blank face is still white, not black
        assert flipped[y0 : y1 + 1, x0 : x1 + 1].mean(axis=2).min() < 170  # its rim shows
    assert flipped[5, 150].mean() > 200  # and the page around is light
