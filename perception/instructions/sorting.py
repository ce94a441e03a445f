"""Sorting a list by dragging as one step: "sort the numbers in increasing order", "arrange the
items from largest to smallest", "reorder the list so the lowest number is at the top". The
step drags (`verb="drag"`) the things named with manner "ascending" or "descending": top to
bottom (or left to right) from the least to the greatest, or the other way round.
"""

from __future__ import annotations

import re

from perception.instructions.plan import Step, Target
from perception.instructions.tokens import Token, join

_SORT = r"(?:sort|arrange|rearrange|reorder|order|put)"
_UP = re.compile(
    r"\b(?:increasing|ascending|(?:lowest|smallest|least|fewest)\b.{0,30}\b(?:top|first|start|"
    r"left)|from (?:the )?(?:lowest|smallest|least) to)\b"
)
_DOWN = re.compile(
    r"\b(?:decreasing|descending|(?:highest|largest|greatest|biggest|most)\b.{0,30}\b(?:top|"
    r"first|start|left)|from (?:the )?(?:highest|largest|greatest|biggest) to)\b"
)
_OBJECT = re.compile(rf"^(?:please )?{_SORT} (?P<obj>(?:the |these |all )?[a-z]+(?: [a-z]+)?)\b")
_STOP = {"in", "from", "so", "by", "with", "starting", "into", "to", "on", "that"}


def sort_step(text: str) -> Step | None:
    """The sorting step a sentence asks for, or None when it sorts nothing."""
    low = " ".join(text.lower().split())
    m = _OBJECT.search(low)
    if m is None:
        return None
    up, down = _UP.search(low), _DOWN.search(low)
    if (up is None) == (down is None) and not (up and down):
        return None
    manner = (
        "ascending"
        if up is not None and (down is None or up.start() < down.start())
        else ("descending")
    )
    words = [w for w in m.group("obj").split() if w not in ("the", "these", "all")]
    words = words[: next((i for i, w in enumerate(words) if w in _STOP), len(words))]
    return Step("drag", Target(text=" ".join(words)), manner=manner)


def read_sorts(tokens: list[Token], steps: list[Step]) -> list[Step]:
    """`steps` with a sorting sentence's steps replaced by its one sort step (the sending steps
    after it kept)."""
    said = join(tokens)
    for sentence in re.split(r"(?<=[.!?])\s+", said):
        clause = re.split(r",?\s+(?:and |then )+(?=press|click|hit|submit|tap)", sentence)[0]
        step = sort_step(clause)
        if step is not None:
            break
    else:
        return steps
    words = set(re.findall(r"[a-z]+", clause.lower()))
    out: list[Step] = []
    placed = False
    for s in steps:
        text = s.target.text.lower() if s.target is not None else ""
        if s.verb != "submit" and set(re.findall(r"[a-z]+", text)) <= words:
            if not placed:
                out.append(step)
                placed = True
            continue  # a step the sorting clause made
        out.append(s)
    if not placed:
        out.insert(0, step)
    return out
