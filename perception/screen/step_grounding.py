"""The one place a plan target becomes an element on screen, for the plan policy and the
`house` grounder alike (so `handeye ground` shows what the agent would click).

A `Target` (words, kind, ordinal, relation) is ranked by the phrase grounder; fields must be
drawn boxes; the n-th is counted among the real candidates; a click aims at what a wide
detection draws. Pixel cues here read the frame only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

import numpy as np

from perception.instructions.plan import ALL, Target
from perception.screen import drawn_controls, icons
from perception.screen.parser import ScreenParse, UIElement
from perception.screen.phrase_grounding import Match, PhraseGrounder
from perception.screen.phrase_query import Query
from perception.screen.slider_tracks import find_track

# The plan's element kinds as the phrase grounder's (the detector's) kinds; None: any kind.
GROUNDER_KIND = {
    "button": "button", "link": "link", "text_field": "text_input", "password": "text_input",
    "text_area": "text_input", "date_field": "text_input", "checkbox": "checkbox",
    "radio": "checkbox", "dropdown": "dropdown", "tab": "tab", "icon_button": "icon",
    "menu_item": None, "list_option": None, "slider": None, "text": None, "any": None,
}  # fmt: skip
FIELD_KINDS = ("text_input", "dropdown")  # kinds whose words are a value or a placeholder
PIXEL_DELTA = 40  # a channel difference that counts as a drawn pixel (JPEG noise stays below)
FAINT_FILL = 8  # levels a field's even fill may differ from the page by and still be a fill
MIN_INK = 12  # pixels a mark needs to count (two password dots, a small icon)
MIN_SCORE = 0.5  # a named target must match at least this well
TEXT_SURE = 0.8  # words shown this well win over a glyph that depicts them
ANCHOR_SURE = 0.75  # an item's name must show this well before its icons are looked for
ICON_FLOOR = 0.15  # the least class score of a glyph that stands out from all others
GRIP_REACH = 420  # pixels below its label a text area's grip may be (its tallest)
GRIP_WIDTH = 60  # pixels: the narrowest text area, from its label's left edge to its grip
ICON_KINDS = ("icon_button", "button", "menu_item", "any")  # kinds an icon may be asked as
_FIELDS = ("text_input", "dropdown")  # parse kinds of fields, never a button


def target_query(target: Target) -> Query:
    """The phrase grounder's query for a plan target (anchor by its words and kind)."""
    anchor = None
    if target.anchor is not None:
        anchor = " ".join(p for p in (target.anchor.text, target.anchor.kind) if p and p != "any")
    ordinal = None if target.ordinal in (None, ALL) else target.ordinal
    return Query(
        text=target.text,
        kind=GROUNDER_KIND.get(target.kind),
        relation=target.relation,
        anchor=anchor or None,
        ordinal=ordinal,
    )


def first_target(instruction: str) -> Target | None:
    """The first element the instruction's plan acts on (a field for a bare "type X"), or None
    when it names none ("scroll down", or a phrase with no verb)."""
    from perception.instructions import parse_instruction

    for step in parse_instruction(instruction).steps:
        if step.target is not None and (step.target.text or step.target.kind != "any"):
            return step.target
        if step.verb == "type":
            return Target(kind="text_field")
    return None


