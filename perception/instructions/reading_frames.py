"""Argument frames for verbs that read the page: "the 2nd line of the address", "the price
of the lamp", "count the checkboxes", "what is the price of X", "answer with 42"."""

from __future__ import annotations

from perception.instructions import lexicon as lx
from perception.instructions.entry_frames import search_frame
from perception.instructions.phrases import kind_at, namelike, ordinal_at, parse_phrase
from perception.instructions.plan import ANSWER, Step, Target
from perception.instructions.read_steps import read_step
from perception.instructions.targets import Context, target_frame
from perception.instructions.tokens import Token, join

_OPERATORS = frozenset("+-*/=×÷−")


def read_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Read what the page shows: "the 2nd line of the address", "the price of the lamp"; a
    read of what was already read ("report it") reports it and finishes."""
    low = " ".join(t.low for t in words)
    if ctx.has_read() and (low in lx.ANSWER_PRONOUNS or low.startswith(("it ", "that "))):
        return [Step("done", answer=ANSWER)]
    return read_step(words, ctx)


def count_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Count the elements a phrase names ("count the checkboxes")."""
    phrase = parse_phrase(words, "read", ctx.similarity)
    return [Step("read", None if phrase.pronoun else phrase.target, answer="count")]


def solve_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Compute what a formula comes to ("solve the equation", "calculate 3 + 4", "solve for
    x"): a read whose answer is the solution of the formula named here or shown on the page."""
    formula = join(words) if any(t.text in _OPERATORS for t in words) else ""
    return [Step("read", Target(text=formula) if formula else None, answer="solution")]


def find_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """ "find the 2nd line ..." reads; "find the order from X" clicks it."""
    i = 0
    while i < len(words) and words[i].low in lx.DETERMINERS:
        i += 1
    i += ordinal_at(words, i)[1]
    if i < len(words) and words[i].low in lx.QUANTITIES - {"text"}:
        return read_step(words, ctx)
    if words and words[0].low in ("out", "what", "how", "which"):
        return read_step(words[1:], ctx)
    if _topic(words):
        return search_frame(sense, words, ctx)
    return target_frame(lx.Sense("click", "target"), words, ctx)


def _topic(words: list[Token]) -> bool:
    """Whether "find ..." names something to search for ("flights to Tokyo"), not an element:
    lower-case words with no determiner, quote, kind noun or name."""
    first = words[0] if words else None
    if first is None or first.quoted or not first.text.islower() or first.low in lx.DETERMINERS:
        return False
    if any(t.quoted or namelike(t) and not t.text[:1].isupper() for t in words):
        return False
    return not any(kind_at(words, i)[1] for i in range(len(words)))


def answer_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Report an answer and finish: "answer with 42"."""
    words = [t for t in words if t.low not in ("with", "the", "answer", ":")]
    value = join(words) if words else None
    if ctx.has_read() and (value is None or value.lower() in lx.ANSWER_PRONOUNS):
        value = ANSWER
    return [Step("done", answer=value)]
