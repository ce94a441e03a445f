"""Free-form English to a `Plan`: sentences split into clauses at "then", at "and" / "," before a
verb and at purpose or means phrases ("to find", "by clicking"); each clause's verb phrase is
looked up in the lexicon and its frame reads the arguments."""

from __future__ import annotations

from dataclasses import dataclass, replace

from perception.instructions import lexicon as lx
from perception.instructions import seeking
from perception.instructions.clauses import (
    NEGATIONS,
    Clause,
    clauses,
    lemma,
    sentences,
    skip_fillers,
    verb_at,
)
from perception.instructions.figures import read_figures
from perception.instructions.frames import FRAMES
from perception.instructions.message_chores import read_message_chore
from perception.instructions.message_frames import button_frame
from perception.instructions.phrases import Similarity, match, parse_phrase
from perception.instructions.plan import Plan, Step, Target
from perception.instructions.read_steps import read_step
from perception.instructions.routines import merge_repeats, read_routines
from perception.instructions.search_forms import search_form_steps
from perception.instructions.sorting import read_sorts
from perception.instructions.styles import read_styles
from perception.instructions.targets import Context
from perception.instructions.tokens import Token, join, tokenize

VERB_THRESHOLD = 0.7
_STATE_WORDS = frozenset({
    "checked", "ticked", "selected", "on", "alone", "unchanged", "untouched",
    "enabled", "intact", "unchecked", "unticked", "off", "empty", "blank", "unselected",
    "disabled",
})  # fmt: skip
_WAITING = frozenset({"when", "once", "until"})  # conditions a button verb waits for
_NO_CONDITION_FRAMES = frozenset(
    {"scroll", "read", "find", "type", "login", "search", "reply", "solve"}
)


@dataclass
class Parsed:
    """A clause's steps and the verb sense that made them (None when it had no verb)."""

    steps: list[Step]
    sense: lx.Sense | None
    clause: Clause


def parse_instruction(text: str, similarity: Similarity | None = None) -> Plan:
    """The plan `text` asks for; `similarity(word, phrases) -> scores` (e.g. MiniLM) resolves
    verbs and element nouns the lexicon lacks, and is never needed for the ones it has."""
    form = search_form_steps(text)  # "reserve the cheapest train from A to B on D"
    if form is not None:
        return Plan(text, form)
    chore = read_message_chore(text)  # "send Ana the mail Bo wrote": roles, not one verb
    if chore is not None:
        return Plan(text, tuple(chore))
    ctx = Context(similarity)
    for sentence in sentences(tokenize(text)):
        before = len(ctx.steps)
        _parse_sentence(sentence, ctx)
        ctx.steps[before:] = read_routines(sentence, read_figures(sentence, ctx.steps[before:]))
    ctx.steps[:] = read_styles(tokenize(text), ctx.steps)  # a style may follow a word's "."
    ctx.steps[:] = read_sorts(tokenize(text), ctx.steps)
    return Plan(text, tuple(merge_repeats(ctx.steps)))


# -------------------------------------------------------------------------- clause
def _parse_sentence(tokens: list[Token], ctx: Context) -> None:
    """Add the steps of one sentence to `ctx.steps`, joining clauses by their links."""
    before = list(ctx.steps)
    ctx.sought, ctx.opened = None, []
    done: list[Parsed] = []
    condition: str | None = None
    scope: tuple[str, Target] | None = None
    later: Parsed | None = None
    for clause in clauses(tokens):
        lead = _condition_clause(clause.tokens)
        if lead is not None:
            condition = lead
            continue
        found = _scope_clause(clause.tokens, ctx)
        if found is not None:
            scope = found
            continue
        prev = done[-1] if done else None
        looking = ctx.sought
        parsed = _parse_clause(clause, ctx, prev.sense if prev else None)
        if looking is not None:
            parsed.steps = [seeking.refers(s, looking, ctx.opened) for s in parsed.steps]
        if condition:
            parsed.steps = [replace(s, condition=s.condition or condition) for s in parsed.steps]
            condition = None
        if scope is not None and clause.link == "then" and done:
            scope = None
        if scope is not None:
            parsed.steps = [_scoped(s, *scope) for s in parsed.steps]
        _join(parsed, prev, done)
        if later is not None:
            done.append(later)
            later = None
        if clause.link == "later":
            later = done.pop()
        ctx.steps = before + [s for p in done for s in p.steps]
    if later is not None:
        done.append(later)
    ctx.steps = before + [s for p in done for s in p.steps]


