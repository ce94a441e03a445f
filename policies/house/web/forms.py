"""A form filled from one sentence: "search for fantasy movies directed by Herman from year
1980" split into parts ("fantasy movies", "directed by Herman", "from year 1980"), each part
given to the empty field whose label shares its words ("Genre", "Director", "Year"), whatever
the fields' order and whether each label sits left of, above or below its field.

Labels are read from the pixels beside each outlined empty box; the side is the one where every
field shows a label. A part whose words match no label takes the field left over.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from contracts.actions import Action, Click, Type
from perception.instructions.entry_frames import BY_LABEL
from perception.instructions.plan import ANSWER
from policies.house.web.framed import covered_by, framed_boxes, holds_words
from policies.house.web.page_cues import Box, grow
from policies.house.web.pixels import edge_mask, text_height
from policies.house.web.plan_state import StepState
from policies.house.web.step_contract import NOT_MINE
from policies.house.web.view import View

# Words that open a part of the sentence ("directed BY Herman", "FROM year 1980").
LINKS = frozenset({
    "by", "from", "in", "on", "at", "with", "for", "of", "to", "as", "into", "named", "called",
    "titled", "dated", "about", "near",
})  # fmt: skip
SEPARATORS = frozenset({"and", ",", ";"})
DETERMINERS = frozenset({"a", "an", "the", "some", "any"})
SIDES = ("left", "above", "below")  # where a field's label is looked for, in this order
STEM = 4  # a cue word and a label word sharing this many first letters name the same thing
LABEL_BAND = 1.8  # text heights above or below a field read as its label
# Label words for a value of digits (a year, a date, a count) and for an address with "@".
NUMBER_LABELS = frozenset({
    "year", "date", "born", "released", "age", "number", "no", "zip", "code", "phone", "amount",
    "quantity", "price", "count",
})  # fmt: skip
MAIL_LABELS = frozenset({"email", "e-mail", "mail"})
MIN_FIELDS = 2
EDGE = 3  # pixels beside a field's box that may still be its outline
FUZZY = 0.8  # letters two words share, for OCR's reading of a label to count as the word


@dataclass(frozen=True)
class Part:
    """One part of the sentence: its cue words (what the value is) and the value to type."""

    cue: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class Field:
    """An empty field on the page and the label read beside it."""

    box: Box
    label: str


def sentence_parts(text: str) -> list[Part]:
    """The sentence split where a linking word starts a part ("by", "from"; a participle before
    it joins it: "directed by"), each part's value being its capitalised, numeric or "@" words,
    else the words after its linking word, else all but its last (head) noun."""
    words = [w.strip(".,;:!?\"'") for w in re.split(r"\s+|(?=,)", text) if w.strip()]
    chunks: list[list[str]] = [[]]
    for w in words:
        low = w.lower()
        if low in SEPARATORS or not w:
            if chunks[-1]:
                chunks.append([])
            continue
        if low in LINKS and chunks[-1]:
            lead = []
            if len(chunks[-1]) > 1 and chunks[-1][-1].lower().endswith("ed"):
                lead = [chunks[-1].pop()]  # "directed by": the participle opens the part
            chunks.append(lead)
        chunks[-1].append(w)
    return [p for p in (_part(c) for c in chunks if c) if p.value]


def _part(chunk: list[str]) -> Part:
    """The cue and value of one chunk of words."""
    sure = [i for i, w in enumerate(chunk) if _definite(w)]
    if sure:
        end = sure[-1] + 1
        start = end - 1
        while start > 0 and _definite(chunk[start - 1]):
            start -= 1
        value = chunk[start:end]
        cue = chunk[:start] + chunk[end:]
    else:
        low = [w.lower() for w in chunk]
        at = next((i for i, w in enumerate(low) if w in LINKS), None)
        if at is not None:
            rest = [w for w in chunk[at + 1 :] if w.lower() not in DETERMINERS]
            value, cue = rest, chunk[: at + 1]
        elif len(chunk) > 1:
            value, cue = chunk[:-1], chunk[-1:]  # "fantasy movies": the head noun is the cue
        else:
            value, cue = chunk, []
    return Part(tuple(w.lower() for w in cue), " ".join(value))


def _definite(word: str) -> bool:
    """A word that is surely a value: it holds a digit or "@", or starts with a capital."""
    return any(c.isdigit() for c in word) or "@" in word or word[:1].isupper()


def label_score(part: Part, label: str) -> float:
    """How well a part fits a field's label: 1 when a cue word shares its stem with a label
    word, 0.6 when the value's form fits the label (digits for a year, "@" for an email)."""
    names = [w for w in re.findall(r"[a-z@-]+", label.lower()) if len(w) > 1]
    for cue in (*part.cue, *part.value.lower().split()):
        for name in names:
            if cue == name or (min(len(cue), len(name)) >= STEM and _alike(cue, name)):
                return 1.0
    if any(c.isdigit() for c in part.value) and NUMBER_LABELS & set(names):
        return 0.6
    if "@" in part.value and MAIL_LABELS & set(names):
        return 0.6
    return 0.0


def _alike(a: str, b: str) -> bool:
    """Same stem ("directed", "Director"), or the same word with a letter OCR lost ("Arist")."""
    import difflib

    return a[:STEM] == b[:STEM] or difflib.SequenceMatcher(None, a, b).ratio() >= FUZZY