def find_target(
    parse: ScreenParse,
    frame: np.ndarray,
    target: Target,
    grounder: PhraseGrounder,
    *,
    exclude: Collection[int] = (),
    skip: Callable[[UIElement], bool] | None = None,
    limit: int = 5,
) -> list[Match]:
    """Elements `target` may mean on this frame, best first: `exclude` drops ids (the task
    banner), `skip` drops elements already tried; fields must be drawn boxes."""
    query = target_query(target)
    ranked = grounder.rank(parse, replace(query, ordinal=None), exclude=exclude, limit=50)
    hits = [m for m in ranked if skip is None or not skip(m.element)]
    if query.kind == "text_input":
        drawn = [m for m in hits if drawn_box(frame, m.element.box)]
        hits = drawn or (grip_matches(frame, hits) if target.text else [])
    elif query.kind is None and target.text:
        hits = controls_first(parse, hits)
    if query.ordinal is not None:
        hits = nth(hits, query.ordinal, grounder.config.tie)
    if target.text:
        hits = [m for m in hits if m.score >= MIN_SCORE]
    if target.kind == "slider":
        hits = slider_matches(frame, hits) + hits
    wanted = icons.meanings(target.text) if target.kind in ICON_KINDS else {}
    if not wanted and target.kind == "icon_button" and target.text:  # "the padlock icon"
        wanted = icons.embedded_meanings(target.text, grounder.embedder.encode)
    # Words that name an icon ("trash", "retweet") and do not show as text: its glyphs. A word
    # that is also a common label ("Submit", "Next") looks for a glyph only when no text may
    # be it, unless the target says it is an icon; a line that only shares some of its
    # letters is no label of it, and a glyph that shows it goes first.
    explicit = target.kind == "icon_button" and not (hits and hits[0].score >= TEXT_SURE)
    if (
        wanted
        and not explicit
        and hits
        and (_letters_only(hits[0]) or _field_words(parse, hits[0], target))
    ):
        glyphs = icon_matches(parse, frame, target, wanted, grounder, exclude, skip)
        hits = sorted(glyphs + hits, key=lambda m: -m.score)
    elif wanted and (explicit or not hits):
        hits = icon_matches(parse, frame, target, wanted, grounder, exclude, skip) + hits
    return hits[:limit]


def _field_words(parse: ScreenParse, match: Match, target: Target) -> bool:
    """Whether a button is asked for and the best match is a field or words inside one (a
    search field's placeholder beside its magnifier button): no button, whatever it says."""
    if target.kind not in ("button", "icon_button"):
        return False
    el = match.element
    return el.kind in _FIELDS or any(
        f.kind in _FIELDS and f.id != el.id and icons.covered(el.box, f.box) > 0.9 for f in parse
    )


def _letters_only(match: Match) -> bool:
    """Whether a text match shares only letters with the target, not a word or a meaning."""
    return match.score < TEXT_SURE and all("similar letters" in r for r in match.reasons)


def slider_matches(frame: np.ndarray, labels: list[Match], tries: int = 3) -> list[Match]:
    """The slider track drawn below or beside the best of `labels` (the words that name it),
    as a match to act on at the track's middle; [] when none of the first `tries` has one."""
    for k, m in enumerate(labels[:tries]):
        track = find_track(frame, m.element.box)
        if track is None:
            continue
        el = UIElement(20_000 + k, track, "slider", m.element.text, True, m.score)
        centre = ((track[0] + track[2]) // 2, (track[1] + track[3]) // 2)
        return [Match(el, m.score, (*m.reasons, f"track by [{m.element.id}]"), centre)]
    return []


def grip_matches(frame: np.ndarray, labels: list[Match], tries: int = 3) -> list[Match]:
    """A text area drawn as nothing but its resize grip (its fill and border the page's) below
    the best of `labels` that names it: the box from the label's left edge down to the grip,
    as a match to act on at its middle; [] when none of the first `tries` has a grip below."""
    for k, m in enumerate(labels[:tries]):
        if m.element.kind in FIELD_KINDS or m.score < MIN_SCORE:
            continue
        x0, y0, x1, y1 = m.element.box
        below = (x0, y1, frame.shape[1], y1 + GRIP_REACH)
        grips = [g for g in drawn_controls.resize_grips(frame, below) if g[0] - x0 >= GRIP_WIDTH]
        if not grips:
            continue
        gx, gy = min(grips, key=lambda g: g[1])
        box = (x0, y1 + 2, gx, gy)
        el = UIElement(30_000 + k, box, "text_input", m.element.text, True, m.score)
        centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
        return [Match(el, m.score, (*m.reasons, f"resize grip below [{m.element.id}]"), centre)]
    return []


def controls_first(parse: ScreenParse, hits: list[Match], tie: float = 0.02) -> list[Match]:
    """`hits` with a control that shows the words (a button, a link) ahead of a field that
    shows them as its placeholder or value, when both match as well: `press "Login"` means
    the button, not the field whose placeholder reads "Login"."""
    if not hits:
        return hits
    fields = [e.box for e in parse.elements if e.kind in FIELD_KINDS]

    def in_field(m: Match) -> bool:
        box = m.element.box
        return m.element.kind in FIELD_KINDS or any(b != box and _inside(box, b) for b in fields)

    if not in_field(hits[0]):
        return hits
    best = hits[0].score
    for m in hits:
        if m.score < best - tie:
            break
        if not in_field(m):
            return [m] + [h for h in hits if h is not m]
    return hits


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int], pad: int = 2) -> bool:
    return b[0] - pad <= a[0] and a[2] <= b[2] + pad and b[1] - pad <= a[1] and a[3] <= b[3] + pad


