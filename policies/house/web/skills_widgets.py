"""Skills for widget instructions: check boxes and radios, accordions, menus, list boxes, trees.

Each reads the frame with the pixel finders of `pixels_widgets` (the detector seldom sees these
small controls) and keeps per-episode state: what it ticked, opened, hovered or expanded. See
policies/house/web/skill.py for the contract.
"""

from __future__ import annotations

import re

import numpy as np

from contracts.actions import Action, Click, Hover, Key, Scroll, Wait
from policies.house.web import pixels_widgets as pw
from policies.house.web.pixels import link_words
from policies.house.web.view import View, locate, quoted

_SELECT_SUBMIT = re.compile(r"^\s*select (.*?) and click submit\.?\s*$", re.I)
_SCROLL_LIST = re.compile(r"^\s*select (.*?) from the scroll list and click submit\.?\s*$", re.I)
_EXPAND_SUBMIT = re.compile(r"^\s*expand the sections? below and click submit", re.I)
_EXPAND_LINK = re.compile(r"^\s*expand the sections? below.*click on the link", re.I)
_MENU = re.compile(r"^\s*select ([^,]+?)\.?\s*$", re.I)
_PROSE = re.compile(r"\b(from|to|the|as|all|words|similar)\b", re.I)  # a phrase, not labels
_TREE = re.compile(r"(file tree|folder or file named)", re.I)
CLIP_MARGIN = 2  # px: a word ending this near the frame's right edge may be cut off
SLIVER = 0.7  # a list row shorter than this share of the typical row is cut by the box edge


def split_items(text: str) -> list[str]:
    """The labels of "A, B and C" ("nothing" is none)."""
    text = text.strip()
    if text.lower() in ("nothing", "none", "no items", ""):
        return []
    parts = re.split(r",\s*|\s+and\s+", text)
    return [p.strip() for p in parts if p.strip()]


def _content(view: View, gap: int = 4) -> tuple[int, list[pw.Word]]:
    """The first row below the banner and the words below it (glyphs `gap` px apart joined,
    at plain-page size: the gap follows the text's zoom)."""
    top = pw.banner_bottom(view.frame)
    h, w = view.frame.shape[:2]
    return top, pw.words(view.frame, (0, top, w, h), gap, _scale(view))


def _scale(view: View) -> float:
    """The frame's text zoom (`pixels_widgets.text_scale`), measured once per view."""
    if "scale" not in view.notes:
        view.notes["scale"] = round(pw.text_scale(view.frame), 2)
    return view.notes["scale"]


