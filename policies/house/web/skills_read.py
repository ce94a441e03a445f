"""Skills for read instructions (see policies/house/web/skill.py for the contract).

Each reads something off the page with pixel geometry (`pixels_read`) and OCR re-reads, then
answers: type a word or a table value into the field and press Submit, or act on the mailbox row
or feed post that a sender's or user's name picks out.
"""

from __future__ import annotations

import difflib
import re

import numpy as np

from contracts.actions import Action, Click, Scroll, Type, Wait
from perception.screen.parser import UIElement, norm_text
from policies.house.web import pixels_read as px
from policies.house.web.pixels import text_height
from policies.house.web.view import View, click, locate

_NTH_WORD = re.compile(r"\bfind the (\d+)\s*(?:st|nd|rd|th) word in the paragraph", re.I)
_TABLE_VALUE = re.compile(
    r"\benter the value of (.+?) into the text (?:field|box)(?: and press submit)?", re.I
)
MIN_ROW = 6  # px: rules closer than this bound no table row
SPAN_SHARE = 0.08  # rules of one table start and end within this share of their length
ROW_GAP_MAX = 2.5  # a gap this many usual row heights below the last row ends the table
COLUMN_SHARE = 0.75  # column rules cross every row alike: a weaker line is aligned letters
LINE_SHARE = 1.6  # of the text height: a taller band is two fused lines or a framed widget
SEAM_SHARE = 0.25  # of a band's inkiest row: the most ink where two fused text lines touch
FRAME_SHARE = 0.9  # of a band's width: a row this inked is a frame's rule (text rows have gaps)
SPACE_SHARE = 0.235  # of the text height: a space's pale width (letter gaps <0.22, spaces >0.25)


def paragraph_words(view: View) -> list[px.Box]:
    """Word boxes of the first paragraph below the banner, in reading order. Line and space
    sizes follow the frame's text height (the frame may be shown zoomed)."""
    th = text_height(view.frame)
    lines: list[px.Box] = []
    for band in px.bands(view.frame):
        parts = split_band(view.frame, band, LINE_SHARE * th)
        if not parts:
            break  # a framed widget ends the paragraph
        for part in parts:
            if lines and part[1] - lines[-1][3] > part[3] - part[1]:
                return _words_of(view, lines, th)  # a blank line's worth of gap ends it
            lines.append(part)
    return _words_of(view, lines, th)


def _words_of(view: View, lines: list[px.Box], th: int) -> list[px.Box]:
    """Word boxes of `lines` in reading order, spaces measured against text height `th`."""
    return [w for line in lines for w in px.words(view.frame, line, SPACE_SHARE * th)]


def split_band(frame: np.ndarray, band: px.Box, limit: float) -> list[px.Box]:
    """`band` as text lines no taller than `limit`: itself, or two lines that a small or blurred
    frame fused (descenders touch the next line's ascenders) cut at its palest row; [] when it
    is a framed widget (no such cut)."""
    x0, y0, x1, y1 = band
    if y1 - y0 <= limit:
        return [band]
    rows = px.off_background_mask(frame, band).sum(axis=1)
    if rows.max() > FRAME_SHARE * (x1 - x0):
        return []  # a row inked nearly across is a frame's rule, not text
    lo, hi = round(y1 - y0 - limit), round(limit)  # rows where both halves fit the limit
    if lo >= hi or hi > len(rows):
        return []
    cut = lo + int(np.argmin(rows[lo:hi]))
    if rows[cut] > SEAM_SHARE * rows.max():
        return []
    return [(x0, y0, x1, y0 + cut), (x0, y0 + cut, x1, y1)]


def field_below(view: View, y: int) -> tuple[int, int] | None:
    """The centre of the first framed box (a text field) whose top rule lies below row `y`."""
    rules = [
        r for r in px.h_rules(view.frame, (0, y + 1, view.frame.shape[1], view.frame.shape[0]))
    ]
    if not rules:
        return None
    top, x0, x1 = rules[0]
    bottom = next((r[0] for r in rules[1:] if abs(r[1] - x0) <= 3 and abs(r[2] - x1) <= 3), None)
    bottom = bottom if bottom is not None and bottom - top <= 40 else top + 16
    return (x0 + x1) // 2, (top + bottom) // 2


