"""The pyte screen drawn on a fixed cell grid: shape, pixel <-> cell mapping, glyphs, colours."""

from __future__ import annotations

import logging

import numpy as np
import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.terminal.render import DEFAULT_BG, DEFAULT_FG, NAMED_COLOURS, ScreenRenderer

COLS, ROWS = 80, 24


@pytest.fixture(scope="module")
def renderer() -> ScreenRenderer:
    return ScreenRenderer(COLS, ROWS)


def screen_with(data: str, cols: int = COLS, rows: int = ROWS) -> pyte.Screen:
    screen = pyte.Screen(cols, rows)
    pyte.Stream(screen).feed(data)
    return screen


def crop(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return img[y0:y1, x0:x1]


def test_image_is_the_cell_grid_in_pixels(renderer: ScreenRenderer) -> None:
    img = renderer.render(screen_with("hello"))
    assert img.dtype == np.uint8
    assert img.shape == (ROWS * renderer.cell_h, COLS * renderer.cell_w, 3)
    assert (renderer.width, renderer.height) == (img.shape[1], img.shape[0])
    assert 6 <= renderer.cell_w < renderer.cell_h <= 30


GRID = ScreenRenderer(COLS, ROWS)


@settings(deadline=None)  # pure arithmetic, but a loaded CI machine can stall any example
@given(st.integers(0, COLS - 1), st.integers(0, ROWS - 1), st.data())
def test_every_pixel_of_a_cell_box_maps_back_to_that_cell(col: int, row: int, data) -> None:
    r = GRID
    x0, y0, x1, y1 = r.cell_box(col, row)
    assert (x1 - x0, y1 - y0) == (r.cell_w, r.cell_h)
    x = data.draw(st.integers(x0, x1 - 1))
    y = data.draw(st.integers(y0, y1 - 1))
    assert r.cell_at(x, y) == (col, row)
    assert r.cell_at(*r.cell_center(col, row)) == (col, row)


def test_outside_pixels_and_cells_are_refused(renderer: ScreenRenderer) -> None:
    with pytest.raises(ValueError, match="outside"):
        renderer.cell_at(renderer.width, 0)
    with pytest.raises(ValueError, match="outside"):
        renderer.cell_box(0, ROWS)


def test_text_drawn_at_a_cell_appears_only_in_its_box(renderer: ScreenRenderer) -> None:
    col, row = 10, 5
    # Move the cursor to (row 6, col 11), 1-based, write X, then park the cursor far away.
    img = renderer.render(screen_with(f"\x1b[{row + 1};{col + 1}HX\x1b[24;80H"), cursor=False)
    box = renderer.cell_box(col, row)
    ink = np.argwhere(img.max(axis=2) > 0)
    assert len(ink) > 10
    (ys, xs) = ink[:, 0], ink[:, 1]
    assert box[0] <= xs.min() and xs.max() < box[2]
    assert box[1] <= ys.min() and ys.max() < box[3]
    # The same glyph drawn elsewhere is pixel-identical: the grid has no per-cell offsets.
    other = renderer.render(screen_with("\x1b[1;1HX\x1b[24;80H"), cursor=False)
    np.testing.assert_array_equal(crop(img, box), crop(other, renderer.cell_box(0, 0)))


def test_colours_follow_sgr_codes(renderer: ScreenRenderer) -> None:
    img = renderer.render(
        screen_with("\x1b[31mR\x1b[0m\x1b[44m \x1b[0m\x1b[38;5;46mG"), cursor=False
    )
    red_cell = crop(img, renderer.cell_box(0, 0)).reshape(-1, 3)
    blue_bg = crop(img, renderer.cell_box(1, 0)).reshape(-1, 3)
    green_cell = crop(img, renderer.cell_box(2, 0)).reshape(-1, 3)
    assert tuple(red_cell[red_cell.sum(axis=1).argmax()]) == NAMED_COLOURS["red"]
    assert (blue_bg == NAMED_COLOURS["blue"]).all()
    assert tuple(green_cell[green_cell.sum(axis=1).argmax()]) == (0, 0xFF, 0)
    # Untouched cells keep the default background.
    assert (crop(img, renderer.cell_box(5, 5)) == DEFAULT_BG).all()


def test_reverse_video_swaps_colours(renderer: ScreenRenderer) -> None:
    img = renderer.render(screen_with("\x1b[7m \x1b[0m"), cursor=False)
    assert (crop(img, renderer.cell_box(0, 0)) == DEFAULT_FG).all()


def test_cursor_is_a_block_unless_hidden(renderer: ScreenRenderer) -> None:
    shown = renderer.render(screen_with("ab"))
    assert (crop(shown, renderer.cell_box(2, 0)) == DEFAULT_FG).all()
    hidden = renderer.render(screen_with("ab\x1b[?25l"))
    assert (crop(hidden, renderer.cell_box(2, 0)) == DEFAULT_BG).all()


def test_double_width_character_spans_two_cells(renderer: ScreenRenderer) -> None:
    img = renderer.render(screen_with("日x"), cursor=False)
    assert crop(img, renderer.cell_box(0, 0)).any()
    assert crop(img, renderer.cell_box(2, 0)).any()  # "x" lands after both halves


def test_cjk_characters_are_drawn_not_shown_as_boxes(renderer: ScreenRenderer) -> None:
    assert renderer.fallback is not None, "fonts-wqy-microhei is installed by scripts/setup.sh"
    img = renderer.render(screen_with("中文日本"), cursor=False)
    halves = [crop(img, renderer.cell_box(c, 0)) for c in range(0, 8, 2)]
    # four different characters give four different pictures (DejaVu alone drew four equal boxes)
    assert len({h.tobytes() for h in halves}) == 4 and all(h.any() for h in halves)


def test_repeated_render_is_identical_and_a_fresh_array(renderer: ScreenRenderer) -> None:
    screen = screen_with("\x1b[1mbold\x1b[0m \x1b[4munder\x1b[0m plain")
    a, b = renderer.render(screen), renderer.render(screen)
    np.testing.assert_array_equal(a, b)
    assert a is not b and not np.shares_memory(a, b)
    plain = renderer.render(screen_with("bold  under  plain"))
    assert not np.array_equal(a, plain)  # bold and underline change pixels


def test_missing_font_falls_back_with_a_warning(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="envs.terminal.render"):
        r = ScreenRenderer(20, 4, font_dir=tmp_path)
    assert "falling back" in caplog.text
    img = r.render(screen_with("hi", 20, 4))
    assert img.shape == (4 * r.cell_h, 20 * r.cell_w, 3)
    assert crop(img, r.cell_box(0, 0)).any()
