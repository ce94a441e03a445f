"""A slider found by its drawing near its label: a long thin track (a bar a few pixels thick,
across or down the page) with a thumb thicker than the track somewhere along it. Pixels only."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from perception.screen.runs import longest_run, true_runs

INK = 12  # a channel difference from the page that draws the track (a faint grey rail: ~25)
MIN_LENGTH = 80  # pixels: the shortest track
MAX_THICK = 14  # pixels: the thickest track (a thumb is thicker)
THUMB_EXTRA = 5  # pixels a thumb reaches past the track on each side
MIN_THUMB = 4  # pixels: the narrowest thumb
REACH = 6.0  # how many label heights below (or beside) its label a track may start
MAX_LINE = 40  # pixels: the tallest label box read as one line of words
LEFT_REACH = 640  # pixels left of its label a track on the label's row may start
# A track left of or above its label (a label after its slider) is taken when it is this much
# nearer than one right of or below it: a label usually comes first.
AFTER_COST = 1.25


def find_track(
    frame: np.ndarray, label: tuple[int, int, int, int]
) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1, frame pixels) of the slider track nearest the `label` box,
    thumb included, or None when no track is drawn there: below or right of it (a label
    before its slider), else left of it on its row or just above it (a label after it)."""
    h, w = frame.shape[:2]
    lx0, ly0, lx1, ly1 = label
    if ly1 - ly0 > MAX_LINE:  # words read inside a framed box (a table cell): their middle row
        mid = (ly0 + ly1) // 2
        ly0, ly1 = mid - MAX_LINE // 4, mid + MAX_LINE // 4
        label = (lx0, ly0, lx1, ly1)
    lh = max(8, ly1 - ly0)
    # from a few label heights above the label's top: a track drawn on the label's own row
    # needs clear rows above it, its thumb may reach above the words, and a label may sit
    # under its slider
    x0, y0 = max(0, lx0 - LEFT_REACH), max(0, ly0 - int(REACH * lh))
    x1, y1 = w, min(h, ly1 + int(REACH * lh) + 400)
    region = frame[y0:y1, x0:x1].astype(np.int16)
    if region.shape[0] < 8 or region.shape[1] < MIN_LENGTH:
        return None
    # the page's colour from every third pixel each way (as good as all of them, and cheaper)
    sample = region[::3, ::3].reshape(-1, region.shape[-1])
    page = np.median(sample, axis=0).astype(np.int16)
    ink = _unlike(region, page)
    box = _nearest(ink, (x0, y0), label, lh)
    if box is None:
        # a slider drawn inside a filled box of its own (a dark theme's input fill): the fill
        # is ink unlike the page on every row round the track, which then has no clear rows;
        # unlike both the page and that fill, only the track and its thumb are left
        for fill in _fills(sample, page):
            box = _nearest(ink & _unlike(region, fill), (x0, y0), label, lh)
            if box is not None:
                break
    return box