def submit_point(view: View, below: int) -> tuple[int, int] | None:
    """Where the Submit button is: OCR text "Submit" below row `below`, buttons first."""
    hits = [e for e in locate(view, "Submit") if e.center[1] > below]
    hits.sort(key=lambda e: e.kind != "button")
    if hits:
        return click(hits[0], "Submit").x, click(hits[0], "Submit").y
    return None


class _AnswerSkill:
    """Read an answer once, then click the field, type the answer and press Submit."""

    name = "answer"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self) -> None:
        self.plan: list[Action] = []
        self.planned = False

    def read(self, view: View) -> tuple[str, int] | None:
        """(answer, bottom row of what was read) from this frame, or None if not readable."""
        raise NotImplementedError

    def act(self, view: View) -> Action:
        if not self.planned:
            got = self.read(view)
            if got is None:
                return Wait(0.2)
            answer, bottom = got
            field, submit = field_below(view, bottom), submit_point(view, bottom)
            view.notes.update(answer=answer, field=field, submit=submit)
            if field is None or submit is None:
                return Wait(0.2)
            self.plan = [Click(*field), Type(answer), Click(*submit)]
            self.planned = True
        if self.plan:
            return self.plan.pop(0)
        self.planned = False  # the page did not end the episode: read it again
        return Wait(0.2)


class FindWordSkill(_AnswerSkill):
    """'Find the Nth word in the paragraph, type that into the textbox and press Submit'."""

    name = "find_word"

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth = nth

    @classmethod
    def match(cls, instruction: str) -> FindWordSkill | None:
        m = _NTH_WORD.search(instruction)
        return cls(int(m.group(1))) if m else None

    def read(self, view: View) -> tuple[str, int] | None:
        boxes = paragraph_words(view)
        view.notes["words"] = len(boxes)
        if len(boxes) < self.nth or self.nth < 1:
            return None
        box = boxes[self.nth - 1]
        word = re.sub(r"[^A-Za-z0-9]", "", px.read_boxes(view.frame, [box])[0])
        return (word, boxes[-1][3]) if word else None


class ReadTableSkill(_AnswerSkill):
    """'Enter the value of X into the text field and press Submit': row label X, value beside it."""

    name = "read_table"

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    @classmethod
    def match(cls, instruction: str) -> ReadTableSkill | None:
        m = _TABLE_VALUE.search(instruction)
        return cls(m.group(1).strip()) if m else None

    def read(self, view: View) -> tuple[str, int] | None:
        rows = table_rows(view)
        view.notes["columns"] = len(rows[0]) if rows else 0
        if not rows or len(rows[0]) < 2:
            return None
        pairs = [(cell_text(view, row[0]), cell_text(view, row[1])) for row in rows]
        view.notes["table"] = pairs
        want = norm_text(self.key)
        score, value = max(
            (difflib.SequenceMatcher(None, want, norm_text(k)).ratio(), v) for k, v in pairs
        )
        if score < 0.6 or not value:
            return None
        return value, rows[-1][0][3] + 2


def cell_text(view: View, cell: px.Box) -> str:
    """A table cell's text, line by line (a long value wraps), each line cropped to its ink."""
    lines = px.text_lines(view.frame, cell, min_height=3)
    return " ".join(t for t in px.read_boxes(view.frame, lines) if t)


def table_rows(view: View) -> list[list[px.Box]]:
    """Cells (inside the rules) of each row of the ruled table below the banner."""
    frame = view.frame
    found = table_rules(frame)
    if found is None:
        return []
    ys, x0, x1 = found
    inner = (x0 + 1, ys[0] + 2, x1 - 1, ys[-1] - 1)
    tone = px.rule_tone(frame, ys[0], x0, x1)
    cols = px.crossing_lines(frame, inner, 1, tone, relative=COLUMN_SHARE)
    cols = [x for x in cols if x0 + 2 < x < x1 - 2]
    edges = [x0, *cols, x1]
    return [
        [(a + 2, ya + 2, b - 1, yb - 1) for a, b in zip(edges, edges[1:], strict=False)]
        for ya, yb in zip(ys, ys[1:], strict=False)
        if yb - ya > MIN_ROW
    ]


