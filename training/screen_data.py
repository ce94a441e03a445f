"""Labelled screenshots for the screen detector: MiniWoB tasks and generated pages, rendered in
Chromium and labelled from the DOM (`dom_labels`), split so held-out frames come from MiniWoB
task families and page templates that training never saw.

Labels come from the DOM here, at data-generation time only; the parser sees pixels. Frames are
stored as PNG + one JSON line each; training crops as one uint8 array plus JSON lines.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from perception.screen.kinds import INTERACTABLE_KINDS, LabelledBox, PageLabels
from training.dom_labels import label_page
from training.page_generator import TEST_TEMPLATES, TRAIN_TEMPLATES, generate_page

log = logging.getLogger(__name__)

# Held-out MiniWoB families (a prefix takes its variants too: form-sequence, form-sequence-2).
# None of them is a family of the house policy's benchmark (benchmarks/bench_house.py): those
# pages are trained on (other seeds than the benchmark's), and the held-out score measures
# families the detector never saw.
MINIWOB_TEST_PREFIXES = (
    "form-sequence",
    "copy-paste",
    "text-transform",
    "use-spinner",
    "book-flight",
    "choose-date",
    "multi-layouts",
    "multi-orderings",
    "order-food",
    "phone-book",
    "buy-ticket",
    "enter-time",
    "text-editor",
    "daily-calendar",
    "number-checkboxes",
    "odd-or-even",
    "guess-number",
    "generate-number",
    "hot-cold",
)
# Pages that move on a timer would drift between the screenshot and the label read.
_MOVING = frozenset(
    {"chase-circle", "simon-says", "click-pie", "click-pie-nodelay", "stock-market", "drag-cube"}
)


@dataclass(frozen=True)
class Frame:
    """One screenshot (H, W, 3 uint8) with its labels and where it came from."""

    image: np.ndarray
    labels: PageLabels
    source: str


def miniwob_split() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(train, test) MiniWoB task names; test holds whole families, never a variant of train."""
    from envs.miniwob.tasks import all_tasks

    names = [n for n in all_tasks() if n not in _MOVING]
    test = tuple(n for n in names if n.startswith(MINIWOB_TEST_PREFIXES))
    return tuple(n for n in names if n not in test), test


