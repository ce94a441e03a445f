"""Why a `house` browser episode failed: the parse never had what the task needed (perception),
had it but the policy never acted on it (grounding), or it acted on it and still lost (planning).

Evaluation only: reads the privileged DOM (`info["privileged"]["dom"]`) that the policy never
sees. The elements a task needs are the visible DOM elements whose text appears in the
instruction (its quoted strings and words, the task's `fields` values; so the Submit button when
it says "submit"), and the text inputs when the instruction asks to type. An element counts as
perceived on a frame when a parse element overlaps it (IoU >= 0.3, or either centre inside the
other) with similar text (inputs: overlap only), and as acted on when an action's point lands in
its box. A failed episode is a *perception* failure when some needed element was visible on a
frame the policy acted on and perceived on none of them; a *grounding* failure when every needed
element was perceived but one that is acted on (a button, link, field, option, tab or menu
item) never got the policy's click or typing while it showed; otherwise *planning* (the right
elements were acted on, in a wrong order, with a wrong value, or the plan missed a step).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INPUT_TAGS = ("INPUT_text", "INPUT_password", "INPUT_number", "INPUT_email", "TEXTAREA")
# Elements a task acts on when it names them (a label or a paragraph it may only read).
ACTION_TAGS = ("BUTTON", "A", "SELECT", "OPTION", "LI", "INPUT_button", "INPUT_submit", "LABEL")
TYPING = re.compile(r"\b(enter|type|fill|text ?box|text ?field|focus|password|username)\b", re.I)
PERCEIVED_IOU = 0.3
TEXT_SIMILARITY = 0.6
_CONFUSABLE = str.maketrans("i10", "llo")  # after lower-casing: I/l/1 and O/0
MIN_CONTRAST = 6.0  # pixel std inside a box below this: nothing drawn there (hidden element)


@dataclass(frozen=True)
class Needed:
    """One element the task needs, in observation pixels; `key` names it across steps."""

    key: str
    text: str
    box: tuple[float, float, float, float]
    is_input: bool
    actionable: bool = False  # the task acts on it (clicks or types), not only reads it


@dataclass
class NeedTally:
    """Per needed key over an episode: frames it was visible on, and perceived on."""

    visible: int = 0
    perceived: int = 0
    first_missed_step: int | None = None
    box: tuple[float, float, float, float] | None = None
    actionable: bool = False
    acted: int = 0  # frames on which an action's point landed in it


@dataclass
class Attribution:
    """Collects needed elements step by step, then names the cause of a failure."""

    tallies: dict[str, NeedTally] = field(default_factory=dict)

    def add_step(
        self,
        step: int,
        needed: Sequence[Needed],
        parse: Any,
        points: Sequence[tuple[int, int]] = (),
    ) -> None:
        """Score one acted frame: which needed elements the parse had, and which of them the
        action taken on it (`points`, observation pixels) landed in."""
        seen_now: dict[str, bool] = {}
        hit_now: dict[str, bool] = {}
        boxes: dict[str, tuple[float, float, float, float]] = {}
        actionable: dict[str, bool] = {}
        for need in needed:
            ok = parse is not None and perceived(need, parse.elements)
            seen_now[need.key] = seen_now.get(need.key, False) or ok
            hit = any(_inside((x + 0.5, y + 0.5), need.box) for x, y in points)
            hit_now[need.key] = hit_now.get(need.key, False) or hit
            boxes.setdefault(need.key, need.box)
            actionable[need.key] = actionable.get(need.key, False) or need.actionable
        for key, ok in seen_now.items():
            tally = self.tallies.setdefault(key, NeedTally())
            tally.visible += 1
            tally.perceived += ok
            tally.acted += hit_now[key]
            tally.actionable = tally.actionable or actionable[key]
            if not ok and tally.first_missed_step is None:
                tally.first_missed_step, tally.box = step, boxes[key]

    def never_perceived(self) -> list[str]:
        """Needed keys visible on some acted frame and perceived on none."""
        return [k for k, t in self.tallies.items() if t.visible and not t.perceived]

    def never_acted(self) -> list[str]:
        """Needed keys the task acts on that were perceived but never acted on."""
        return [k for k, t in self.tallies.items() if t.actionable and t.perceived and not t.acted]

    def cause(self) -> str:
        """ "perception" when the parse never had a needed element, "grounding" when it had
        them all but the policy never acted on one it should have, else "planning"."""
        if self.never_perceived():
            return "perception"
        return "grounding" if self.never_acted() else "planning"


def norm(text: str) -> str:
    """Lower-case letters and digits only (OCR drops spaces and punctuation)."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def similar_text(want: str, have: str) -> bool:
    """True when a parse text `have` reads as the DOM text `want` (merged lines allowed; glyphs
    a sans-serif font draws alike, l/I/1 and O/0, count as one)."""
    a, b = norm(want).translate(_CONFUSABLE), norm(have).translate(_CONFUSABLE)
    if not a:
        return True
    if not b:
        return False
    if a in b or (b in a and len(b) >= 0.6 * len(a)):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= TEXT_SIMILARITY


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _inside(point: tuple[float, float], box: Sequence[float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _centre(box: Sequence[float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def overlaps(dom_box: Sequence[float], parse_box: Sequence[float]) -> bool:
    """IoU >= 0.3, or the centre of either box inside the other."""
    return (
        box_iou(dom_box, parse_box) >= PERCEIVED_IOU
        or _inside(_centre(parse_box), dom_box)
        or _inside(_centre(dom_box), parse_box)
    )


def perceived(need: Needed, elements: Iterable[Any]) -> bool:
    """Some parse element overlaps `need` and (unless it is an input) reads like its text."""
    return any(
        overlaps(need.box, el.box) and (need.is_input or similar_text(need.text, el.text))
        for el in elements
    )


def _dom_box(el: dict[str, Any]) -> tuple[float, float, float, float]:
    x, y = float(el["left"]), float(el["top"])
    return x, y, x + float(el["width"]), y + float(el["height"])


def _clip(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float, float]:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _area(b: Sequence[float]) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def shown_box(
    el: dict[str, Any], by_ref: dict[int, dict[str, Any]], width: float, height: float
) -> tuple[float, float, float, float] | None:
    """The element's box (env pixels) if at least half of it lies inside the frame and inside
    every ancestor below BODY (scrolled-away list items and collapsed sections fail)."""
    box = _dom_box(el)
    if _area(box) <= 0:
        return None
    seen = _clip(box, (0.0, 0.0, width, height))
    parent = by_ref.get(el.get("parent"))
    while parent is not None and parent.get("tag") != "BODY":
        seen = _clip(seen, _dom_box(parent))
        parent = by_ref.get(parent.get("parent"))
    return box if _area(seen) >= 0.5 * _area(box) else None


def _mentioned(text: str, instruction: str, fields: Sequence[str]) -> bool:
    """DOM text that the instruction or a field value names, as whole words."""
    t = text.strip().lower()
    if len(norm(t)) < 2:
        return False
    if any(norm(t) == norm(f) for f in fields):
        return True
    return re.search(rf"(?<!\w){re.escape(t)}(?!\w)", instruction.lower()) is not None


def needed_elements(
    dom: Sequence[dict[str, Any]],
    instruction: str,
    frame: np.ndarray,
    scale: tuple[float, float] = (1.0, 1.0),
    fields: dict[str, Any] | None = None,
) -> list[Needed]:
    """Visible DOM elements the task needs, boxes mapped to the frame by `scale` (obs px per
    env px); elements with no contrast on `frame` (hidden, or covered by a blank panel) skip."""
    by_ref = {el["ref"]: el for el in dom}
    height, width = frame.shape[0] / scale[1], frame.shape[1] / scale[0]
    values = [str(v) for v in (fields or {}).values() if v is not None]
    typing = TYPING.search(instruction) is not None
    out: list[Needed] = []
    inputs = 0
    for el in dom:
        tag, text = el.get("tag", ""), str(el.get("text") or "")
        is_input = tag in INPUT_TAGS
        if is_input:
            inputs += 1
            if not typing:
                continue
            key = f"input #{inputs}"
        elif text and _mentioned(text, instruction, values):
            key = norm(text)
        else:
            continue
        box = shown_box(el, by_ref, width, height)
        if box is None:
            continue
        obs_box = (box[0] * scale[0], box[1] * scale[1], box[2] * scale[0], box[3] * scale[1])
        if _contrast(frame, obs_box) < MIN_CONTRAST:
            continue
        acts = is_input or tag in ACTION_TAGS
        out.append(Needed(key, text, obs_box, is_input, acts))
    return out


def _contrast(frame: np.ndarray, box: Sequence[float]) -> float:
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(frame.shape[1], int(np.ceil(box[2]))), min(frame.shape[0], int(np.ceil(box[3])))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float(frame[y0:y1, x0:x1].std())


def example_image(
    frame: np.ndarray,
    parse: Any,
    missed: Sequence[tuple[float, float, float, float]] = (),
    points: Sequence[tuple[int, int]] = (),
) -> np.ndarray:
    """The frame with the parse drawn (set-of-marks), missed DOM boxes in yellow and the
    action's points as a red cross, enlarged so a 160x210 frame stays readable."""
    from PIL import Image, ImageDraw

    from perception.screen.parser import ScreenParse
    from perception.screen.set_of_marks import draw_marks, mark_scale

    parse = parse or ScreenParse((), frame.shape[1], frame.shape[0])
    scale = mark_scale(frame.shape[1], frame.shape[0])
    img = Image.fromarray(draw_marks(frame, parse, scale))
    draw = ImageDraw.Draw(img)
    for box in missed:
        draw.rectangle(tuple(round(v * scale) for v in box), outline=(255, 215, 0), width=3)
    for x, y in points:
        cx, cy, r = round((x + 0.5) * scale), round((y + 0.5) * scale), max(4, round(2 * scale))
        draw.line((cx - r, cy - r, cx + r, cy + r), fill=(255, 0, 0), width=3)
        draw.line((cx - r, cy + r, cx + r, cy - r), fill=(255, 0, 0), width=3)
    return np.asarray(img)
