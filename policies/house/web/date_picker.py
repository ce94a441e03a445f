"""A date picker read from pixels: a grid of day cells under a "Month Year" heading with
previous/next arrows at the heading's ends. Turning to the asked month and clicking the n-th
day cell works on any calendar that draws each day of the month as an outlined cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from perception.screen.parser import ScreenParse
from policies.house.web.pixels import components, darkness, text_height

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
CELL_CONTRAST = 30  # day cells are drawn in faint greys
MIN_DAYS = 28
SAME_SIZE = 0.15  # how far (as a share) a cell's width or height may stray from the median
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# The year may run into words behind the heading ("November 2016ght"): no word end after it.
_HEADING = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?,?\s*(\d{4})(?!\d)", re.I)
_US = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True)
class Calendar:
    """A calendar on screen: its day cells in reading order and the month its heading shows."""

    cells: list[Box]
    month: tuple[int, int] | None  # (year, month), None when the heading was not read
    heading_y: int  # the row of the heading and its arrows
    prev_x: int  # the first column's centre: where the "previous" arrow sits
    next_x: int  # the last column's centre: the "next" arrow


def parse_date(value: str) -> date | None:
    """The date a typed value names: month/day/year or year-month-day; None otherwise."""
    text = value.strip()
    try:
        if m := _US.match(text):
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        if m := _ISO.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def find_calendar(frame: np.ndarray, parse: ScreenParse, top: int = 0) -> Calendar | None:
    """The calendar below `top`, or None when the frame shows no grid of 28+ day cells."""
    cells = day_cells(frame, top)
    if len(cells) < MIN_DAYS:
        return None
    first_top = min(c[1] for c in cells)
    h = int(np.median([c[3] - c[1] for c in cells]))
    heading = None
    for e in parse.elements:
        m = _HEADING.search(e.text)
        if m and e.box[3] <= first_top + 1:
            heading = (e, (int(m.group(2)), MONTHS.index(m.group(1).lower()[:3]) + 1))
    xs = [(c[0] + c[2]) // 2 for c in cells]
    y = (heading[0].box[1] + heading[0].box[3]) // 2 if heading else first_top - 3 * h
    return Calendar(cells, heading[1] if heading else None, y, min(xs), max(xs))


def day_cells(frame: np.ndarray, top: int = 0) -> list[Box]:
    """Outlined cells of one size below `top`, in reading order (rows of up to seven): each is
    the faint ring of one cell's border, apart from its neighbours'."""
    th = text_height(frame)
    rings = components(darkness(frame) >= CELL_CONTRAST)
    found = [
        b
        for b in rings
        if b[1] > top
        and 0.8 * th <= min(b[2] - b[0], b[3] - b[1]) <= max(b[2] - b[0], b[3] - b[1]) <= 4 * th
    ]
    if len(found) < MIN_DAYS:
        return []
    # The cells' size is the one most rings share: on a small page the letters around the
    # calendar (its weekday row, the text behind it) pull a median of all rings off it.
    sizes = np.array([(b[2] - b[0], b[3] - b[1]) for b in found], float)
    alike = (np.abs(sizes[:, None, :] - sizes[None, :, :]) <= SAME_SIZE * sizes[:, None, :]).all(-1)
    mw, mh = sizes[int(np.argmax(alike.sum(axis=1)))]
    same = [
        b
        for b in found
        if abs(b[2] - b[0] - mw) <= SAME_SIZE * mw and abs(b[3] - b[1] - mh) <= SAME_SIZE * mh
    ]
    rows: list[list[Box]] = []
    for b in sorted(same, key=lambda b: b[1]):
        if rows and b[1] - rows[-1][0][1] <= mh / 2:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [b for row in rows for b in sorted(row)]


def months_apart(shown: tuple[int, int], want: date) -> int:
    """How many months forward (negative: back) the calendar must turn to show `want`."""
    return (want.year * 12 + want.month) - (shown[0] * 12 + shown[1])
