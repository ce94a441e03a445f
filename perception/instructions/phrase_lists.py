"""Lists of noun phrases: "a, b and c", "File > Save", "the first and third checkboxes",
"the boxes labelled a, b and c" — one target each, sharing the kind a plural head names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perception.instructions import lexicon as lx
from perception.instructions.phrases import WEAK, Phrase, Similarity, match, parse_phrase
from perception.instructions.plan import ALL, Target
from perception.instructions.tokens import Token, join

_SEPARATORS = frozenset({",", "and", "&", "or", "plus", ">"})
_PREPOSITIONS = frozenset({"in", "into", "on", "onto", "to", "inside", "within", "at"})


def parse_list(
    tokens: Sequence[Token], verb: str = "click", similarity: Similarity | None = None
) -> list[Phrase]:
    """Each target of a list ("a, b and c", "File > Save", "the first and third checkboxes",
    "the boxes labelled a, b and c")."""
    tokens = _before_aside(list(tokens))
    named = _named_list(tokens, verb, similarity)
    if named:
        return named
    pieces, path = _pieces(tokens)
    phrases = [parse_phrase(piece, verb, similarity) for piece in pieces]
    phrases = [p for p in phrases if not (p.pronoun and len(phrases) > 1)]
    if len(phrases) > 1:
        phrases = _share_kind(phrases)
    if path:
        phrases = [_with_kind(p, "menu_item") if p.target.kind == "any" else p for p in phrases]
    return phrases


def _pieces(tokens: list[Token]) -> tuple[list[list[Token]], bool]:
    """The list's items, split at "," / "and" / "or" / ">" until a relation, name or relative
    clause begins (which belong to the item before); and whether ">" made it a menu path."""
    pieces: list[list[Token]] = [[]]
    path = closed = False
    for n, token in enumerate(tokens):
        if not closed and not token.quoted:
            closed = _closes_list(tokens, n, bool(pieces[-1]))
        if not closed and _separates(tokens, n):
            path = path or token.low == ">"
            pieces.append([])
        else:
            pieces[-1].append(token)
    pieces = [p[1:] if len(p) > 1 and p[0].low in _PREPOSITIONS else p for p in pieces if p]
    return pieces, path


def _closes_list(tokens: list[Token], n: int, in_item: bool) -> bool:
    """Whether a strong relation, a naming phrase or a relative clause starts at token n."""
    if match(tokens, n, lx.NAMING)[1] or match(tokens, n, lx.RELATIVE_CONDITIONS)[1]:
        return True
    return in_item and tokens[n].low not in WEAK and bool(match(tokens, n, lx.RELATION_PHRASES)[1])


def _separates(tokens: list[Token], n: int) -> bool:
    """Whether token n separates two items (not inside "Terms and Conditions", and "or" not
    between two heads of one named element: "the page or post titled X")."""
    token = tokens[n]
    if token.quoted or token.low not in _SEPARATORS or _inside_compound(tokens, n):
        return False
    if token.low in _JOINERS and _inside_name(tokens, n):
        return False
    if token.low == "," and _in_date(tokens, n):
        return False
    return not (
        token.low == "or" and any(match(tokens, k, lx.NAMING)[1] for k in range(n, len(tokens)))
    )


_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


def _in_date(tokens: list[Token], n: int) -> bool:
    """Whether the comma at n is inside a date ("March 3, 2024", "Tue, 4 June")."""
    before = [t.low for t in tokens[max(0, n - 2) : n]]
    after = tokens[n + 1].text if n + 1 < len(tokens) else ""
    year = len(after) == 4 and after.isdigit()
    return (year and len(before) == 2 and before[0] in _MONTHS and before[1].isdigit()) or (
        year and len(before) == 2 and before[0].isdigit() and before[1] in _MONTHS
    )


def _share_kind(phrases: list[Phrase]) -> list[Phrase]:
    """Items without a kind take the kind of a plural item ("the first and third checkboxes"),
    and that plural stops meaning "all"."""
    plural = [k for k, p in enumerate(phrases) if p.plural and p.target.kind != "any"]
    shared = phrases[plural[0]].target.kind if plural else phrases[-1].target.kind
    for k in plural:
        if phrases[k].target.ordinal == ALL:
            target = replace(phrases[k].target, ordinal=None)
            phrases[k] = replace(phrases[k], target=target, plural=False)
    return [_with_kind(p, shared) if p.target.kind == "any" else p for p in phrases]


def _with_kind(phrase: Phrase, kind: str) -> Phrase:
    return replace(phrase, target=replace(phrase.target, kind=kind))


def _before_aside(tokens: list[Token]) -> list[Token]:
    """The words before a comment set off by a comma (", which is on one of the tabs")."""
    for k in range(1, len(tokens) - 1):
        if tokens[k].low == "," and tokens[k + 1].low in ("which", "who", "where", "that's"):
            return list(tokens[:k])
    return list(tokens)


def _named_list(tokens: Sequence[Token], verb: str, similarity: Similarity | None) -> list[Phrase]:
    """ "the checkboxes labeled a, b and c": one target per name, each of the plural's kind."""
    for k in range(1, len(tokens)):
        naming, size = match(tokens, k, lx.NAMING)
        if not size:
            continue
        head = parse_phrase(tokens[:k], verb, similarity)
        if not head.plural:
            return []
        names = [[]]
        rest = list(tokens[k + size :])
        for n, token in enumerate(rest):
            name_word = token.low in _JOINERS and _inside_name(rest, n)
            if not token.quoted and token.low in (",", "and", "&", "or") and not name_word:
                names.append([])
            else:
                names[-1].append(token)
        kind = head.target.kind
        return [Phrase(Target(text=join(name), kind=kind)) for name in names if name]
    return []


