"""How well an element's (OCR-read) text shows the words a phrase names, by letters alone:
exact, contained, a clipped start or fuzzy (OCR merges neighbours and garbles letters)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from perception.screen.parser import UIElement

CLIPPED_MIN = 4  # letters a clipped reading must show to stand for a longer word
_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])\d+(?![A-Za-z0-9])")  # digits not inside a word
_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "8": "b"})
_LOOK_ALIKE = (("rn", "m"), ("vv", "w"))  # letter pairs OCR reads as one glyph, and back
_ITEM_SEP = re.compile(r"\s[|\u00b7\u2022]\s")  # a bar or dot between items of a row
ITEM_OF_ROW = 0.96  # under an exact reading, over any longer text that contains the name
LOOK_ALIKE = 0.05  # how much less sure a reading is when it differs only by look-alike glyphs


def norm(s: str) -> str:
    """Lower-case letters and digits only: how texts compare when OCR drops spaces."""
    return "".join(ch for ch in s.lower() if ch.isalnum())


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


def _parts(s: str) -> list[str]:
    """Runs of letters and runs of digits: words as they are when a space between a word and
    a number went missing."""
    return re.findall(r"[^\W\d_]+|\d+", s.lower())


@lru_cache(maxsize=8192)
def text_score(want: str, have: str) -> tuple[float, str]:
    """How well an element's text `have` shows `want` (0..1) and the rule that said so."""
    w, h = norm(want), norm(have)
    if not w or not h:
        return 0.0, ""
    if w == h:
        return 1.0, "same text"
    ratio = min(len(w), len(h)) / max(len(w), len(h))
    if any(norm(item) == w for item in _ITEM_SEP.split(have)):
        # one item of a row set apart by bars or dots ("Home | Catalogue" read as one line):
        # the item is the thing named, surer than longer words that hold the name
        return ITEM_OF_ROW, "an item of its row"
    ww, hw = _words(want), _words(have)
    if any(hw[i : i + len(ww)] == ww for i in range(len(hw) - len(ww) + 1)):
        return 0.8 + 0.2 * ratio, "contains the words"
    wp, hp = _parts(want), _parts(have)
    if any(hp[i : i + len(wp)] == wp for i in range(len(hp) - len(wp) + 1)):
        # a word run into a number by a lost space ("@ana3h ago"): letters meeting digits
        # are a word's edge still
        return 0.8 + 0.2 * ratio - LOOK_ALIKE, "contains the words run into a number"
    if w in h:
        return 0.7 + 0.2 * ratio, "contains the letters"
    if h in w and len(h) >= 3:
        return 0.55 + 0.35 * ratio, "is part of it"
    if not same_numbers(want, have):  # "Item 1" is not "Item 3", however alike the letters
        return 0.0, ""
    look = _look_alike(want, have, ratio)
    if look[0]:
        return look
    wc, hc = w.translate(_CONFUSABLE), h.translate(_CONFUSABLE)
    if CLIPPED_MIN <= len(hc) < len(wc) and _common_prefix(wc, hc) >= len(hc) - 1:
        # OCR of a word cut off by its box: all but the last letter read, that one a half
        # glyph ("subn" for "submit": the "m" cut in two)
        return 0.5 + 0.35 * ratio, "reads its start"
    best = difflib.SequenceMatcher(None, wc, hc, autojunk=False).ratio()
    if len(hc) > len(wc) + 2:  # the best window of a longer (merged) text
        n = len(wc)
        for i in range(len(hc) - n + 1):
            best = max(best, 0.95 * difflib.SequenceMatcher(None, wc, hc[i : i + n]).ratio())
    score = 0.85 * best
    return (score, "similar letters") if score >= 0.55 else (0.0, "")


def glyphs(s: str) -> str:
    """`s` with each OCR look-alike (I/l/1, O/0, "rn"/"m") written as one of its kind."""
    s = s.translate(_CONFUSABLE)
    for pair, one in _LOOK_ALIKE:
        s = s.replace(pair, one)
    return s


def _look_alike(want: str, have: str, ratio: float) -> tuple[float, str]:
    """The same words but for glyphs OCR confuses ("WIFI" read "WlFl", "turn" read "tum"):
    as sure as a plain reading, a little less, so that an exact one goes first."""
    w, h = glyphs(norm(want)), glyphs(norm(have))
    if w == h:
        return 1.0 - LOOK_ALIKE, "look-alike letters"
    ww, hw = [glyphs(x) for x in _words(want)], [glyphs(x) for x in _words(have)]
    if ww and any(hw[i : i + len(ww)] == ww for i in range(len(hw) - len(ww) + 1)):
        return 0.8 + 0.2 * ratio - LOOK_ALIKE, "look-alike letters"
    return 0.0, ""


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def same_numbers(want: str, have: str) -> bool:
    """True unless `want` names a number that `have` does not show; a digit inside a word of
    letters ("hfpaZ0N") is no number, and OCR may read it as the letter it looks like."""
    return set(_NUMBER_RE.findall(want)) <= set(_NUMBER_RE.findall(have))


def point_in(el: UIElement, want: str) -> tuple[int, int]:
    """Where `want` sits inside `el`: its share of a merged line ("Okay|Submit"), else centre."""
    w, h = norm(want), norm(el.text)
    at = h.find(w) if w else -1
    if at < 0 and len(h) > len(w) >= CLIPPED_MIN:
        at = _best_window(glyphs(w), glyphs(h))
    if at < 0 or len(h) <= len(w):
        return el.center
    x0, y0, x1, y1 = el.box
    middle = (at + len(w) / 2) / len(h)
    return int(x0 + middle * (x1 - x0)), (y0 + y1) // 2


WINDOW_MIN = 0.7  # letters a misread window of a merged line shares with the word, at least


def _best_window(w: str, h: str) -> int:
    """Where in a merged line's letters `h` a misread `w` sits ("jonas" in "annajonas"):
    the start of the most alike window of its length, -1 when none is alike enough."""
    n = len(w)
    score, at = max(
        (difflib.SequenceMatcher(None, w, h[i : i + n], autojunk=False).ratio(), i)
        for i in range(len(h) - n + 1)
    )
    return at if score >= WINDOW_MIN else -1


__all__ = ["CLIPPED_MIN", "glyphs", "norm", "point_in", "same_numbers", "text_score"]
