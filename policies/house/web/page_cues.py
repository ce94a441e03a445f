"""What the plan policy reads off a page besides the target itself: the page's text lines
and words, a key's value, the form's sending button, the tab strip, and box geometry. Layout
cues only (rows, sides, reading order): no task's words, layout or colours.
"""

from __future__ import annotations

import re

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
    """Words of an OCR line; a word OCR glued to the next after a stop ("Neque.Nunc") is two."""
    parts = re.split(r"\s+|(?<=[.,;:!?])(?=[A-Za-z])", text)
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
                if (
                    e.kind in kinds
                    and len(norm_text(e.text)) <= len(word) + 2
                    and text_score(word, e.text)[0] >= 0.85
                ):
                    return e
    return None


def tab_strip(view: View) -> list[UIElement]:
    """Tabs, or else the widest row of three or more link/button-like boxes side by side at the
    top of the page (a tab strip or a navigation bar whatever the detector called its items),
    left to right."""
    content = view.content()
    tabs = [e for e in content if e.kind == "tab"]
    if tabs:
        return sorted(tabs, key=lambda e: (e.box[1], e.box[0]))
    items = [e for e in content if e.kind in ("link", "button") and e.text]
    best: list[UIElement] = []
    for e in items:
        h = e.box[3] - e.box[1]
        cy = (e.box[1] + e.box[3]) / 2
        row = [
            o
            for o in items
            if abs((o.box[1] + o.box[3]) / 2 - cy) <= 0.25 * h
            and abs((o.box[3] - o.box[1]) - h) <= 0.3 * h
        ]
        top = min(o.box[1] for o in row)
        first = not any(o.box[3] <= top for o in content)  # nothing of the page above it
        if len(row) >= 3 and first and len(row) > len(best):
            best = row
    return sorted(best, key=lambda e: e.box[0])


def affixes(condition: str | None) -> tuple[str, str]:
    """("X", "Y") from a condition "starts with X and ends with Y" (either may be "")."""
    if not condition:
        return "", ""
    start = re.search(r"(?:starts?|begins?|beginning|starting) with \W*(\w[\w-]*)", condition)
    end = re.search(r"(?:ends?|ending) with \W*(\w[\w-]*)", condition)
    return (start.group(1) if start else ""), (end.group(1) if end else "")


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
