"""Read steps from noun phrases: "the 2nd line of the address" (what to take, where),
"the Mileage value" (a named row's value), and the ordinal words a report uses."""

from __future__ import annotations

from collections.abc import Sequence

from perception.instructions import lexicon as lx
from perception.instructions.phrases import match, ordinal_at, parse_phrase
from perception.instructions.plan import Step, Target
from perception.instructions.targets import Context, split_at
from perception.instructions.tokens import Token, join

_WHERE = (
    "of", "in", "for", "from", "on", "inside", "within", "next to", "beside", "under",
    "that corresponds to", "that corresponds with", "corresponding to", "associated with",
    "shown in",
)  # fmt: skip
_LONG_WHERE = frozenset(w for w in _WHERE if " " in w)
_PARTICIPLES = frozenset(
    ["shown", "displayed", "listed", "written", "given", "printed", "visible", "stated"]
)


def read_step(words: list[Token], ctx: Context) -> list[Step]:
    """The read step of "the <quantity> of|in <where>" or "the <Name> <quantity>"."""
    words = [t for t in words if t.low not in ("?", ".")]
    start = 1 if words and words[0].low in lx.DETERMINERS else 0
    end = quantity_end(words, start)
    if end > 0:
        label = join(words[start : end - 1])
        return [Step("read", Target(text=label), answer=words[end - 1].low)]
    at = split_at(words, _WHERE)
    what = words[:at] if at > 0 else words
    cut = next((k for k, t in enumerate(what) if k and t.low in _PARTICIPLES), len(what))
    what = what[:cut]
    i = 0
    while i < len(what) and what[i].low in lx.DETERMINERS:
        i += 1
    ordinal, size = ordinal_at(what, i)
    noun = " ".join(t.low for t in what[i + size :])
    if ordinal is not None:
        noun = f"{_ordinal_text(ordinal)} {noun}"
    target = (
        _where(words[at + max(match(words, at, _LONG_WHERE, 4)[1], 1) :], ctx) if at > 0 else None
    )
    return [Step("read", target, answer=noun or None)]


def _where(words: list[Token], ctx: Context) -> Target | None:
    """Where a read looks: a name as written ("Place of Issue"), or the element a phrase names."""
    if words and not words[0].quoted and words[0].text[:1].isupper():
        cut = split_at(words, ("in", "on", "from", "inside", "within"))
        cut = cut if cut > 0 and words[cut + 1].low in lx.DETERMINERS else len(words)
        return Target(text=join(words[:cut]))
    phrase = parse_phrase(words, "read", ctx.similarity)
    return None if phrase.container else phrase.target


def quantity_end(words: Sequence[Token], start: int) -> int:
    """End of "Mileage value" / "Mileage value from the table" (named words, then a quantity noun),
    or -1 when the phrase is not a reading of that kind."""
    for k in range(start + 1, len(words)):
        if words[k].low in lx.QUANTITIES and words[k].low not in lx.FIELD_NOUNS - {"value"}:
            named = words[start:k]
            if named and all(t.text[:1].isupper() for t in named):
                return k + 1
            return -1
    return -1


def _ordinal_text(n: int) -> str:
    if n == -1:
        return "last"
    if n < -1:
        return f"{_ordinal_text(-n)} last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
