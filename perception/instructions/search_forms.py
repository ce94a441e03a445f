"""A search form and its best result asked for in any wording: "reserve the cheapest train from
Leeds to York on 3/1/2024", "leaving Oxford for Bath, find me the quickest bus", "on 3/1/2024 go
from LEB to JMS on the earliest bus".

The sentence is read by its roles, in any order, not by one sentence shape: a route (its start
after "from" / "leaving" / "departing" / "out of" / "origin", its end after "to" / "for" /
"arriving in" / "going to" / "destination"), a date, and a superlative with the noun it ranks
("cheapest train"). Together they become the steps a person takes: each end of the route typed
into the field that names it and confirmed from the field's suggestion list (`SUGGESTED`), the
date chosen in the date field, the form sent, then the result best by the superlative clicked
(the target keeps the superlative's words). A route without a superlative (a message forwarded
"from Ana to Bo", a drag "from A to B") is no search and is left to the grammar.
"""

from __future__ import annotations

import re

from perception.instructions.plan import Step, Target

__all__ = ["SUGGESTED", "search_form_steps"]

# A type step's condition: confirm the typed value from the suggestions its field opens.
SUGGESTED = "confirmed from the field's suggestions"

_SUPERLATIVES = (
    r"cheapest|least\s+expensive|most\s+expensive|priciest|shortest|quickest|fastest|longest|"
    r"earliest|latest|lowest[- ]priced"
)
_DATE = re.compile(
    r"(?:\b(?:on|for|dated|departing(?:\s+on)?|leaving\s+on|travel(?:l?ing)?\s+on)\s*:?\s+)?"
    r"\b(?P<date>\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2})\b",
    re.I,
)
_MOVING = re.compile(r"\b(?:drag|move|forward|send|copy|transfer|scroll|slide)\b", re.I)
_GAP = " ; "  # where a read part was: ends the value before it
# Words that end a place: the other end's cue, a date's or a ranking's words, a new clause (a
# comma before a lowercase word: "Lyon, what is"; "Boston, MA" goes on).
_END = (
    r"(?=\s+(?:to|for|arriving|going|heading|destination|origin|on|and|then|please|with|"
    r"book|find|get|pick|choose|select|reserve|buy)\b|\s*[;.!?]|:\s|\s+from\b|$|"
    r",\s+(?-i:[a-z]))"
)
_PLACE = r"(?P<place>[^;.!?:]+?)"
_START = re.compile(
    r"\b(?:from|leaving(?:\s+from)?|departing(?:\s+from)?|out\s+of|starting\s+(?:in|at|from)|"
    r"origin(?:\s+is)?)\s*:?\s+" + _PLACE + _END,
    re.I,
)
_STOP = re.compile(
    r"\b(?:to|for|arriving\s+(?:in|at)|going\s+to|heading\s+to|destination(?:\s+is)?)\s*:?\s+"
    + _PLACE
    + _END,
    re.I,
)
_BEST = re.compile(
    rf"\b(?P<best>(?:{_SUPERLATIVES})\b(?:[ \t]+(?!(?:from|to|for|leaving|departing|on|with|"
    r"and|then|please|going|out|one\b(?!-))\b)[\w-]+){0,3})",
    re.I,
)


def search_form_steps(text: str) -> tuple[Step, ...] | None:
    """The steps of a sentence that fills a from/to search form and books its best result, or
    None when `text` names no route with a superlative, or moves a thing from one place to
    another ("drag the cheapest item from the cart to the list")."""
    best = _BEST.search(text)
    if best is None or _MOVING.search(text):
        return None
    rest = text[: best.start()] + _GAP + text[best.end() :]
    date = _DATE.search(rest)
    if date is not None:
        rest = rest[: date.start()] + _GAP + rest[date.end() :]
    start = _START.search(rest)
    if start is None:
        return None
    after = rest[start.end("place") :]
    stop = _STOP.match(after.lstrip())  # "from A to B", "leaving A for B"
    if stop is None:  # "get to B from A": a named place, not the verb after an infinitive "to"
        found = list(_STOP.finditer(rest[: start.start()] + _GAP + after))
        named = [
            m for m in found if m.group("place")[:1].isupper() or m.group("place")[:1].isdigit()
        ]
        stop = (named or found or [None])[0]
    if stop is None:
        return None
    ends = [_place(start.group("place")), _place(stop.group("place"))]
    if not all(ends):
        return None
    steps = [
        Step("type", Target(cue, "text_field"), value=place, condition=SUGGESTED)
        for cue, place in zip(("from", "to"), ends, strict=True)
    ]
    if date is not None:
        steps.append(Step("select", Target("date", "date_field"), value=date.group("date")))
    steps += [Step("submit"), Step("click", Target(re.sub(r"\s+", " ", best.group("best"))))]
    return tuple(steps)


def _place(text: str) -> str:
    """A place's words without the article or the comma that led to the next part."""
    text = re.sub(r"^(?:the)\s+", "", text.strip(" ,"), flags=re.I)
    return re.sub(r"\s+", " ", text).strip(" ,")