def _unlike(region: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Pixels of `region` with a channel more than INK from `colour`."""
    return (np.abs(region - colour) > INK).any(axis=-1)


FILL_SHARE = 0.002  # of the sampled pixels: the least a fill behind a track covers
MAX_FILLS = 6


def _fills(sample: np.ndarray, page: np.ndarray) -> list[np.ndarray]:
    """The commonest flat colours of the sampled pixels other than the page's (fills of
    boxes: fields, cards, bars), most common first."""
    other = sample[_unlike(sample, page)]
    if len(other) == 0:
        return []
    colours, counts = np.unique(other, axis=0, return_counts=True)
    order = np.argsort(-counts)[:MAX_FILLS]
    return [colours[i] for i in order if counts[i] >= FILL_SHARE * len(sample)]


def _nearest(
    ink: np.ndarray, origin: tuple[int, int], label: tuple[int, int, int, int], lh: int
) -> tuple[int, int, int, int] | None:
    """The track in the `ink` mask (its top-left at frame `origin`) nearest `label`."""
    x0, y0 = origin
    found = [(b, "across") for b in _bands(ink)] + [(b, "down") for b in _bands(ink.T)]
    best = None
    for (a, b, s, e), axis in found:  # rows a..b (columns for "down") hold a run s..e
        grid = ink if axis == "across" else ink.T
        thumb = _thumb(grid, a, b, s, e)
        if thumb is None:
            continue
        t0, t1, c0, c1 = thumb
        s, e = _carried(grid[(a + b) // 2], s, e, c0, c1)
        box = (
            (x0 + s, y0 + t0, x0 + e, y0 + t1)
            if axis == "across"
            else (x0 + t0, y0 + s, x0 + t1, y0 + e)
        )
        distance = _distance(box, label, lh, _row_clear(ink, (x0, y0), label))
        if distance is not None and (best is None or distance < best[0]):
            best = (distance, box)
    return best[1] if best else None


def _distance(
    box: tuple[int, int, int, int],
    label: tuple[int, int, int, int],
    lh: int,
    clear: Callable[[int, int], bool],
) -> float | None:
    """How far a track `box` is from its `label` as a person reads the pair (pixels, a label
    after its slider counted AFTER_COST times), or None when no label there would name it.
    `clear(a, b)` says whether nothing is drawn on the label's row between columns a and b:
    a track on the row with nothing between is beside it however wide the gap (a form
    table's columns)."""
    bx0, by0, bx1, by1 = box
    lx0, ly0, lx1, ly1 = label
    if bx1 < lx0 - 3 * lh and not (by0 < ly1 and by1 > ly0):
        return None  # below or above, but wholly left of the label's column
    if by0 >= ly1 - 2:  # below (a thumb may reach up to the label's last row)
        return max(0, by0 - ly1) + max(0, bx0 - lx1)
    if by1 <= ly0 + 2:  # above: a label under its slider
        if ly0 - by1 > REACH * lh or bx0 > lx1 + 3 * lh:
            return None
        return AFTER_COST * (ly0 - by1 + max(0, bx0 - lx1)) + 2
    # on the label's row: after its first words (a text line that took the label's words and
    # the slider beside them as one), or before them (a label after its slider)
    if bx0 >= min(lx1, lx0 + 2 * lh):
        return min(max(0, bx0 - lx1), lh) if clear(lx1, bx0) else max(0, bx0 - lx1)
    # before them: a track across the page, centred on the label's row (not a rail down the
    # page that only ends there, such as a box's side)
    if bx1 - bx0 > by1 - by0 and ly0 - lh <= (by0 + by1) / 2 <= ly1 + lh:
        gap = max(0, lx0 - bx1)
        return AFTER_COST * (min(gap, lh) if clear(bx1, lx0) else gap) + 2
    return None


def _row_clear(
    ink: np.ndarray, origin: tuple[int, int], label: tuple[int, int, int, int]
) -> Callable[[int, int], bool]:
    """Whether nothing is drawn on the label's rows between two frame columns (`ink` is the
    region's mask, its top-left at frame `origin`)."""
    ox, oy = origin
    rows = ink[max(0, label[1] - oy) : max(0, label[3] - oy)]

    def clear(a: int, b: int) -> bool:
        a, b = max(0, a + 2 - ox), max(0, b - 2 - ox)
        return b <= a or not rows[:, a:b].any()

    return clear


def _bands(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Runs of rows (a..b, at most MAX_THICK) that each hold a long run of ink over the same
    columns (s..e, at least MIN_LENGTH) with clear rows above and below. Every long run of a
    row counts, not only its longest: a dark theme's filled field may share the track's rows."""
    runs = [_long_runs(row) if row.sum() >= MIN_LENGTH else [] for row in ink]
    used: set[tuple[int, int, int]] = set()
    out = []
    for i, row_runs in enumerate(runs):
        for s, e in row_runs:
            if (i, s, e) in used:
                continue
            j = i
            while j + 1 < len(runs):
                nxt = [r for r in runs[j + 1] if _overlap(r, (s, e)) > 0.8]
                if not nxt:
                    break
                j += 1
                used.add((j, *nxt[0]))
            clear = all(
                0 <= k < len(runs) and all(_overlap(r, (s, e)) < 0.3 for r in runs[k])
                for k in (i - 2, j + 2)
            )
            if j - i + 1 <= MAX_THICK and clear:
                out.append((i, j + 1, s, e))
    return out


def _thumb(ink: np.ndarray, a: int, b: int, s: int, e: int) -> tuple[int, int, int, int] | None:
    """Rows and columns (t0, t1, c0, c1) of a thumb along the band: columns by s..e where ink
    reaches THUMB_EXTRA rows past the band on both sides, over a short stretch (not a field's
    side or a card)."""
    s0, e0 = s, e
    s, e = max(0, s - 2 * MAX_THICK), min(ink.shape[1], e + 2 * MAX_THICK)
    top, bottom = max(0, a - THUMB_EXTRA), min(ink.shape[0], b + THUMB_EXTRA)
    both = ink[top:a, s:e].any(axis=0) & ink[b:bottom, s:e].any(axis=0)
    if not both.any() or both.mean() > 0.3:
        return None
    r0, r1 = longest_run(both)  # the thumb, not a glyph of a label beside the track's end
    c0, c1 = s + r0, s + r1
    # a thumb is a knob on the track: not a hairline (a box's side crossing a border), not
    # wider than a few track heights, and centred on the track (or just past its end)
    if not MIN_THUMB <= c1 - c0 <= 6 * MAX_THICK or not s0 - 12 <= (c0 + c1) / 2 <= e0 + 12:
        return None
    # the thumb's rows: the ink joined to the band's, not a label's words above it
    r0 = max(0, a - 30)
    drawn = ink[r0 : min(ink.shape[0], b + 30), c0:c1].any(axis=1)
    t0, t1 = a - r0, b - r0
    while t0 > 0 and drawn[t0 - 1]:
        t0 -= 1
    while t1 < len(drawn) and drawn[t1]:
        t1 += 1
    return r0 + t0, r0 + t1, c0, c1


def _carried(row: np.ndarray, s: int, e: int, c0: int, c1: int) -> tuple[int, int]:
    """The run s..e of `row` carried past a thumb at columns c0..c1 that ends it (a thumb
    drawn in a colour of its own splits the track in two)."""
    if c1 > e:
        rest = np.nonzero(~row[c1:])[0]
        e = c1 + (int(rest[0]) if len(rest) else len(row) - c1)
    if c0 < s:
        rest = np.nonzero(~row[:c0][::-1])[0]
        s = c0 - (int(rest[0]) if len(rest) else c0)
    return s, e


def _long_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """The runs of True in a row at least MIN_LENGTH long: [(start, end)]."""
    return [(a, b) for a, b in true_runs(row) if b - a >= MIN_LENGTH]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared length of two spans over the longer's length."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(1, a[1] - a[0], b[1] - b[0])


__all__ = ["find_track"]
