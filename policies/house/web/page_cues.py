"""What the plan policy reads off a page besides the target itself: the page's text lines
and words, a key's value, the form's sending button, the tab strip, and box geometry. Layout
cues only (rows, sides, reading order): no task's words, layout or colours.
"""

from __future__ import annotations

import re
import statistics

import numpy as np

from perception.screen.house_grounder import shares_runs
from perception.screen.parser import ScreenParse, UIElement, norm_text
from perception.screen.phrase_grounding import text_score
from policies.house.web.view import View

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels

# Words a form's sending button shows; a bare "submit" step takes the button reading as one.
SUBMIT_WORDS = (
    "submit", "ok", "okay", "go", "search", "send", "save", "login", "log in", "sign in",
    "next", "continue", "done", "apply", "confirm", "enter",
)  # fmt: skip
# A sending word shorter than this read inside a longer word is that word ("done" in "condone",
# "go" in "got"), not the button; a longer one is OCR's stray letter ("Ssubmit").
SHORT_SENDING = 5


def page_text(view: View, instruction: str) -> list[UIElement]:
    """Text lines of the page in reading order, without the lines that repeat the instruction
    (OCR garbles a letter or two of them, so they are matched by long shared runs)."""
    want = norm_text(instruction)
    out = []
    for e in view.content():
        have = norm_text(e.text)
        if e.kind != "text" or not have:
            continue
        if e.box[3] <= 0.3 * view.parse.height and want and shares_runs(have, want):
            continue
        out.append(e)
    return out


def words(text: str) -> list[str]:
    """Words of an OCR line; a word OCR glued to the next after a stop ("Neque.Nunc") is two,
    and so is one glued to a capitalised next word where OCR dropped ". " ("liberoFusce")."""
    parts = re.split(r"\s+|(?<=[.,;:!?])(?=[A-Za-z])|(?<=[a-z][a-z])(?=[A-Z][a-z])", text)
    return [w.strip(".,;:!?\"'()") for w in parts if w.strip(".,;:!?\"'()")]


def value_beside(view: View, key: UIElement) -> str:
    """The value shown for a key: after "Key:" in its own text, else the nearest text to its
    right on the same row, else the text just below it."""
    own = key.text.split(":", 1)
    if len(own) == 2 and own[1].strip():
        return own[1].strip()
    x0, y0, x1, y1 = key.box
    h = max(1, y1 - y0)
    right = [
        e
        for e in view.content()
        if e.id != key.id
        and e.text.strip()
        and e.box[0] >= x1 - 2
        and min(y1, e.box[3]) - max(y0, e.box[1]) >= 0.5 * min(h, e.box[3] - e.box[1])
    ]
    if right:
        return min(right, key=lambda e: e.box[0]).text.strip()
    below = [e for e in view.content() if e.id != key.id and e.text.strip() and e.box[1] >= y1 - 2]
    return min(below, key=lambda e: (e.box[1], abs(e.box[0] - x0))).text.strip() if below else ""


def submit_button(view: View, skip: list[Box]) -> UIElement | None:
    """The button that reads as sending the form ("Submit", "Search", "Log in"), if any."""
    labels = [e for e in view.content() if e.text and not any(overlaps(e.box, b) for b in skip)]
    # Buttons first; then a lone word the detector called text or an icon (a flat button).
    for kinds in (("button", "link"), ("text", "icon")):
        for word in SUBMIT_WORDS:  # the whole label, letters matched as OCR reads ("Ssubmit")
            for e in labels:
                score, why = text_score(word, e.text)
                if (
                    e.kind in kinds
                    and len(norm_text(e.text)) <= len(word) + 2
                    and (score >= 0.85 or _cut_short(word, e))
                    and not (why == "contains the letters" and len(word) < SHORT_SENDING)
                ):
                    return e
    # A search bar's button the detector called a field: a sending word right of a field.
    sending = {norm_text(w) for w in SUBMIT_WORDS}
    for e in labels:
        if e.kind == "text_input" and norm_text(e.text) in sending and _field_left_of(e, view):
            return e
    return None


