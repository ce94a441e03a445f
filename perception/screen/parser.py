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
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

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

    def parse(self, image: Any) -> ScreenParse:
        """Elements of an RGB frame ((H, W, 3) uint8 array or PIL image), in reading order;
        a frame parsed lately (the same pixels: a screen that did not change) costs a hash."""
        frame = _as_rgb(image)
        if not self.config.parse_cache:
            return self._parse(frame)
        key = hashlib.blake2b(frame.tobytes(), digest_size=16, key=str(frame.shape).encode())
        digest = key.digest()
        hit = self._parses.get(digest)
        if hit is not None:
            self._parses.move_to_end(digest)
            return hit
        parse = self._parse(frame)
        self._parses[digest] = parse
        while len(self._parses) > self.config.parse_cache:
            self._parses.popitem(last=False)
        return parse

    def _parse(self, frame: np.ndarray) -> ScreenParse:
        t0 = time.perf_counter()
        detections = [d for d in self._detect(frame) if d.score >= self.config.min_score]
        if self.config.drawn_controls:
            detections = with_drawn_controls(frame, detections)
        line_boxes: set[tuple[int, ...]] = set()
        words_at: dict[tuple[int, ...], tuple[int, int, int, int]] = {}
        if 0 < self.config.text_lines_from <= frame.shape[1]:
            from perception.screen.text_lines import find_text_lines, with_text_lines, words_in

            lines = find_text_lines(frame)
            before = {d.box for d in detections}
            detections = with_text_lines(frame, detections, lines)
            line_boxes = {d.box for d in detections if d.kind in ("text", "link")} - before
            words_at = words_in(detections, lines)
        t1 = time.perf_counter()
        texts = [""] * len(detections)
        if self.reader is not None:
            wanted = [i for i, d in enumerate(detections) if d.kind in TEXT_KINDS]
            regions = [
                (d.box, "line")
                if d.box in line_boxes and d.kind in ("text", "link")
                else (words_at[d.box], "text")
                if d.box in words_at
                else (d.box, d.kind)
                for d in (detections[i] for i in wanted)
            ]
            readings = self.reader.read(frame, regions)
            for i, (text, _) in zip(wanted, readings, strict=True):
                texts[i] = text
        t2 = time.perf_counter()
        order = reading_order([d.box for d in detections])
        elements = tuple(
            UIElement(
                id=n,
                box=tuple(int(v) for v in detections[i].box),
                kind=detections[i].kind,
                text=texts[i],
                interactable=detections[i].kind in INTERACTABLE_KINDS,
                score=round(detections[i].score, 3),
            )
            for n, i in enumerate(order, 1)
        )
        timings = {"detect": t1 - t0, "ocr": t2 - t1, "total": time.perf_counter() - t0}
        return ScreenParse(elements, frame.shape[1], frame.shape[0], timings)

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

    def __enter__(self) -> ScreenParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def with_drawn_controls(frame: np.ndarray, detections: list[Any]) -> list[Any]:
    """`detections` completed by the fields and check/radio boxes drawn on `frame`
    (`drawn_controls`). Control detections that are pieces of one drawn field (as tall as it
    and inside it: the detector split a wide field it took for buttons or tabs) become that
    field; a drawn control no detection stands for (IoU > 0.4) is added, scored 0.5. Text inside
    a field (its value or placeholder) stays as it is."""
    from perception.screen.detector import Detection
    from perception.screen.drawn_controls import find_drawn_controls

    out = list(detections)
    for c in find_drawn_controls(frame):
        controls = [d for d in out if d.kind != "text"]
        if c.kind == "text_input":
            pieces = [
                d for d in controls if d.kind in _FIELD_LOOKALIKES and _piece_of(d.box, c.box)
            ]
            if pieces:
                kind = "dropdown" if any(d.kind == "dropdown" for d in pieces) else "text_input"
                score = max(d.score for d in pieces)
                out = [d for d in out if not any(d is p for p in pieces)]
                out.append(Detection(c.box, kind, score))
                continue
        if not any(_iou(c.box, d.box) > 0.4 for d in controls):
            out.append(Detection(c.box, c.kind, 0.5))
    return out


def _piece_of(a: tuple[int, ...], field: tuple[int, ...]) -> bool:
    """Whether box `a` is a piece of `field`: mostly inside it and at least half as tall."""
    ix = max(0, min(a[2], field[2]) - max(a[0], field[0]))
    iy = max(0, min(a[3], field[3]) - max(a[1], field[1]))
    area = max(1, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy >= 0.7 * area and (a[3] - a[1]) >= 0.5 * (field[3] - field[1])


# Detector kinds a drawn field (an outline with left-aligned words or none) is mistaken for.
_FIELD_LOOKALIKES = ("button", "link", "tab", "text_input", "dropdown")


def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / max(1, union)


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
