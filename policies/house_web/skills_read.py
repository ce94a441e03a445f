"""Skills for read instructions (see policies/house_web/skill.py for the contract).

Each reads something off the page with pixel geometry (`pixels_read`) and OCR re-reads, then
answers: type a word or a table value into the field and press Submit, or act on the mailbox row
or feed post that a sender's or user's name picks out.
"""

from __future__ import annotations

import difflib
import re

from agent.actions import Action, Click, Scroll, Type, Wait
from perception.screen_parser import _norm
from policies.house_web import pixels_read as px
from policies.house_web.view import View, click, locate

_NTH_WORD = re.compile(r"\bfind the (\d+)\s*(?:st|nd|rd|th) word in the paragraph", re.I)
_TABLE_VALUE = re.compile(
    r"\benter the value of (.+?) into the text (?:field|box)(?: and press submit)?", re.I
)
MAX_LINE_HEIGHT = 16  # px: a taller ink band is a framed widget, not a line of text


def paragraph_words(view: View) -> list[px.Box]:
    """Word boxes of the first paragraph below the banner, in reading order."""
    lines = []
    for band in px.bands(view.frame):
        if band[3] - band[1] > MAX_LINE_HEIGHT:
            break
        if lines and band[1] - lines[-1][3] > band[3] - band[1]:
            break  # a blank line's worth of gap ends the paragraph
        lines.append(band)
    return [w for line in lines for w in px.words(view.frame, line)]


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
        if not rows:
            return None
        texts = [cell_text(view, c) for row in rows for c in row[:2]]
        pairs = [(texts[2 * i], texts[2 * i + 1]) for i in range(len(rows))]
        view.notes["table"] = pairs
        want = _norm(self.key)
        score, value = max(
            (difflib.SequenceMatcher(None, want, _norm(k)).ratio(), v) for k, v in pairs
        )
        if score < 0.6 or not value:
            return None
        return value, rows[-1][0][3] + 2


def cell_text(view: View, cell: px.Box) -> str:
    """A table cell's text, line by line (a long value wraps), each line cropped to its ink."""
    lines = px.text_lines(view.frame, cell, min_height=3)
    return " ".join(t for t in px.read_boxes(view.frame, lines) if t)


def table_rows(view: View) -> list[list[px.Box]]:
    """Cells (inside the rules) of each row of the first ruled table below the banner."""
    frame = view.frame
    top = px.content_top(frame)
    rules = px.h_rules(frame, (0, top, frame.shape[1], frame.shape[0]))
    if len(rules) < 2:
        return []
    _, x0, x1 = rules[0]
    ys = [r[0] for r in rules if abs(r[1] - x0) <= 2 and abs(r[2] - x1) <= 2]
    ys = [y for i, y in enumerate(ys) if i == 0 or y - ys[i - 1] <= 40]
    if len(ys) < 2:
        return []
    cols = [x for x in px.v_rules(frame, (x0, ys[0] + 1, x1, ys[-1])) if x0 + 2 < x < x1 - 2]
    edges = [x0, *cols, x1]
    return [
        [(a + 2, ya + 2, b - 1, yb - 1) for a, b in zip(edges, edges[1:], strict=False)]
        for ya, yb in zip(ys, ys[1:], strict=False)
        if yb - ya > 6
    ]


_EMAIL = re.compile(
    r"\bfind the email by (?P<who>.+?) and (?:"
    r"click the (?P<icon>trash|star) icon\b"
    r"|reply to them with the text \"(?P<text>[^\"]*)\""
    r"|forward that email to (?P<to>.+?)\.?$)",
    re.I,
)
BAR_RED = (249, 37, 37)  # the mailbox's header bars
HIGHLIGHT = (244, 241, 66)  # search hits are marked in this yellow