def icon_matches(
    parse: ScreenParse,
    frame: np.ndarray,
    target: Target,
    wanted: dict[str, float],
    grounder: PhraseGrounder,
    exclude: Collection[int],
    skip: Callable[[UIElement], bool] | None,
) -> list[Match]:
    """Glyphs that show the icon classes `wanted` (`perception.screen.icons`), nearest the
    target's anchor first ("the star of the email from Ana"), as matches the plan can act on."""
    anchor = None
    if target.anchor is not None and target.anchor.text:
        found = grounder.rank(parse, Query(text=target.anchor.text), exclude=exclude, limit=1)
        if not found or found[0].score < ANCHOR_SURE:
            return []  # the item is not on screen: its icons are not either
        x, y = found[0].point
        box = found[0].element.box
        anchor = (x - 2, box[1], x + 2, box[3])
    banner = [e.box for e in parse.elements if e.id in exclude]
    ranked = icons.rank_glyphs(
        frame,
        wanted,
        avoid=icons.word_boxes(parse.elements),
        anchor=anchor,
        above=target.relation == "above",
    )
    ranked = [g for g, _ in ranked if not any(icons.covered(g.box, b) > 0.5 for b in banner)]
    floor = _icon_floor([g.score(wanted) for g in ranked])
    matches = []
    for rank, glyph in enumerate(ranked):
        score = glyph.score(wanted)
        el = _glyph_element(parse, frame, glyph, 10_000 + rank, score)
        if score >= floor and (skip is None or not skip(el)):
            x0, y0, x1, y1 = glyph.box
            point = ((x0 + x1) // 2, (y0 + y1) // 2)
            matches.append(Match(el, score, (f"icon {glyph.label}: {score:.2f}",), point))
    return matches


def _icon_floor(scores: list[float]) -> float:
    """The class score a glyph needs: MIN_SCORE, or, for an icon drawn unlike any the
    classifier learned (a trash can with a badge), a fraction of it when that glyph (and its
    copies, one per item) stands far above every other glyph on the page."""
    best = max(scores, default=0.0)
    if best >= MIN_SCORE or best < ICON_FLOOR:
        return MIN_SCORE
    alike = [s for s in scores if s >= 0.8 * best]
    rest = [s for s in scores if s < 0.8 * best]
    return 0.8 * best if alike and max(rest, default=0.0) <= 0.25 * best else MIN_SCORE


def _glyph_element(
    parse: ScreenParse, frame: np.ndarray, glyph: icons.Glyph, new_id: int, score: float
) -> UIElement:
    """The element a glyph is: the id of the detected icon or button that holds it when there
    is one (so the policy sees one element, not two that overlap), with the glyph's own box
    and a pixel of background round it (a loose detection may reach over its neighbour)."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = glyph.box
    box = (max(0, x0 - 1), max(0, y0 - 1), min(w, x1 + 1), min(h, y1 + 1))
    for el in parse.elements:
        holds = icons.covered(glyph.box, el.box) > 0.6 and icons.covered(el.box, glyph.box) > 0.25
        if holds and el.kind in ("icon", "button") and not el.text.strip():
            return UIElement(el.id, box, el.kind, glyph.label, True, score)
    return UIElement(new_id, box, "icon", glyph.label, True, score)


def aim(frame: np.ndarray, match: Match) -> tuple[int, int]:
    """The pixel to act on: where the words sit in a merged line, else what the box draws."""
    if match.point != match.element.center:
        return match.point
    return ink_centre(frame, match.element.box) or match.point


def nth(hits: list[Match], n: int, tie: float) -> list[Match]:
    """The n-th (1-based; -1 the last) of the matches as good as the best, in reading order."""
    if not hits:
        return []
    best = hits[0].score
    equal = sorted((m for m in hits if m.score >= best - tie), key=lambda m: m.element.id)
    index = n - 1 if n > 0 else len(equal) + n
    return [equal[index]] if 0 <= index < len(equal) else []


def ink_centre(frame: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """Centre of what is drawn inside `box` (pixels unlike the box's edge colour), or None
    when it holds too little: a detection box is often wider than its icon or word."""
    x0, y0, x1, y1 = box
    region = frame[y0:y1, x0:x1].astype(np.int16)
    if region.shape[0] < 3 or region.shape[1] < 3:
        return None
    edge = np.concatenate([region[0], region[-1], region[:, 0], region[:, -1]])
    background = np.median(edge, axis=0)
    ink = np.abs(region - background).max(axis=-1) > PIXEL_DELTA
    # The box's own border or outline is not what it holds: look one pixel in.
    ink[0, :] = ink[-1, :] = False
    ink[:, 0] = ink[:, -1] = False
    if int(ink.sum()) < MIN_INK:
        return None
    ys, xs = np.nonzero(ink)
    return x0 + (int(xs.min()) + int(xs.max())) // 2, y0 + (int(ys.min()) + int(ys.max())) // 2


def drawn_box(frame: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """True when a box is drawn around `box`: top and bottom lines joined by a side (a field's
    frame) or a fill unlike the page. A detection over the gap between two fields has neither."""
    x0, y0, x1, y1 = box
    pad = 2
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    region = frame[y0 : y1 + pad, x0 : x1 + pad].astype(np.int16)
    if region.shape[0] < 4 or region.shape[1] < 4:
        return False
    page = np.median(frame.reshape(-1, frame.shape[-1]), axis=0)
    ink = np.abs(region - page).max(axis=-1) > PIXEL_DELTA // 2
    if ink.mean() >= 0.5:  # a filled field
        return True
    fill = np.median(region.reshape(-1, region.shape[-1]), axis=0)
    even = (np.abs(region - fill).max(axis=-1) < FAINT_FILL).mean()
    if np.abs(fill - page).max() >= FAINT_FILL and even >= 0.6:  # a faint even fill (a dark
        return True  # theme's field a few levels off the page, with no border)
    rows = np.nonzero(ink.mean(axis=1) >= 0.6)[0]
    if len(rows) < 2 or int(rows.max() - rows.min()) < 4:
        return False
    between = ink[rows.min() : rows.max() + 1]
    sides = between.mean(axis=0)  # the sides between those lines
    # One side is enough (the detection may stop short of the other); the gap between two
    # stacked fields has the lines of both but no side at all. A pill's end is a half circle:
    # drawn over the rows in its columns together, never in one.
    end = max(3, len(between) // 2)
    arcs = (between[:, :end].any(axis=1).mean(), between[:, -end:].any(axis=1).mean())
    return bool((sides >= 0.6).any() or max(arcs) >= 0.9)
