"""Reading a phrase of an instruction ("the second Submit button below the Name field") into a
`Query`: the target's text, the element kind it names, a spatial relation to an anchor phrase,
an ordinal or an extreme ("top", "leftmost")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kind words, longest first so "radio button" is a checkbox and "text field" one word.
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"radio buttons?|check ?box(?:es)?|tick ?box(?:es)?|radios?|toggles?|switch(?:es)?",
        "checkbox",
    ),
    (
        r"text ?(?:field|box|input|area)s?|input (?:field|box)s?|search (?:box|field)s?|"
        r"textareas?|fields?|inputs?|entry|entries",
        "text_input",
    ),
    (
        r"drop-?down(?: menu| list)?s?|drop downs?|select (?:box|list|menu)|combo ?box(?:es)?|"
        r"menus?|list ?box(?:es)?",
        "dropdown",
    ),
    (r"buttons?|btns?", "button"),
    (r"hyperlinks?|links?", "link"),
    (r"tabs?", "tab"),
    (r"icons?", "icon"),
)
_KIND_RE = re.compile(r"\b(" + "|".join(w for w, _ in _KIND_WORDS) + r")\b")
_QUOTE_RE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|«([^»]*)»")
_VERB_RE = re.compile(
    r"^(?:please\s+)?(?:double[- ]?click|right[- ]?click|click|press|tap|hit|push|select|choose|"
    r"pick|check|uncheck|tick|untick|toggle|open|expand|go to|navigate to|switch to|find|locate|"
    r"focus|hover|point|mark)\b(?:\s+(?:on|at|to|over|onto|into))?\s*"
)
_TYPE_RE = re.compile(
    r"^(?:please\s+)?(?:type|enter|write|input|fill in|put)\s+.+?\s+(?:into|in|inside)\s+(.+)$"
)
_BY_RE = re.compile(r"\bby (?:clicking|pressing|selecting|tapping|choosing)(?: on)?\s+(.+)$")
_CLAUSE_RE = re.compile(
    r"(?:[.;!?]\s+|,?\s+(?:and then|then)\s+|,?\s+and\s+(?=(?:click|press|tap|hit|select|"
    r"submit|enter|type|choose)\b))"
)
_RELATIONS: tuple[tuple[str, str], ...] = (
    (r"(?:to the |on the )?left of", "left"),
    (r"(?:to the |on the )?right of", "right"),
    (r"below|under|underneath|beneath", "below"),
    (r"above|over", "above"),
    (r"next to|beside|near|by the side of", "near"),
    (r"inside|within", "inside"),
)
_RELATION_RE = re.compile(
    r"\s*\b(?:(?:that is|which is|located|placed)\s+)?("
    + "|".join(w for w, _ in _RELATIONS)
    + r")\s+(.+)$"
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}  # fmt: skip
_ORDINAL_RE = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|\d+(?:st|nd|rd|th))\b")
_EXTREMES = {
    "top": "top", "topmost": "top", "upper": "top", "uppermost": "top", "highest": "top",
    "bottom": "bottom", "bottommost": "bottom", "lower": "bottom", "lowest": "bottom",
    "left": "left", "leftmost": "left", "left-most": "left",
    "right": "right", "rightmost": "right", "right-most": "right",
}  # fmt: skip
_EXTREME_RE = re.compile(r"\b(" + "|".join(sorted(_EXTREMES, key=len, reverse=True)) + r")\b")
_NUMBERED_RE = re.compile(
    r"\b(tab|button|link|item|option|page|step)s?\s*(?:#|no\.?|number)\s*(\d+)"
)
_FILLER_RE = re.compile(
    r"\b(?:the|a|an|on|at|to|labell?ed|named|called|titled|marked|that says|which says|saying|"
    r"with (?:the )?(?:text|label|word)|reading|element|one|for)\b"
)


@dataclass(frozen=True)
class Query:
    """What a phrase asks for; every part is optional and lower-case except quoted text.

    relation: below | above | left | right | near | inside, relative to the `anchor` phrase.
    ordinal: 1-based position in reading order among equally good matches (-1: the last).
    extreme: top | bottom | left | right, the outermost of equally good matches.
    """

    text: str = ""
    kind: str | None = None
    relation: str | None = None
    anchor: str | None = None
    ordinal: int | None = None
    extreme: str | None = None


def parse_phrase(phrase: str) -> Query:
    """The `Query` a phrase (or a whole one-target instruction) asks for."""
    quotes: list[str] = []

    def hold(m: re.Match[str]) -> str:
        quotes.append(next(g for g in m.groups() if g is not None))
        return f" qq{len(quotes) - 1}qq "

    s = _QUOTE_RE.sub(hold, phrase).lower().strip()
    s = _CLAUSE_RE.split(s, maxsplit=1)[0].strip(" .!?;:,")
    for pattern in (_BY_RE, _TYPE_RE):
        m = pattern.search(s)
        if m:
            s = m.group(1)
    s = _VERB_RE.sub("", s, count=1)
    relation = anchor = None
    m = _RELATION_RE.search(s)
    if m and m.start() > 0:
        word = m.group(1)
        relation = next(name for w, name in _RELATIONS if re.fullmatch(w, word))
        anchor = " ".join(
            re.sub(r"qq(\d+)qq", lambda q: f'"{quotes[int(q.group(1))]}"', m.group(2)).split()
        )
        s = s[: m.start()]
    ordinal = extreme = kind = None
    numbered = _NUMBERED_RE.search(s)
    if numbered:  # "tab #2": the visible label of numbered tabs, and the kind they are
        s = s.replace(numbered.group(0), f" qq{len(quotes)}qq ")
        quotes.append(f"{numbered.group(1)} #{numbered.group(2)}")
    m = _ORDINAL_RE.search(s)
    if m:
        word = m.group(1)
        ordinal = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        s = s[: m.start()] + s[m.end() :]
    m = _EXTREME_RE.search(s)
    if m:
        extreme = _EXTREMES[m.group(1)]
        s = s[: m.start()] + s[m.end() :]
    m = _KIND_RE.search(numbered.group(1) if numbered else s)
    if m:
        kind = next(k for w, k in _KIND_WORDS if re.fullmatch(w, m.group(1)))
        if not numbered:
            s = s[: m.start()] + s[m.end() :]
    held = [quotes[int(i)] for i in re.findall(r"qq(\d+)qq", s)]
    words = " ".join(held) if held else " ".join(_FILLER_RE.sub(" ", s).split())
    text = words.strip(" .,;:!?")
    return Query(text, kind, relation, anchor, ordinal, extreme)


__all__ = ["Query", "parse_phrase"]