def submit_click(view: View, found: list[pw.Word], top: int) -> Action:
    """A click on the Submit button: its OCR'd word, else a grey button, else the parse's guess."""
    word = pw.best("submit", found, 0.7)
    if word is not None:
        return Click(*word.center)
    buttons = pw.grey_buttons(view.frame, top)
    if buttons:
        x0, y0, x1, y1 = buttons[-1]
        return Click((x0 + x1) // 2, (y0 + y1) // 2)
    hits = locate(view, "submit")
    if hits:
        return Click(*hits[0].center)
    view.notes["missing"] = "submit"
    return Wait(0.2)


class ToggleSkill:
    """'Select A, B and click Submit': tick the box (or radio) left of each label, then Submit."""

    name = "toggles"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.done: set[str] = set()

    @classmethod
    def match(cls, instruction: str) -> ToggleSkill | None:
        m = _SELECT_SUBMIT.match(instruction)
        if m is None or _SCROLL_LIST.match(instruction) or _PROSE.search(m.group(1)):
            return None
        return cls(split_items(m.group(1)))

    def act(self, view: View) -> Action:
        top, found = _content(view)
        pending = [it for it in self.items if it not in self.done]
        if not pending:
            return submit_click(view, found, top)
        item = pending[0]
        self.done.add(item)
        boxes = pw.toggles(view.frame, top)
        labels = [(b, pw.label_of(b, [w.box for w in found])) for b in boxes]
        texts = {w.box: w for w in found}
        options = [(b, texts[lab]) for b, lab in labels if lab is not None]
        scored = [(pw.similarity(item, word.text), b, word) for b, word in options]
        if scored:
            score, box, word = max(scored, key=lambda s: s[0])
            if score >= 0.5:
                view.notes["label"] = word.text
                return Click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
        word = pw.best(item, found, 0.5)  # no box found: a label click ticks its box too
        if word is not None:
            return Click(*word.center)
        hits = locate(view, item)
        if hits:
            return Click(*hits[0].center)
        view.notes["missing"] = item
        return Wait(0.2)


class ExpandSubmitSkill:
    """'Expand the section below and click submit': open the accordion header, then Submit."""

    name = "expand_submit"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self) -> None:
        self.opened = False

    @classmethod
    def match(cls, instruction: str) -> ExpandSubmitSkill | None:
        return cls() if _EXPAND_SUBMIT.match(instruction) else None

    def act(self, view: View) -> Action:
        top = pw.banner_bottom(view.frame)
        bars = pw.blue_bars(view.frame, top)
        if not self.opened and bars:
            self.opened = True
            x0, y0, x1, y1 = bars[0]
            return Click((x0 + x1) // 2, (y0 + y1) // 2)
        self.opened = True
        _, found = _content(view)
        return submit_click(view, found, top)


class ExpandLinkSkill:
    """'Expand the sections below, to find and click on the link "X"': open headers in turn."""

    name = "expand_link"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, target: str) -> None:
        self.target = target
        self.tried = 0

    @classmethod
    def match(cls, instruction: str) -> ExpandLinkSkill | None:
        q = quoted(instruction)
        return cls(q[-1]) if q and _EXPAND_LINK.match(instruction) else None

    def act(self, view: View) -> Action:
        top = pw.banner_bottom(view.frame)
        boxes = pw.underlined_words(view.frame, top, _scale(view))
        boxes += [b for b in link_words(view.frame, top) if b not in boxes]  # blue, no underline
        word = pw.best(self.target, pw.read_words(view.frame, boxes), 0.75)
        if word is not None:
            return Click(*word.center)
        bars = pw.blue_bars(view.frame, top)
        if not bars:
            view.notes["missing"] = "section header"
            return Wait(0.2)
        x0, y0, x1, y1 = bars[self.tried % len(bars)]
        self.tried += 1
        return Click((x0 + x1) // 2, (y0 + y1) // 2)


class MenuSkill:
    """'Select A>B>C': hover each parent item so its submenu opens, then click the last one."""

    name = "menu"
    finished: bool | None = None  # None: this skill cannot tell when it is done
    PATIENCE = 2  # waits for a submenu to open before hovering its parent again

    def __init__(self, path: list[str]) -> None:
        self.path = path
        self.at = 0
        self.waits = 0
        self.parent_right: dict[int, int] = {}  # right edge of each hovered parent item

    @classmethod
    def match(cls, instruction: str) -> MenuSkill | None:
        m = _MENU.match(instruction)
        words = m.group(1) if m else ""
        if not words or re.search(r"\b(and|click|submit)\b", words, re.I) or _PROSE.search(words):
            return None
        path = [p.strip() for p in m.group(1).split(">") if p.strip()]
        return cls(path) if path else None

    def act(self, view: View) -> Action:
        _, found = _content(view, gap=6)  # "Kara-Lynn": a hyphen leaves a wider gap
        want = self.path[self.at]
        if self.at:  # a submenu opens right of its parent
            found = [w for w in found if w.box[0] >= self.parent_right[self.at - 1] - 4]
        edge = view.frame.shape[1] - CLIP_MARGIN  # a submenu may run off the frame's edge
        word = pw.best(want, pw.wrapped(found), 0.75, clip_x=edge)
        if word is None:
            if self.at > 0 and self.waits >= self.PATIENCE:
                self.at, self.waits = self.at - 1, 0  # the submenu never opened: hover again
                return self.act(view)
            self.waits += 1
            view.notes["missing"] = want
            return Wait(0.3)
        self.waits = 0
        if self.at < len(self.path) - 1:
            self.parent_right[self.at] = word.box[2]
            self.at += 1
            return Hover(*word.center)
        return Click(*word.center)


class ScrollListSkill:
    """'Select A, B from the scroll list and click Submit' on a native multi-select list box.

    First it scrolls the list top to bottom reading each view, so every label gets its index;
    then it clicks the lowest visible target and reaches the others with ctrl+Up (moves the
    focus, keeps the selection) and ctrl+space (adds the focused row), then Submit.
    """

    name = "scroll_list"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.order: list[str] = []
        self.last_view: list[str] | None = None
        self.queue: list[Action] = []

    @classmethod
    def match(cls, instruction: str) -> ScrollListSkill | None:
        m = _SCROLL_LIST.match(instruction)
        return cls(split_items(m.group(1))) if m else None

    def act(self, view: View) -> Action:
        if self.queue:
            return self.queue.pop(0)
        top, found = _content(view)
        box = pw.list_box(view.frame, top)
        if box is None:
            view.notes["missing"] = "list box"
            return Wait(0.2)
        inner = (box[0] + 2, box[1] + 2, box[2] - 2, box[3] - 2)
        lines = pw.words(view.frame, inner, gap=8, scale=_scale(view))  # a label of words
        tall = float(np.median([w.box[3] - w.box[1] for w in lines])) if lines else 0.0
        rows = [w for w in lines if w.text and w.box[3] - w.box[1] >= SLIVER * tall]
        names = [w.text for w in rows]
        self._merge(names)
        index = {it: self._index(it) for it in self.items}
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        if any(i is None for i in index.values()):
            if names == self.last_view:
                view.notes["missing"] = [it for it, i in index.items() if i is None]
                return Wait(0.2)
            self.last_view = names
            return Scroll(0, 1, cx, cy)
        self.last_view = names
        visible = {self._index(n): w for n, w in zip(names, rows, strict=True)}
        shown = [i for i in index.values() if i in visible]
        if not shown:
            return Scroll(0, -1, cx, cy)
        anchor = max(shown)
        self.queue.append(Click(*visible[anchor].center))
        at = anchor
        for i in sorted((i for i in index.values() if i != anchor), reverse=True):
            self.queue += [Key("ctrl+ArrowUp")] * (at - i) + [Key("ctrl+space")]
            at = i
        self.queue.append(submit_click(view, found, box[3]))
        view.notes["order"] = list(self.order)
        return self.queue.pop(0)

    def _index(self, name: str) -> int | None:
        scored = [(pw.similarity(name, o), i) for i, o in enumerate(self.order)]
        score, i = max(scored, default=(0.0, None))
        return i if score >= 0.75 else None

    def _merge(self, names: list[str]) -> None:
        """Add a view's labels to the list order, aligned on its first label seen before."""
        if not names:
            return
        start = self._index(names[0])
        if start is None:
            self.order += [n for n in names if self._index(n) is None]
        else:
            self.order = (
                self.order[:start] + names if start + len(names) > len(self.order) else self.order
            )


class TreeSkill:
    """'Find and click on the folder or file named "X"': expand folders until X shows, click it."""

    name = "tree"
    finished: bool | None = None  # None: this skill cannot tell when it is done

    def __init__(self, target: str) -> None:
        self.target = target
        self.expanded: set[str] = set()

    @classmethod
    def match(cls, instruction: str) -> TreeSkill | None:
        q = quoted(instruction)
        return cls(q[-1]) if q and _TREE.search(instruction) else None

    def act(self, view: View) -> Action:
        _, found = _content(view, gap=2)  # an icon sits a few px left of its label
        labels = [w for w in found if sum(ch.isalnum() for ch in w.text) >= 2]
        word = pw.best(self.target, labels, 0.75)
        if word is not None:
            return Click(*word.center)
        for label in labels:
            opened = any(pw.similarity(label.text, name) >= 0.8 for name in self.expanded)
            if not opened and pw.expander_left_of(view.frame, label.box, _scale(view)):
                self.expanded.add(label.text)
                view.notes["expand"] = label.text
                return Click(*label.center)
        word = pw.best(self.target, labels, 0.5)
        if word is not None:
            return Click(*word.center)
        view.notes["missing"] = self.target
        return Wait(0.2)


SKILLS: list = [
    ScrollListSkill,
    ExpandLinkSkill,
    ExpandSubmitSkill,
    TreeSkill,
    ToggleSkill,
    MenuSkill,
]
