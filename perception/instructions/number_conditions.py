"""The condition an instruction's words put on a number, in one place for every step that tests
one: bounds and a parity ("less than 5", "at least 3.5", "an odd number", "between 0 and 9",
"under $12.50") for a number to produce or guess, and a comparison on a named quantity ("when
the price is less than $46.10") for a number to wait for. Numbers may be decimals, carry
thousands commas and a currency sign.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# A number as written: an optional currency sign, thousands commas, decimals ("$1,200.50").
NUMBER = re.compile(r"([$€£]?)\s*(-?\d[\d,]*(?:\.\d+)?)")
_NUM = r"[$€£]?\s*(-?\d[\d,]*(?:\.\d+)?)"
_RANGE = re.compile(rf"\b(?:between|from)\s+{_NUM}\s*(?:-|–|to|and)\s*{_NUM}", re.I)
# Comparison phrases, tried in this order (the longer "less than or equal to" before "less
# than", and "is" last): each followed by the number it compares with.
OPS = (
    (r"(?:less|lower|fewer)\s+than\s+or\s+equal\s+to|at\s+most|no\s+more\s+than|<=|≤", "<="),
    (r"(?:greater|more|higher|larger)\s+than\s+or\s+equal\s+to|at\s+least|no\s+less\s+than|>=|≥",
     ">="),
    (r"(?:less|lower|cheaper|smaller|fewer)\s+than|(?:drops?|falls?|goes|dips?)\s+(?:below|"
     r"under)|below|under|beneath|<", "<"),
    (r"(?:greater|more|higher|larger|bigger)\s+than|(?:rises?|goes|climbs?)\s+(?:above|over)|"
     r"above|over|exceeds?|>", ">"),
    (r"(?:equal\s+to|equals|exactly|reaches|hits|is|=)", "=="),
)  # fmt: skip
_WHEN = ("when", "once", "until", "as soon as", "whenever")  # waits, not "if" (a choice)


def number_value(text: str) -> float:
    """The value of a number as written ("1,200.50" -> 1200.5)."""
    return float(text.replace(",", ""))


def _holds(op: str, seen: float, value: float) -> bool:
    return {
        "<": seen < value,
        "<=": seen <= value,
        ">": seen > value,
        ">=": seen >= value,
        "==": abs(seen - value) < 1e-9,
    }[op]


@dataclass(frozen=True)
class Condition:
    """What a number must be: within its bounds (each closed, or open when `*_open`), odd or
    even."""

    low: float = float("-inf")
    high: float = float("inf")
    parity: int | None = None  # 1 odd, 0 even
    low_open: bool = False
    high_open: bool = False

    def holds(self, n: float) -> bool:
        """True when `n` meets the condition (a parity only holds for whole numbers)."""
        above = n > self.low if self.low_open else n >= self.low
        below = n < self.high if self.high_open else n <= self.high
        if self.parity is not None and (n != int(n) or int(n) % 2 != self.parity):
            return False
        return above and below

    def whole_bounds(self) -> tuple[int, int] | None:
        """The least and greatest whole numbers that meet the bounds, or None when unbounded."""
        if math.isinf(self.low) or math.isinf(self.high):
            return None
        low = math.floor(self.low) + 1 if self.low_open else math.ceil(self.low)
        high = math.ceil(self.high) - 1 if self.high_open else math.floor(self.high)
        return low, high


def _comparisons(text: str) -> list[tuple[str, str, float, int]]:
    """(op, currency sign, value, start) of each comparison phrase + number in `text`, each
    part of the text read once (so "less than or equal to 5" is one "<=", not also "==")."""
    found: list[tuple[str, str, float, int]] = []
    for pattern, op in OPS:
        for m in re.finditer(rf"\b(?:is\s+|are\s+)?(?:{pattern})\s*{NUMBER.pattern}", text):
            found.append((op, m.group(1), number_value(m.group(2)), m.start()))
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return sorted(found, key=lambda f: f[3])


def condition(words: str) -> Condition:
    """The condition a phrase puts on a number: "less than 5", "at least 3.5", "odd", "between
    2 and 6", "equal to 4", "under $12.50" (an empty phrase allows any number)."""
    w = words.lower()
    parity = 1 if re.search(r"\bodd\b", w) else 0 if re.search(r"\beven\b", w) else None
    low, high = float("-inf"), float("inf")
    low_open = high_open = False
    if m := _RANGE.search(w):
        low, high = number_value(m.group(1)), number_value(m.group(2))
        w = w[: m.start()] + " " * (m.end() - m.start()) + w[m.end() :]
    for op, _, value, _ in _comparisons(w):
        if op in ("<", "<="):
            high, high_open = value, op == "<"
        if op in (">", ">="):
            low, low_open = value, op == ">"
        if op == "==":
            low = high = value
            low_open = high_open = False
    if re.search(r"\bpositive\b", w) and (low < 0 or (low == 0 and not low_open)):
        low, low_open = 0.0, True
    if re.search(r"\bnegative\b", w) and (high > 0 or (high == 0 and not high_open)):
        high, high_open = 0.0, True
    return Condition(low, high, parity, low_open, high_open)


@dataclass(frozen=True)
class Comparison:
    """A condition on a named number: `quantity op value` ("price" < 46.1), `unit` its sign
    ("$")."""

    quantity: str
    op: str
    value: float
    unit: str = ""

    def holds(self, seen: float) -> bool:
        """Whether the number read off the page meets the condition."""
        return _holds(self.op, seen, self.value)


def comparison(words: str | None) -> Comparison | None:
    """The comparison a wait's words state ("when the price is less than $46.10"), or None when
    they state none (no wait word, or no comparison with a number)."""
    if not words:
        return None
    low = words.strip().lower()
    lead = next((w for w in _WHEN if low.startswith(w + " ")), None)
    if lead is None:
        return None
    rest = low[len(lead) :]
    found = _comparisons(rest)
    if not found:
        return None
    op, unit, value, start = min(found, key=lambda f: [o for _, o in OPS].index(f[0]))
    quantity = re.sub(r"\b(?:the|a|an|its|is|are)\b", " ", rest[:start]).split()
    return Comparison(quantity[-1] if quantity else "", op, value, unit)
