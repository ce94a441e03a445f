"""Sliders set to numbers: "select 5 with the slider", "set the sliders to [6, 11, 4]": each
track on the page (top to bottom) gets its number in turn.

Closed loop on pixels. A slider's value label is found by what changed when its handle moved
(Home, then End: the glyphs beside the track that changed), so a label above, below or beside
its track, or between two tracks, belongs to the one that moved it. The ends' values give the
point to click on the track; arrow keys nudge until the label says the number. Tracks alike
(same length and left edge) share their range, so the later ones are clicked at once.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from contracts.actions import Click, Key
from perception.instructions.plan import Step
from perception.screen.shapes import find_shapes
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

MIN_TRACK = 30  # pixels: a shorter thin stroke is no slider's track
TOUCH = 3  # pixels between strokes of one track
INK = 150  # a grey level darker than this is a label's ink (a track's rail is lighter)
GAP = 4  # pixels between the glyphs of one label
MAX_NUDGES = 8  # arrow presses per slider before it is left as it is
CLICKS = 2  # clicks at a point the values read so far put the goal at, per slider
LIKE = 4  # pixels two tracks' lengths and left edges may differ by to share a range
Box = tuple[int, int, int, int]
_NUMBER = re.compile(r"[-\u2212]?\d+")


def slider_numbers(step: Step) -> list[int] | None:
    """The numbers a step sets on sliders, one per slider in order ("[6, 11, 4]"), or None when
    the step does not set a slider."""
    if step.verb not in ("select", "click", "drag", "type") or step.target is None:
        return None
    if step.target.kind != "slider":
        return None
    found = [int(n.replace("\u2212", "-")) for n in _NUMBER.findall(step.value or "")]
    return found or None


def slider_step(policy: Any, view: View, state: Any, notes: dict[str, Any]) -> Any:
    """(action, box, expectation) for the next move, None when every slider is set, or
    NOT_MINE for a step that sets no slider."""
    goals = slider_numbers(state.step)
    if goals is None:
        return NOT_MINE
    memo = state.memo.setdefault("sliders", {"at": 0, "ranges": {}, "cur": {}})
    if "tracks" not in memo:
        tracks = slider_tracks(view)
        if not tracks:
            return None
        memo["tracks"] = tracks[: len(goals)] if len(goals) > 1 else [max(tracks, key=_long)]
    reader = getattr(getattr(policy, "parser", None), "reader", None)
    while memo["at"] < min(len(goals), len(memo["tracks"])):
        track = memo["tracks"][memo["at"]]
        out = _one_slider(view, memo, track, goals[memo["at"]], reader, notes)
        if out is not None:
            memo["cur"]["before"] = view.frame.copy()
            return out, None, "none"
        memo["at"] += 1
        memo["cur"] = {}
    return None


def _one_slider(
    view: View, memo: dict[str, Any], track: Box, goal: int, reader: Any, notes: dict[str, Any]
) -> Any:
    """The next action on one slider, or None when its label says the goal: click it, find
    its label and range by Home and End (or take the range of a like track), click where the
    goal lies, click again where the values read so far put it, then nudge with arrow keys."""
    cur, frame = memo["cur"], view.frame
    phase = cur.setdefault("phase", "focus")
    span = memo["ranges"].get(_kind(track))
    notes["slider"] = f"track {track} {phase}"
    if phase == "focus":
        if span is None:
            cur["phase"] = "home"
            return Click(*_point(track, 0.5))
        cur["phase"], cur["share"] = "locate", _share(goal, span)
        return Click(*_point(track, cur["share"]))
    if phase == "back":
        cur["phase"] = "locate"
        return Click(*_point(track, cur["share"]))
    if phase == "home":
        cur["phase"] = "end"
        return Key("Home")
    if phase == "end":
        cur["at_low"] = frame.copy()
        cur["phase"] = "range"
        return Key("End")
    if phase in ("range", "locate"):
        before = cur["at_low"] if phase == "range" else cur["before"]
        label = _moved_label(before, frame, track, reader)
        if label is None and phase == "locate" and "away" not in cur:
            # the click landed on the handle, which a click does not move: move it off first
            cur["away"] = 0.0 if cur["share"] > 0.5 else 1.0
            cur["phase"] = "back"
            return Click(*_point(track, cur["away"]))
        if label is None and phase == "locate":
            cur["phase"] = "home"  # nothing changed: find the label by its ends
            return Key("Home")
        if label is None:
            return None
        cur["label"] = label
        if phase == "range":
            low = read_number(before, _label_near(before, track, label), reader)
            high = read_number(frame, label, reader)
            notes["slider"] += f" reads {low}..{high}"
            if low is None or high is None or low == high:
                return None
            span = memo["ranges"][_kind(track)] = (low, high)
            cur["phase"], cur["share"] = "nudge", _share(goal, span)
            return Click(*_point(track, cur["share"]))
        cur["phase"] = "nudge"
    cur["label"] = _label_near(frame, track, cur["label"])
    value = read_number(frame, cur["label"], reader)
    notes["slider"] += f" reads {value}"
    if value is None or value == goal:
        return None
    seen = cur.setdefault("seen", [])
    if "share" in cur:
        seen.append((value, cur.pop("share")))
        if abs(value - goal) > 1 and len(seen) <= CLICKS and span is not None:
            share = _between(goal, [(span[0], 0.0), (span[1], 1.0), *seen])
            if share is not None:
                cur["share"] = share
                return Click(*_point(track, share))
    cur["nudges"] = cur.get("nudges", 0) + 1
    if cur["nudges"] > MAX_NUDGES:
        return None
    return Key("ArrowUp" if value < goal else "ArrowDown")


def _between(goal: int, points: list[tuple[int, float]]) -> float | None:
    """The share of the track where `goal` lies, interpolated between the nearest (value,
    share) points read on either side of it, or None when none lies on one side."""
    below = [p for p in points if p[0] <= goal]
    above = [p for p in points if p[0] >= goal]
    if not below or not above:
        return None
    (v0, s0), (v1, s1) = max(below), min(above)
    return s0 if v1 == v0 else s0 + (goal - v0) * (s1 - s0) / (v1 - v0)


def _kind(track: Box) -> tuple[int, int]:
    """What tracks alike share: their length and their left edge (to LIKE pixels)."""
    return (max(_size(track)) // LIKE, track[0] // LIKE)


def _share(goal: int, span: tuple[int, int]) -> float:
    low, high = span
    return min(1.0, max(0.0, (goal - low) / (high - low)))


def _point(track: Box, share: float) -> tuple[int, int]:
    """The point `share` of the way from the low end to the high end: left to right on a lying
    track, bottom to top on an upright one."""
    x0, y0, x1, y1 = track
    if y1 - y0 > x1 - x0:
        return (x0 + x1) // 2, round(y1 - 1 - share * (y1 - y0 - 2))
    return round(x0 + 1 + share * (x1 - x0 - 2)), (y0 + y1) // 2


def slider_tracks(view: View) -> list[Box]:
    """Every slider track below the banner, top to bottom: a group of touching light strokes
    (not glyphs) that is long and thin."""
    h, w = view.frame.shape[:2]
    top = view.banner_bottom()
    labelled = [e.box for e in view.content() if e.kind != "text" and e.text.strip()]
    strokes = [
        s.box
        for s in find_shapes(view.frame, (0, top, w, h))
        if s.colour != "black"
        and s.box[2] - s.box[0] < 0.9 * w  # no band across the page
        and not any(_inside(s.box, _grow(b, TOUCH)) for b in labelled)  # a button's frame
    ]
    found: list[Box] = []
    for seed in strokes:
        box = _grown(seed, strokes)
        long, thin = max(_size(box)), min(_size(box))
        if long >= MIN_TRACK and long >= 3 * max(thin, 1) and box not in found:
            found.append(box)
    found = [b for b in found if not any(b != o and _inside(b, o) for o in found)]
    return sorted(_aligned(found), key=lambda b: (b[1], b[0]))


def _aligned(tracks: list[Box]) -> list[Box]:
    """Tracks ending at one right edge with one thickness, their left edges within a handle's
    width, start at the leftmost of them: a handle at the low end hides the rail under it."""
    out = []
    for t in tracks:
        like = [
            o
            for o in tracks
            if abs(o[2] - t[2]) <= LIKE
            and abs((o[3] - o[1]) - (t[3] - t[1])) <= max(2, (t[3] - t[1]) // 2)
            and abs(o[0] - t[0]) <= 2 * (t[3] - t[1])
        ]
        out.append((min(o[0] for o in like), t[1], t[2], t[3]))
    return out


def _grown(seed: Box, strokes: list[Box]) -> Box:
    """`seed` joined with every stroke touching it, or in line with it across a handle's gap
    (the rail on either side of a handle), and those joined to them."""
    box, grown = seed, True
    while grown:
        grown = False
        for b in strokes:
            if (_overlap(b, box, TOUCH) or _in_line(b, box)) and not _inside(b, box):
                box = (min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3]))
                grown = True
    return box


def _in_line(bar: Box, box: Box) -> bool:
    """True when a thin bar lies along an edge of `box` past its end, less than two of the
    box's thicknesses away (the rail's edge beyond a handle)."""
    (bw, bh), (w, h) = _size(bar), _size(box)
    band = abs(bar[1] - box[1]) <= 1 and abs(bar[3] - box[3]) <= 1
    if band and max(bw, w) >= 3 * max(h, 1):  # a rail's pieces either side of its handle
        return max(bar[0] - box[2], box[0] - bar[2]) <= 2 * max(h, 2)
    if bh <= 3 and bw > bh and w > h and (abs(bar[1] - box[1]) <= 1 or abs(bar[3] - box[3]) <= 1):
        return max(bar[0] - box[2], box[0] - bar[2]) <= 2 * max(h, 2)
    if bw <= 3 and bh > bw and h > w and (abs(bar[0] - box[0]) <= 1 or abs(bar[2] - box[2]) <= 1):
        return max(bar[1] - box[3], box[1] - bar[3]) <= 2 * max(w, 2)
    return False


def _labels(frame: np.ndarray, track: Box) -> list[Box]:
    """Lines of dark glyphs near the track (within a few track thicknesses), off the track; a
    handle's frame (about as thick as the track) is left out."""
    from scipy import ndimage

    h, w = frame.shape[:2]
    x0, y0, x1, y1 = track
    th = max(8, min(x1 - x0, y1 - y0))
    reach = (max(0, x0 - 2 * th), max(0, y0 - 2 * th), min(w, x1 + 4 * th), min(h, y1 + 2 * th))
    ink = frame[reach[1] : reach[3], reach[0] : reach[2], :3].min(axis=2) < INK
    # the marks reaching into the track (its handle, which may stick out past its end) are
    # no label
    parts, _ = ndimage.label(ink)
    band = parts[y0 - reach[1] : y1 - reach[1], x0 - reach[0] : x1 - reach[0]]
    ink &= ~np.isin(parts, np.unique(band[band > 0]))
    # a line's glyphs, and a minus beside them, are one part once grown across their gaps
    grown = ndimage.binary_dilation(ink, structure=np.ones((3, GAP + 1), bool))
    labelled, _ = ndimage.label(grown)
    lines = []
    for k, sl in enumerate(ndimage.find_objects(labelled), start=1):
        if sl is None:
            continue
        ys, xs = np.nonzero(ink[sl] & (labelled[sl] == k))
        if ys.size == 0:
            continue
        box = (
            reach[0] + sl[1].start + int(xs.min()),
            reach[1] + sl[0].start + int(ys.min()),
            reach[0] + sl[1].start + int(xs.max()) + 1,
            reach[1] + sl[0].start + int(ys.max()) + 1,
        )
        high = box[3] - box[1]
        if high >= 0.8 * th or high < 4 or _overlap(box, track, -2):
            continue  # the handle, a lone dash, or on the track
        lines.append(box)
    return lines