def _cut_short(word: str, el: UIElement) -> bool:
    """Whether a button reads `word` but for its last letter, cut off at the box's edge by OCR
    ("Submi"): four letters at least, so that no short word passes for a longer one."""
    have, want = norm_text(el.text), norm_text(word)
    return (
        el.kind == "button"
        and len(have) >= 4
        and len(want) - len(have) == 1
        and want.startswith(have)
    )


def _field_left_of(el: UIElement, view: View) -> bool:
    """True when a box of its height (a field, or the words typed in it) abuts `el` on its
    left, on its row: a search bar's field."""
    x0, y0, x1, y1 = el.box
    h = y1 - y0
    return any(
        f.kind in ("text_input", "text")
        and f.id != el.id
        and abs((f.box[3] - f.box[1]) - h) <= max(3, h // 4)
        and 0 <= x0 - f.box[2] <= h
        and abs((f.box[1] + f.box[3]) - (y0 + y1)) <= h
        for f in view.content()
    )


def tab_strip(view: View) -> list[UIElement]:
    """The page's tab strip, left to right: the row holding the elements the detector called
    tabs, with the link/button-like boxes beside them (the detector calls some tabs links);
    else the widest row of three or more link/button-like boxes with nothing but lines of text
    above them (a navigation bar under a heading), or two such boxes side by side. A word box
    abutting such a row, of its height, is one more tab the detector called text (or a link
    OCR read nothing in)."""
    content = view.content()
    items = [e for e in content if e.kind == "tab" or (e.kind in ("link", "button") and e.text)]
    # words, and link/button boxes OCR read nothing in (light words on a coloured active tab)
    words = [
        e
        for e in content
        if (e.kind == "text" and e.text) or (e.kind in ("link", "button") and not e.text)
    ]
    best: list[UIElement] = []
    best_key = (0, 0)
    for e in items:
        row = _row_of(e, items)
        if len(row) >= 2:
            row += _abutting(row, words)
        tabs = sum(o.kind == "tab" for o in row)
        top = min(o.box[1] for o in row)
        first = not any(o.box[3] <= top and o.kind != "text" for o in content)  # only words above
        pair = first and len(row) == 2 and _touching(row)  # two tabs drawn side by side
        if not ((tabs and len(row) >= 2) or (first and len(row) >= 3) or pair):
            continue
        key = (tabs, len(row))
        if key > best_key:
            best, best_key = row, key
    return sorted(best, key=lambda e: e.box[0])


def _touching(row: list[UIElement]) -> bool:
    """True when the row's boxes follow one another with no gap wider than a third of their
    height (a strip of tabs, not links apart in a line of text)."""
    boxes = sorted((e.box for e in row), key=lambda b: b[0])
    h = statistics.median(b[3] - b[1] for b in boxes)
    return all(b[0] - a[2] <= 0.3 * h for a, b in zip(boxes, boxes[1:], strict=False))


def _abutting(row: list[UIElement], words: list[UIElement]) -> list[UIElement]:
    """Word boxes of the row's height that touch its ends, one after another (a gap under a
    third of the height): tabs of a strip drawn alike but read as text, or read as nothing."""
    h = statistics.median(e.box[3] - e.box[1] for e in row)
    cy = statistics.median((e.box[1] + e.box[3]) / 2 for e in row)
    left, right = min(e.box[0] for e in row), max(e.box[2] for e in row)
    added: list[UIElement] = []
    grew = True
    while grew:
        grew = False
        for w in words:
            wh = w.box[3] - w.box[1]
            if (
                w in added
                or abs((w.box[1] + w.box[3]) / 2 - cy) > 0.25 * h
                or abs(wh - h) > 0.3 * h
            ):
                continue
            if any(overlaps(w.box, e.box) for e in row):
                continue
            if -0.3 * h <= w.box[0] - right <= 0.3 * h or -0.3 * h <= left - w.box[2] <= 0.3 * h:
                added.append(w)
                left, right = min(left, w.box[0]), max(right, w.box[2])
                grew = True
    return added


def _row_of(el: UIElement, items: list[UIElement]) -> list[UIElement]:
    """Items on `el`'s row with about its height, one per place (overlapping boxes once)."""
    h = el.box[3] - el.box[1]
    cy = (el.box[1] + el.box[3]) / 2
    row: list[UIElement] = []
    for o in sorted(items, key=lambda o: -o.score):
        oh = o.box[3] - o.box[1]
        if abs((o.box[1] + o.box[3]) / 2 - cy) > 0.25 * h or abs(oh - h) > 0.3 * h:
            continue
        if not any(overlaps(o.box, r.box) for r in row):
            row.append(o)
    return row


def clear_point(view: View, el: UIElement, point: tuple[int, int]) -> tuple[int, int]:
    """`point`, or when another element's box covers it (overlapping buttons, a label over a
    field) the point of `el`'s box farthest from every other box: a click lands on `el`
    whichever of the two is drawn on top."""
    import cv2

    x0, y0, x1, y1 = el.box
    others = [
        o.box
        for o in view.parse.elements
        if o.id != el.id
        and not (o.box[0] <= x0 and o.box[1] <= y0 and o.box[2] >= x1 and o.box[3] >= y1)
        and min(o.box[2], x1) > max(o.box[0], x0)
        and min(o.box[3], y1) > max(o.box[1], y0)
    ]
    if not any(b[0] <= point[0] < b[2] and b[1] <= point[1] < b[3] for b in others):
        return point
    free = np.ones((y1 - y0, x1 - x0), np.uint8)
    for b in others:
        free[max(0, b[1] - y0) : max(0, b[3] - y0), max(0, b[0] - x0) : max(0, b[2] - x0)] = 0
    if free.sum() == 0:
        return point
    dist = cv2.distanceTransform(np.pad(free, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return x0 + int(x), y0 + int(y)


def affixes(condition: str | None) -> tuple[str, str]:
    """("X", "Y") from a condition "starts with X and ends with Y" (either may be "")."""
    if not condition:
        return "", ""
    start = re.search(r"(?:starts?|begins?|beginning|starting) with \W*(\w[\w-]*)", condition)
    end = re.search(r"(?:ends?|ending) with \W*(\w[\w-]*)", condition)
    return (start.group(1) if start else ""), (end.group(1) if end else "")


_CONFUSABLE = str.maketrans("i10", "llo")  # OCR's I/l/1 and O/0, after lower-casing


def same_words(a: str, b: str) -> bool:
    """True when two readings are the same words as OCR varies them ("Section #1", "Section#l")."""
    import difflib

    x, y = (norm_text(t).translate(_CONFUSABLE) for t in (a, b))
    if x == y:
        return True
    digits = [[c for c in t if c.isdigit()] for t in (x, y)]  # "Section 2" is not "Section 3"
    close = difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.9
    return min(len(x), len(y)) >= 6 and digits[0] == digits[1] and close


MAX_SPLIT_LINES = 24  # lines read one by one per frame (OCR time on a large page)


def split_lines(view: View, reader: object | None, min_lines: int = 2) -> list[UIElement]:
    """Text lines read one by one out of boxes tall enough to hold `min_lines` or more that
    the detector did not call text (a list box taken as one field, where OCR glues its lines
    into one word): each line is cut where its rows of ink end. Needs the parser's text reader."""
    from policies.house.web.pixels import darkness, text_height

    if reader is None:
        return []
    th = text_height(view.frame)
    ink = darkness(view.frame) >= 60
    boxes: list[Box] = []
    for e in view.content():
        x0, y0, x1, y1 = e.box
        if y1 - y0 < min_lines * th or e.kind == "text":
            continue  # a paragraph the parse read as text already reads line by line
        part = ink[y0:y1, x0:x1]
        part = part[:, part.mean(axis=0) < 0.8]  # a frame's sides are not text
        rows = part.mean(axis=1) if part.size else np.zeros(y1 - y0)
        lit = (rows > 0) & (rows < 0.6)  # nor its top and bottom lines
        start = None
        for i, on in enumerate([*lit.tolist(), False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                if i - start >= 0.5 * th:
                    boxes.append((x0, y0 + max(0, start - 2), x1, y0 + min(y1 - y0, i + 2)))
                start = None
    boxes = boxes[:MAX_SPLIT_LINES]
    if not boxes:
        return []
    texts = reader.read(np.ascontiguousarray(view.frame[..., :3]), [(b, "text") for b in boxes])  # type: ignore[attr-defined]
    base = 1 + max((e.id for e in view.parse.elements), default=0)
    return [
        UIElement(base + i, b, "text", t, False, 0.5)
        for i, (b, (t, _)) in enumerate(zip(boxes, texts, strict=True))
        if t.strip()
    ]


def joined_pieces(view: View) -> list[UIElement]:
    """Neighbours on one line joined into one text, for a word the detector cut in two
    ("Ta" + "mera"): each pair of content elements side by side, a small gap apart."""
    content = [e for e in view.content() if e.text.strip()]
    out = []
    base = 1 + max((e.id for e in view.parse.elements), default=0)
    for a in content:
        h = max(1, a.box[3] - a.box[1])
        for b in content:
            gap = b.box[0] - a.box[2]
            same_row = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1]) >= 0.5 * h
            if b.id != a.id and -0.3 * h <= gap <= 0.5 * h and same_row:
                box = (a.box[0], min(a.box[1], b.box[1]), b.box[2], max(a.box[3], b.box[3]))
                text = a.text.strip() + b.text.strip()
                out.append(UIElement(base + len(out), box, "text", text, False, 0.5))
    return out


def unread_labels(view: View, reader: object | None) -> list[UIElement]:
    """Checkboxes and radio buttons with no text beside them in the parse, each carrying the
    words read on their own from the strip right of it (short labels like "fc" escape the
    detector). Needs the parser's text reader."""
    from policies.house.web.pixels import darkness, text_height

    if reader is None:
        return []
    th = text_height(view.frame)
    content = view.content()
    ink = darkness(view.frame) >= 60
    found: list[tuple[UIElement, Box]] = []
    for c in content:
        if c.kind != "checkbox":
            continue
        x0, y0, x1, y1 = c.box
        h = max(1, y1 - y0)
        beside = [
            e
            for e in content
            if e.id != c.id
            and e.text.strip()
            and x1 - 2 <= e.box[0] <= x1 + 3 * th
            and min(y1, e.box[3]) - max(y0, e.box[1]) >= 0.5 * min(h, e.box[3] - e.box[1])
        ]
        if beside:
            continue
        strip = ink[y0:y1, x1 + 1 : min(ink.shape[1], x1 + 20 * th)]
        cols = np.nonzero(strip.any(axis=0))[0]
        if len(cols) == 0 or cols[0] > 3 * th:
            continue
        end = int(cols[0])
        for col in cols.tolist():  # the label ends at the first gap wider than a text height
            if col - end > th:
                break
            end = col
        box = (x1 + 1 + max(0, int(cols[0]) - 2), y0, x1 + 1 + end + 3, y1)
        found.append((c, box))
    if not found:
        return []
    frame = np.ascontiguousarray(view.frame[..., :3])
    texts = reader.read(frame, [(b, "text") for _, b in found])  # type: ignore[attr-defined]
    return [
        UIElement(c.id, c.box, c.kind, t, True, c.score)
        for (c, _), (t, _) in zip(found, texts, strict=True)
        if t.strip()
    ]


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when two boxes share more than half of the smaller one."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return False
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h > 0.5 * max(1, small)


def grow(box: tuple[int, int, int, int], parse: ScreenParse) -> tuple[int, int, int, int]:
    """`box` widened by half its height each way (a toggled mark or a typed caret sits close)."""
    x0, y0, x1, y1 = box
    pad = max(2, (y1 - y0) // 2)
    return (
        max(0, x0 - pad),
        max(0, y0 - pad),
        min(parse.width, x1 + pad),
        min(parse.height, y1 + pad),
    )
