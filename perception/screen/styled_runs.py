"""Links inside lines of text: a line cut into runs of words by their style (underlined or
coloured unlike the rest of the line), and detections of text lines cut at those runs, so a
link in a sentence is its own element; with the ink and word-gap reading of a line they use
(shared with `text_lines`). Pixels only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from perception.screen.runs import longest_run, true_runs

SATURATED = 60  # max - min channel of a coloured stroke (a link's blue); grey text stays below
INK = 60  # a channel difference from the line's background that counts as a stroke
UNDERLINE = 0.9  # the share of a word's columns a row under it draws when it is underlined
FILL_ROW = 0.95  # share of a row's pixels unlike the background when it is a fill or a rule
ONE_ROW = 20  # px: a text box up to this tall on a small frame holds one row of print
MIN_RUN = 3  # px: a narrower run is a stroke's blur beside a word, nothing to read
SHORT_RUN = 2.5  # box heights: a link narrower than this (a few letters) OCR misreads alone


def ink_mask(region: np.ndarray) -> np.ndarray:
    """Pixels of a region unlike its edges' colour (its background)."""
    edge = np.concatenate([region[0], region[-1], region[:, 0], region[:, -1]])
    return np.abs(region - np.median(edge, axis=0)).max(axis=-1) > INK


def word_runs(ink: np.ndarray) -> list[tuple[int, int]]:
    """Column spans (x0, x1) of the words in a row of ink: a gap of 0.22 x its height splits."""
    h, w = ink.shape
    cols = ink.any(axis=0)
    gap = max(3, round(0.22 * h))
    words, start, blank = [], None, 0
    for i, c in enumerate(cols):
        if c:
            if start is None:
                start = i
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= gap:
                words.append((start, i - blank + 1))
                start, blank = None, 0
    if start is not None:
        words.append((start, w - blank))
    return words


