"""The embedded CPU screen parser: pixels in, numbered UI elements (box, kind, text) out.

`ScreenParser.parse(frame)` runs the learned detector (`screen_detector`), reads the text of
each element with OCR (`ocr`), orders elements in reading order and numbers them from 1, so a
planner (or a VLM through set-of-marks) can refer to "element 3". Both models load once, in
the constructor; each parse reports its time per stage.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from perception.screen.drawn_controls import with_drawn_controls
from perception.screen.kinds import INTERACTABLE_KINDS, KINDS
from perception.screen.ocr import OcrConfig, TextReader, shared_reader

log = logging.getLogger(__name__)

# Kinds whose text is worth reading; a checkbox's label and an icon's meaning are not inside them.
TEXT_KINDS = ("button", "text_input", "link", "tab", "dropdown", "text")


@dataclass(frozen=True)
class UIElement:
    """One element on the frame; `box` is (x0, y0, x1, y1) in the frame's pixels."""

    id: int
    box: tuple[int, int, int, int]
    kind: str
    text: str
    interactable: bool
    score: float

    @property
    def center(self) -> tuple[int, int]:
        """The pixel to click: the middle of the box."""
        return (self.box[0] + self.box[2]) // 2, (self.box[1] + self.box[3]) // 2

    def point_of(self, text: str) -> tuple[int, int]:
        """Where `text` sits inside this element: its share of the line when OCR or detection
        merged it with neighbours ("submit nunc" -> left part), else the centre."""
        want, have = text.strip().lower(), self.text.lower()
        at = have.find(want) if want else -1
        if at < 0 or len(have) <= len(want):
            return self.center
        x0, y0, x1, y1 = self.box
        middle = (at + len(want) / 2) / len(have)
        return int(x0 + middle * (x1 - x0)), (y0 + y1) // 2

    def describe(self) -> str:
        """One line for a prompt or a log: `[3] button "Submit" at (32, 105)`."""
        text = f' "{self.text}"' if self.text else ""
        return f"[{self.id}] {self.kind}{text} at {self.center}"


@dataclass(frozen=True)
class ScreenParse:
    """Everything found on one frame, in reading order, with seconds spent per stage."""

    elements: tuple[UIElement, ...]
    width: int
    height: int
    timings: Mapping[str, float] = field(default_factory=dict, compare=False)
    # ids of elements that hold text not read (`ScreenParser.parses_for`): their text is ""
    unread: frozenset[int] = frozenset()

    def __iter__(self) -> Iterator[UIElement]:
        return iter(self.elements)

    def __len__(self) -> int:
        return len(self.elements)

    def get(self, element_id: int) -> UIElement:
        """The element numbered `element_id` (as shown by set-of-marks)."""
        for el in self.elements:
            if el.id == element_id:
                return el
        raise KeyError(f"no element {element_id}; this parse has ids 1..{len(self.elements)}")

    def find(
        self, text: str, kinds: tuple[str, ...] | None = None, limit: int = 5
    ) -> list[UIElement]:
        """Elements whose text best matches `text` (case-insensitive, fuzzy), best first.

        OCR may merge or split words ("Createaccount"), so containment counts as a match, below
        an exact one; other texts score by similarity and count from 0.5.
        """
        want = norm_text(text)
        scored = []
        for el in self.elements:
            if kinds is not None and el.kind not in kinds:
                continue
            have = norm_text(el.text)
            if not have or not want:
                continue
            if have == want:
                s = 1.0
            elif want in have or have in want:
                s = 0.5 + 0.4 * min(len(want), len(have)) / max(len(want), len(have))
            else:
                s = 0.8 * difflib.SequenceMatcher(None, want, have).ratio()
            scored.append((s, el))
        scored.sort(key=lambda p: (-p[0], p[1].id))
        return [el for s, el in scored[:limit] if s >= 0.5]

    def at(self, x: int, y: int) -> UIElement | None:
        """The smallest element containing pixel (x, y), if any."""
        hits = [e for e in self.elements if e.box[0] <= x < e.box[2] and e.box[1] <= y < e.box[3]]
        return min(hits, key=lambda e: (e.box[2] - e.box[0]) * (e.box[3] - e.box[1]), default=None)

    def interactable(self) -> tuple[UIElement, ...]:
        """Elements a pointer or keyboard can act on."""
        return tuple(e for e in self.elements if e.interactable)

    def to_text(self) -> str:
        """The set-of-marks list: one `describe()` line per element."""
        return "\n".join(e.describe() for e in self.elements)


