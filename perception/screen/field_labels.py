"""Which words name a field, a check box or a radio on a screen parse: the label beside,
above, under or after it, a placeholder or floating label inside it, with the credit it lends.

`PhraseGrounder` asks `label_of` for elements of a labelled kind (text fields, dropdowns, check
boxes) whose own pixels show no words, so "the Email field" lands on the field, not on its label.
"""

from __future__ import annotations

from perception.screen.parser import ScreenParse, UIElement
from perception.screen.phrase_query import Query
from perception.screen.text_match import text_score


def label_of(
    parse: ScreenParse, e: UIElement, q: Query, own: dict[int, float], empty: list[UIElement]
) -> tuple[UIElement | None, float]:
    """The text element naming `e` and the text credit it lends `e`: for a field, a label left
    of it on its row, above it (a hint line may sit between, another field may not) or inside
    it (a placeholder, a floating label); for a checkbox or radio, the words beside it.
    `empty`: the page's fields that show no words (`empty_fields`)."""
    best: tuple[UIElement | None, float] = (None, 0.0)
    ex0, ey0, ex1, ey1 = e.box
    eh = max(1, ey1 - ey0)
    fields = [o for o in parse.elements if o.kind in _FIELD_KINDS and o.id != e.id]
    cell = any(is_cell(e, f) for f in empty)  # e is a label cell, not a field
    bare = any(f.id == e.id for f in empty)  # e shows no words of its own
    for lab in parse.elements:
        if lab.id == e.id or not lab.text:
            continue
        # words inside another field are that field's value or placeholder, unless that "field"
        # is the framed table cell left of this empty one (a bordered label cell)
        holders = [o for o in fields if _within(lab.box, o.box)]
        bordered = bare and all(is_cell(o, e) for o in holders)
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


def empty_fields(parse: ScreenParse) -> list[UIElement]:
    """The fields showing no words: none read on them and no line of words found inside
    them (a grounder reads only the lines a phrase may be, so an unread line holds words too:
    a dark theme's filled button taken for a field shows its words as such a line)."""
    fields = [o for o in parse.elements if o.kind in _FIELD_KINDS and not o.text.strip()]
    lines = [o.box for o in parse.elements if o.kind in ("text", "link")]
    return [f for f in fields if not any(_within(b, f.box) for b in lines)]


def is_cell(o: UIElement, f: UIElement) -> bool:
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


__all__ = ["empty_fields", "is_cell", "label_of"]