def page_split() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(train, test) page templates."""
    return TRAIN_TEMPLATES, TEST_TEMPLATES


def _env_page(env: Any) -> Any:
    """The Playwright page behind a MiniWoB env (privileged: read for labels only)."""
    return env.unwrapped._live().page


def render_miniwob(
    tasks: Iterable[str],
    frames_per_task: int,
    seed: int,
    *,
    scales: tuple[float, ...] = (1.0,),
    dark_fraction: float = 0.0,
    interact: float = 0.0,
) -> Iterator[Frame]:
    """Frames of MiniWoB episodes: one env per task with a drawn scale and theme.

    With probability `interact` an episode gets one or two random clicks (and typing into a
    focused field) before its frame is taken, so menus, pickers and filled fields appear too.
    """
    import gymnasium as gym

    from contracts.actions import Click, Type
    from envs.browser.pool import shared_pool
    from envs.miniwob import register_miniwob_envs
    from envs.miniwob.tasks import TASK_HEIGHT, TASK_WIDTH

    register_miniwob_envs()
    pool = shared_pool().acquire()
    try:
        for task in tasks:
            rng = random.Random(f"miniwob:{task}:{seed}")
            scale = rng.choice(scales)
            dark = rng.random() < dark_fraction
            try:
                env = gym.make(f"handeye/miniwob-{task}-v0", scale=scale, dark_theme=dark)
            except Exception as exc:  # noqa: BLE001 - one broken task must not stop the run
                log.warning("skipping %s: %s", task, exc)
                continue
            with env:
                for k in range(frames_per_task):
                    try:
                        frame = _miniwob_frame(env, rng, scale, interact, (Click, Type))
                    except Exception as exc:  # noqa: BLE001 - a task page that misbehaves
                        log.warning("%s episode %d failed: %s", task, k, exc)
                        continue
                    clip = (0, 0, TASK_WIDTH, TASK_HEIGHT)
                    labels = label_page(_env_page(env), clip, scale)
                    source = f"miniwob:{task}:{seed}:{k}:{scale}:{'dark' if dark else 'light'}"
                    yield Frame(frame, labels, source)
    finally:
        pool.release()


def _miniwob_frame(
    env: Any, rng: random.Random, scale: float, interact: float, kinds: tuple[type, type]
) -> np.ndarray:
    """Reset (and maybe poke) the env; returns the frame the page now shows."""
    from envs.miniwob.tasks import TASK_HEIGHT, TASK_WIDTH

    click, type_ = kinds
    obs, _ = env.reset(seed=rng.randrange(2**31))
    if rng.random() >= interact:
        return obs["screen"]
    for _ in range(rng.randint(1, 2)):
        labels = label_page(_env_page(env), (0, 0, TASK_WIDTH, TASK_HEIGHT), scale)
        targets = [b for b in labels.boxes if b.kind in INTERACTABLE_KINDS]
        if not targets:
            break
        b = rng.choice(targets).box
        x = min(int((b[0] + b[2]) / 2), obs["screen"].shape[1] - 1)
        y = min(int((b[1] + b[3]) / 2), obs["screen"].shape[0] - 1)
        obs, _, terminated, truncated, _ = env.step(click(x, y))
        if not (terminated or truncated) and rng.random() < 0.5:
            obs, _, terminated, truncated, _ = env.step(type_(rng.choice(("abc", "Tom", "42"))))
        if terminated or truncated:  # the click ended the episode: start a fresh one instead
            obs, _ = env.reset(seed=rng.randrange(2**31))
            break
    return obs["screen"]


def render_pages(
    templates: Iterable[str],
    seeds: Iterable[int],
    theme: str | None = None,
    viewport: tuple[int, int, float] | None = None,
) -> Iterator[Frame]:
    """Frames of generated pages, one per (template, seed), at each page's own viewport and
    scale, or at `viewport` (CSS width, height, device scale) for all of them."""
    from envs.browser.pool import shared_pool

    pool = shared_pool().acquire()
    handles: dict[float, Any] = {}
    try:
        for seed in seeds:
            for template in templates:
                page = generate_page(template, seed, theme)
                if viewport is not None:
                    page = replace(page, width=viewport[0], height=viewport[1], scale=viewport[2])
                handle = handles.get(page.scale)
                if handle is None or not handle.alive:
                    handle = handles[page.scale] = pool.new_page(
                        page.width, page.height, page.scale
                    )
                handle.page.set_viewport_size({"width": page.width, "height": page.height})
                handle.page.set_content(page.html)
                clip = (0, 0, page.width, page.height)
                labels = label_page(handle.page, clip, page.scale)
                image = handle.screenshot(clip, page.scale)
                source = f"page:{template}:{seed}:{page.style.theme}:{page.style.lang}:{page.scale}"
                yield Frame(image, labels, source)
    finally:
        for handle in handles.values():
            handle.close()
        pool.release()


# ------------------------------------------------------------------------------ storage
def save_frames(frames: Iterable[Frame], folder: Path) -> int:
    """Write frames as PNG files plus `labels.jsonl`; returns how many."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(folder / "labels.jsonl", "w", encoding="utf-8") as out:
        for n, frame in enumerate(frames, 1):
            name = f"{n:05d}.png"
            Image.fromarray(frame.image).save(folder / name, compress_level=1)
            record = {"file": name, "source": frame.source, **frame.labels.to_json()}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def load_frames(folder: Path) -> list[Frame]:
    """Frames written by `save_frames`."""
    from PIL import Image

    frames = []
    with open(folder / "labels.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            image = np.asarray(Image.open(folder / rec["file"]).convert("RGB"))
            frames.append(Frame(image, PageLabels.from_json(rec), rec["source"]))
    return frames


@dataclass(frozen=True)
class Crop:
    """A square training window: pixels, labels in its coordinates, and its valid area."""

    image: np.ndarray
    labels: PageLabels
    valid: tuple[int, int, int, int]  # x0, y0, x1, y1 of real pixels (the rest is padding)
    source: str = ""


def cut_crops(frame: Frame, size: int, count: int, rng: random.Random) -> list[Crop]:
    """`count` windows of `size` px, half centred on random elements; small frames are padded.

    Elements cut by a window keep their clipped box when at least 60% shows, else the clipped
    part becomes an ignore region.
    """
    h, w = frame.image.shape[:2]
    crops = []
    for i in range(count):
        if w <= size:
            x0 = 0
        elif i % 2 == 0 and frame.labels.boxes:
            b = rng.choice(frame.labels.boxes).box
            x0 = int(
                min(
                    max((b[0] + b[2]) / 2 - size / 2 + rng.uniform(-size / 4, size / 4), 0),
                    w - size,
                )
            )
        else:
            x0 = rng.randrange(w - size + 1)
        if h <= size:
            y0 = 0
        elif i % 2 == 0 and frame.labels.boxes:
            b = rng.choice(frame.labels.boxes).box
            y0 = int(
                min(
                    max((b[1] + b[3]) / 2 - size / 2 + rng.uniform(-size / 4, size / 4), 0),
                    h - size,
                )
            )
        else:
            y0 = rng.randrange(h - size + 1)
        crops.append(_crop_at(frame, x0, y0, size))
    return crops


def _crop_at(frame: Frame, x0: int, y0: int, size: int) -> Crop:
    h, w = frame.image.shape[:2]
    cw, ch = min(size, w - x0), min(size, h - y0)
    canvas = np.empty((size, size, 3), np.uint8)
    canvas[:] = np.median(frame.image.reshape(-1, 3)[::97], axis=0).astype(np.uint8)
    canvas[:ch, :cw] = frame.image[y0 : y0 + ch, x0 : x0 + cw]
    boxes, ignore = [], []
    for r in frame.labels.ignore:
        c = _clip((r[0] - x0, r[1] - y0, r[2] - x0, r[3] - y0), cw, ch)
        if c is not None:
            ignore.append(c)
    for b in frame.labels.boxes:
        full = (b.box[0] - x0, b.box[1] - y0, b.box[2] - x0, b.box[3] - y0)
        c = _clip(full, cw, ch)
        if c is None:
            continue
        if _area(c) >= 0.6 * _area(full):
            boxes.append(LabelledBox(b.kind, c, b.text))
        else:
            ignore.append(c)
    return Crop(canvas, PageLabels(tuple(boxes), tuple(ignore)), (0, 0, cw, ch), frame.source)


def _area(b: tuple[float, float, float, float]) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _clip(b: tuple[float, float, float, float], w: float, h: float):
    c = (max(b[0], 0.0), max(b[1], 0.0), min(b[2], w), min(b[3], h))
    return c if c[2] - c[0] >= 1 and c[3] - c[1] >= 1 else None


def save_crops(crops: list[Crop], folder: Path) -> None:
    """Write crops as `crops.npy` (N, S, S, 3) and `crops.jsonl`."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "crops.npy", np.stack([c.image for c in crops]))
    with open(folder / "crops.jsonl", "w", encoding="utf-8") as out:
        for c in crops:
            out.write(
                json.dumps(
                    {"valid": c.valid, "source": c.source, **c.labels.to_json()}, ensure_ascii=False
                )
                + "\n"
            )


def load_crops(
    folder: Path,
) -> tuple[np.ndarray, list[PageLabels], list[tuple[int, ...]], list[str]]:
    """(images memory-mapped, labels, valid areas, sources) written by `save_crops`."""
    images = np.load(folder / "crops.npy", mmap_mode="r")
    labels, valid, sources = [], [], []
    with open(folder / "crops.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            labels.append(PageLabels.from_json(rec))
            valid.append(tuple(rec["valid"]))
            sources.append(rec.get("source", ""))
    return images, labels, valid, sources
