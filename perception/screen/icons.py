"""What small glyphs mean: a tiny CPU classifier of icons (trash, star, reply, retweet, ...),
the glyph finder that cuts them out of any frame, and the words a person uses for each.

An instruction says "click the trash icon", "star the email", "retweet @ana's post"; a page
shows a glyph with no text. `meanings("trash")` says which icon classes the words name,
`find_glyphs` cuts every icon-sized mark out of the frame (the detector's icons and marks it
missed, white on a coloured bar included), and `IconClassifier` says what each one depicts.
The classifier was trained on open icon sets rendered at many sizes, strokes and colours
(`training/train_icons.py`), never on a benchmark's own icons, so it reads any page's icons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contracts.errors import SetupError
from perception.screen.icon_captions import above_line, without_caption

WEIGHTS = Path(__file__).parent / "weights" / "icons.pt"
SIZE = 24  # the classifier's input side, in pixels (the glyph scaled to fit 20, 2 margin)
EDGE = 20  # a channel step between neighbour pixels that counts as a glyph's edge
MIN_SIDE, MAX_SIDE = 5, 44  # a glyph box's sides, in frame pixels
GAP = 3  # a dot this close to another part is part of the same glyph (an ellipsis)
DOT = 5  # a part whose long side is at most this is a dot (a 4-pixel dot's edges span 5)
ALONE = 7  # a mark this far (pixels) from its row's other marks is not a letter of a word
MIN_CORE = 3  # connected pixels a drawn mark's solid part has at least (JPEG ringing: 1-2)
CORE_SHARE = 0.5  # a solid pixel stands out from the surround by this share of the mark's peak
BAR_SIDE = 3  # px: the band around a bar's straight edge run that is the bar's, not a glyph's
SIDE_RUN = 10  # px: a straight edge run this long that meets a bar is the same box's side

# Each icon class and the words a person uses for it (lemmas; the first is its name). A word
# listed under two classes names both (the first more strongly): "like" is a heart or a thumb.
WORDS: dict[str, tuple[str, ...]] = {
    "star": ("star", "favourite", "favorite", "important", "starred", "unstar", "rate"),
    "delete": ("delete", "trash", "bin", "remove", "discard", "garbage", "erase", "rubbish"),
    "reply": ("reply", "respond", "answer"),
    "forward": ("forward", "share", "resend"),
    "share": ("share",),
    "retweet": ("retweet", "repost", "repeat", "reshare", "boost", "rt"),
    "like": ("like", "heart", "love", "favourite", "favorite"),
    "thumbs_up": ("like", "upvote", "thumb", "thumbs", "approve"),
    "more": ("more", "ellipsis", "options", "dots", "overflow", "kebab", "actions"),
    "menu": ("menu", "hamburger", "navigation", "nav"),
    "search": ("search", "find", "magnifier", "magnifying", "lookup"),
    "close": ("close", "x", "dismiss", "cancel", "exit", "cross"),
    "edit": ("edit", "pencil", "pen", "modify", "compose", "write", "rename"),
    "settings": ("settings", "gear", "cog", "preferences", "options", "configure"),
    "home": ("home", "house"),
    "user": ("user", "profile", "account", "person", "avatar"),
    "mail": ("mail", "email", "envelope", "inbox", "message"),
    "download": ("download",),
    "upload": ("upload",),
    "add": ("add", "plus", "new", "create"),
    "check": ("check", "tick", "done", "confirm", "ok", "checkmark"),
    "back": ("back", "previous", "prev", "left", "return"),
    "next": ("next", "right", "continue", "forward"),  # a forward button is often an arrow
    "up": ("up",),
    "down": ("down", "expand"),
    "send": ("send", "submit", "post", "plane"),
    "bookmark": ("bookmark", "save"),
    "refresh": ("refresh", "reload", "sync", "update"),
    "comment": ("comment", "chat", "reply", "message", "bubble", "discuss"),
    "bell": ("bell", "notification", "notifications", "alert", "alerts"),
    "lock": ("lock", "secure", "padlock"),
    "cart": ("cart", "basket", "bag", "checkout"),
    "calendar": ("calendar", "date", "schedule"),
    "filter": ("filter", "funnel"),
    "info": ("info", "information", "about", "details"),
    "help": ("help", "question", "faq", "support"),
    "warning": ("warning", "caution", "alert"),
    "eye": ("eye", "view", "show", "visibility", "preview"),
    "link": ("link", "chain", "url", "permalink"),
    "copy": ("copy", "duplicate", "clone"),
    "print": ("print", "printer"),
    "play": ("play", "start"),
    "pause": ("pause",),
    "image": ("image", "photo", "picture"),
    "camera": ("camera",),
    "phone": ("phone", "call", "telephone"),
    "logout": ("logout", "signout"),
    "attach": ("attach", "attachment", "paperclip", "clip"),
    "flag": ("flag", "report"),
    "location": ("location", "pin", "map", "place", "address"),
    "clock": ("clock", "time", "history"),
    "tag": ("tag", "label"),
    "minus": ("minus", "subtract"),
    "mic": ("mic", "microphone", "record"),
    "volume": ("volume", "sound", "speaker", "mute", "unmute", "audio"),
}
OTHER = "other"  # icons of no class above (the classifier's "none of these")
# Words an icon phrase may carry besides its meaning: "the trash icon", "the star button".
FRAME_WORDS = frozenset((
    "the", "a", "an", "icon", "icons", "button", "buttons", "symbol", "sign", "glyph", "image",
    "little", "small", "this", "that", "its", "their", "his", "her",
))  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def _lemma(word: str) -> str:
    """A word's base form for the table: "deletes", "deleted", "deleting" -> "delete"."""
    for suffix, base in (("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + base
            for candidate in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else ""):
                if candidate and any(candidate in words for words in WORDS.values()):
                    return candidate
    return word


def meanings(text: str) -> dict[str, float]:
    """The icon classes a target's words name, with how strongly (1.0 the word's first sense,
    0.7 a further one), or {} when the words are not an icon's name ("Share via DM" is a
    label to read, not a share icon: every word but the framing ones must name an icon)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in FRAME_WORDS]
    if not words or len(words) > 2:
        return {}
    found: dict[str, float] = {}
    for word in words:
        lemma = _lemma(word)
        hits = [m for m, names in WORDS.items() if lemma in names]
        if not hits:
            return {}
        for m in hits:
            weight = 1.0 if WORDS[m][0] == lemma or len(hits) == 1 else 0.7
            found[m] = max(found.get(m, 0.0), weight)
    return found


def embedded_meanings(
    text: str, encode: Callable[[list[str]], np.ndarray], floor: float = 0.5, margin: float = 0.08
) -> dict[str, float]:
    """The icon class nearest a phrase the table lacks ("padlock", "recycle bin"), by sentence
    embedding (`encode` returns unit vectors, e.g. MiniLM's): {} unless it is at least `floor`
    alike and `margin` ahead of the next class (single words embed noisily)."""
    words = " ".join(w for w in _WORD.findall(text.lower()) if w not in FRAME_WORDS)
    if not words:
        return {}
    names = list(WORDS)
    vectors = encode([words, *(" ".join(WORDS[n][:3]) for n in names)])
    sims = vectors[1:] @ vectors[0]
    order = np.argsort(-sims)
    best, second = float(sims[order[0]]), float(sims[order[1]])
    if best < floor or best - second < margin:
        return {}
    return {names[order[0]]: best}


def normalise(patch: np.ndarray, keep: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """A glyph patch (h, w, 3) uint8, with a little background around it, as the classifier's
    (SIZE, SIZE) float32 input: ink in 0..1 whatever its colour or the background's, cropped
    to the ink, centred on a square, scaled to fit SIZE - 4. With `keep` (x0, y0, x1, y1 in
    patch pixels), ink outside that window is not the glyph's: the edge of a bar the glyph
    sits on, which a resized frame moves into the background margin."""
    from PIL import Image

    if patch.ndim != 3 or patch.shape[0] < 2 or patch.shape[1] < 2:
        raise ValueError(f"a glyph patch must be (h, w, 3) with h, w >= 2; got {patch.shape}")
    rgb = patch.astype(np.float32)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    ink = np.abs(rgb - np.median(border, axis=0)).max(axis=-1)
    if keep is not None:
        window = np.zeros_like(ink, bool)
        window[max(0, keep[1]) : keep[3], max(0, keep[0]) : keep[2]] = True
        ink = np.where(window, ink, 0.0)
    top = float(ink.max())
    if top < 1.0:
        return np.zeros((SIZE, SIZE), np.float32)
    ink /= top
    ys, xs = np.nonzero(ink > 0.25)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = ink.shape
    side = max(h, w)
    square = np.zeros((side, side), np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = ink
    inner = SIZE - 4
    small = Image.fromarray(square, mode="F").resize((inner, inner), Image.Resampling.BILINEAR)
    out = np.zeros((SIZE, SIZE), np.float32)
    out[2 : 2 + inner, 2 : 2 + inner] = np.clip(np.asarray(small), 0.0, 1.0)
    return out


def find_glyphs(
    frame: np.ndarray, avoid: Iterable[tuple[int, int, int, int]] = ()
) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of icon-sized marks on `frame` (h, w, 3) uint8: connected edges
    between MIN_SIDE and MAX_SIDE pixels a side, parts GAP apart joined; marks mostly inside
    an `avoid` box (lines of text) are left out. Works on any background colour."""
    from scipy import ndimage

    rgb = frame.astype(np.int16)
    edge = np.zeros(frame.shape[:2], bool)
    dx = np.abs(np.diff(rgb, axis=1)).max(axis=-1) > EDGE
    dy = np.abs(np.diff(rgb, axis=0)).max(axis=-1) > EDGE
    edge[:, 1:] |= dx
    edge[1:, :] |= dy
    edge &= ~_bars(edge)
    labels, _ = ndimage.label(edge, structure=np.ones((3, 3), bool))
    boxes = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        if y1 - y0 <= MAX_SIDE and x1 - x0 <= MAX_SIDE:
            boxes.append([x0, y0, x1, y1])
    boxes = [part for box in _join(boxes) for part in _split_pair(box, edge)]
    boxes = [without_caption(box, edge) for box in boxes]  # a word under its glyph
    avoid = list(avoid)
    boxes = [above_line(box, edge, avoid, MIN_SIDE) for box in boxes]  # ringing over a line
    every = np.asarray(boxes, np.int64).reshape(-1, 4)
    out = []
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0, y1 - y0
        # An ellipsis is wide and low: the long side sets the size, the short may be 2 pixels.
        if not MIN_SIDE <= max(w, h) <= MAX_SIDE or min(w, h) < 2 or max(w, h) > 6 * min(w, h):
            continue
        box = (x0, y0, x1, y1)
        if _core(frame, box) < MIN_CORE:
            continue
        # OCR reads an icon beside a word as a letter ("Inbox Q"): a mark inside a text line
        # stays only when it is about square and no other mark is within a word space of it
        # (letters touch; a bold word is one wide mark).
        squarish = max(w, h) <= 1.6 * min(w, h)
        if any(covered(box, a) > 0.5 for a in avoid) and not (squarish and _alone(box, every)):
            continue
        out.append(box)
    return out


def _bars(edge: np.ndarray) -> np.ndarray:
    """The edge pixels of `edge` (h, w) bool that draw a bar, border or rule: straight runs
    longer than a glyph's side, with the pixels beside them (a border's second edge line, the
    stubs at its corners). A glyph drawn against a box's edge (an ellipsis at the end of a
    highlighted row) is joined to it by the edge and came out one box too big to be a glyph."""
    import cv2
    from scipy import ndimage

    mask = edge.astype(np.uint8)

    def runs(length: int, across: bool) -> np.ndarray:
        shape = (1, length) if across else (length, 1)
        return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones(shape, np.uint8))

    rows, cols = runs(MAX_SIDE + 1, True), runs(MAX_SIDE + 1, False)
    bars = rows | cols
    if not bars.any():
        return bars > 0
    # a short side of the same box (a highlighted row's right end) is a run that meets a bar
    # across it; a glyph's stroke meeting only that side (an ellipsis' row) stays a glyph's
    near = np.ones((3, 3), np.uint8)
    for across, other in ((True, cols), (False, rows)):
        sides, _ = ndimage.label(runs(SIDE_RUN, across), structure=np.ones((3, 3), bool))
        meets = np.unique(sides[(cv2.dilate(other, near) > 0) & (sides > 0)])
        bars |= np.isin(sides, meets[meets > 0]).astype(np.uint8)
    return cv2.dilate(bars, np.ones((BAR_SIDE, BAR_SIDE), np.uint8)) > 0


def _core(frame: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """Pixels in the largest connected solid part of the mark in `box` on `frame` (h, w, 3)
    uint8: those that stand out from the box's surround by at least CORE_SHARE of the mark's
    peak (and EDGE). A drawn mark, however light or small, has a solid part of a few pixels;
    JPEG ringing beside text and borders peaks in single scattered pixels and has none."""
    from scipy import ndimage

    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, box[0] - 1), max(0, box[1] - 1), min(w, box[2] + 1), min(h, box[3] + 1)
    patch = frame[y0:y1, x0:x1].astype(np.int16)
    rim = np.concatenate([patch[0], patch[-1], patch[:, 0], patch[:, -1]])
    away = np.abs(patch - np.median(rim, axis=0)).max(axis=-1)
    labels, n = ndimage.label(away > max(EDGE, CORE_SHARE * float(away.max())))
    return int(np.bincount(labels.ravel())[1:].max()) if n else 0


def _split_pair(
    box: tuple[int, int, int, int], edge: np.ndarray
) -> list[tuple[int, int, int, int]]:
    """`box` cut in two at its emptiest column when it is two glyphs that touch: a row of icons
    on a shrunk or enlarged frame (a star and a trash can) whose blurred edges meet. Only a
    wide box taller than a dot is cut, and only where a column holds at most one edge pixel
    and both halves are about square (an ellipsis' dots and a word's letters stay whole)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if h <= DOT + 2 or w < 1.6 * h:
        return [box]
    counts = edge[y0:y1, x0:x1].sum(axis=0)
    lo, hi = int(0.6 * h), w - int(0.6 * h)  # each half at least 0.6 of the height wide
    if hi <= lo:
        return [box]
    cut = lo + int(np.argmin(counts[lo:hi]))
    if counts[cut] > 1:
        return [box]
    parts = []
    for a, b in ((x0, x0 + cut), (x0 + cut + 1, x1)):
        cols = np.nonzero(edge[y0:y1, a:b].any(axis=0))[0]
        rows = np.nonzero(edge[y0:y1, a:b].any(axis=1))[0]
        if len(cols) == 0:
            return [box]
        parts.append(
            (a + int(cols[0]), y0 + int(rows[0]), a + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)
        )
    return parts


def word_boxes(elements: Iterable[Any]) -> list[tuple[int, int, int, int]]:
    """Boxes of parse elements whose text reads as words (3 letters or digits or more): marks
    inside them are letters. OCR also reads a row of icons as a character or two ("★高",
    "Q") and an ellipsis as its dots ("·…·"), which must not hide them."""
    return [e.box for e in elements if sum(c.isalnum() for c in e.text) >= 3]


def _alone(box: tuple[int, int, int, int], boxes: np.ndarray) -> bool:
    """Whether no other box (rows of `boxes`, (n, 4)) on the same row lies within ALONE
    pixels left or right of `box`."""
    x0, y0, x1, y1 = box
    row = (boxes[:, 3] > y0) & (boxes[:, 1] < y1)
    near = np.maximum(boxes[:, 0] - x1, x0 - boxes[:, 2]) < ALONE
    itself = (boxes == np.asarray(box)).all(axis=1)
    return not bool((row & near & ~itself).any())


def _join(boxes: list[list[int]]) -> list[tuple[int, int, int, int]]:
    """Parts of one glyph as one box: parts whose boxes overlap (a retweet's two arrows)
    and dots within GAP of a neighbour (an ellipsis). Two whole glyphs side by side (a star
    and a trash can) stay apart. Boxes are painted and the painting labelled, so a page of
    thousands of letters costs milliseconds."""
    from scipy import ndimage

    if not boxes:
        return []
    h = max(b[3] for b in boxes) + GAP + 1
    w = max(b[2] for b in boxes) + GAP + 1
    canvas = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in boxes:
        g = GAP if max(x1 - x0, y1 - y0) <= DOT else 0
        # One pixel short at the far ends: boxes that only abut (an icon and the label under
        # it) stay apart; boxes sharing a pixel touch.
        canvas[max(0, y0 - g) : y1 + g - 1, max(0, x0 - g) : x1 + g - 1] = True
    labels, _ = ndimage.label(canvas)
    joined: dict[int, list[int]] = {}
    for x0, y0, x1, y1 in boxes:
        u = joined.setdefault(int(labels[y0, x0]), [x0, y0, x1, y1])
        u[:] = [min(u[0], x0), min(u[1], y0), max(u[2], x1), max(u[3], y1)]
    return [(u[0], u[1], u[2], u[3]) for u in joined.values()]


def covered(box: tuple[int, int, int, int], by: tuple[int, int, int, int]) -> float:
    """The share of `box`'s area inside `by`."""
    w = min(box[2], by[2]) - max(box[0], by[0])
    h = min(box[3], by[3]) - max(box[1], by[1])
    area = max(1, (box[2] - box[0]) * (box[3] - box[1]))
    return max(0, w) * max(0, h) / area


def patch_of(frame: np.ndarray, box: tuple[int, int, int, int], pad: int = 2) -> np.ndarray:
    """The frame around `box` with `pad` pixels of background (clipped at the frame's edge)."""
    x0, y0, x1, y1 = box
    h, w = frame.shape[:2]
    return frame[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]


def _patch_and_box(
    frame: np.ndarray, box: tuple[int, int, int, int], pad: int = 2
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """`patch_of(frame, box, pad)` and the box one pixel wider, in the patch's pixels."""
    x0, y0, x1, y1 = box
    ox, oy = max(0, x0 - pad), max(0, y0 - pad)
    return patch_of(frame, box, pad), (x0 - ox - 1, y0 - oy - 1, x1 - ox + 1, y1 - oy + 1)


def build_net(n_classes: int) -> Any:
    """The classifier: three conv stages on the (1, SIZE, SIZE) ink, a small dense head (torch
    is imported here, so importing this module stays light)."""
    from torch import nn

    def block(cin: int, cout: int, stride: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(1, 24, 1), *block(24, 32, 2),  # 12x12
        *block(32, 48, 1), *block(48, 64, 2),  # 6x6
        *block(64, 64, 2),  # 3x3: where the ink is still matters (a left from a right arrow)
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(64 * 9, 128), nn.ReLU(), nn.Linear(128, n_classes),
    )  # fmt: skip


@dataclass(frozen=True)
class Glyph:
    """An icon-sized mark on the frame and what the classifier says it depicts."""

    box: tuple[int, int, int, int]
    probs: Mapping[str, float]

    @property
    def label(self) -> str:
        return max(self.probs, key=lambda k: self.probs[k])

    def score(self, wanted: Mapping[str, float]) -> float:
        """How well this glyph shows what the words name (0..1), among the classes it may be:
        a drawing unlike any class leans to OTHER, which says "not an icon I know", not "not
        this one", so its share is left out."""
        known = max(1e-6, 1.0 - self.probs.get(OTHER, 0.0))
        best = max((w * self.probs.get(m, 0.0) for m, w in wanted.items()), default=0.0)
        return min(1.0, best / known)


class IconClassifier:
    """The committed icon classifier; `classify(frame, boxes)` says what each box depicts."""

    def __init__(self, weights: Path | str | None = None) -> None:
        import torch

        path = Path(weights) if weights is not None else WEIGHTS
        if not path.exists():
            raise SetupError(
                f"icon classifier weights not found at {path}; run "
                "`python -m training.train_icons` to make them"
            )
        blob = torch.load(path, map_location="cpu", weights_only=False)
        self.classes: tuple[str, ...] = tuple(blob["classes"])
        self.net = build_net(len(self.classes))
        self.net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
        self.net.eval()
        self.meta: dict[str, Any] = json.loads(blob.get("meta", "{}"))

    def probs(self, inputs: np.ndarray) -> np.ndarray:
        """Class probabilities (n, classes) for normalised inputs (n, SIZE, SIZE)."""
        import torch

        if len(inputs) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        with torch.no_grad():
            logits = self.net(torch.from_numpy(np.asarray(inputs, np.float32))[:, None])
            return torch.softmax(logits, dim=1).numpy()

    def classify(
        self, frame: np.ndarray, boxes: Sequence[tuple[int, int, int, int]]
    ) -> list[Glyph]:
        """What each box of `frame` (h, w, 3) uint8 depicts."""
        inputs = np.stack([normalise(*_patch_and_box(frame, b)) for b in boxes]) if boxes else []
        probs = self.probs(np.asarray(inputs))
        return [
            Glyph(box, {c: float(p) for c, p in zip(self.classes, row, strict=True)})
            for box, row in zip(boxes, probs, strict=True)
        ]


_DEFAULT: IconClassifier | None = None


def default_classifier() -> IconClassifier:
    """The committed classifier, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = IconClassifier()
    return _DEFAULT


def rank_glyphs(
    frame: np.ndarray,
    wanted: Mapping[str, float],
    *,
    avoid: Iterable[tuple[int, int, int, int]] = (),
    anchor: tuple[int, int, int, int] | None = None,
    above: bool = False,
    classifier: IconClassifier | None = None,
) -> list[tuple[Glyph, float]]:
    """Glyphs of `frame` that may show what `wanted` names, best first, each with its place
    in the order: its class score, times nearness to `anchor` when there is one. An item's
    actions follow its heading, so a glyph above the anchor's line is the previous item's and
    is left out, unless `above` (the instruction said "above")."""
    boxes = find_glyphs(frame, avoid)
    glyphs = (classifier or default_classifier()).classify(frame, boxes)
    ranked = []
    for glyph in glyphs:
        order = glyph.score(wanted)
        if anchor is not None:
            if glyph.box[3] <= anchor[1] and not above:
                continue
            order *= nearness(glyph.box, anchor)
        ranked.append((glyph, order))
    ranked.sort(key=lambda gs: -gs[1])
    return ranked


def nearness(box: tuple[int, int, int, int], anchor: tuple[int, int, int, int]) -> float:
    """1 for a glyph at the anchor, falling with the gap between them (pixels, 40 halves it)."""
    dx = max(0, anchor[0] - box[2], box[0] - anchor[2])
    dy = max(0, anchor[1] - box[3], box[1] - anchor[3])
    return 1.0 / (1.0 + float(np.hypot(dx, dy)) / 40.0)