def _join(parsed: Parsed, prev: Parsed | None, done: list[Parsed]) -> None:
    """Fold a purpose ("to ..."), means ("by ...") or "after ..." clause into the one before;
    "find X and click it" clicks X once."""
    link = parsed.clause.link
    if prev is not None and _refinds(prev, parsed):
        prev.steps = []
    if prev is None or prev.sense is None or link not in ("purpose", "means", "first"):
        done.append(parsed)
        return
    if link == "means":
        prev.steps = []
    elif link == "first":
        done.insert(len(done) - 1, parsed)
        return
    elif prev.sense.frame == "use":
        parsed.steps = _with_instrument(parsed.steps, prev.steps[0].target if prev.steps else None)
        prev.steps = []
    elif prev.sense.frame == "scroll":
        found = next((s.target for s in parsed.steps if s.target is not None), None)
        if found is not None and prev.steps:
            prev.steps[-1] = replace(prev.steps[-1], target=found)
        if parsed.sense is not None and parsed.sense.frame in ("find", "open"):
            parsed.steps = []
    elif (
        prev.sense.frame != "noop"
        and prev.sense.verb != "expand"
        and not _has_content(parsed.clause.tokens)
    ):
        parsed.steps = []
    done.append(parsed)


def _refinds(prev: Parsed, parsed: Parsed) -> bool:
    """Whether `parsed` acts on "it" after `prev` found it ("find X and click it")."""
    return (
        prev.sense is not None
        and prev.sense.frame == "find"
        and len(prev.steps) == 1
        and prev.steps[0].verb == "click"
        and bool(parsed.steps)
        and parsed.steps[0].target == prev.steps[0].target
        and parsed.clause.tokens[-1].low in lx.PRONOUNS
    )


def _with_instrument(steps: list[Step], instrument: Target | None) -> list[Step]:
    """The steps of "use X to ...": they act on X, and "use the search box to find Y" types Y
    into it and submits."""
    first = steps[0] if steps else None
    if first is None or instrument is None:
        return steps
    if instrument.kind in ("text_field", "text_area") and first.verb == "click" and first.target:
        return [Step("type", instrument, value=first.target.text), Step("submit")]
    if first.target is None:
        return [replace(first, target=instrument), *steps[1:]]
    return steps


def _has_content(tokens: list[Token]) -> bool:
    """Whether a purpose clause names something of its own (a quoted or capitalised word)."""
    return any(t.quoted or t.text[:1].isupper() or t.text[:1].isdigit() for t in tokens[1:])


def _condition_clause(tokens: list[Token]) -> str | None:
    """The condition a clause states on its own ("if a banner shows, ..."), or None."""
    marker, size = match(tokens, 0, lx.CONDITIONS, 3)
    if not size or size >= len(tokens):
        return None
    return f"{lx.CONDITIONS[marker]} {join(tokens[size:])}"


def _scope_clause(tokens: list[Token], ctx: Context) -> tuple[str, Target] | None:
    """A leading "for the account @ana," / "in the Billing section," that places what follows."""
    word, size = match(tokens, 0, lx.RELATION_PHRASES, 4)
    if not size or size >= len(tokens):
        return None
    if any(_verb_in_scope(tokens, k) for k in range(size, len(tokens))):
        return None
    phrase = parse_phrase(tokens[size:], "click", ctx.similarity)
    relation = lx.RELATION_PHRASES[word]
    loose = phrase.descriptive and phrase.target.kind == "any" and relation == "inside"
    if phrase.container or phrase.pronoun or loose:
        return "", Target()
    return relation, phrase.target


def _verb_in_scope(tokens: list[Token], k: int) -> bool:
    """Whether token k starts a verb phrase (not a noun after "the", as in "the scroll list")."""
    if tokens[k - 1].low in lx.DETERMINERS:
        return False
    return tokens[k].low in lx.VERB_SENSES and verb_at(tokens, k)[0] is not None


def _scoped(step: Step, relation: str, anchor: Target) -> Step:
    """`step` placed by a leading scope; in a list or menu, a select picks its value there."""
    if not relation or step.target is None or step.target.relation is not None:
        return step
    if anchor.kind in ("dropdown", "menu_item"):
        if step.verb == "select" and step.value is None:
            return replace(step, target=anchor, value=step.target.text)
        return step
    return replace(step, target=replace(step.target, relation=relation, anchor=anchor))