def table_rules(frame: np.ndarray) -> tuple[list[int], int, int] | None:
    """(ys, x0, x1) of the table's rules: of the sets of rules below the banner that span the
    same columns (a table's outer ones, a text field's two), the one with the most rules across
    it (the inner rules may be broken by letters or faded, so they are found by profile)."""
    top = px.content_top(frame)
    rules = px.h_rules(frame, (0, top, frame.shape[1], frame.shape[0]))
    best: tuple[list[int], int, int] | None = None
    for _, a, b in rules:
        tol = SPAN_SHARE * (b - a)
        group = [r for r in rules if abs(r[1] - a) <= tol and abs(r[2] - b) <= tol]
        if len(group) < 2:
            continue
        x0 = int(np.median([r[1] for r in group]))
        x1 = int(np.median([r[2] for r in group]))
        box = (x0 + 2, group[0][0] - 1, x1 - 2, group[-1][0] + 2)
        tone = px.rule_tone(frame, group[0][0], x0, x1)
        ys = _even_rows(px.crossing_lines(frame, box, 0, tone))
        if len(ys) >= 3 and (best is None or len(ys) > len(best[0])):
            best = (ys, x0, x1)
    return best


def _even_rows(ys: list[int]) -> list[int]:
    """The first run of rules stacked like table rows: rules closer than half the usual row
    height to the previous one are noise, a gap over ROW_GAP_MAX rows' height ends the table."""
    if len(ys) < 2:
        return ys
    step = float(np.median(np.diff(ys)))
    kept = [ys[0]]
    for y in ys[1:]:
        if y - kept[-1] < step / 2:
            continue
        if y - kept[-1] > ROW_GAP_MAX * step:
            break
        kept.append(y)
    return kept


_EMAIL = re.compile(
    r"\bfind the email by (?P<who>.+?) and (?:"
    r"click the (?P<icon>trash|star) icon\b"
    r"|reply to them with the text \"(?P<text>[^\"]*)\""
    r"|forward that email to (?P<to>.+?)\.?$)",
    re.I,
)
BAR_RED = (249, 37, 37)  # the mailbox's header bars
HIGHLIGHT = (244, 241, 66)  # search hits are marked in this yellow
DIVIDER_SHARE = 0.85  # of the frame's width: the compose form's dividers (not its fields' frames)
FOOT_RULE_SHARE = 0.6  # of the frame's width: the rule above an email's Reply | Forward foot
FOOT_ROOM = 0.12  # of the frame's height: the foot's icons and labels need this much below it
BAR_MIN_SHARE = 0.05  # of the frame's height: the compose bar (send arrow) is at least this tall
BODY_DROP = 0.1  # of the frame's height: a click this far below the last divider is in the body
STAR_STEP = 1.4  # the email bar's star sits this many trash-can widths left of the trash can


