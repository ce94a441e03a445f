"""Draw a pyte screen (colours, bold, underline, cursor) as an RGB image on a fixed cell grid.

Every cell is `cell_w` x `cell_h` pixels with no border, so pixel (x, y) lies in cell
(x // cell_w, y // cell_h): a pixel policy's click or a grounding box maps to a cell exactly.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    (False, False): "DejaVuSansMono.ttf",
    (True, False): "DejaVuSansMono-Bold.ttf",
    (False, True): "DejaVuSansMono-Oblique.ttf",
    (True, True): "DejaVuSansMono-BoldOblique.ttf",
}
# Fonts for what DejaVu lacks (CJK): (path, face index); the first one installed is used.
# Debian's fonts-wqy-microhei is installed by scripts/setup.sh.
FALLBACK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),  # WenQuanYi Micro Hei Mono
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
)
_NO_GLYPH = "\U0010fffd"  # a private-use code point no font draws: its mask is the "tofu" box
DEFAULT_FG = (229, 229, 229)
DEFAULT_BG = (0, 0, 0)

# xterm's 16 colours, named as pyte names them ("brown" is ANSI yellow; pyte misspells one).
_PALETTE16 = [
    (0x00, 0x00, 0x00),
    (0xCD, 0x00, 0x00),
    (0x00, 0xCD, 0x00),
    (0xCD, 0xCD, 0x00),
    (0x00, 0x00, 0xEE),
    (0xCD, 0x00, 0xCD),
    (0x00, 0xCD, 0xCD),
    (0xE5, 0xE5, 0xE5),
    (0x7F, 0x7F, 0x7F),
    (0xFF, 0x00, 0x00),
    (0x00, 0xFF, 0x00),
    (0xFF, 0xFF, 0x00),
    (0x5C, 0x5C, 0xFF),
    (0xFF, 0x00, 0xFF),
    (0x00, 0xFF, 0xFF),
    (0xFF, 0xFF, 0xFF),
]
_NAMES = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")
NAMED_COLOURS = {n: _PALETTE16[i] for i, n in enumerate(_NAMES)}
NAMED_COLOURS.update({f"bright{n}": _PALETTE16[8 + i] for i, n in enumerate(_NAMES)})
NAMED_COLOURS.update({"yellow": _PALETTE16[3], "brightyellow": _PALETTE16[11]})
NAMED_COLOURS["bfightmagenta"] = NAMED_COLOURS["brightmagenta"]
_ROW_CACHE = 2048  # row images kept (~15 KB each at 80 cols); the cache is emptied when full


def _wcwidth(ch: str) -> int:
    from pyte.screens import wcwidth

    return wcwidth(ch)


class ScreenRenderer:
    """Renders pyte screens of `cols` x `rows` cells; glyph masks are cached across calls."""

    def __init__(
        self,
        cols: int = 80,
        rows: int = 24,
        font_size: int = 14,
        font_dir: str | Path = FONT_DIR,
        fg: tuple[int, int, int] = DEFAULT_FG,
        bg: tuple[int, int, int] = DEFAULT_BG,
    ) -> None:
        from PIL import ImageFont

        self.cols, self.rows = int(cols), int(rows)
        self.fg, self.bg = tuple(fg), tuple(bg)
        self.fonts: dict[tuple[bool, bool], Any] = {}
        regular = Path(font_dir) / FONT_FILES[(False, False)]
        if regular.exists():
            for style, name in FONT_FILES.items():
                path = Path(font_dir) / name
                self.fonts[style] = ImageFont.truetype(
                    str(path if path.exists() else regular), font_size
                )
        else:
            logger.warning(
                "monospace font %s not found; falling back to PIL's default font "
                "(install Debian's fonts-dejavu-core for a real terminal look)",
                regular,
            )
            self.fonts = {style: ImageFont.load_default(font_size) for style in FONT_FILES}
        self.fallback = next(
            (
                ImageFont.truetype(p, font_size, index=i)
                for p, i in FALLBACK_FONTS
                if Path(p).exists()
            ),
            None,
        )
        self._has_glyph: dict[str, bool] = {}
        font = self.fonts[(False, False)]
        self._tofu = bytes(font.getmask(_NO_GLYPH))
        ascent, descent = font.getmetrics()
        self.cell_w = max(1, round(font.getlength("M")))
        self.cell_h = ascent + descent
        self.width, self.height = self.cols * self.cell_w, self.rows * self.cell_h
        # Atlas of glyph coverage masks (uint16 0-255), index 0 = blank cell.
        self._atlas = np.zeros((1, self.cell_h, self.cell_w), np.uint16)
        self._pending: list[np.ndarray] = []
        self._glyph_index: dict[tuple[str, bool, bool, bool, int], int] = {}
        self._colours: dict[str, tuple[int, int, int]] = {}
        self._rows: dict[tuple, np.ndarray] = {}

    # ---- pixel <-> cell ---------------------------------------------------------------------

    def cell_at(self, x: int, y: int) -> tuple[int, int]:
        """The (col, row) cell holding pixel (x, y); ValueError outside the image."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ValueError(f"pixel ({x}, {y}) is outside the {self.width}x{self.height} image")
        return int(x) // self.cell_w, int(y) // self.cell_h

    def cell_box(self, col: int, row: int) -> tuple[int, int, int, int]:
        """Pixel box (x0, y0, x1, y1), end-exclusive, of cell (col, row); ValueError off-grid."""
        if not (0 <= col < self.cols and 0 <= row < self.rows):
            raise ValueError(f"cell ({col}, {row}) is outside the {self.cols}x{self.rows} grid")
        x0, y0 = col * self.cell_w, row * self.cell_h
        return x0, y0, x0 + self.cell_w, y0 + self.cell_h

    def cell_center(self, col: int, row: int) -> tuple[int, int]:
        """The pixel at the middle of cell (col, row), e.g. to click on it."""
        x0, y0, x1, y1 = self.cell_box(col, row)
        return (x0 + x1) // 2, (y0 + y1) // 2

    # ---- glyphs and colours -----------------------------------------------------------------

    def _glyph(self, ch: str, bold: bool, italic: bool, underline: bool, part: int) -> int:
        """Atlas index of the mask for `ch`; `part` 1/2 are the halves of a double-width char."""
        key = (ch, bold, italic, underline, part)
        idx = self._glyph_index.get(key)
        if idx is not None:
            return idx
        from PIL import Image, ImageDraw

        span = 2 if part else 1
        img = Image.new("L", (self.cell_w * span, self.cell_h), 0)
        if ch.strip():
            ImageDraw.Draw(img).text((0, 0), ch, fill=255, font=self._font_for(ch, bold, italic))
        mask = np.asarray(img, dtype=np.uint16)
        if part:
            mask = mask[:, (part - 1) * self.cell_w : part * self.cell_w]
        if underline:
            mask = mask.copy()
            mask[-max(1, self.cell_h // 16) - 1 : -1, :] = 255
        idx = len(self._glyph_index) + 1
        self._glyph_index[key] = idx
        self._pending.append(mask)
        return idx

    def _font_for(self, ch: str, bold: bool, italic: bool) -> Any:
        """The style's DejaVu face, or the fallback font for a character DejaVu draws as a box."""
        font = self.fonts[(bold, italic)]
        if self.fallback is None or ch.isascii():
            return font
        has = self._has_glyph.get(ch)
        if has is None:
            has = self._has_glyph[ch] = bytes(self.fonts[(False, False)].getmask(ch)) != self._tofu
        return font if has else self.fallback

    def _colour(self, name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
        if name == "default":
            return default
        rgb = self._colours.get(name)
        if rgb is None:
            rgb = NAMED_COLOURS.get(name)
            if rgb is None:
                try:
                    rgb = (int(name[0:2], 16), int(name[2:4], 16), int(name[4:6], 16))
                except ValueError:
                    rgb = default
            self._colours[name] = rgb
        return rgb

    # ---- rendering --------------------------------------------------------------------------

    def render(self, screen: Any, cursor: bool = True) -> np.ndarray:
        """The screen as a (rows*cell_h, cols*cell_w, 3) uint8 image; a block cursor if shown.

        Row images are cached by row content, so a step that changes two lines redraws two.
        """
        cur = screen.cursor
        show_cursor = cursor and not getattr(cur, "hidden", False)
        cursor_x, cursor_y = min(cur.x, self.cols - 1), cur.y
        if len(self._rows) > _ROW_CACHE:
            self._rows.clear()
        out = []
        for y in range(self.rows):
            line = screen.buffer[y] if y < screen.lines else {}
            cx = cursor_x if show_cursor and y == cursor_y else -1
            key = (cx, tuple(line.items()))
            img = self._rows.get(key)
            if img is None:
                img = self._rows[key] = self._render_row(line, cx, screen.default_char)
            out.append(img)
        return np.concatenate(out)

    def _render_row(self, line: Any, cursor_x: int, default_char: Any) -> np.ndarray:
        """One text row as a (cell_h, cols*cell_w, 3) uint8 image; cursor_x < 0 for no cursor."""
        cols = self.cols
        glyph = np.zeros(cols, np.intp)
        fg = np.empty((cols, 3), np.uint16)
        bg = np.empty((cols, 3), np.uint16)
        fg[...] = self.fg
        bg[...] = self.bg
        for x, ch in line.items():
            if x >= cols or ch == default_char:
                continue
            data = ch.data
            part = 0
            if data.isascii():
                if not data and x > 0:  # right half of a double-width char
                    data = line[x - 1].data
                    part = 2 if data and _wcwidth(data[0]) == 2 else 0
            elif _wcwidth(data[0]) == 2:
                part = 1
            f = self._colour(ch.fg, self.fg)
            b = self._colour(ch.bg, self.bg)
            if ch.reverse:
                f, b = b, f
            fg[x], bg[x] = f, b
            if data.strip() or ch.underscore:
                glyph[x] = self._glyph(data, ch.bold, ch.italics, ch.underscore, part)
        if 0 <= cursor_x < cols:
            fg[cursor_x], bg[cursor_x] = bg[cursor_x].copy(), fg[cursor_x].copy()
        if self._pending:
            self._atlas = np.concatenate([self._atlas, np.stack(self._pending)])
            self._pending.clear()
        # Blend fg over bg through each cell's glyph mask, all cells of the row at once.
        h, w = self.cell_h, self.cell_w
        alpha = self._atlas[glyph].transpose(1, 0, 2).reshape(h, cols * w, 1)
        big_fg = np.repeat(fg, w, axis=0)[None]
        big_bg = np.repeat(bg, w, axis=0)[None]
        img = (big_fg * alpha + big_bg * (255 - alpha) + 127) // 255
        return img.astype(np.uint8)
