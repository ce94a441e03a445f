"""Instruction text as tokens: words, punctuation, and quoted spans kept whole, so that a quoted
label ("Done. Send it now.") never splits a clause or loses its punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_FORMS = {"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                "`": "'", "´": "'"}  # fmt: skip
_PATH_SIGNS = ("→", "›")
_PUNCT = ",;!?()[]{}"
_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st."}
_WORD_EDGE = re.compile(r"^([\"'(\[{]*)(.*?)([\"')\]}.,;:!?]*)$", re.S)


@dataclass(frozen=True)
class Token:
    """One word, punctuation mark or quoted span; `quoted` spans are labels or values verbatim."""

    text: str
    quoted: bool = False

    @property
    def low(self) -> str:
        """The lower-case form used for lexicon look-ups ("" for a quoted span)."""
        return "" if self.quoted else self.text.lower()


def _normalise(text: str) -> str:
    for fancy, plain in _QUOTE_FORMS.items():
        text = text.replace(fancy, plain)
    return text.replace("\r", "\n")


def _closing_single(text: str, start: int) -> int:
    """Where the single quote opened at `start` closes (-1: it is an apostrophe)."""
    for j in range(start + 2, len(text)):
        if text[j] == "'" and (j + 1 == len(text) or not text[j + 1].isalnum()):
            return j
        if text[j] == "\n":
            return -1
    return -1


def _spans(text: str) -> list[tuple[str, bool]]:
    """Split `text` into (chunk, quoted) parts; quotes open after a space or start of text."""
    parts: list[tuple[str, bool]] = []
    i, plain = 0, []
    while i < len(text):
        ch = text[i]
        opens = i == 0 or not text[i - 1].isalnum()
        if ch == '"':
            end = text.find('"', i + 1)
            if end > i:
                parts.append(("".join(plain), False))
                parts.append((text[i + 1 : end], True))
                plain, i = [], end + 1
                continue
        elif ch == "'" and opens and i + 1 < len(text) and not text[i + 1].isspace():
            end = _closing_single(text, i)
            if end > i:
                parts.append(("".join(plain), False))
                parts.append((text[i + 1 : end], True))
                plain, i = [], end + 1
                continue
        plain.append(ch)
        i += 1
    parts.append(("".join(plain), False))
    return [(chunk, quoted) for chunk, quoted in parts if quoted or chunk]


def _words(chunk: str) -> list[Token]:
    """Tokens of an unquoted chunk: punctuation apart, sentence dots apart, paths split on '>'."""
    out: list[Token] = []
    for sign in _PATH_SIGNS:
        chunk = chunk.replace(sign, ">")
    for sign in "()[]{}>":
        chunk = chunk.replace(sign, f" {sign} ")
    raw = chunk.replace("\n", " . ").split()
    for n, word in enumerate(raw):
        lead, core, trail = _WORD_EDGE.match(word).groups()
        following = raw[n + 1] if n + 1 < len(raw) else ""
        if core.lower() + trail[:1] in _ABBREVIATIONS or (
            core.lower() == "no" and trail == "." and following[:1].isdigit()
        ):
            core, trail = core + ".", trail[1:]
        for ch in lead:
            if ch in _PUNCT:
                out.append(Token(ch))
        if core:
            out.append(Token(core))
        out.extend(Token(ch) for ch in trail if ch in _PUNCT or ch in ".:")
    return out


def tokenize(text: str) -> list[Token]:
    """Words and punctuation of `text`, each quoted span one `quoted` token."""
    tokens: list[Token] = []
    for chunk, quoted in _spans(_normalise(text)):
        if quoted:
            tokens.append(Token(chunk.strip(), quoted=True))
        else:
            tokens.extend(_words(chunk))
    return tokens


def join(tokens: list[Token], quotes: bool = False) -> str:
    """The words of `tokens` as one string, no space before commas; quoted spans verbatim, or
    inside double quotes when `quotes` (so a condition keeps its literal parts apart)."""
    text = ""
    for token in tokens:
        if token.text in (",", ".", ":", ";", "!", "?", ")") and not token.quoted:
            text += token.text
        else:
            word = f'"{token.text}"' if quotes and token.quoted else token.text
            text += (" " if text and not text.endswith("(") else "") + word
    return text.strip()
