"""A search form and its best result named in one sentence: "reserve the cheapest train from
Leeds to York on 3/1/2024", "find me the quickest bus from: A to: B".

The sentence becomes the steps a person takes: each "from" / "to" part typed into the field
that names it and confirmed from the field's suggestion list (`SUGGESTED`), the date chosen in
the date field, the form sent, then the result that is best by the superlative clicked (the
target keeps the superlative's words: "cheapest train").
"""

from __future__ import annotations

import re

from perception.instructions.plan import Step, Target

__all__ = ["SUGGESTED", "search_form_steps"]

# A type step's condition: confirm the typed value from the suggestions its field opens.
SUGGESTED = "confirmed from the field's suggestions"

_VERBS = r"book|find|buy|reserve|get|choose|pick|select|purchase|order"
_SUPERLATIVES = (
    r"cheapest|least\s+expensive|most\s+expensive|priciest|shortest|quickest|fastest|longest|"
    r"earliest|latest|lowest[- ]priced"
)
_DATE = r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
_SENTENCE = re.compile(
    rf"^\s*(?:please\s+)?(?:{_VERBS})\s+(?:me\s+)?(?:the|a|an)\s+"
    rf"(?P<best>(?:{_SUPERLATIVES})\b[^:]*?)\s+"
    r"from:?\s+(?P<origin>.+?)\s+to:?\s+(?P<destination>.+?)"
    rf"(?:\s+(?:on|for|departing(?:\s+on)?):?\s+(?P<date>{_DATE}))?\s*[.!]?\s*$",
    re.I,
)


def search_form_steps(text: str) -> tuple[Step, ...] | None:
    """The steps of a sentence that fills a from/to search form and books its best result, or
    None when `text` is no such sentence."""
    m = _SENTENCE.match(text)
    if m is None:
        return None
    best = re.sub(r"\s+", " ", m.group("best")).strip()
    steps = [
        Step("type", Target(cue, "text_field"), value=m.group(part).strip(), condition=SUGGESTED)
        for cue, part in (("from", "origin"), ("to", "destination"))
    ]
    if m.group("date"):
        steps.append(Step("select", Target("date", "date_field"), value=m.group("date")))
    steps += [Step("submit"), Step("click", Target(best))]
    return tuple(steps)
