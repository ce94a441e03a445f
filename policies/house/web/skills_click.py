"""Skills for click instructions (see policies/house/web/skill.py for the contract).

Each skill is keyed on a wording ("Click on the "X" button", "Click on the link "X"", "Click on
Tab #2", ...) and grounds its target from OCR text plus geometry, with pixel finders
(`pixels.py`) for what the detector tends to miss: blue link words, a dialog's close glyph,
the rows of stacked form controls. A click that did not end the episode marks its target as
tried, so the next step picks the next candidate.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from contracts.actions import Action, Click, Wait
from perception.screen.parser import UIElement, norm_text
from policies.house.web import pixels
from policies.house.web.pixels import Box, area
from policies.house.web.view import View

Point = tuple[int, int]
CLOSE_WORDS = {"x", "×", "✕", "✖", "close"}


def match_score(label: str, text: str) -> float:
    """How well OCR `text` names `label`: 3 exact, 2 one of its words, 1+ inside it, else fuzzy."""
    want, have = norm_text(label), norm_text(text)
    if not want or not have:
        return 0.0
    if want == have:
        return 3.0
    if want in {norm_text(w) for w in re.split(r"[\s|/,;:]+", text)}:
        return 2.0
    if want in have:
        return 1.0 + len(want) / len(have)
    ratio = difflib.SequenceMatcher(None, want, have).ratio()
    return ratio if ratio >= 0.6 else 0.0


def inside(p: Point, box: Box) -> bool:
    """True when point `p` lies in `box`."""
    return box[0] <= p[0] < box[2] and box[1] <= p[1] < box[3]


def case_bonus(label: str, text: str) -> float:
    """A small tie-break for OCR text that shows `label` with its exact case and punctuation
    (pages may hold both "yes" and "Yes", or links "Amet" and "Amet.")."""
    want = label.strip()
    words = re.split(r"[\s|/,;:]+", text.strip())
    bonus = 0.3 if want in words or text.strip() == want else 0.1 if want in text else 0.0
    ends = [w[-1:] in ".,;:!?" for w in (want, text.strip())]
    return bonus + (0.1 if ends[0] == ends[1] else 0.0)


def same_ending(label: str, text: str) -> bool:
    """True when OCR `text` ends in punctuation exactly when `label` does ("nisi" and "nisi."
    are different links)."""
    ends = [w.strip()[-1:] in ".,;:!?" for w in (label, text)]
    return ends[0] == ends[1]


def exposed_point(target: Box, others: list[Box], near: Point, margin: int = 3) -> Point:
    """The point of `target` nearest `near` that no overlapping box covers (z-order unknown).

    Boxes that contain the whole target (a panel around it) do not count as covering it.
    """
    x0, y0, x1, y1 = target
    covers = [
        b
        for b in others
        if b != target
        and not (b[0] <= x0 and b[1] <= y0 and b[2] >= x1 and b[3] >= y1)
        and min(b[2], x1) > max(b[0], x0)
        and min(b[3], y1) > max(b[1], y0)
    ]
    if not covers or not any(inside(near, b) for b in covers):
        return near
    free = [
        (x, y)
        for x in range(x0 + margin, max(x0 + margin + 1, x1 - margin), 2)
        for y in range(y0 + margin, max(y0 + margin + 1, y1 - margin), 2)
        if not any(inside((x, y), b) for b in covers)
    ]
    if not free:
        return near
    return min(free, key=lambda p: (p[0] - near[0]) ** 2 + (p[1] - near[1]) ** 2)


@dataclass(frozen=True)
class Target:
    """A candidate to click: where, how sure, and a name for notes and the tried set."""

    point: Point
    score: float
    name: str


def text_targets(view: View, label: str, prefer: tuple[str, ...] = ()) -> list[Target]:
    """Parse elements whose OCR text names `label`, best first (exact text, then fitting kind,
    then the smaller box), each at the visible point showing the label."""
    content = view.content()
    boxes = [e.box for e in content]
    out = []
    for el in content:
        s = match_score(label, el.text)
        if s <= 0:
            continue
        s += (0.5 if el.kind in prefer else 0.0) + case_bonus(label, el.text)
        near = el.center if s >= 3 else el.point_of(label)
        if s < 3 and near == el.center:
            near = _point_of_key(el, label)
        point = exposed_point(el.box, boxes, near)
        out.append((s, -area(el.box), Target(point, s, f"{el.kind}:{el.text}")))
    out.sort(key=lambda t: (-t[0], -t[1]))
    return [t for *_, t in out]


def _point_of_key(el: UIElement, label: str) -> Point:
    """Where `label` sits in a merged text when OCR dropped its spaces ("Tab#1Tab#2")."""
    want, have = norm_text(label), norm_text(el.text)
    at = have.find(want)
    if at < 0 or len(have) <= len(want):
        return el.center
    x0, y0, x1, y1 = el.box
    return int(x0 + (at + len(want) / 2) / len(have) * (x1 - x0)), (y0 + y1) // 2


def pixel_button_targets(view: View, label: str | None) -> list[Target]:
    """Grey push-button fills found in pixels, read by OCR; all of them when `label` is None."""
    boxes = pixels.filled_boxes(view.frame, pixels.banner_bottom(view.frame))
    texts = pixels.read_text(view.frame, boxes, "button")
    out = []
    for box, text in zip(boxes, texts, strict=True):
        s = 1.0 if label is None else match_score(label, text)
        if s > 0 and label is not None:
            s += 0.5 + case_bonus(label, text)
        if s > 0:
            c = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
            out.append(Target(exposed_point(box, boxes, c), s + area(box) / 1e5, f"fill:{text}"))
    return sorted(out, key=lambda t: -t.score)


class TriedMixin:
    """Per-episode memory of clicked points: a click that did not end the episode missed."""

    tried: list[Point]

    def pick(self, view: View, targets: list[Target]) -> Action:
        """Click the best target not tried yet (near a tried point counts as tried)."""
        for t in targets:
            if all(abs(t.point[0] - p[0]) + abs(t.point[1] - p[1]) > 4 for p in self.tried):
                self.tried.append(t.point)
                view.notes["target"] = t.name
                return Click(*t.point)
        view.notes["missing"] = "no untried target"
        self.tried.clear()
        return Wait(0.2)


class ButtonSkill(TriedMixin):
    """'Click on the "X" button', 'Click button ONE', 'Click the button', dialog buttons."""

    name = "click_button"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERNS = (
        re.compile(r'^click the button in the dialog box labeled "(?P<label>.+)"\.?$', re.I),
        re.compile(r'^click on the "(?P<label>.+)" button\.?$', re.I),
        re.compile(r"^click (?:on )?button (?P<label>\S+?)\.?$", re.I),
        re.compile(r"^click (?:on )?the button\.?$", re.I),
    )

    def __init__(self, label: str | None) -> None:
        self.label = label
        self.tried = []

    @classmethod
    def match(cls, instruction: str) -> ButtonSkill | None:
        for pattern in cls.PATTERNS:
            m = pattern.match(instruction.strip())
            if m:
                return cls(m.groupdict().get("label"))
        return None

    def act(self, view: View) -> Action:
        if self.label is not None and self.label.strip().lower() in CLOSE_WORDS:
            point = pixels.close_glyph(view.frame)
            if point is not None:
                return self.pick(view, [Target(point, 1.0, "close glyph")])
        if self.label is None:
            els = [e for e in view.content() if e.kind == "button"]
            targets = [Target(e.center, 1.0 + area(e.box) / 1e5, e.text) for e in els]
            targets = sorted(targets, key=lambda t: -t.score) + pixel_button_targets(view, None)
        else:
            targets = text_targets(view, self.label, ("button",))
            targets += pixel_button_targets(view, self.label)
            targets.sort(key=lambda t: -t.score)
        return self.pick(view, targets)


class LinkSkill(TriedMixin):
    """'Click on the link "X"': the blue word whose OCR reads X."""

    name = "click_link"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERN = re.compile(r'^click on the link "(?P<label>.+)"\.?$', re.I)

    def __init__(self, label: str) -> None:
        self.label = label
        self.tried = []

    @classmethod
    def match(cls, instruction: str) -> LinkSkill | None:
        m = cls.PATTERN.match(instruction.strip())
        return cls(m["label"]) if m else None

    def act(self, view: View) -> Action:
        links = read_links(view)
        found = link_targets(links, self.label)
        if not found:
            # The parse's text, on a link word first; else a link word one letter off the label
            # (an 8 px "eu," reads "Su,"), before plain text, which would be no link at all.
            texts = text_targets(view, self.label, ("link",))
            on_link = [t for t in texts if any(inside(t.point, box) for box, _ in links)]
            found = on_link or near_link_targets(links, self.label) or texts
        return self.pick(view, found)


def near_link_targets(links: list[tuple[Box, str]], label: str) -> list[Target]:
    """Link words (`read_links`) whose OCR is a `near_miss` of `label`."""
    return [
        Target(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), 0.5, text)
        for box, text in links
        if near_miss(label, text)
    ]


def near_miss(label: str, text: str) -> bool:
    """True when OCR `text` is one letter off a two-letter `label` ("Su," for "eu,") and ends
    in punctuation when the label does. Small text (8 px) misreads short words, and
    `match_score`'s fuzzy match needs longer ones (one letter off three scores 0.67, off two
    0.5)."""
    want, have = norm_text(label), norm_text(text)
    if len(want) != 2 or len(have) != 2 or not same_ending(label, text):
        return False
    return (have[0] == want[0]) != (have[1] == want[1])


def read_links(view: View, top: int | None = None) -> list[tuple[Box, str]]:
    """Link-blue words below `top` (default: the banner) and their OCR."""
    top = pixels.banner_bottom(view.frame) if top is None else top
    words = pixels.link_words(view.frame, top)
    texts = pixels.read_text(view.frame, words, "link")
    view.notes["links"] = texts
    return list(zip(words, texts, strict=True))


def link_targets(links: list[tuple[Box, str]], label: str) -> list[Target]:
    """Link words (`read_links`) whose OCR reads `label`, best first."""
    out = []
    for box, text in links:
        s = match_score(label, text)
        if s > 0:
            c = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
            out.append(Target(c, s + case_bonus(label, text), text))
    return sorted(out, key=lambda t: -t.score)


TAB = re.compile(r"tab\W{0,2}#?\W{0,2}(\d+)", re.I)


def tab_points(view: View) -> dict[int, Point]:
    """Tab number -> point to click, read from tab labels ("Tab #2") even when OCR merged a row.

    Labels come from the parse and from the first text line under the banner read again by
    OCR word group by word group (the detector misses small or light-on-blue labels); where
    both read a number, the pixel line wins (its boxes are the label's own)."""
    frame = view.frame
    top = pixels.banner_bottom(frame)
    groups = pixels.tab_labels(frame, top)
    texts = pixels.read_text(frame, groups, "link")
    found = _tab_numbers(list(zip(groups, texts, strict=True)))
    for n, point in _tab_numbers([(el.box, el.text) for el in view.content()]).items():
        found.setdefault(n, point)
    order = _tab_words(list(zip(groups, texts, strict=True)))
    near = max(1, (order[-1][0] - order[0][0]) // max(1, 2 * (len(order) - 1))) if order else 0
    if len(order) >= 2 and all(
        n <= len(order) and abs(order[n - 1][0] - p[0]) <= near for n, p in found.items()
    ):
        # labels read as "Tab" with the number lost: tabs are numbered left to right
        for n, point in enumerate(order, 1):
            found.setdefault(n, point)
    if len(found) >= 2:
        # labels OCR lost sit at the same pitch as those it read
        nums = sorted(found)
        pitch = (found[nums[-1]][0] - found[nums[0]][0]) / max(1, nums[-1] - nums[0])
        y = found[nums[0]][1]
        for n in range(1, nums[-1] + 1):
            found.setdefault(n, (int(found[nums[0]][0] + (n - nums[0]) * pitch), y))
    return found


def _tab_words(labelled: list[tuple[Box, str]]) -> list[Point]:
    """Where each word "Tab" of OCR texts sits, left to right (a box may hold several)."""
    points = []
    for (x0, y0, x1, y1), raw in sorted(labelled, key=lambda lt: lt[0][0]):
        starts = [m.start() for m in re.finditer("tab", raw.lower())]
        for i, at in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(raw)
            middle = (at + end) / 2 / max(1, len(raw))
            points.append((int(x0 + middle * (x1 - x0)), (y0 + y1) // 2))
    return points


def _tab_numbers(labelled: list[tuple[Box, str]]) -> dict[int, Point]:
    """Tab number -> point for every "Tab #N" in OCR texts, each placed at its share of the
    text's box (one box may hold a whole merged row of labels)."""
    found: dict[int, Point] = {}
    for (x0, y0, x1, y1), raw in labelled:
        for m in TAB.finditer(raw):
            middle = (m.start() + m.end()) / 2 / max(1, len(raw))
            found.setdefault(int(m[1]), (int(x0 + middle * (x1 - x0)), (y0 + y1) // 2))
    return found


class TabSkill(TriedMixin):
    """'Click on Tab #N': the tab whose label reads Tab #N."""

    name = "click_tab"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERN = re.compile(r"^click on tab #?(?P<n>\d+)\.?$", re.I)

    def __init__(self, n: int) -> None:
        self.n = n
        self.tried = []

    @classmethod
    def match(cls, instruction: str) -> TabSkill | None:
        m = cls.PATTERN.match(instruction.strip())
        return cls(int(m["n"])) if m else None

    def act(self, view: View) -> Action:
        tabs = tab_points(view)
        view.notes["tabs"] = tabs
        if self.n not in tabs:
            return self.pick(view, text_targets(view, f"Tab #{self.n}", ("tab",)))
        return self.pick(view, [Target(tabs[self.n], 1.0, f"tab {self.n}")])


class TabLinkSkill:
    """'Switch between the tabs to find and click on the link "X"': open tab after tab until
    a blue word reads X, then click it."""

    name = "click_tab_link"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERN = re.compile(
        r'^switch between the tabs to find and click on the link "(?P<label>.+)"', re.I
    )

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown: int | None = None  # the tab whose panel this frame shows (first tab at start)
        self.seen: set[int] = set()
        self.rounds = 0

    @classmethod
    def match(cls, instruction: str) -> TabLinkSkill | None:
        m = cls.PATTERN.match(instruction.strip())
        return cls(m["label"]) if m else None

    def act(self, view: View) -> Action:
        tabs = tab_points(view)
        view.notes["tabs"] = tabs
        strip = max((p[1] for p in tabs.values()), default=pixels.banner_bottom(view.frame))
        top = strip + pixels.text_height(view.frame)
        links = link_targets(read_links(view, top), self.label)
        exact = [t for t in links if t.score >= 3 and same_ending(self.label, t.name)]
        if exact or (links and self.rounds >= 1):
            view.notes["target"] = (exact or links)[0].name
            return Click(*(exact or links)[0].point)
        self.seen.add(self.shown if self.shown is not None else min(tabs, default=1))
        todo = [n for n in sorted(tabs) if n not in self.seen]
        if not todo:
            self.rounds += 1
            self.seen.clear()
            todo = sorted(tabs)
        if not todo:
            view.notes["missing"] = "tabs"
            return Wait(0.2)
        self.shown = todo[0]
        view.notes["target"] = f"tab {self.shown}"
        return Click(*tabs[self.shown])


class DialogCloseSkill(TriedMixin):
    """'Close the dialog box by clicking the "x"': the glyph at the right of the title bar."""

    name = "close_dialog"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERN = re.compile(r"^close the dialog(?: box)? by clicking the", re.I)

    def __init__(self) -> None:
        self.tried = []

    @classmethod
    def match(cls, instruction: str) -> DialogCloseSkill | None:
        return cls() if cls.PATTERN.match(instruction.strip()) else None

    def act(self, view: View) -> Action:
        point = pixels.close_glyph(view.frame)
        targets = [Target(point, 2.0, "close glyph")] if point else []
        targets += [t for w in ("x", "×") for t in text_targets(view, w, ("button", "icon"))]
        return self.pick(view, targets)


class WidgetSkill(TriedMixin):
    """'Click on a "KIND" widget': the stacked control row whose shape is that kind."""

    name = "click_widget"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATTERN = re.compile(r'^click on an? "(?P<kind>\w+)" widget\.?$', re.I)
    PARSE_KINDS = {"button": ("button",), "checkbox": ("checkbox",), "radio": ("checkbox", "icon")}

    def __init__(self, kind: str) -> None:
        self.kind = kind.lower()
        self.tried = []

    @classmethod
    def match(cls, instruction: str) -> WidgetSkill | None:
        m = cls.PATTERN.match(instruction.strip())
        return cls(m["kind"]) if m else None

    def act(self, view: View) -> Action:
        rows = pixels.widget_rows(view.frame, pixels.banner_bottom(view.frame))
        view.notes["rows"] = [k for k, _ in rows]
        targets = [
            Target(((b[0] + b[2]) // 2, (b[1] + b[3]) // 2), 2.0, f"{k} row")
            for k, b in rows
            if k == self.kind
        ]
        kinds = self.PARSE_KINDS.get(self.kind, ("text_input",))
        targets += [Target(e.center, 1.0, e.kind) for e in view.content() if e.kind in kinds]
        return self.pick(view, targets)


SKILLS: list = [TabLinkSkill, TabSkill, DialogCloseSkill, WidgetSkill, LinkSkill, ButtonSkill]