def _moved_label(
    before: np.ndarray, after: np.ndarray, track: Box, reader: Any = None
) -> Box | None:
    """The label line near the track whose pixels changed between the frames, nearest it; with
    `reader`, one whose number reads the same in both frames is passed over (a handle moving
    off a neighbour's label changes its pixels, not its number)."""
    if before.shape != after.shape:
        return None
    changed = []
    for box in _labels(after, track) + _labels(before, track):
        x0, y0, x1, y1 = box
        if np.any(before[y0:y1, x0:x1] != after[y0:y1, x0:x1]):
            changed.append(box)
    for box in sorted(changed, key=lambda b: _distance(b, track)):
        near = _label_near(after, track, box)
        if reader is None:
            return near
        old = read_number(before, _label_near(before, track, box), reader)
        new = read_number(after, near, reader)
        if old is None or new is None or old != new:
            return near
    return None


def _label_near(frame: np.ndarray, track: Box, box: Box) -> Box:
    """The label line in `frame` that overlaps `box` most (a number's width changes as it
    moves: "9" then "10"), or `box` itself."""
    lines = [b for b in _labels(frame, track) if _overlap(b, box, GAP)]
    return min(lines, key=lambda b: _distance(b, box)) if lines else box


def read_number(frame: np.ndarray, box: Box, reader: Any) -> int | None:
    """The signed whole number a label shows, read as its ink blown up pixel by pixel to the
    reader's height (a lone small "0" or "-1" read in place, or smoothed, loses its shape or
    its minus)."""
    if reader is None or not hasattr(reader, "recognise"):
        return None
    import cv2

    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, box[0] - 1), max(0, box[1] - 1), min(w, box[2] + 1), min(h, box[3] + 1)
    ink = frame[y0:y1, x0:x1, :3].min(axis=2).astype(np.uint8)
    if ink.size == 0:
        return None
    ink = np.pad(ink, ((2, 2), (4, 4)), constant_values=255)
    scale = 32 / ink.shape[0]
    ink = cv2.resize(ink, (max(8, int(ink.shape[1] * scale)), 32), interpolation=cv2.INTER_NEAREST)
    text, _ = reader.recognise([np.ascontiguousarray(np.repeat(ink[..., None], 3, axis=2))])[0]
    text = text.strip().replace("\u2212", "-").replace("O", "0").replace("o", "0")
    m = re.fullmatch(r"-?\d{1,6}", text.replace(" ", ""))
    if m is None:
        return None
    value = int(m.group(0))
    return -value if value > 0 and _dash_first(frame, box) else value