def _parse_clause(clause: Clause, ctx: Context, prev: lx.Sense | None) -> Parsed:
    """The steps of one clause: its verb phrase picks the frame that reads the rest."""
    tokens = clause.tokens
    i = skip_fillers(tokens, 0)
    if match(tokens, i, NEGATIONS)[1]:
        return Parsed([], None, clause)
    if len(tokens) - i == 1 and prev is not None and tokens[i].text[:1].isupper():
        return Parsed([_lone_word(tokens[i], ctx)], lx.Sense("click", "target"), clause)
    sense, size = verb_at(tokens, i)
    if sense is None:
        sense, size = _fallback_verb(tokens, i, ctx, prev)
    verb_word = " ".join(t.low for t in tokens[i : i + size])
    sense = replace(sense, phrase=verb_word)
    words = tokens[i + size :]
    if sense.frame == "button" and _copies_text(verb_word, words):
        return Parsed(read_step(words, ctx), lx.Sense("read", "read", verb_word), clause)
    if sense.frame == "button":  # "buy X when the price is below 40": it waits for that
        condition, rest = _trailing_condition(words)
        if condition is None or condition.split()[0] not in _WAITING:
            condition, rest = None, words
        steps = button_frame(lemma(verb_word) or verb_word, rest, ctx)
        steps = [replace(s, condition=s.condition or condition) for s in steps]
        return Parsed(steps, sense, clause)
    if verb_word in ("enter", "return") and not words:
        return Parsed([Step("press_key", key="Enter")], sense, clause)
    condition, searched = None, None
    if sense.frame not in _NO_CONDITION_FRAMES:
        searched = seeking.sought(words, ctx.similarity)
        condition, words = _trailing_condition(words)
    steps = FRAMES[sense.frame](sense, words, ctx)
    if condition:
        steps = [replace(s, condition=s.condition or condition) for s in steps]
    if searched is not None:
        ctx.opened = [s.target for s in steps if s.target is not None]
        ctx.sought = searched
        steps = seeking.found(steps, searched)
    return Parsed(steps, sense, clause)


def _copies_text(verb_word: str, words: list[Token]) -> bool:
    """ "copy the text in the box" reads what the box holds (to paste it later); "copy the
    link" clicks a button reading "copy"."""
    i = 1 if words and words[0].low in lx.DETERMINERS else 0
    return verb_word == "copy" and i < len(words) and words[i].low in lx.QUANTITIES


def _lone_word(token: Token, ctx: Context) -> Step:
    """A clause of one capitalised word after another clause ("..., then Submit"): the key it
    names after a key press, else a click on what it labels."""
    key = lx.KEYS.get(token.low)
    after_key = bool(ctx.steps) and ctx.steps[-1].verb == "press_key"
    if key is not None and not token.quoted and after_key:
        return Step("press_key", key=key)
    return Step("click", Target(text=token.text))


def _fallback_verb(
    tokens: list[Token], i: int, ctx: Context, prev: lx.Sense | None
) -> tuple[lx.Sense, int]:
    """A sense for a clause whose first word the lexicon lacks: the previous clause's verb
    ("type A in the first box, then B in the second"), the closest verb by similarity, or a
    click on what the clause names."""
    first = tokens[i] if i < len(tokens) else None
    if first is None:
        return lx.Sense("click", "target"), 0
    word = first.low
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    unknown_verb = (
        word.isalpha()
        and word not in lx.DETERMINERS
        and following is not None
        and not first.quoted
        and parse_phrase([Token(word)]).target.kind == "any"
        and (first.text[:1].islower() or following.quoted or following.low in lx.DETERMINERS)
    )
    if ctx.similarity is not None and unknown_verb:
        phrases = sorted(p for p in lx.VERB_SENSES if " " not in p)
        scores = list(ctx.similarity(word, phrases))
        best = max(range(len(phrases)), key=scores.__getitem__)
        if scores[best] >= VERB_THRESHOLD:
            return lx.VERB_SENSES[phrases[best]], 1
    if prev is not None and not unknown_verb:
        return prev, 0
    if unknown_verb:
        return lx.Sense("click", "target"), 1
    return lx.Sense("click", "target"), 0


def _trailing_condition(words: list[Token]) -> tuple[str | None, list[Token]]:
    """Split "... except X" / "... until X" / "... if X" off the end of a clause."""
    for k in range(1, len(words)):
        marker, size = match(words, k, lx.CONDITIONS, 3)
        if not size:
            continue
        rest = words[k + size :]
        kind = lx.CONDITIONS[marker]
        while kind == "except" and rest and rest[-1].low in _STATE_WORDS:
            rest = rest[:-1]
        if not rest:
            return None, words[:k]
        return f"{kind} {join(rest)}", words[:k]
    return None, words