def assign(parts: list[Part], fields: list[Field]) -> list[tuple[Field, Part]]:
    """Each field paired with at most one part so the label scores add up to the most; a part
    no label names takes a field left over. Pairs come in the fields' reading order."""
    n = min(len(parts), len(fields))
    best: tuple[float, tuple[tuple[int, int], ...]] = (-1.0, ())
    for chosen in itertools.permutations(range(len(fields)), n):
        for order in itertools.combinations(range(len(parts)), n):
            pairs = tuple(zip(chosen, order, strict=True))
            total = sum(label_score(parts[p], fields[f].label) + _sure(parts[p]) for f, p in pairs)
            if total > best[0]:
                best = (total, pairs)
    return [(fields[f], parts[p]) for f, p in sorted(best[1])]


def _sure(part: Part) -> float:
    """A little weight for a part whose value is surely one (a name, a number) over a bare word,
    so that when no label names either, the sure one takes the field left over."""
    return 0.01 if any(_definite(w) for w in part.value.split()) else 0.0


def empty_fields(view: View) -> list[Box]:
    """Outlined boxes below the banner that show no words and are not buttons."""
    th = text_height(view.frame)
    top = 0  # the banner is the block of task lines from the frame's top, not a label below
    for box in sorted(view.parse.get(i).box for i in view.banner()):
        if box[1] > top + th:
            break
        top = max(top, box[3])
    buttons = [e.box for e in view.content() if e.kind in ("button", "icon_button")]
    return [
        b
        for b in framed_boxes(view.frame, top)
        if b[2] - b[0] >= 4 * th and not holds_words(view.frame, b) and not covered_by(b, buttons)
    ]


def read_labels(view: View, boxes: list[Box], reader: Any) -> list[Field]:
    """The fields with the labels read on the side (left, above, below) where every field shows
    words, the nearest such side when several do (a heading above the first field is further
    off than the labels under each); [] when no side does."""
    h = view.frame.shape[0]
    band = int(LABEL_BAND * text_height(view.frame))
    best: tuple[float, list[Field]] = (float("inf"), [])
    for side in SIDES:
        fields, gaps = [], []
        for x0, y0, x1, y1 in boxes:
            area = {
                "left": (0, y0, max(1, x0 - EDGE), y1),
                "above": (x0, max(0, y0 - band), x1, max(1, y0 - EDGE)),
                "below": (x0, y1 + EDGE, x1, min(h, y1 + band)),
            }[side]
            cut = _ink(view.frame, area)
            text = reader.read(view.text_frame, [(cut, "text")])[0][0] if cut else ""
            if cut is None or not re.search(r"[A-Za-z]{2}", text):
                break
            gaps.append({"left": x0 - cut[2], "above": y0 - cut[3], "below": cut[1] - y1}[side])
            fields.append(Field((x0, y0, x1, y1), text.strip().rstrip(":").strip()))
        if len(fields) == len(boxes) and max(gaps) < best[0]:
            best = (max(gaps), fields)
    return best[1]


def _ink(frame: np.ndarray, box: Box) -> Box | None:
    """`box` cut to the ink inside it, None when it holds none."""
    x0, y0, x1, y1 = box
    ink = edge_mask(frame)[y0:y1, x0:x1]
    ys, xs = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if not len(ys) or x1 <= x0:
        return None
    return (
        max(0, x0 + int(xs[0]) - 2),
        max(0, y0 + int(ys[0]) - 2),
        x0 + int(xs[-1]) + 3,
        y0 + int(ys[-1]) + 3,
    )


def form_step(
    policy: Any, view: View, state: StepState, notes: dict[str, Any]
) -> tuple[Action, Any, str] | None | object:
    """(action, box, expectation) spreading a type step's sentence over the form's fields,
    None when every part is typed, or NOT_MINE when the step is not such a sentence."""
    step = state.step
    if step.verb != "type" or step.condition == BY_LABEL or not step.value or ANSWER in step.value:
        return NOT_MINE
    if state.phase == "start" and "fills" in state.memo:
        state.phase = "form"  # a failed check: the same field again, not a new reading
    if state.phase == "start":
        parts = sentence_parts(step.value)
        reader = getattr(policy.parser, "reader", None)
        if len(parts) < MIN_FIELDS or reader is None:
            return NOT_MINE
        boxes = empty_fields(view)
        if len(boxes) < MIN_FIELDS:
            return NOT_MINE
        fields = read_labels(view, boxes, reader)
        pairs = assign(parts, fields) if fields else []
        if len(pairs) < MIN_FIELDS:
            return NOT_MINE
        state.memo["fills"] = [(f.box, p.value) for f, p in pairs]
        notes["form"] = [f"{f.label!r} <- {p.value!r}" for f, p in pairs]
        state.phase = "form"
    if state.phase not in ("form", "form_focused", "form_typed"):
        return NOT_MINE
    if state.phase == "form_typed":  # the last value showed in its field
        state.memo["fills"].pop(0)
        state.phase = "form"
    if not state.memo["fills"]:
        return None
    box, value = state.memo["fills"][0]
    if state.phase == "form":
        state.phase = "form_focused"
        policy._filled.append(box)
        notes["target"] = f"field {box}"
        return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), None, "none"
    state.phase = "form_typed"
    return Type(value), grow(box, view.parse), "change"