class EmailSkill:
    """'Find the email by X and click the trash/star icon | reply with "T" | forward to Y'.

    Pixels only: the magnifier on the red header opens search; typing the sender marks hits in
    yellow; the first hit opens the email, whose red bar carries star and trash (rightmost) and
    whose foot carries Reply and Forward; reply/forward pages have a send arrow at the top right.
    """

    name = "email"

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
        top = px.content_top(view.frame)
        bars = px.colour_bars(view.frame, BAR_RED, top=top)
        marks = px.marks_on_bar(view.frame, bars[0]) if bars else []
        if not marks:
            return self._retry(view, "red header")
        x0, y0, x1, y1 = marks[-1]
        self.phase = "open"
        self.queue = [Type(self.who)]
        return Click((x0 + x1) // 2, (y0 + y1) // 2)

    def _open(self, view: View) -> Action:
        frame = view.frame
        top = px.content_top(frame)
        hits = px.patches(frame, (0, top, frame.shape[1], frame.shape[0]), HIGHLIGHT)
        if not hits:
            return self._retry(view, "search hit")
        x0, y0, x1, y1 = hits[0]
        self.phase = "act_on_email"
        return Click((x0 + x1) // 2, (y0 + y1) // 2)

    def _act_on_email(self, view: View) -> Action:
        frame = view.frame
        if self.action in ("trash", "star"):
            bars = px.colour_bars(frame, BAR_RED, top=px.content_top(frame))
            marks = px.marks_on_bar(frame, bars[0]) if bars else []
            if len(marks) < 3:
                return self._retry(view, "email bar icons")
            x0, y0, x1, y1 = marks[-1] if self.action == "trash" else marks[-2]
            self.phase = "done"
            return Click((x0 + x1) // 2, (y0 + y1) // 2)
        h, w = frame.shape[:2]
        rules = [r for r in px.h_rules(frame, (0, h // 2, w, h), min_len=100) if r[0] < h - 25]
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
        rules = px.h_rules(frame, (0, top, frame.shape[1], frame.shape[0]), min_len=100)
        if len(rules) < 3:
            return self._retry(view, "compose form")
        marks = px.marks_on_bar(frame, (top, rules[0][0]))
        if not marks:
            return self._retry(view, "send arrow")
        sx0, sy0, sx1, sy1 = marks[-1]
        send = Click((sx0 + sx1) // 2, (sy0 + sy1) // 2)
        if self.action == "reply":
            field = Click(frame.shape[1] // 2, min(frame.shape[0] - 5, rules[-1][0] + 20))
        else:  # the "to:" line is the first under the bar; its field starts right of the label
            field = Click(frame.shape[1] * 2 // 3, (rules[0][0] + rules[1][0]) // 2)
        self.phase = "done"
        self.queue = [Type(self.text), send]
        return field

    def _done(self, view: View) -> Action:
        return Wait(0.2)


_FEED = re.compile(r"\bfor the user (@\S+?),? click on the \"([^\"]+)\" button", re.I)
CARD_EDGE = (225, 232, 237)  # the pale rule between posts of a feed
ROW_ICONS = ("reply", "retweet", "like")  # the icons under a post, left to right; "more" last


class FeedActionSkill:
    """'For the user @X, click on the "Y" button': find the post whose header names @X, then
    click its icon (reply, retweet, like: left to right under the post) or, for any other
    action, open its "more" menu (the last icon) and click the menu line that reads Y."""

    name = "feed_action"

    def __init__(self, user: str, label: str) -> None:
        self.user, self.label = user, label
        self.phase = "find"
        self.scrolls = 0
        self.menu_misses = 0

    @classmethod
    def match(cls, instruction: str) -> FeedActionSkill | None:
        m = _FEED.search(instruction)
        return cls(m.group(1), m.group(2)) if m else None

    def act(self, view: View) -> Action:
        view.notes["phase"] = self.phase
        return self._menu(view) if self.phase == "menu" else self._find(view)

    def _scroll(self, view: View, down: bool = True) -> Action:
        self.scrolls += 1
        h, w = view.frame.shape[:2]
        top = px.content_top(view.frame)
        return Scroll(0, 1 if down else -1, w // 2, (top + h) // 2)

    def _find(self, view: View) -> Action:
        frame = view.frame
        h, w = frame.shape[:2]
        edges = [a for a, _ in px.colour_bars(frame, CARD_EDGE, top=px.content_top(frame))]
        headers, rows = [], []
        for a, b in zip(edges, edges[1:], strict=False):
            if 40 <= b - a <= 100:
                lines = px.text_lines(frame, (2, a + 2, w - 2, b - 2), min_height=5)
                if lines:  # a long header wraps: the handle may sit on the second line
                    headers.append((a, b, lines[:2]))
                    rows.append(px.blobs(frame, (2, b - 18, w - 2, b - 1), min_gap=5, contrast=25))
        # Body text can run into a post's icon row; every post lays its icons out alike, so a
        # post whose row shows exactly four blobs lends their columns to the others.
        clean = next(
            ((r, b) for r, (_, b, _) in zip(rows, headers, strict=True) if len(r) == 4), None
        )
        texts = [" ".join(px.read_boxes(frame, lines)) for _, _, lines in headers]
        view.notes["headers"] = texts
        for (_, b, _), icons, text in zip(headers, rows, texts, strict=True):
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
            if want not in ROW_ICONS:
                self.phase = "menu"
            x0, y0, x1, y1 = pick
            return Click((x0 + x1) // 2, (y0 + y1) // 2)
        return self._scroll(view, down=self.scrolls < 12)

    def _menu(self, view: View) -> Action:
        frame = view.frame
        box = px.outlined_box(frame, px.content_top(frame))
        if box is None:  # a menu opened near the bottom hangs below the fold
            self.menu_misses += 1
            if self.menu_misses > 3:
                self.phase, self.menu_misses = "find", 0
            return self._scroll(view)
        x0, y0, x1, y1 = box
        lines = px.text_lines(frame, (x0 + 2, y0 + 1, x1 - 2, y1), min_height=5)
        texts = px.read_boxes(frame, lines)
        view.notes["menu"] = texts
        want = _norm(self.label)
        for line, text in zip(lines, texts, strict=True):
            have = _norm(text)
            if have.startswith(want) or difflib.SequenceMatcher(None, want, have).ratio() > 0.85:
                return Click((line[0] + line[2]) // 2, (line[1] + line[3]) // 2)
        return self._scroll(view)


def _names_user(header: str, user: str) -> bool:
    """True when a post header ("Rene @facilisi · 3h ago") shows the handle `user` ("@facilisi")."""
    want = _norm(user)
    at = header.find("@")
    tokens = re.split(r"[^A-Za-z]+", header[at + 1 :] if at >= 0 else header)  # "·" reads "-"
    cands = tokens[:1] if at >= 0 else tokens[1:2]
    return any(
        _norm(t) == want or difflib.SequenceMatcher(None, want, _norm(t)).ratio() >= 0.85
        for t in cands
    )


SKILLS: list = [EmailSkill, FeedActionSkill, FindWordSkill, ReadTableSkill]