class EmailSkill:
    """'Find the email by X and click the trash/star icon | reply with "T" | forward to Y'.

    Pixels only: the magnifier on the red header opens search; typing the sender marks hits in
    yellow; the first hit opens the email, whose red bar carries star and trash (rightmost) and
    whose foot carries Reply and Forward; reply/forward pages have a send arrow at the top right.
    """

    name = "email"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, who: str, action: str, text: str = "") -> None:
        self.who, self.action, self.text = who, action, text
        self.phase = "search"
        self.tries = 0
        self.queue: list[Action] = []

    @classmethod
    def match(cls, instruction: str) -> EmailSkill | None:
        m = _EMAIL.search(instruction.strip())
        if not m:
            return None
        if m.group("icon"):
            return cls(m.group("who"), m.group("icon").lower())
        if m.group("text") is not None:
            return cls(m.group("who"), "reply", m.group("text"))
        return cls(m.group("who"), "forward", m.group("to").strip())

    def act(self, view: View) -> Action:
        if self.queue:
            return self.queue.pop(0)
        action = getattr(self, f"_{self.phase}")(view)
        view.notes["phase"] = self.phase
        return action

    def _retry(self, view: View, why: str) -> Action:
        self.tries += 1
        view.notes["missing"] = why
        return Wait(0.2)

    def _search(self, view: View) -> Action:
        marks = _bar_marks(view.frame)
        if not marks:
            return self._retry(view, "header bar")
        x0, y0, x1, y1 = marks[-1]
        self.phase = "open"
        self.queue = [Type(self.who)]
        return Click((x0 + x1) // 2, (y0 + y1) // 2)

    def _open(self, view: View) -> Action:
        frame = view.frame
        top = px.content_top(frame)
        hits = px.patches(frame, (0, top, frame.shape[1], frame.shape[0]), HIGHLIGHT)
        if hits:
            x0, y0, x1, y1 = hits[0]
            point = (x0 + x1) // 2, (y0 + y1) // 2
        else:  # no yellow marks (a dark theme drops them): the sender's name under the search bar
            bar = px.header_bar(frame, top)
            below = bar[1] if bar else top
            names = sorted(
                (e for e in locate(view, self.who) if e.box[1] >= below and _names(e, self.who)),
                key=lambda e: e.box[1],
            )
            if not names:
                return self._retry(view, "search hit")
            point = names[0].point_of(self.who)
        self.phase = "act_on_email"
        return Click(*point)

    def _act_on_email(self, view: View) -> Action:
        frame = view.frame
        if self.action in ("trash", "star"):
            marks = _bar_marks(frame)
            if len(marks) < 2:
                return self._retry(view, "email bar icons")
            x0, y0, x1, y1 = marks[-1]  # the trash can, rightmost
            if self.action == "star" and len(marks) >= 3:
                x0, y0, x1, y1 = marks[-2]
            elif self.action == "star":  # a pale outline star can fade into a dark theme's page
                shift = round(STAR_STEP * (x1 - x0))
                x0, x1 = x0 - shift, x1 - shift
            self.phase = "done"
            return Click((x0 + x1) // 2, (y0 + y1) // 2)
        h, w = frame.shape[:2]
        long = round(FOOT_RULE_SHARE * w)
        rules = [
            r
            for r in px.h_rules(frame, (0, h // 2, w, h), min_len=long)
            if r[0] < h * (1 - FOOT_ROOM)
        ]
        pair = px.blobs(frame, (0, rules[-1][0] + 2, w, h), min_gap=10) if rules else []
        if len(pair) != 2:  # the foot with Reply | Forward is below the fold
            self.tries += 1
            return Scroll(0, 2, w // 2, h * 3 // 4)
        x0, y0, x1, y1 = pair[0] if self.action == "reply" else pair[1]
        self.phase = "compose"
        return Click((x0 + x1) // 2, (y0 + y1) // 2)

    def _compose(self, view: View) -> Action:
        frame = view.frame
        top = px.content_top(frame)
        h, w = frame.shape[:2]
        rules = px.h_rules(frame, (0, top, w, h), min_len=round(DIVIDER_SHARE * w))
        rules = [r for r in rules if r[0] - top >= BAR_MIN_SHARE * h]  # not the banner's edge
        if len(rules) < 3:
            return self._retry(view, "compose form")
        marks = px.marks_on_bar(frame, (top, rules[0][0] - px.RULE_REACH))  # above its rows
        if not marks:
            return self._retry(view, "send arrow")
        sx0, sy0, sx1, sy1 = marks[-1]
        send = Click((sx0 + sx1) // 2, (sy0 + sy1) // 2)
        if self.action == "reply":
            below = rules[-1][0] + round(BODY_DROP * h)  # into the message body
            field = Click(w // 2, min(h - 5, below))
        else:  # the "to:" line is the first under the bar; its field starts right of the label
            field = Click(w * 2 // 3, (rules[0][0] + rules[1][0]) // 2)
        self.phase = "done"
        self.queue = [Type(self.text), send]
        return field

    def _done(self, view: View) -> Action:
        return Wait(0.2)


def _bar_marks(frame: np.ndarray) -> list[px.Box]:
    """Icons on the mailbox's header bar, left to right: on its fill (red), or, where the fill
    is gone (a dark theme), on the first band of ink below the banner."""
    bar = px.header_bar(frame)
    return px.marks_on_bar(frame, bar) if bar else []


def _names(el: UIElement, who: str) -> bool:
    """True when an element's text is (or starts with) the name `who`, give or take OCR slips."""
    want, have = norm_text(who), norm_text(el.text)
    return have.startswith(want) or difflib.SequenceMatcher(None, want, have).ratio() >= 0.8


_FEED = re.compile(r"\bfor the user (@\S+?),? click on the \"([^\"]+)\" button", re.I)
CARD_EDGE_SHARE = 0.8  # of the frame's width: the pale rule between posts of a feed
POST_LINES = (4, 10)  # a post is this many header-line heights tall
ICON_ROW_LINES = 1.8  # a post's icon row (its bottom) is this many header-line heights tall
ROW_ICONS = ("reply", "retweet", "like")  # the icons under a post, left to right; "more" last
GLUED_MIN = 3  # letters a handle needs to be told in a name glued to it (not "a", "in")
RULE_END_TOL = 2  # px: the rules between posts end this close to one another (JPEG, blur)
SCROLL_MARGIN_MIN = 6  # px right of the posts wide enough to rest the pointer off them
MENU_FOLD = 1.0  # text heights: a menu whose side ends this near the frame's bottom runs on
MENU_SCROLLS = 3  # scrolls that bring the longest menu up into view
MENU_MATCH = 0.85  # similarity of a menu line's OCR to the label that counts as reading it


class FeedActionSkill:
    """'For the user @X, click on the "Y" button': find the post whose header names @X, then
    click its icon (reply, retweet, like: left to right under the post) or, for any other
    action, open its "more" menu (the last icon) and click the menu line that reads Y."""

    name = "feed_action"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, user: str, label: str) -> None:
        self.user, self.label = user, label
        self.phase = "find"
        self.scrolls = 0
        self.menu_misses = 0
        self.anchor: tuple[int, int, int] | None = None  # (x, y, text height) of the "more" icon
        self.before: np.ndarray | None = None  # the frame a scroll was sent from
        self.menu_scrolls = 0

    @classmethod
    def match(cls, instruction: str) -> FeedActionSkill | None:
        m = _FEED.search(instruction)
        return cls(m.group(1), m.group(2)) if m else None

    def act(self, view: View) -> Action:
        view.notes["phase"] = self.phase
        return self._menu(view) if self.phase == "menu" else self._find(view)

    def _scroll(self, view: View, down: bool = True) -> Action:
        """Wheel over the margin right of the posts where there is one: a pointer resting on a
        post highlights it, and a dark theme's highlight hides the rules between posts."""
        self.scrolls += 1
        frame = view.frame
        self.before = frame.copy()
        h, w = frame.shape[:2]
        top = px.content_top(frame)
        edges = _post_rules(px.h_rules(frame, (0, top, w, h), min_len=round(CARD_EDGE_SHARE * w)))
        right = min((x1 for _, _, x1 in edges), default=w)  # the banner's edge runs on
        x = (right + w) // 2 if w - right >= SCROLL_MARGIN_MIN else w // 2
        return Scroll(0, 1 if down else -1, x, (top + h) // 2)

    def _find(self, view: View) -> Action:
        frame = view.frame
        h, w = frame.shape[:2]
        box = (0, px.content_top(frame), w, h)
        edges = _post_rules(px.h_rules(frame, box, min_len=round(CARD_EDGE_SHARE * w)))
        headers, rows = [], []
        for (a, ax0, ax1), (b, bx0, bx1) in zip(edges, edges[1:], strict=False):
            x0, x1 = max(ax0, bx0) + 2, min(ax1, bx1) - 2  # inside the card's side borders
            lines = px.text_lines(frame, (x0, a + 2, x1, b - 2), min_height=5)
            lh = lines[0][3] - lines[0][1] if lines else 0
            if lines and POST_LINES[0] * lh <= b - a <= POST_LINES[1] * lh:
                headers.append((a, b, lines[:2]))  # a long header wraps: the handle may be 2nd
                icons = (x0, b - round(ICON_ROW_LINES * lh), x1, b - 1)
                rows.append(px.blobs(frame, icons, min_gap=5, contrast=25))
        # Body text can run into a post's icon row; every post lays its icons out alike, so a
        # post whose row shows exactly four blobs lends their columns to the others.
        clean = next(
            ((r, b) for r, (_, b, _) in zip(rows, headers, strict=True) if len(r) == 4), None
        )
        texts = [" ".join(px.read_boxes(frame, lines)) for _, _, lines in headers]
        view.notes["headers"] = texts
        for (_, b, lines), icons, text in zip(headers, rows, texts, strict=True):
            if not _names_user(text, self.user):
                continue
            if len(icons) != 4 and clean is not None:
                icons = [
                    (x0, y0 - clean[1] + b, x1, y1 - clean[1] + b) for x0, y0, x1, y1 in clean[0]
                ]
            if len(icons) != 4:
                continue
            want = self.label.strip().lower()
            pick = icons[ROW_ICONS.index(want)] if want in ROW_ICONS else icons[-1]
            x0, y0, x1, y1 = pick
            cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
            if want not in ROW_ICONS:
                self.phase, self.anchor = "menu", (cx, cy, lines[0][3] - lines[0][1])
                self.before, self.menu_scrolls = None, 0
            return Click(cx, cy)
        return self._scroll(view, down=self.scrolls < 12)

    def _menu(self, view: View) -> Action:
        """Click the line reading the label in the menu hanging below the clicked icon, scrolling
        it up (and following it) while it runs on below the fold; where none shows (the click
        missed), find the post again."""
        frame = view.frame
        h = frame.shape[0]
        top = px.content_top(frame)
        cx, cy, lh = self.anchor or (0, 0, 0)
        if self.before is not None:  # the last scroll moved the page, the menu with it, up
            cy -= px.scroll_shift(self.before, frame, top)
            self.anchor, self.before = (cx, cy, lh), None
        box = px.menu_below(frame, (cx, cy), lh, top) if self.anchor else None
        if box is not None:
            x0, y0, x1, y1 = box
            lines = px.text_lines(frame, (x0 + 2, y0 + 1, x1 - 2, y1), min_height=lh // 2)
            texts = px.read_boxes(frame, lines)
            view.notes["menu"] = texts
            want = norm_text(self.label)
            for line, text in zip(lines, texts, strict=True):
                have = norm_text(text)
                if (
                    have.startswith(want)
                    or difflib.SequenceMatcher(None, want, have).ratio() > MENU_MATCH
                ):
                    return Click((line[0] + line[2]) // 2, (line[1] + line[3]) // 2)
        # A menu that runs on below the fold, or opened too low to show its sides, scrolls up.
        low = box[3] >= h - MENU_FOLD * lh if box else cy + px.MENU_BAND * lh > h
        if self.anchor and low and self.menu_scrolls < MENU_SCROLLS:
            self.menu_scrolls += 1
            return self._scroll(view)
        self.phase, self.before = "find", None
        return self._find(view)


def _post_rules(edges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The rules between posts among `edges` (y, x0, x1): they reach the posts' right border,
    the rightmost end two or more share (the banner's lower edge may run past it); a long line
    of blurred text (a resized frame) also reads as a rule but ends short of it."""
    ends = [x1 for _, _, x1 in edges]
    shared = [e for e in ends if sum(abs(e - o) <= RULE_END_TOL for o in ends) >= 2]
    if not shared:
        return edges
    end = max(shared)
    return [r for r in edges if r[2] >= end - RULE_END_TOL]


def _names_user(header: str, user: str) -> bool:
    """True when a post header ("Rene @facilisi · 3h ago") shows the handle `user` ("@facilisi").
    A pale, blurred handle's "@" can read as a letter ("Anet Snec") or vanish with the spaces
    around it ("Coxsit9hago": name and handle one word before the age's digits)."""
    want = norm_text(user)
    at = header.find("@")
    if at >= 0:
        cands = re.split(r"[^A-Za-z]+", header[at + 1 :])[:1]  # "·" reads "-"
        glued = ""
    else:
        head = re.split(r"\d", header, maxsplit=1)[0]
        words = [t for t in re.split(r"[^A-Za-z]+", head) if t][:2]
        cands = words[1:2] + [t[1:] for t in words[1:2]]
        glued = norm_text(words[0]) if words else ""
    if any(
        norm_text(t) == want or difflib.SequenceMatcher(None, want, norm_text(t)).ratio() >= 0.85
        for t in cands
    ):
        return True
    return len(want) >= GLUED_MIN and len(glued) > len(want) and glued.endswith(want)


SKILLS: list = [EmailSkill, FeedActionSkill, FindWordSkill, ReadTableSkill]
