"""The canonical frame the house policy reads: dark pages flipped to light, JPEG fills made flat."""

from __future__ import annotations

import numpy as np

from envs.wrappers.frame_transforms import jpeg_frame, resize_frame
from perception.screen.polarity import invert_lightness
from policies.house.web.canon import canonical

BUTTON_GREY = 239  # a push button's fill on the plain theme


def page(background: int = 255, ink: int = 0) -> np.ndarray:
    """A 160x210 page: a grey button with a dark label, a line of text, a blue link."""
    f = np.full((210, 160, 3), background, np.uint8)
    f[40:96, 20:100] = BUTTON_GREY
    f[40, 20:100] = f[95, 20:100] = f[40:96, 20] = f[40:96, 99] = 118  # the button's frame
    for x in range(30, 90, 6):
        f[50:60, x : x + 3] = ink  # the label's glyphs
    for x in range(10, 150, 7):
        f[110:120, x : x + 4] = ink
    f[130:140, 10:60] = (0, 0, 238)
    return f


def test_a_plain_page_comes_back_unchanged() -> None:
    f = page()
    c = canonical(f)
    assert not c.inverted and not c.denoised
    assert np.array_equal(c.frame, f)
    assert c.text is None  # words are read on the frame itself


def test_a_resized_page_is_not_taken_for_a_lossy_one() -> None:
    f = resize_frame(page(), 120, 158)
    c = canonical(f)
    assert not c.inverted
    # in-between colours sit on edges only, so almost nothing is snapped
    assert (c.frame != f).any(axis=2).mean() < 0.01
    assert c.text is None  # and it is not taken for a lossy frame


def test_jpeg_noise_in_a_fill_is_snapped_back_and_text_stays() -> None:
    f = page()
    noisy = jpeg_frame(f, 30)
    assert (noisy[68:90, 26:94] != BUTTON_GREY).any()  # the fill came back speckled
    c = canonical(noisy)
    assert c.denoised
    fill = c.frame[68:90, 26:94].reshape(-1, 3).astype(int)
    level = np.median(fill, axis=0)
    assert np.abs(level - BUTTON_GREY).max() <= 6  # JPEG may shift a block's level a little
    assert (fill == level).all(axis=1).mean() > 0.9  # but the fill is flat again
    assert c.frame[50:60, 31].mean() < 100  # a glyph is still dark
    # its words are read on a denoised copy: the speckles beside the strokes are gone
    assert c.text is not None and c.text.shape == c.frame.shape
    beside = (slice(61, 66), slice(26, 94))  # a band under the label's glyphs
    assert (
        np.abs(c.text[beside].astype(int) - BUTTON_GREY).max()
        < np.abs(c.frame[beside].astype(int) - BUTTON_GREY).max()
    )


def test_a_dark_page_is_flipped_to_dark_ink_on_light_keeping_hue() -> None:
    dark = page(background=30, ink=230)
    dark[130:140, 10:60] = (138, 180, 248)  # the pale link blue of dark themes
    c = canonical(dark)
    assert c.inverted
    assert c.frame[5, 5].mean() > 200  # page light
    assert c.frame[110:120, 10:14].mean() < 60  # text dark
    r, g, b = c.frame[135, 30].astype(int)
    assert b > r + 60 and b > g + 60  # the link is still blue, now deep


def test_lightness_flip_is_its_own_inverse() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    assert np.array_equal(invert_lightness(invert_lightness(rgb)), rgb)


def test_a_light_window_on_an_empty_black_desktop_stays_as_it_is() -> None:
    desk = np.zeros((400, 600, 3), np.uint8)
    desk[50:260, 300:460] = page()  # most of the frame is black, the text sits on light grey
    c = canonical(desk)
    assert not c.inverted
    assert np.array_equal(c.frame, desk)
