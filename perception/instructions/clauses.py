"""Sentences and clauses: an instruction split at sentence ends, at "then", at "and" / "," before
a verb, and at purpose, means and order phrases ("to find ...", "by clicking ...", "after
typing ..."), each clause tagged with how it joins the one before."""

from __future__ import annotations

import re
from dataclasses import dataclass

from perception.instructions import lexicon as lx
from perception.instructions.phrases import match
from perception.instructions.tokens import Token

_SENTENCE_ENDS = frozenset({".", ";", "!", "?"})
_SPLITTERS = frozenset({",", "and", "&", ";", ":"})
_LEADS = frozenset({"in order to", "so as to", "to", "by", "before", "after"})
_LINKS = {"to": "purpose", "by": "means", "before": "then", "after": "first"}
_TRAILING = frozenset({",", "and", "then", ":", "&", "please", "thanks"})
_HEDGES = frozenset({"as needed", "if needed", "as necessary", "if necessary", "if any",
                     "if present", "if required", "if you can", "for me"})  # fmt: skip
NEGATIONS = frozenset({"don't", "do not", "dont", "never", "avoid", "without"})


@dataclass
class Clause:
    """The words of one clause and how it joins the one before ("then", "purpose", "means",
    "first" for "after doing X", "later" for a leading "before doing X")."""

    tokens: list[Token]
    link: str = "then"


def sentences(tokens: list[Token]) -> list[list[Token]]:
    """The sentences of a tokenised instruction (quoted spans never end one)."""
    out, current = [], []
    for token in tokens:
        if not token.quoted and token.text in _SENTENCE_ENDS:
            if current:
                out.append(current)
            current = []
        else:
            current.append(token)
    if current:
        out.append(current)
    return out


def verb_at(tokens: list[Token], i: int) -> tuple[lx.Sense | None, int]:
    """The verb sense whose phrase starts at token i, with its length (gerunds lemmatised)."""
    if i >= len(tokens) or tokens[i].quoted:
        return None, 0
    phrase, size = match(tokens, i, lx.VERB_SENSES, 6)
    if size:
        return lx.VERB_SENSES[phrase], size
    base = lemma(tokens[i].low)
    if base:
        for size in (3, 2, 1):
            key = " ".join([base, *(t.low for t in tokens[i + 1 : i + size])])
            if key in lx.VERB_SENSES and i + size <= len(tokens):
                return lx.VERB_SENSES[key], size
    if tokens[i].low in lx.BUTTON_VERBS:
        return lx.Sense("click", "button"), 1
    return None, 0


def lemma(word: str) -> str:
    """The base form of a gerund ("clicking" -> "click", "typing" -> "type"), or ""."""
    if not word.endswith("ing") or len(word) < 5:
        return ""
    stem = word[:-3]
    for form in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if form and (form in lx.VERB_SENSES or form in lx.BUTTON_VERBS):
            return form
    return ""


def skip_fillers(tokens: list[Token], i: int) -> int:
    """Index after the fillers ("please", "then", "and then", "first,") that start at i."""
    while i < len(tokens):
        if tokens[i].text in (",", ":") and not tokens[i].quoted:
            i += 1
            continue
        size = match(tokens, i, lx.FILLERS, 6)[1]
        if not size or not _leads_on(tokens, i + size):
            break
        i += size
    return i


def _leads_on(tokens: list[Token], i: int) -> bool:
    """Whether what follows a filler is punctuation, a verb or another filler (so "first"
    in "first name" is not taken for one)."""
    if i >= len(tokens) or tokens[i].quoted:
        return False
    return tokens[i].text in (",", ":") or bool(
        verb_at(tokens, i)[0] or match(tokens, i, lx.FILLERS)[1]
    )


def _starts_clause(tokens: list[Token], i: int) -> bool:
    """Whether a verb (after fillers) starts at token i, so a split before i makes a clause."""
    j = skip_fillers(tokens, i)
    if match(tokens, j, NEGATIONS)[1]:
        return True
    sense, size = verb_at(tokens, j)
    if sense is None or tokens[j].low in lx.CLAUSE_VERBS_EXCLUDED or lemma(tokens[j].low):
        return False
    return not (sense.frame == "button" and j + 1 < len(tokens) and tokens[j + 1].low in _SPLITTERS)