_JOINERS = frozenset({"and", "&"})


def _capital(tokens: Sequence[Token], k: int) -> bool:
    """Whether token k is a capitalised word, as a proper name's words are (also "McX", "Éx")."""
    if not 0 <= k < len(tokens) or tokens[k].quoted:
        return False
    text = tokens[k].text
    return text[:1].isupper() and text.replace("'", "").replace("-", "").isalpha()


def _name_after(tokens: Sequence[Token], n: int) -> int:
    """Where the name after the joiner at n starts (past a "the" before a capital), or -1."""
    k = n + 1
    if k < len(tokens) and tokens[k].low == "the" and _capital(tokens, k + 1):
        k += 1
    return k if _capital(tokens, k) else -1


def _inside_name(tokens: Sequence[Token], n: int) -> bool:
    """Whether the "and" at n joins the words of one proper name rather than two items: it stands
    between capitalised words and the list goes on past it with commas (items of one shape: in
    "a, b and c" only the last item follows "and"). A bare "X and Y" stays two items."""
    after = _name_after(tokens, n)
    if after < 0 or not _capital(tokens, n - 1):
        return False
    rest = range(after + 1, len(tokens) - 1)
    return any(tokens[k].low == "," and not _item_joiner(tokens, k + 1) for k in rest)


def _item_joiner(tokens: Sequence[Token], k: int) -> bool:
    return tokens[k].low in _JOINERS or tokens[k].low == "or"


def one_name(tokens: Sequence[Token]) -> bool:
    """Whether the words are one capitalised name joined by "and": capitalised words either side
    of a single "and" (or "&"), nothing else."""
    joins = [k for k, t in enumerate(tokens) if t.low in _JOINERS]
    if len(joins) != 1 or joins[0] == 0:
        return False
    n = joins[0]
    after = _name_after(tokens, n)
    return after > 0 and all(_capital(tokens, k) for k in [*range(n), *range(after, len(tokens))])


def _inside_compound(tokens: Sequence[Token], n: int) -> bool:
    """Whether the separator at n is inside a known label ("Terms and Conditions")."""
    for start in range(max(0, n - 3), n):
        phrase, size = match(tokens, start, lx.LABEL_COMPOUNDS)
        if size and start + size > n:
            return True
    return False
