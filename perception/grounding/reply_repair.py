"""A lenient repair pass for broken model replies: truncated, unclosed, single-quoted JSON.

Models stop at `max_new_tokens`, forget a closing `</tool_call>` or fence, or write
Python-flavoured JSON (`'label'`, trailing commas, `True`). `repair_reply` closes what was
left open and normalizes that JSON so the format parsers can try again. It never closes a
cut-off value into a wrong one. At the end of a truncated reply it drops a trailing
number (`"pixels": -1` may have been -10), an unterminated string (`'(235,51`, half the
text to type), an unclosed list of scalars (`[412, 388` may have been a box,
`["ctrl", "shift"` a longer chord), an unclosed tuple of numbers, an unclosed coordinate
tag (`<|box_start|>(1,2)` may have been a box), an unclosed call with no arguments yet
(`finished(` may have carried an answer), and an unclosed object or call whose last
member is unfinished (`{"action": "scroll", "pixels": -15, ` was going on to say where).
Only objects, calls and lists of objects whose members are all complete are closed; an
object cut off just before an *optional* member still closes without it, which is why
the result is marked `repaired` for the planner to weigh.
"""

from __future__ import annotations

import re

# Tags a reply may leave open. Coordinate tags are dropped when cut off, the others closed.
_TAGS = {
    "<tool_call>": "</tool_call>",
    "<|object_ref_start|>": "<|object_ref_end|>",
    "<|box_start|>": "<|box_end|>",
    "<point>": "</point>",
    "<bbox>": "</bbox>",
}
_COORD_TAGS = {"<|box_end|>", "</point>", "</bbox>"}
_CLOSERS = set(_TAGS.values())
_BRACKETS = {"{": "}", "[": "]", "(": ")"}
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}
_PY_LITERAL = re.compile(r"(True|False|None)\b")
# One way to match each number (no \d+\.?\d* ambiguity), so a run of digits is not cubic.
_PARTIAL_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d*)?|\.\d*)?$")
_NUMBER_TAIL = 400  # a cut-off number is looked for in this many last characters
# An object or call whose last member is unfinished: `, ` / `"key": ` / `kw=` / `{"key"`.
_INCOMPLETE = re.compile(r"(?:[,:=]|[{,]\s*\"(?:[^\"\\]|\\.)*\")\s*$")
_NUMERIC = re.compile(r"[\d\s.,+\-eE\[\]()]*\d[\d\s.,+\-eE\[\]()]*")


class _Scanner:
    """Walks a reply once, tracking open brackets, tags and strings, writing the repaired text."""

    def __init__(self) -> None:
        self.out: list[str] = []  # one character per entry
        self.last = ""  # the last non-space character written
        self.stack: list[tuple[str, int]] = []  # (closer owed, index in `out` of its opener)
        self.quote: str | None = None  # the quote char that opened the current string
        self.convert = False  # the current string is single-quoted JSON being rewritten to "..."
        self.str_start = 0  # index in `out` where the current string began

    def _put(self, s: str) -> None:
        self.out.extend(s)
        if s.strip():
            self.last = s.strip()[-1]

    def _bracket(self) -> str | None:
        return next((c for c, _ in reversed(self.stack) if c in "}])"), None)

    def _emit_closer(self, closer: str) -> None:
        if closer in "}]":
            j = len(self.out) - 1
            while j >= 0 and self.out[j].isspace():
                j -= 1
            if j >= 0 and self.out[j] == ",":
                del self.out[j]
        self._put(closer)

    def _close_until(self, closer: str) -> None:
        while self.stack:
            top, _ = self.stack.pop()
            self._emit_closer(top)
            if top == closer:
                return

    def _in_string(self, src: str, i: int) -> int:
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            nxt = src[i + 1]
            self._put(nxt if self.convert and nxt == "'" else src[i : i + 2])
            return i + 2
        if c == self.quote:
            self._put('"' if self.convert else c)
            self.quote = None
        else:
            self._put('\\"' if self.convert and c == '"' else c)
        return i + 1

    def _open_string(self, c: str, bracket: str | None) -> None:
        self.quote, self.convert = c, c == "'" and bracket in ("}", "]")
        self.str_start = len(self.out)
        self._put('"' if self.convert else c)

    def _open(self, opener: str, closer: str) -> None:
        self.stack.append((closer, len(self.out)))
        self._put(opener)

    def step(self, src: str, i: int) -> int:
        """Consume the token at src[i] and return the index after it."""
        if self.quote:
            return self._in_string(src, i)
        c, bracket = src[i], self._bracket()
        tag = next((t for t in _TAGS if src.startswith(t, i)), None) if c == "<" else None
        if tag:
            self._open(tag, _TAGS[tag])
            return i + len(tag)
        closer = c if c in "}])" else None
        if c == "<":
            closer = next((t for t in _CLOSERS if src.startswith(t, i)), None)
        if closer:
            if any(owed == closer for owed, _ in self.stack):
                self._close_until(closer)
            else:
                self._put(closer)
            return i + len(closer)
        if c in _BRACKETS:
            self._open(c, _BRACKETS[c])
        elif bracket and (c == '"' or (c == "'" and self.last in tuple("{[(,:="))):
            self._open_string(c, bracket)
        elif (
            c in "TFN"
            and bracket in ("}", "]")
            and not (i and (src[i - 1].isalnum() or src[i - 1] == "_"))
            and (m := _PY_LITERAL.match(src, i))
        ):
            self._put(_PY_LITERALS[m.group(1)])
            return m.end()
        else:
            self._put(c)
        return i + 1

    def finish(self) -> str:
        """Close what a cut-off reply left open, dropping values that may have been cut short."""
        if not (self.stack or self.quote):
            return "".join(self.out)
        if self.quote:
            del self.out[self.str_start :]
            self.quote = None
        text = "".join(self.out)
        cut = _PARTIAL_NUMBER.search(text, max(0, len(text) - _NUMBER_TAIL))
        text = text[: cut.start()] if cut else text
        while self.stack:
            closer, start = self.stack.pop()
            text = text.rstrip()
            inner = text[start + 1 :]
            if (
                closer in _COORD_TAGS
                or (closer == "]" and "{" not in inner)
                or (closer == ")" and (not inner.strip() or _NUMERIC.fullmatch(inner)))
                or (closer in "})" and _INCOMPLETE.search(text))
            ):
                text = text[:start]
                continue
            if closer == "]":
                text = re.sub(r",\s*$", "", text)
            text += closer
        return text


MAX_DEPTH = 64  # open brackets and tags a reply may nest before repair gives up


def repair_reply(text: str) -> str | None:
    """A repaired copy of a broken reply, or None when there is nothing to repair.

    Removes code fences, rewrites single-quoted JSON strings and Python literals inside
    `{}`/`[]`, drops trailing commas, and closes unclosed brackets and tags (`<tool_call>`)
    innermost first. Anything a cut-off reply may have cut short is dropped, not closed
    (see the module docstring), so the parse then fails instead of acting on it.
    """
    src = re.sub(r"```[\w-]*", "", text)
    scanner = _Scanner()
    i = 0
    while i < len(src):
        i = scanner.step(src, i)
        if len(scanner.stack) > MAX_DEPTH:  # no model nests this deep; closing it is quadratic
            return None
    repaired = scanner.finish()
    return None if repaired == text else repaired