def _cut_at(tokens: list[Token], i: int, start: int) -> tuple[int, str] | None:
    """(tokens to drop, link of the next clause) when a new clause starts at token i."""
    token = tokens[i]
    if token.quoted:
        return None
    if token.low == "then":
        return 1, "then"
    if token.low in _SPLITTERS and _starts_clause(tokens, i + 1):
        return 1, "then" if skip_fillers(tokens, i + 1) > i + 1 else "and"
    if i == start:
        return None
    if _run_on(tokens, i):
        return 0, "then"
    lead, size = match(tokens, i, _LEADS)
    if not size or i + size >= len(tokens):
        return None
    following = tokens[i + size]
    gerund = bool(lemma(following.low))
    if verb_at(tokens, i + size)[0] is None or following.text[:1].isupper():
        return None
    if lead.endswith("to") == gerund:
        return None
    return size, _LINKS.get(lead, "purpose")


_RUN_ON_VERBS = frozenset({"click", "press", "hit", "tap"})
_FUNCTION_WORDS = frozenset({
    "to", "of", "in", "on", "for", "with", "and", "or", "then", "please", "will", "can",
    "should", "must", "not", "you", "i", "we", "just", "also", "now", "it", "double",
    "right", "left",
})  # fmt: skip


def _run_on(tokens: list[Token], i: int) -> bool:
    """Whether a new clause starts at token i with no word to join it: a pointer verb after a
    noun and before what it names ("scroll to the top of the text hit submit")."""
    if i < 2 or i + 1 >= len(tokens) or tokens[i].low not in _RUN_ON_VERBS:
        return False
    before, after = tokens[i - 1], tokens[i + 1]
    noun = (
        not before.quoted
        and before.text.isalpha()
        and before.text.islower()
        and before.low not in lx.DETERMINERS
        and before.low not in _FUNCTION_WORDS
        and verb_at(tokens, i - 1)[0] is None
    )
    named = (
        after.quoted
        or after.text[:1].isupper()
        or after.low in lx.DETERMINERS
        or after.low in ("submit", "ok", "enter", "done", "next", "send", "save", "go")
    )
    return noun and named


def clauses(tokens: list[Token]) -> list[Clause]:
    """Split one sentence into clauses, each tagged with how it joins the previous one."""
    clauses: list[Clause] = []
    start, link = 0, "then"
    i = _verb_end(tokens, 0)
    while i < len(tokens):
        cut = _cut_at(tokens, i, start)
        if cut is None:
            i += 1
            continue
        piece = _trim(tokens[start:i])
        if piece:
            clauses.append(Clause(piece, link))
            link = cut[1]
        elif cut[1] != "then":
            link = cut[1]
        start = i + cut[0]
        i = max(_verb_end(tokens, start), start)
    piece = _trim(tokens[start:])
    if piece:
        clauses.append(Clause(piece, link))
    return [_leading_gerund(clause, n) for n, clause in enumerate(clauses)]


def _leading_gerund(clause: Clause, n: int) -> Clause:
    """A clause opening "before doing X," runs after the next one; "after"/"by" keep order."""
    tokens = clause.tokens
    first = tokens[0].low if tokens else ""
    if first in ("before", "after", "by") and len(tokens) > 1 and lemma(tokens[1].low):
        link = {"before": "later", "after": "then", "by": "then"}[first] if n == 0 else clause.link
        return Clause(tokens[1:], link)
    return clause


def _verb_end(tokens: list[Token], start: int) -> int:
    """Index after the verb phrase of the clause starting at `start` (no split falls inside)."""
    j = skip_fillers(tokens, start)
    if j < len(tokens) and tokens[j].low in ("to", "by", "before", "after"):
        j += 1
    sense, size = verb_at(tokens, j)
    return j + size if sense else start


def _trim(tokens: list[Token]) -> list[Token]:
    """A clause without the joining words and hedges ("as needed") at its ends."""
    while tokens and not tokens[-1].quoted:
        if tokens[-1].low in _TRAILING:
            tokens = tokens[:-1]
        elif len(tokens) > 2 and " ".join(t.low for t in tokens[-2:]) in _HEDGES:
            tokens = tokens[:-2]
        else:
            break
    while tokens and not tokens[0].quoted and tokens[0].low in (",", ":", "and"):
        tokens = tokens[1:]
    return tokens


# "..., then call done()." ends a task that the env cannot see finish by itself (desktop apps).
_THEN_DONE = re.compile(r"[,;]?\s*(?:and\s+)?then\s+(?:call\s+)?done(?:\(\))?\s*\.?\s*$", re.I)


def split_done(instruction: str) -> tuple[str, bool]:
    """(the task without a trailing "then call done()", whether the policy must say done)."""
    m = _THEN_DONE.search(instruction)
    if m is None:
        return instruction, False
    return instruction[: m.start()].rstrip(" ,;.") + ".", True
