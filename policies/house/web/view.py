"""What the plan policy sees at one step: the instruction, the frame and its parse.

`View.banner` tells the lines that show the task itself (a banner over the page) from the page,
so a target is never taken from the instruction's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from perception.screen.parser import ScreenParse, UIElement, norm_text
from perception.screen.phrase_grounding import PhraseGrounder
from perception.screen.shapes import find_shapes

_WORD = re.compile(r"[a-z0-9]+")
ECHO_SHARE = 0.6  # share of a top line's words the task says, for the line to be the task
BG_TOL = 24  # channel difference between two lines' backgrounds that still makes one band


@dataclass
class View:
    """One step: the task's words, the pixels and their parse."""

    instruction: str
    frame: np.ndarray
    parse: ScreenParse
    grounder: PhraseGrounder | None = None  # the policy's (embeddings load once per policy)
    text: np.ndarray | None = None  # `frame` cleaned for reading (a lossy frame's); None: frame
    _banner: set[int] | None = field(default=None, repr=False)

    @property
    def text_frame(self) -> np.ndarray:
        """The pixels to read words from: the cleaned copy of a lossy frame, else `frame`."""
        return self.frame if self.text is None else self.text

    def content(self) -> list[UIElement]:
        """Elements outside the instruction banner (text that repeats the instruction)."""
        banner = self.banner()
        return [e for e in self.parse.elements if e.id not in banner]

    def banner_bottom(self) -> int:
        """The lowest pixel row of the instruction banner's lines (0 when there is none)."""
        return max((self.parse.get(i).box[3] for i in self.banner()), default=0)

    def outlined_boxes(self) -> list[tuple[int, int, int, int]]:
        """Boxes of the outlined (unfilled) rectangles and polygons drawn below the banner."""
        h, w = self.frame.shape[:2]
        return [
            s.box
            for s in find_shapes(self.frame, (0, self.banner_bottom(), w, h))
            if not s.filled and s.kind in ("rectangle", "polygon")
        ]

    def banner(self) -> set[int]:
        """Ids of the lines that show the task itself: the lines `in_banner` finds, and short
        lines right under them whose words the task has too (a wrapped '"nec".')."""
        if self._banner is not None:
            return self._banner
        ids = {e.id for e in self.parse.elements if self.in_banner(e)}
        want = norm_text(self.instruction)
        grew = True
        while grew and ids:
            grew = False
            boxes = [self.parse.get(i).box for i in ids]
            for e in self.parse.elements:
                have = norm_text(e.text)
                if e.id in ids or not have or have not in want:
                    continue
                if e.box[3] > 0.3 * self.parse.height:
                    continue
                h = e.box[3] - e.box[1]
                if any(0 <= e.box[1] - b[1] <= 1.5 * h and e.box[0] <= b[0] + h for b in boxes):
                    ids.add(e.id)
                    grew = True
        ids |= self._same_band(ids)
        if len(ids) >= 2:  # the banner is one block: a line between two of its lines is in it
            tops = [self.parse.get(i).box for i in ids]
            top, bottom = min(b[1] for b in tops), max(b[3] for b in tops)
            for e in self.parse.elements:
                if e.text and top <= (e.box[1] + e.box[3]) / 2 <= bottom:
                    ids.add(e.id)
        self._banner = ids
        return ids

    def _same_band(self, ids: set[int]) -> set[int]:
        """Lines next to the banner's lines (a line's height apart at most) on the same
        background: the rest of a task told in other words, whose lines share few words."""
        out: set[int] = set()
        grew = True
        while grew:
            grew = False
            boxes = [self.parse.get(i).box for i in ids | out]
            colours = [_background(self.frame, b) for b in boxes]
            for e in self.parse.elements:
                if e.id in ids or e.id in out or not e.text or e.box[3] > 0.3 * self.parse.height:
                    continue
                h = e.box[3] - e.box[1]
                for b, colour in zip(boxes, colours, strict=True):
                    gap = max(e.box[1] - b[3], b[1] - e.box[3])
                    if gap <= h and np.abs(_background(self.frame, e.box) - colour).max() <= BG_TOL:
                        out.add(e.id)
                        grew = True
                        break
        return out

    def in_banner(self, el: UIElement) -> bool:
        """True when `el` is a line of the instruction itself, shown near the top of the frame:
        its letters (OCR garbles a few), or for a task told in other words, a line of three or
        more words most of which the task says too (the page's own wording of it)."""
        if el.box[3] > 0.3 * self.parse.height or not el.text:
            return False
        have, want = norm_text(el.text), norm_text(self.instruction)
        if len(have) >= 4 and (have in want or _overlap(have, want) >= 0.8):
            return True
        line, task = _WORD.findall(el.text.lower()), set(_WORD.findall(self.instruction.lower()))
        return len(line) >= 3 and sum(w in task for w in line) >= ECHO_SHARE * len(line)


def _background(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The commonest colour in a box of an (H, W, 3) frame (text strokes are thin)."""
    x0, y0, x1, y1 = box
    crop = frame[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1), :3].reshape(-1, 3)
    if not len(crop):
        return np.zeros(3, np.int16)
    values, counts = np.unique(crop // 8, axis=0, return_counts=True)
    return values[counts.argmax()].astype(np.int16) * 8


def _overlap(a: str, b: str) -> float:
    """Share of `a` found in `b` as one block (OCR garbles a letter or two of a banner line)."""
    import difflib

    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size / max(1, len(a))
