"""What every argument frame shares: the clause context (steps so far, the embedder), how
targets are read from phrases and pronouns resolved, and the frame for verbs that act on each
element their object names (click, check, expand, hover)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from perception.instructions import lexicon as lx
from perception.instructions.phrase_lists import parse_list
from perception.instructions.phrases import Phrase, Similarity, match
from perception.instructions.plan import Step, Target
from perception.instructions.tokens import Token, join


@dataclass
class Context:
    """What earlier clauses left for later ones: the steps so far and the sentence embedder."""

    similarity: Similarity | None = None
    steps: list[Step] = field(default_factory=list)
    sought: Target | None = None  # what this sentence's "until you see X" looks for
    opened: list[Target] = field(default_factory=list)  # what that search clause opens

    def last_target(self) -> Target | None:
        """The target of the latest step that has one, or what a search clause sought (for
        "it", "them", "that")."""
        if self.sought is not None:
            return self.sought
        return next((s.target for s in reversed(self.steps) if s.target is not None), None)

    def has_read(self) -> bool:
        """Whether a read step came before (so "that" in "type that" means its answer)."""
        return any(s.verb == "read" for s in self.steps)


Frame = Callable[[lx.Sense, list[Token], Context], list[Step]]


def split_at(tokens: Sequence[Token], words: Sequence[str], start: int = 1) -> int:
    """Index of the first top-level occurrence of one of `words` at or after `start`, or -1."""
    table = set(words)
    for i in range(start, len(tokens)):
        if match(tokens, i, table, 3)[1] and i + 1 < len(tokens):
            return i
    return -1


def resolve(phrases: list[Phrase], ctx: Context) -> list[Target]:
    """The targets of parsed phrases, pronouns resolved and "both" spread over two ordinals."""
    out: list[Target] = []
    for phrase in phrases:
        if phrase.pronoun:
            last = ctx.last_target()
            if last is not None:
                out.append(last)
        elif phrase.both:
            out.extend(replace(phrase.target, ordinal=k) for k in (1, 2))
        else:
            out.append(phrase.target)
    return out


def is_empty(words: list[Token]) -> bool:
    """Whether a clause's object is only punctuation."""
    return not [t for t in words if t.quoted or t.low not in (",", ".", ":")]


def repeats(words: list[Token]) -> tuple[int, list[Token]]:
    """How many times a clause asks for its action ("twice", "3 times") and the other words."""
    low = [t.low for t in words]
    if low[-1:] in (["twice"], ["thrice"]):
        return (2 if low[-1] == "twice" else 3), words[:-1]
    if len(low) >= 2 and low[-1] == "times":
        count = lx.NUMBER_WORDS.get(low[-2]) or (int(low[-2]) if low[-2].isdigit() else 0)
        if 0 < count <= 20:
            return count, words[:-2]
    return 1, words


def target_frame(sense: lx.Sense, words: list[Token], ctx: Context) -> list[Step]:
    """Verbs that act on each element their object names (click, check, expand, hover)."""
    verb = sense.verb
    times, words = repeats(words)
    if times == 2 and verb == "click" and words and words[-1].low != "button":
        verb, times = "double_click", 1
    if is_empty(words):
        return [Step(verb)] * times
    if join(words).lower() in lx.NOTHING or words[0].low in ("nothing", "none"):
        return []
    phrases = parse_list(words, verb, ctx.similarity)
    steps = [Step(verb, target) for target in resolve(phrases, ctx)]
    return with_conditions(steps, phrases) * times


def with_conditions(steps: list[Step], phrases: list[Phrase]) -> list[Step]:
    """`steps` with the first relative clause of `phrases` ("that starts with X") on the last."""
    conditions = [p.condition for p in phrases if p.condition]
    if conditions and steps:
        steps[-1] = replace(steps[-1], condition=conditions[0])
    return steps