def _dash_first(frame: np.ndarray, box: Box) -> bool:
    """True when the label's leftmost mark is a dash (a minus the reader may drop)."""
    from scipy import ndimage

    x0, y0, x1, y1 = box
    labelled, _ = ndimage.label(frame[y0:y1, x0:x1, :3].min(axis=2) < INK)
    parts = [sl for sl in ndimage.find_objects(labelled) if sl is not None]
    if len(parts) < 2:
        return False
    first = min(parts, key=lambda sl: sl[1].start)
    tall = max(sl[0].stop - sl[0].start for sl in parts)
    high, wide = first[0].stop - first[0].start, first[1].stop - first[1].start
    return high <= max(2, tall // 4) and wide >= 2


def _distance(a: Box, b: Box) -> int:
    dx = max(0, a[0] - b[2], b[0] - a[2])
    dy = max(0, a[1] - b[3], b[1] - a[3])
    return dx + dy


def _overlap(a: Box, b: Box, gap: int = 0) -> bool:
    return a[0] <= b[2] + gap and b[0] <= a[2] + gap and a[1] <= b[3] + gap and b[1] <= a[3] + gap


def _grow(box: Box, by: int) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def _size(box: Box) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _long(box: Box) -> int:
    return max(_size(box))


def on_a_track(view: View, box: Box) -> bool:
    """True when `box` sits on a slider's track or at its end, across its middle (a handle,
    which a drawn square may look like a checkbox)."""
    mid = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    return any(
        _overlap(box, t, TOUCH) and (t[1] <= mid[1] <= t[3] or t[0] <= mid[0] <= t[2])
        for t in slider_tracks(view)
    )