def norm_text(s: str) -> str:
    """Lower-case letters and digits only: OCR drops spaces and punctuation inconsistently."""
    return "".join(ch for ch in s.lower() if ch.isalnum())


@dataclass(frozen=True)
class ParserConfig:
    """Settings of a `ScreenParser`; each maps 1:1 to a keyword of its constructor."""

    weights: str | None = None  # None: the committed perception/screen/weights/screen_detector.pt
    ocr: str = "auto"  # auto | rapidocr | tesseract | none
    min_score: float = 0.35  # detections below this objectness are dropped
    threads: int = 1
    ocr_min_score: float = 0.5
    ocr_cache: int = 1024
    drawn_controls: bool = True  # add fields and boxes the detector missed, found by outline
    # read running text as whole lines found by their strokes, on frames at least this wide
    # (the detector breaks a large page's paragraphs into word pieces; 0: never)
    text_lines_from: int = 480
    parse_cache: int = 4  # parses kept, keyed by the frame's pixels (0: none)
    # detect on the frame narrowed to this width when wider (0: never): at 640, 4x less detector
    # time at 1280x720 and the same real-page tuning score, but the desktop click-ok task fails
    detect_width: int = 0


@dataclass(frozen=True)
class _Layout:
    """A frame's parse before reading: detections, the region to read of each (None: none),
    their reading order, and the seconds it took."""

    detections: tuple[Any, ...]
    regions: tuple[tuple[tuple[int, int, int, int], str] | None, ...]
    order: tuple[int, ...]
    seconds: float


# A glyph's advance over the height of its line's ink (0.4-0.8 on the tuning sites, median
# 0.52) and over the height of a control's box (median 0.45): how many letters a region shows.
CHAR_LINE, CHAR_FRAMED = 0.52, 0.45
# Kinds whose words sit anywhere in a box of any width (a placeholder at a wide field's left).
_FIELD_REGIONS = ("text_input", "dropdown")
_FRAMED_REGIONS = ("button", "tab", *_FIELD_REGIONS)
# `parses_for` reads first the regions whose letters are within the first factor of a
# phrase's and whose words are as many, then within each factor, then all.
READ_STEPS = (1.5, 3.0)


def letters_off(region: tuple[tuple[int, int, int, int], str], phrase: str) -> float:
    """By what factor the letters a region (box, crop kind) has room for differ from the
    phrase's (1.0: about the same), judged by its shape alone; a field may show fewer."""
    (x0, y0, x1, y1), kind = region
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    room = w / ((CHAR_FRAMED if kind in _FRAMED_REGIONS else CHAR_LINE) * h)
    n = max(1, len(" ".join(phrase.split())))
    if kind in _FIELD_REGIONS and room >= n:
        return 1.0
    return max(room / n, n / room)


def _words_fit(
    frame: np.ndarray, region: tuple[tuple[int, int, int, int], str], phrase: str
) -> bool:
    """Whether a region shows as many words as `phrase` (one more or fewer past two words)."""
    from perception.screen.text_lines import count_words

    (x0, y0, x1, y1), kind = region
    if kind in _FRAMED_REGIONS:  # inside the frame, as OCR reads it
        dy = max(2, round(0.12 * (y1 - y0)))
        x0, y0, x1, y1 = x0 + 3, y0 + dy, x1 - 3, y1 - dy
    want = len(phrase.split())
    return abs(count_words(frame, (x0, y0, x1, y1)) - want) <= (0 if want <= 2 else 1)


