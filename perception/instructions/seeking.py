"""What a search clause looks for: "open the tabs until you see the link X, then click that
link" clicks X (the executor opens tabs, sections and folders while X is missing), and "it" or
"that link" after such a clause is X, not the tabs."""

from __future__ import annotations

from dataclasses import replace

from perception.instructions.phrases import Similarity, match, parse_phrase
from perception.instructions.plan import ALL, Step, Target
from perception.instructions.tokens import Token

_SEEING = frozenset({
    "you see", "you find", "you reach", "you get to", "you spot", "you locate", "you can see",
    "you come to", "you come across", "you hit",
})  # fmt: skip
_SHOWING = frozenset({
    "shows", "appears", "is visible", "shows up", "comes up", "is shown", "becomes visible",
    "turns up", "is there", "show", "appear", "are visible", "show up",
})  # fmt: skip
_NONE = frozenset({"no", "nothing", "none"})
_UNTIL = frozenset({"until", "till", "untill"})
_OPENERS = frozenset({"any", "tab"})  # an unnamed opening step the executor's search does


def sought(words: list[Token], similarity: Similarity | None) -> Target | None:
    """The target an "until you see X" / "until X shows" at the end of a clause names, or None."""
    at = next((k for k in range(1, len(words)) if words[k].low in _UNTIL), -1)
    if at < 0:
        return None
    rest = words[at + 1 :]
    size = match(rest, 0, _SEEING, 3)[1]
    rest = rest[size:]
    end = next((k for k in range(1, len(rest)) if match(rest, k, _SHOWING, 3)[1]), -1)
    if not size and end < 0:  # "until the last page": a stop, not something looked for
        return None
    rest = rest[:end] if end > 0 else rest
    if not rest or rest[0].low in _NONE:
        return None
    phrase = parse_phrase(rest, "click", similarity)
    target = phrase.target
    if phrase.pronoun or (not target.text and target.kind == "any"):
        return None
    return target


def found(steps: list[Step], target: Target) -> list[Step]:
    """A clause's steps once what it searches for is known: the search's own condition goes
    (the executor searches), and an unnamed opening step ("open the tabs") goes too."""
    out = []
    for step in steps:
        if step.condition is None or step.condition.split(" ")[0] != "until":
            out.append(step)
            continue
        own = step.target
        if own is not None and own.text and own.ordinal != ALL:
            out.append(step)  # "click Next until X shows": repeated until then
        elif own is None or (not own.text and own.kind in _OPENERS):
            continue  # "open the tabs": the executor's search opens them
        else:
            out.append(replace(step, condition=None))
    return out


def refers(step: Step, target: Target, opened: list[Target]) -> Step:
    """`step` acting on the sought `target` when it names it only by kind ("that link") or
    by a pronoun that took the opened containers."""
    own = step.target
    if own is None or step.verb not in ("click", "double_click", "right_click", "hover"):
        return step
    by_kind = not own.text and own.kind in (target.kind, "any") and own.relation is None
    if by_kind or own in opened:
        return replace(step, target=target)
    return step
