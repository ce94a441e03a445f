"""Text of screen regions: PP-OCR's recogniser on element crops, or tesseract on the frame.

The screen detector already says where text is, so the default reader skips PP-OCR's own
detector (which upsizes a 160x210 frame to 736 px and costs ~0.9 s here) and runs only its
recogniser (`rapidocr-onnxruntime`, bundled ONNX models) on one crop per element, batched,
with an LRU cache keyed by the crop's pixels: between steps of one episode most crops repeat.
Without rapidocr, Debian's tesseract reads the whole frame once and its words are assigned to
the regions that contain them. Dark crops are inverted first: both readers were trained on
dark text on light paper and drop light-on-dark text.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import subprocess
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from contracts.errors import SetupError, missing_extra

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
# Regions whose text sits inside a frame (buttons, fields, tabs, selects) are cut inside it so the
# border is not read as "[" or "|"; bare text and links get a margin so no glyph is clipped.
FRAMED_KINDS = frozenset({"button", "text_input", "tab", "dropdown"})
DARK_MEAN = 110  # a crop darker than this on average is read inverted
# A whole line of running text ("line" regions) is read narrowed to this share of its width:
# the recogniser's cost grows with width, and at 0.75 it reads the same words (it even keeps
# the spaces of tightly set text better); at 0.5 letters start to drop.
LINE_SQUASH = 0.75


@dataclass(frozen=True)
class OcrConfig:
    """Which reader to use and how; fields map 1:1 to `ScreenParser` options."""

    engine: str = "auto"  # auto (rapidocr, else tesseract) | rapidocr | tesseract
    threads: int = 1
    min_score: float = 0.5  # readings below this confidence come back as ""
    cache_size: int = 1024


class TextReader(Protocol):
    """Reads the text inside regions of one frame."""

    name: str

    def read(
        self, image: np.ndarray, regions: Sequence[tuple[Box, str]]
    ) -> list[tuple[str, float]]:
        """(text, confidence 0-1) per (box, kind) region of an (H, W, 3) uint8 RGB frame."""
        ...


def region_crop(image: np.ndarray, box: Box, kind: str) -> np.ndarray:
    """The pixels to read for one region, dark-on-light (RGB)."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    bh = max(1, y1 - y0)
    if kind not in FRAMED_KINDS:
        x0, x1 = _inked_span(image, box)
    if kind in FRAMED_KINDS:
        dy, dx = -max(2, round(0.12 * bh)), -3
        if kind == "dropdown" and x1 - x0 > 3 * bh:
            x1 -= bh  # the arrow of a closed select reads as "v"
    else:
        dy = dx = max(1, round(0.15 * bh))
    xa, xb = max(0, x0 - dx), min(w, x1 + dx)
    ya, yb = max(0, y0 - dy), min(h, y1 + dy)
    if xb - xa < 3 or yb - ya < 3:
        xa, xb, ya, yb = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    crop = image[ya:yb, xa:xb, :3]
    if crop.size and crop.mean() < DARK_MEAN:
        crop = 255 - crop
    crop = _stretched(crop)
    if kind == "line" and crop.shape[1] > 4 * crop.shape[0]:
        import cv2

        width = max(1, round(crop.shape[1] * LINE_SQUASH))
        crop = cv2.resize(crop, (width, crop.shape[0]), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(crop)


# A bare text box is widened over the glyphs its edge cuts through, by at most this share of its
# height a side: the detector's box may start inside a word's first letter, and a "b" cut to its
# bowl reads "o".
INK_REACH = 0.6
INK_GREY = 48  # a pixel this far from the box's background grey is ink
RULE_SHARE = 0.9  # a row of the box inked across this share of its width is a rule, not words


def _inked_span(image: np.ndarray, box: Box) -> tuple[int, int]:
    """`box`'s left and right edges moved out over the columns of ink that touch them.

    Only columns with some ink and some background in the box's rows count (rows of a level
    rule left out): a blank column is the gap before the next word, and a column of ink top to
    bottom is a cell's border.
    """
    x0, y0, x1, y1 = box
    h, w = image.shape[:2]
    ya, yb = max(0, y0), min(h, y1)
    reach = max(1, round(INK_REACH * (yb - ya)))
    base = max(0, x0 - reach)
    band = image[ya:yb, base : min(w, x1 + reach), :3].mean(axis=-1)
    if band.shape[0] < 4 or band.shape[1] < 2:
        return x0, x1
    ink = np.abs(band - np.median(band)) > INK_GREY
    ink = ink[ink.mean(axis=1) < RULE_SHARE]  # rows of a rule or border under or over the words
    if ink.shape[0] < 4:
        return x0, x1
    share = ink.mean(axis=0)
    partial = (share > 0) & (share < 1)
    left, right = x0 - base, x1 - base  # indices in the band
    while 0 < left <= len(partial) and partial[left - 1]:
        left -= 1
    while right < len(partial) and partial[right]:
        right += 1
    return base + left, base + right


# A crop whose darkest and lightest pixels differ by less than this (grey levels) holds faint
# words (a dim placeholder on a dark field): it is stretched to full contrast before reading.
FAINT_RANGE = 96
# Pixels this far from the crop's typical grey are ink; a crop with fewer than INK_PIXELS holds
# nothing to read. Screenshots draw a flat fill exactly, and a re-themed page's placeholder may
# sit 7 grey levels off its field: too little for the crop's spread to tell it from a blank.
INK_DELTA, INK_PIXELS = 4, 30


def _stretched(crop: np.ndarray) -> np.ndarray:
    """`crop` with its grey range stretched to 0-255 when it is faint, else as it is."""
    if crop.size == 0:
        return crop
    grey = crop.mean(axis=-1)
    lo, hi = float(grey.min()), float(grey.max())
    if not INK_DELTA <= hi - lo < FAINT_RANGE:
        return crop
    out = (crop.astype(np.float32) - lo) * (255.0 / (hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def _clean(text: str) -> str:
    """Text without the frame edges a loose crop reads as brackets or bars ("[Next]")."""
    text = text.strip()
    if text[:1] in "[|" and text[-1:] in "]|":
        text = text[1:-1]
    return text.strip("[]|").strip()


# A control's inside lower than this (pixels) holds no line to read: a field cut off by the
# frame's edge. The recogniser scales every crop to 48 pixels high, so such a sliver (4 x 336)
# became a 4,000-pixel strip that cost more than the rest of a page's text and read nothing.
MIN_FRAMED_H = 8


def _blank(crop: np.ndarray, kind: str = "text") -> bool:
    """Nothing to read: empty, one flat colour (an empty field, a blank box), or a control
    too low to hold a line of text."""
    if kind in FRAMED_KINDS and crop.shape[0] < MIN_FRAMED_H:
        return True
    if crop.size == 0 or min(crop.shape[:2]) < 4:
        return True
    if float(crop.std()) >= 6.0:
        return False
    grey = crop.mean(axis=-1)
    return int((np.abs(grey - np.median(grey)) > INK_DELTA).sum()) < INK_PIXELS


class RapidOcrReader:
    """PP-OCRv4 recogniser (rapidocr-onnxruntime) on element crops, with a pixel-keyed cache.

    rapidocr's own session turns off the memory arena and pads every crop to a 320x48 strip;
    this reader runs the same model in its own onnxruntime session (arena on, no spin-waiting:
    threads that spin lose on a busy 2-core machine) and pads only to a 2.5:1 strip, which
    read the same text 1.5x faster here.
    """

    name = "rapidocr"
    MIN_RATIO = 2.5  # width:height the recogniser pads short crops to
    BATCH = 4

    def __init__(self, config: OcrConfig = OcrConfig()) -> None:
        try:
            import onnxruntime as ort
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise missing_extra("rapidocr-onnxruntime", "house") from None
        engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, use_cls=False)
        self._rec = engine.text_rec  # its resize/normalise and CTC decoding, and the model path
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, config.threads)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = self._rec.session.session._model_path
        self._session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.config = config
        self._cache: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self.cache_hits = 0

    def recognise(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) for BGR crops, batched by similar width."""
        ratios = [c.shape[1] / c.shape[0] for c in crops]
        order = sorted(range(len(crops)), key=lambda i: ratios[i])
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        batches: list[list[int]] = []
        for i in order:  # a batch is padded to its widest crop: keep widths alike in one
            if (
                batches
                and len(batches[-1]) < self.BATCH
                and ratios[i] <= 1.3 * ratios[batches[-1][0]]
            ):
                batches[-1].append(i)
            else:
                batches.append([i])
        for idx in batches:
            widest = max(self.MIN_RATIO, max(ratios[i] for i in idx))
            batch = np.stack([self._rec.resize_norm_img(crops[i], widest) for i in idx])
            preds = self._session.run(None, {self._input: batch})[0]
            decoded = self._rec.postprocess_op(
                preds, False, wh_ratio_list=[ratios[i] for i in idx], max_wh_ratio=widest
            )
            for i, (text, score) in zip(idx, decoded, strict=True):
                out[i] = (text, float(score))
        return out

    def read(
        self, image: np.ndarray, regions: Sequence[tuple[Box, str]]
    ) -> list[tuple[str, float]]:
        out: list[tuple[str, float] | None] = [None] * len(regions)
        todo, keys, crops = [], [], []
        for i, (box, kind) in enumerate(regions):
            crop = region_crop(image, box, kind)
            if _blank(crop, kind):
                out[i] = ("", 1.0)
                continue
            key = hashlib.blake2b(
                crop.tobytes(), digest_size=16, key=str(crop.shape).encode()
            ).digest()
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                out[i] = hit
                continue
            todo.append(i)
            keys.append(key)
            crops.append(np.ascontiguousarray(crop[..., ::-1]))  # the models read BGR
        if crops:
            for i, key, (text, score) in zip(todo, keys, self.recognise(crops), strict=True):
                text = _clean(text) if score >= self.config.min_score else ""
                out[i] = (text, score)
                if self.config.cache_size:
                    self._cache[key] = (text, score)
            while len(self._cache) > self.config.cache_size:
                self._cache.popitem(last=False)
        return [r if r is not None else ("", 0.0) for r in out]


class TesseractReader:
    """Debian's tesseract on the whole frame (dark regions inverted first), words to regions."""

    name = "tesseract"

    def __init__(self, config: OcrConfig = OcrConfig()) -> None:
        self.binary = shutil.which("tesseract")
        if self.binary is None:
            raise SetupError("tesseract is not installed; run `apt-get install tesseract-ocr`")
        self.config = config

    def read(
        self, image: np.ndarray, regions: Sequence[tuple[Box, str]]
    ) -> list[tuple[str, float]]:
        if not regions:
            return []
        from PIL import Image

        page = np.array(image[..., :3], copy=True)
        if page.mean() < DARK_MEAN:
            page = 255 - page
        for box, _ in regions:
            x0, y0, x1, y1 = box
            piece = page[y0:y1, x0:x1]
            if piece.size and piece.mean() < DARK_MEAN:
                page[y0:y1, x0:x1] = 255 - piece
        up = 3 if min(page.shape[:2]) < 400 else 1  # small frames read far better upscaled
        img = Image.fromarray(page)
        if up > 1:
            img = img.resize((img.width * up, img.height * up), Image.BICUBIC)
        import io

        buf = io.BytesIO()
        img.save(buf, "PNG")
        proc = subprocess.run(
            [self.binary, "stdin", "stdout", "--psm", "11", "tsv"],
            input=buf.getvalue(),
            capture_output=True,
            timeout=60,
            env={"OMP_THREAD_LIMIT": str(max(1, self.config.threads))},
        )
        words = []
        for line in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) < 12 or not parts[11].strip() or float(parts[10]) < 0:
                continue
            left, top, width, height = (int(v) / up for v in parts[6:10])
            words.append((left + width / 2, top + height / 2, left, parts[11], float(parts[10])))
        out = []
        for box, _ in regions:
            x0, y0, x1, y1 = box
            inside = sorted(
                (w for w in words if x0 <= w[0] <= x1 and y0 <= w[1] <= y1),
                key=lambda w: (round(w[1] / 8), w[2]),
            )
            if not inside:
                out.append(("", 0.0))
                continue
            conf = sum(w[4] for w in inside) / len(inside) / 100
            text = " ".join(w[3] for w in inside) if conf >= self.config.min_score else ""
            out.append((text, conf))
        return out


@functools.cache
def shared_reader(config: OcrConfig = OcrConfig()) -> TextReader:
    """One reader per config per process: the parser and a policy's re-reads share its model
    and its crop cache instead of loading the recogniser twice."""
    return make_reader(config)


def make_reader(config: OcrConfig = OcrConfig()) -> TextReader:
    """The reader `config.engine` names; "auto" prefers rapidocr and falls back to tesseract."""
    if config.engine == "rapidocr":
        return RapidOcrReader(config)
    if config.engine == "tesseract":
        return TesseractReader(config)
    if config.engine != "auto":
        raise SetupError(f"unknown OCR engine {config.engine!r}; use auto, rapidocr or tesseract")
    try:
        return RapidOcrReader(config)
    except SetupError as exc:
        log.info("rapidocr unavailable (%s); falling back to tesseract", exc)
        return TesseractReader(config)