class ScreenParser:
    """Detector + OCR, loaded once; `parse(frame)` turns pixels into a `ScreenParse`."""

    def __init__(self, config: ParserConfig | None = None, **options: Any) -> None:
        from perception.screen.detector import ScreenDetector

        self.config = config or ParserConfig(**options)
        weights = Path(self.config.weights) if self.config.weights else None
        self.detector = ScreenDetector(weights, threads=self.config.threads)
        self.reader: TextReader | None = None
        if self.config.ocr != "none":
            ocr = OcrConfig(
                self.config.ocr,
                self.config.threads,
                self.config.ocr_min_score,
                self.config.ocr_cache,
            )
            self.reader = shared_reader(ocr)
        self._parses: OrderedDict[bytes, ScreenParse] = OrderedDict()
        self._layouts: OrderedDict[bytes, _Layout] = OrderedDict()

    def parse(self, image: Any, text: np.ndarray | None = None) -> ScreenParse:
        """Elements of an RGB frame ((H, W, 3) uint8 array or PIL image), in reading order;
        a frame parsed lately (the same pixels: a screen that did not change) costs a hash.
        `text`, a cleaned copy of the frame (same shape), is where the words are read."""
        frame = _as_rgb(image)
        if text is not None and text.shape != frame.shape:
            raise ValueError(f"text frame {text.shape} differs from the frame {frame.shape}")
        key = self._key(frame)
        hit = self._parses.get(key) if key is not None else None
        if hit is not None:
            self._parses.move_to_end(key)
            return hit
        layout = self._layout(frame, key)
        parse = self._read(frame if text is None else text, layout, range(len(layout.detections)))
        self._keep(key, parse)
        return parse

    def _keep(self, key: bytes | None, parse: ScreenParse) -> None:
        """Cache a full parse under its frame's key."""
        if key is None:
            return
        self._parses[key] = parse
        while len(self._parses) > self.config.parse_cache:
            self._parses.popitem(last=False)

    def parses_for(self, image: Any, phrases: Sequence[str]) -> Iterator[ScreenParse]:
        """Parses of a large frame that read more and more of its text, likeliest first, for
        a caller that stops once it finds what `phrases` name; the last is the full `parse`.

        OCR of every line is most of a large page's parse, and a phrase of n letters and w
        words is mostly shown by a region about n letters wide (`letters_off`) holding w
        words: the first parse reads the regions within `READ_STEPS[0]` times that with its
        number of words, the next those within `READ_STEPS[0]`, then `READ_STEPS[1]`, the
        last all. Unread elements have no text and their ids in `unread`; ids are those of
        the full parse. Frames narrower than `text_lines_from` (MiniWoB) and calls with no
        phrase get the full parse alone. Each parse's "ocr" timing counts every read so far.
        """
        frame = _as_rgb(image)
        wanted = [p for p in phrases if norm_text(p)]
        key = self._key(frame)
        full = self._parses.get(key) if key is not None else None
        if full is not None or not wanted or not 0 < self.config.text_lines_from <= frame.shape[1]:
            yield full or self.parse(frame)
            return
        layout = self._layout(frame, key)
        texted = [i for i, r in enumerate(layout.regions) if r is not None]
        off = {i: min(letters_off(layout.regions[i], p) for p in wanted) for i in texted}
        # the first read also wants a phrase's number of words (fields: any, for a placeholder)
        first = {
            i
            for i in texted
            if off[i] <= READ_STEPS[0]
            and (
                layout.regions[i][1] in _FIELD_REGIONS
                or any(_words_fit(frame, layout.regions[i], p) for p in wanted)
            )
        }
        spent, done = 0.0, 0
        for step in (0.0, *READ_STEPS, math.inf):
            keep = [i for i in texted if off[i] <= step or (not step and i in first)]
            if len(keep) == done and step != math.inf:
                continue  # nothing new to read at this step
            done = len(keep)
            parse = self._read(frame, layout, keep, spent)
            spent = parse.timings["ocr"]
            if not parse.unread:
                self._keep(key, parse)
            yield parse
            if not parse.unread:
                return

    def forget_text(self) -> None:
        """Drop the parses and the OCR crop cache, keep the layouts: the next read costs what
        it would on a frame never read (a benchmark's fair cost of one `handeye ground`)."""
        self._parses.clear()
        cache = getattr(self.reader, "_cache", None)
        if cache is not None:
            cache.clear()

    def _key(self, frame: np.ndarray) -> bytes | None:
        if not self.config.parse_cache:
            return None
        key = hashlib.blake2b(frame.tobytes(), digest_size=16, key=str(frame.shape).encode())
        return key.digest()

    def _layout(self, frame: np.ndarray, key: bytes | None) -> _Layout:
        """Where the elements are and what to read of each (the parse before OCR), cached."""
        hit = self._layouts.get(key) if key is not None else None
        if hit is not None:
            self._layouts.move_to_end(key)
            return hit
        t0 = time.perf_counter()
        detections = [d for d in self._detect(frame) if d.score >= self.config.min_score]
        if self.config.drawn_controls:
            detections = with_drawn_controls(frame, detections)
        line_boxes: set[tuple[int, ...]] = set()
        words_at: dict[tuple[int, ...], tuple[int, int, int, int]] = {}
        if 0 < self.config.text_lines_from <= frame.shape[1]:
            from perception.screen.drawn_controls import nothing_drawn
            from perception.screen.text_lines import find_text_lines, with_text_lines, words_in

            # a control the detector saw on blank page (no outline, fill or ink) is no control
            detections = [
                d for d in detections if d.kind == "text" or not nothing_drawn(frame, d.box)
            ]

            lines = find_text_lines(frame)
            before = {d.box for d in detections}
            detections = with_text_lines(frame, detections, lines)
            line_boxes = {d.box for d in detections if d.kind in ("text", "link")} - before
            words_at = words_in(detections, lines)
        else:
            from perception.screen.styled_runs import cut_styled

            detections = cut_styled(frame, detections)
        regions = tuple(
            None
            if d.kind not in TEXT_KINDS
            else (d.box, "line")
            if d.box in line_boxes and d.kind in ("text", "link")
            else (words_at[d.box], "text")
            if d.box in words_at
            else (d.box, d.kind)
            for d in detections
        )
        order = tuple(reading_order([d.box for d in detections]))
        layout = _Layout(tuple(detections), regions, order, time.perf_counter() - t0)
        if key is not None:
            self._layouts[key] = layout
            while len(self._layouts) > self.config.parse_cache:
                self._layouts.popitem(last=False)
        return layout

    def _read(
        self, frame: np.ndarray, layout: _Layout, which: Iterable[int], before: float = 0.0
    ) -> ScreenParse:
        """The parse of `layout` with the text of detections `which` read (the rest unread);
        `before`: seconds of earlier reads of this frame, counted in its "ocr" timing."""
        t0 = time.perf_counter()
        detections = layout.detections
        texts = [""] * len(detections)
        wanted = [i for i in which if layout.regions[i] is not None]
        if self.reader is not None and wanted:
            readings = self.reader.read(frame, [layout.regions[i] for i in wanted])
            for i, (text, _) in zip(wanted, readings, strict=True):
                texts[i] = text
        read = set(wanted) if self.reader is not None else set()
        elements, unread = [], []
        for n, i in enumerate(layout.order, 1):
            d = detections[i]
            elements.append(
                UIElement(
                    id=n,
                    box=tuple(int(v) for v in d.box),
                    kind=d.kind,
                    text=texts[i],
                    interactable=d.kind in INTERACTABLE_KINDS,
                    score=round(d.score, 3),
                )
            )
            if self.reader is not None and layout.regions[i] is not None and i not in read:
                unread.append(n)
        ocr = before + time.perf_counter() - t0
        timings = {"detect": layout.seconds, "ocr": ocr, "total": layout.seconds + ocr}
        return ScreenParse(
            tuple(elements), frame.shape[1], frame.shape[0], timings, frozenset(unread)
        )

    def _detect(self, frame: np.ndarray) -> list[Any]:
        """The detector's elements, found on the frame narrowed to `detect_width` when wider."""
        width = self.config.detect_width
        if not width or frame.shape[1] <= width:
            return self.detector.detect(frame)
        import cv2

        scale = width / frame.shape[1]
        size = (width, max(1, round(frame.shape[0] * scale)))
        small = cv2.resize(np.ascontiguousarray(frame), size, interpolation=cv2.INTER_AREA)
        lims = _lims(frame)
        return [
            replace(
                d, box=tuple(min(m, round(v / scale)) for v, m in zip(d.box, lims, strict=True))
            )
            for d in self.detector.detect(small)
        ]

    def close(self) -> None:
        """Drop the models (nothing else to release)."""
        self.reader = None
        self._parses.clear()
        self._layouts.clear()

    def __enter__(self) -> ScreenParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reading_order(boxes: list[tuple[int, int, int, int]]) -> list[int]:
    """Indices of `boxes` row by row, top to bottom, then left to right within a row.

    A box joins the current row when its vertical centre lies inside the row's first box.
    """
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0])):
        cy = (boxes[i][1] + boxes[i][3]) / 2
        if rows:
            first = boxes[rows[-1][0]]
            if first[1] <= cy <= first[3]:
                rows[-1].append(i)
                continue
        rows.append([i])
    return [i for row in rows for i in sorted(row, key=lambda i: boxes[i][0])]


def _lims(frame: np.ndarray) -> tuple[int, int, int, int]:
    """The largest x0, y0, x1, y1 a box may have on `frame`."""
    h, w = frame.shape[:2]
    return w, h, w, h


def _as_rgb(image: Any) -> np.ndarray:
    """An (H, W, 3) uint8 array from an array (RGB or RGBA) or a PIL image."""
    if not isinstance(image, np.ndarray):
        image = np.asarray(image.convert("RGB"))
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3) RGB frame, got shape {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {image.dtype}")
    return image[..., :3]


__all__ = ["KINDS", "ParserConfig", "ScreenParse", "ScreenParser", "UIElement", "reading_order"]
