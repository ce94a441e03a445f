"""Solve the arithmetic a page or an instruction shows: "3 + 4 =", "7 x 8", "x - 4 = 9",
"12 = 5 + y", "(2 + 3) * 4": the value, or the unknown of a linear equation in one letter.

Pure text in, text out (OCR lines as read), so the same solver serves any page that asks a
person to compute something and type the result.
"""

from __future__ import annotations

import re
from fractions import Fraction

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-zA-Z]+|[-+*/()=]")
_SIGNS = str.maketrans({"×": "x", "✕": "x", "·": "*", "÷": "/", "−": "-", "–": "-", "—": "-"})
Linear = tuple[Fraction, Fraction]  # a * unknown + b


class _Unsolvable(ValueError):
    """The text is not an expression or equation this solver can read."""


def solve(text: str) -> str | None:
    """The value of the expression or the unknown of the equation `text` shows, as the digits a
    person would type ("12", "-3", "2.5"), or None when it shows no arithmetic."""
    tokens = _tokens(text)
    if not tokens or not any(t in "+-*/=" for t in tokens):
        return None
    letters = {t for t in tokens if t.isalpha()}
    if len(letters) > 1 or tokens.count("=") > 1:
        return None
    try:
        sides = [_Parser(side).linear() for side in _split(tokens)]
    except (_Unsolvable, ZeroDivisionError):
        return None
    if len(sides) == 1:
        a, b = sides[0]
        return None if a else _number(b)
    (a0, b0), (a1, b1) = sides
    if not letters or a0 == a1:
        return None  # "3 + 4 = 7" asks nothing; "x = x" has no one answer
    return _number((b1 - b0) / (a0 - a1))


def _tokens(text: str) -> list[str]:
    """The formula in `text` ("What is 3 + 4?" -> 3 + 4) as numbers, one-letter unknowns and
    operators; an "x" or "×" between two numbers is a times sign, elsewhere the unknown (OCR
    reads a large italic x as "×")."""
    raw = _TOKEN.findall(text.translate(_SIGNS))
    times = [
        t in ("x", "X")
        and 0 < i < len(raw) - 1
        and _is_number(raw[i - 1])
        and _is_number(raw[i + 1])
        for i, t in enumerate(raw)
    ]
    runs: list[list[str]] = [[]]
    for t, is_times in zip(raw, times, strict=True):
        if t.isalpha() and len(t) > 1:  # a word ends the formula
            runs.append([])
        else:
            runs[-1].append("*" if is_times else t)
    runs = [r for r in runs if any(t in "+-*/=" for t in r)]
    return max(runs, key=len, default=[])


def _split(tokens: list[str]) -> list[list[str]]:
    """The sides of an equation; a trailing "=" (the answer goes there) leaves one side."""
    if "=" not in tokens:
        return [tokens]
    i = tokens.index("=")
    left, right = tokens[:i], tokens[i + 1 :]
    if not left:
        return [right]
    return [left] if not right else [left, right]


def _is_number(t: str) -> bool:
    return t[:1].isdigit()


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


class _Parser:
    """Recursive descent over + - * / ( ) with numbers and one unknown, as linear forms."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0

    def linear(self) -> Linear:
        out = self._sum()
        if self.i != len(self.tokens):
            raise _Unsolvable(f"unexpected {self.tokens[self.i]!r}")
        return out

    def _peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _sum(self) -> Linear:
        a, b = self._product()
        while self._peek() in ("+", "-"):
            sign = 1 if self.tokens[self.i] == "+" else -1
            self.i += 1
            c, d = self._product()
            a, b = a + sign * c, b + sign * d
        return a, b

    def _product(self) -> Linear:
        a, b = self._unary()
        while self._peek() in ("*", "/"):
            op = self.tokens[self.i]
            self.i += 1
            c, d = self._unary()
            if op == "*":
                if a and c:
                    raise _Unsolvable("not linear")
                a, b = a * d + c * b, b * d
            else:
                if c:
                    raise _Unsolvable("division by the unknown")
                a, b = a / d, b / d
        return a, b

    def _unary(self) -> Linear:
        t = self._peek()
        if t in ("-", "+"):
            self.i += 1
            a, b = self._unary()
            return (-a, -b) if t == "-" else (a, b)
        if t == "(":
            self.i += 1
            out = self._sum()
            if self._peek() != ")":
                raise _Unsolvable("unclosed bracket")
            self.i += 1
            return out
        if t is None:
            raise _Unsolvable("missing operand")
        self.i += 1
        if _is_number(t):
            value = Fraction(t)
            if self._peek() is not None and self._peek().isalpha():  # "3x": times the unknown
                self.i += 1
                return value, Fraction(0)
            return Fraction(0), value
        if t.isalpha():
            return Fraction(1), Fraction(0)
        raise _Unsolvable(f"unexpected {t!r}")
