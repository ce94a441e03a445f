"""The condition an instruction's words put on a number ("less than 5", "an odd number",
"between 0 and 9"), as bounds and a parity a number can be tested against."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"(-?\d+)"
_RANGE = re.compile(rf"\b(?:between|from)\s+{_NUM}\s*(?:-|–|to|and)\s*{_NUM}", re.I)


@dataclass(frozen=True)
class Condition:
    """What a number must be: within [low, high], odd or even."""

    low: float = float("-inf")
    high: float = float("inf")
    parity: int | None = None  # 1 odd, 0 even

    def holds(self, n: int) -> bool:
        """True when `n` meets the condition."""
        return self.low <= n <= self.high and (self.parity is None or n % 2 == self.parity)


def condition(words: str) -> Condition:
    """The condition a phrase puts on a number: "less than 5", "at least 3", "odd", "between
    2 and 6", "equal to 4" (an empty phrase allows any number)."""
    w = words.lower()
    parity = 1 if re.search(r"\bodd\b", w) else 0 if re.search(r"\beven\b", w) else None
    low, high = float("-inf"), float("inf")
    if m := re.search(rf"\b(?:less|lower|smaller|fewer)\s+than\s+{_NUM}|\bbelow\s+{_NUM}", w):
        high = int(m.group(1) or m.group(2)) - 1
    if m := re.search(
        rf"\b(?:greater|more|higher|larger|bigger)\s+than\s+{_NUM}|\babove\s+{_NUM}", w
    ):
        low = int(m.group(1) or m.group(2)) + 1
    if m := re.search(rf"\bat\s+least\s+{_NUM}", w):
        low = int(m.group(1))
    if m := re.search(rf"\bat\s+most\s+{_NUM}", w):
        high = int(m.group(1))
    if m := _RANGE.search(w):
        low, high = int(m.group(1)), int(m.group(2))
    if m := re.search(rf"\b(?:equal\s+to|exactly)\s+{_NUM}", w):
        low = high = int(m.group(1))
    if re.search(r"\bpositive\b", w):
        low = max(low, 1)
    if re.search(r"\bnegative\b", w):
        high = min(high, -1)
    return Condition(low, high, parity)