def styled_runs(
    frame: np.ndarray, box: tuple[int, int, int, int], small: bool = False
) -> list[tuple[int, int, bool]]:
    """A line cut into runs of words, (x0, x1, styled): a run is styled when its words are
    underlined or coloured unlike the rest of the line (a link inside a sentence). A line all
    in one style is one run. `small`: the box is a detector's (loose) on a small frame, whose
    print may be blurred (shown smaller and read enlarged) or lie on a coloured banner."""
    x0, y0, x1, y1 = box
    region = frame[y0:y1, x0:x1, :3].astype(np.int16)
    if small:
        region = _inside_fills(region)
    h, w = region.shape[:2]
    if h < 4 or w < 4:
        return [(x0, x1, False)]
    ink = ink_mask(region)
    sat = region.max(axis=-1) - region.min(axis=-1)
    words = word_runs(ink)
    if small:
        words = _colour_parts(words, ink, sat)
    if len(words) < 2:
        return [(x0, x1, False)]
    coloured, underlined, grey = [], [], []
    for a, b in words:
        strokes = ink[:, a:b]
        tint = _stroke_sat(region[:, a:b], sat[:, a:b], strokes, small)
        coloured.append(bool(tint > SATURATED))
        grey.append(bool(tint <= SATURATED / 2))
        low = strokes[h - max(2, h // 4) :]  # an underline: a row under the word, drawn across it
        # a link's underline stops short of the full stop that ends its sentence ("storage.")
        end = len(low[0]) - round(0.3 * h) if len(low[0]) > 2 * h else len(low[0])
        under = low[:, :end].mean(axis=1) >= UNDERLINE
        if small:  # blurred letters' feet fill their row, broken between letters
            under &= np.array([b - a for a, b in map(longest_run, low[:, :end])]) >= UNDERLINE * end
        underlined.append(bool(under.any()))
    plain = sum(coloured) <= len(words) / 2  # the line's own colour is its majority's
    mark = [b - a < 0.8 * h for a, b in words]  # a lone mark (":", ".", "|") is no link
    styled = [
        ((c == plain) or u) and not m for c, u, m in zip(coloured, underlined, mark, strict=True)
    ]
    inner = [i for i, c in enumerate(coloured) if c]
    # a plain mark is grey: a thin letter of a coloured word set apart (a letter-spaced font)
    # blends with the page and looks less coloured, but is no grey
    parted = bool(inner) and any(mark[i] and grey[i] for i in range(inner[0] + 1, inner[-1]))
    counts = ink.sum(axis=1)
    base = int(np.nonzero(counts >= 0.3 * counts.max())[0][-1])  # the row letters stand on
    bars = [m and _bar(ink[:, a:b], h, base) for (a, b), m in zip(words, mark, strict=True)]
    if not plain and parted and all(c or m for c, m in zip(coloured, mark, strict=True)):
        # coloured words parted by plain marks ("A | B | C"): a row of links, one per part
        styled = list(coloured)
    elif sum(bars) >= 2 and _short_parts(bars):
        # a few words at a time parted by two or more vertical bars, in any colour: a row of
        # links (a site's navigation)
        styled = [not b for b in bars]
    if all(styled) or not any(styled):
        return [(x0, x1, False)]
    runs: list[list[int]] = []
    for (a, b), st in zip(words, styled, strict=True):
        if runs and runs[-1][2] == st:
            runs[-1][1] = b
        else:
            runs.append([a, b, st])
    return [(x0 + a, x0 + b, bool(st)) for a, b, st in runs]


def _colour_parts(
    words: list[tuple[int, int]], ink: np.ndarray, sat: np.ndarray
) -> list[tuple[int, int]]:
    """`words` parted again where a coloured run of letters meets an uncoloured one across
    blank columns: small print shown enlarged blurs a word space to two columns, under the
    gap that splits words, and a link joins the word beside it."""
    out = []
    for a, b in words:
        parts = true_runs(ink[:, a:b].any(axis=0))
        kind = [
            np.median(sat[:, a + p : a + q][ink[:, a + p : a + q]]) > SATURATED for p, q in parts
        ]
        begin = 0
        for i in range(1, len(parts)):
            if kind[i] != kind[i - 1]:
                out.append((a + parts[begin][0], a + parts[i - 1][1]))
                begin = i
        out.append((a + parts[begin][0], a + parts[-1][1]) if parts else (a, b))
    return out


def _stroke_sat(region: np.ndarray, sat: np.ndarray, strokes: np.ndarray, blurred: bool) -> float:
    """How coloured a word's strokes are (max - min channel). Small print is mostly the blend
    of its ink with the background, and on a coloured background (black on a yellow banner)
    that blend is as saturated as a link: only its darkest quarter, nearly pure ink, counts."""
    if not strokes.any():
        return 0.0
    values = sat[strokes]
    if blurred:
        lum = region[strokes].sum(axis=-1)
        values = values[lum <= np.percentile(lum, 25)]
    return float(np.median(values))


def _bar(strokes: np.ndarray, h: int, base: int) -> bool:
    """Whether a mark's strokes are one thin vertical bar from ascender to below the line's
    base ("|"): a capital I or an l stops on the base, a bracket is wider."""
    rows = np.nonzero(strokes.any(axis=1))[0]
    if len(rows) == 0 or strokes.shape[1] > max(2, 0.12 * h):
        return False
    return bool(rows[-1] - rows[0] + 1 >= 0.8 * h and rows[-1] > base + 1)


def _short_parts(bars: list[bool], most: int = 4) -> bool:
    """Whether the words between bars (and before the first, after the last) are `most` or
    fewer at a time: menu entries, not sentences."""
    run = 0
    for b in bars:
        run = 0 if b else run + 1
        if run > most:
            return False
    return True


def _inside_fills(region: np.ndarray) -> np.ndarray:
    """`region` without the rows at its top and bottom that are all "ink": a neighbouring
    fill or rule a loose box takes in (a banner's last rows above a line read small). Left
    in, every column holds ink and the line's words run into one."""
    top, bottom = 0, region.shape[0]
    while bottom - top >= 4:
        rows = ink_mask(region[top:bottom]).mean(axis=1)
        if rows[0] >= FILL_ROW:
            top += 1
        elif rows[-1] >= FILL_ROW:
            bottom -= 1
        else:
            break
    return region[top:bottom]


def cut_styled(frame: np.ndarray, detections: list[Any]) -> list[Any]:
    """`detections` with each one-row text box cut into its runs (`styled_runs`): the
    underlined or coloured words inside it become a link of their own, the rest text. The
    detector splits a sentence at its links on the print it was trained on, and keeps the
    sentence whole when the print is blurred (a page shown smaller and read enlarged)."""
    from perception.screen.detector import Detection

    out = []
    for d in detections:
        x0, y0, x1, y1 = (int(v) for v in d.box)
        if d.kind == "link" and y1 - y0 <= ONE_ROW:
            out.append(replace(d, box=_link_span(frame, (x0, y0, x1, y1))))
            continue
        if d.kind != "text" or y1 - y0 > ONE_ROW:  # only one-row text boxes are cut
            out.append(d)
            continue
        runs = styled_runs(frame, (x0, y0, x1, y1), small=True)
        short = any(st and b - a < SHORT_RUN * (y1 - y0) for a, b, st in runs)
        if len(runs) < 2 or short:  # OCR reads short words in their line
            out.append(d)
            continue
        out.extend(
            Detection((a, y0, b, y1), "link" if styled else "text", d.score)
            for a, b, styled in runs
            if b - a >= MIN_RUN
        )
    return out


def _link_span(frame: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A one-row link box on a small frame widened to the coloured
    word its edge cuts through: the detector's box of a link read enlarged can start inside
    the word and drop its first letter. Only on a page unlike the link (no coloured fill)."""
    x0, y0, x1, y1 = box
    region = frame[y0:y1, :, :3].astype(np.int16)
    sat = region.max(axis=-1) - region.min(axis=-1)
    if region.size == 0 or np.median(sat) > SATURATED:
        return box
    coloured = (sat > SATURATED).any(axis=0)
    reach = y1 - y0  # a cut word goes on at most about a line height past the box
    a, b = x0, x1
    while a > 0 and x0 - a < reach and coloured[a - 1] and coloured[a]:
        a -= 1
    while b < len(coloured) and b - x1 < reach and coloured[b] and coloured[b - 1]:
        b += 1
    if x0 - a >= reach or b - x1 >= reach:  # no word's end in reach: a coloured rule or fill
        return box
    return a, y0, b, y1


__all__ = ["cut_styled", "ink_mask", "styled_runs", "word_runs"]
