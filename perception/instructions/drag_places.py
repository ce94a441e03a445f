"""Where a drag moves a list or grid item, read into the drag step's value: "to the top",
"to the 3rd position" ("3"), "down by one" ("down 1"), "to the bottom-right" ("bottom right"),
with the item's words as its target."""

from __future__ import annotations

from dataclasses import replace

from perception.instructions import lexicon as lx
from perception.instructions.plan import Step, Target
from perception.instructions.tokens import Token, join

ENDS = {"top": "top", "start": "top", "beginning": "top", "first": "top", "bottom": "bottom",
        "end": "bottom", "last": "bottom"}  # fmt: skip
ROWS = {"top": "top", "bottom": "bottom", "center": "center", "centre": "center",
        "middle": "center", "left": "left", "right": "right"}  # fmt: skip
COLUMNS = {"left": "left", "right": "right", "center": "center", "centre": "center",
           "middle": "center"}  # fmt: skip
MOVES = frozenset({"up", "down", "left", "right"})
PLACES = frozenset({"position", "positions", "place", "places", "spot", "spots"})


def first_of(steps: list[Step], verbs: tuple[str, ...]) -> int:
    """The index of the first step of one of `verbs` (-1: none)."""
    return next((k for k, s in enumerate(steps) if s.verb in verbs), -1)


def number_word(word: str) -> int | None:
    """The number a word says ("3", "three"), or None."""
    if word.isdigit():
        return int(word)
    return lx.NUMBER_WORDS.get(word)


def bare(tokens: list[Token]) -> list[Token]:
    """The words without a leading determiner."""
    return tokens[1:] if tokens and tokens[0].low in lx.DETERMINERS else tokens


def drag_places(tokens: list[Token], low: list[str], steps: list[Step]) -> list[Step]:
    """A drag of a list item "to the top", "to the 3rd position", "down by one", "to the bottom
    left": the place as the step's value, the item as its target."""
    k = first_of(steps, ("drag",))
    if k < 0 or (steps[k].target is not None and steps[k].target.look is not None):
        return steps
    place, at = _place(tokens, low)
    if place is None:
        return steps
    step = steps[k]
    target = step.target
    verb = next((j for j, w in enumerate(low) if w in ("drag", "move")), -1)
    moved = target is not None and target.text.split()[-1:] in (["up"], ["down"])
    if target is None or target.relation is not None or moved:
        words = bare(tokens[verb + 1 : at]) if 0 <= verb < at else []
        target = Target(text=join(words)) if words else target
    new = replace(step, target=target, value=place, destination=None)
    return [*steps[:k], new, *steps[k + 1 :]]


def _place(tokens: list[Token], low: list[str]) -> tuple[str | None, int]:
    """(the place a drag names, where its words start) or (None, -1)."""
    for k, w in enumerate(low):
        if w in MOVES and low[k + 1 : k + 2] == ["by"] and k + 2 < len(low):
            n = number_word(low[k + 2])
            return f"{w} {n if n is not None else 1}", k
        if w != "to":
            continue
        j = k + 1 + (low[k + 1 : k + 2] == ["the"])
        if j >= len(low):
            continue
        rank = low[j].rstrip("stndrh") if low[j][:1].isdigit() else ""
        if rank.isdigit() and low[j + 1 : j + 2] and low[j + 1] in PLACES:
            return rank, k
        if low[j] in lx.ORDINALS and low[j + 1 : j + 2] and low[j + 1] in PLACES:
            return str(lx.ORDINALS[low[j]]), k
        if low[j] in ENDS and low[j] not in ROWS:
            return ENDS[low[j]], k
        head, _, tail = low[j].partition("-")  # "bottom-right"
        if head in ROWS:
            second = COLUMNS.get(tail or (low[j + 1] if j + 1 < len(low) else ""))
            first = ROWS[head]
            return (f"{first} {second}" if second and first in ("top", "bottom", "center")
                    else first), k  # fmt: skip
    return None, -1
