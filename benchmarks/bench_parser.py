"""Screen parser quality and speed on held-out frames, beside PP-OCR and tesseract as peers.

Renders frames the detector never saw (held-out MiniWoB families at scale 1, held-out page
templates at their own viewports, and 1280x720 pages), then reports, as one JSON object:
- detection precision/recall per kind (IoU >= 0.5) and, for plain text lines, PP-OCR's own
  text detector (rapidocr, tuned limits) as a peer;
- OCR accuracy on labelled text boxes, rapidocr's recogniser against tesseract;
- parse latency p50/p95 for 160x210 and 1280x720 frames and peak RSS, measured in a fresh
  process that holds only the parser (so Chromium and this script do not count);
- robustness: the same scores on frames resized x0.75 / x1.5, JPEG quality 30, dark theme.

    nice -n 10 python -m benchmarks.bench_parser [--json out.json] [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_report import emit, machine
from perception.screen.kinds import PageLabels
from training.detection_metrics import DetectionTally, box_iou
from training.screen_data import Frame, miniwob_split, render_miniwob, render_pages

log = logging.getLogger("bench_parser")
OCR_KINDS = ("text", "button", "link", "tab")


# ------------------------------------------------------------------------------- frames
def held_out_frames(quick: bool) -> dict[str, list[Frame]]:
    """The evaluation sets, rendered fresh with seeds training never used."""
    from training.page_generator import TEST_TEMPLATES

    _, tasks = miniwob_split()
    per_task, pages = (1, 3) if quick else (3, 10)
    seeds = range(5000, 5000 + pages)
    sets = {
        "miniwob": list(render_miniwob(tasks, per_task, 5000, interact=0.3)),
        "miniwob_dark": list(
            render_miniwob(tasks, per_task, 5000, interact=0.3, dark_fraction=1.0)
        ),
        "pages": list(render_pages(TEST_TEMPLATES, seeds)),
        "pages_dark": list(render_pages(TEST_TEMPLATES, seeds, theme="dark")),
        "pages_1280x720": list(render_pages(TEST_TEMPLATES, seeds, viewport=(1280, 720, 1.0))),
    }
    for name, frames in sets.items():
        log.info("%s: %d frames", name, len(frames))
    return sets


def resized(frame: Frame, factor: float) -> Frame:
    from PIL import Image

    img = Image.fromarray(frame.image)
    size = (round(img.width * factor), round(img.height * factor))
    return Frame(
        np.asarray(img.resize(size, Image.BILINEAR)), frame.labels.scaled(factor), frame.source
    )


def jpeg(frame: Frame, quality: int = 30) -> Frame:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(frame.image).save(buf, "JPEG", quality=quality)
    return Frame(np.asarray(Image.open(buf).convert("RGB")), frame.labels, frame.source)


# ---------------------------------------------------------------------------- detection
def detection_scores(detector: Any, frames: list[Frame]) -> dict[str, Any]:
    tally = DetectionTally()
    for f in frames:
        tally.add(detector.detect(f.image), f.labels)
    return tally.summary()


def _short(s: dict[str, Any]) -> dict[str, Any]:
    keys = ("element_precision", "element_recall", "kind_precision", "kind_recall")
    return {k: s[k] for k in keys}


def ppocr_text_peer(frames: list[Frame], detector: Any) -> dict[str, Any]:
    """Recall/precision of text-line boxes: PP-OCR's detector against ours, plus their times."""
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(
        intra_op_num_threads=1, inter_op_num_threads=1, det_limit_type="max", det_limit_side_len=960
    )
    ours, peer = DetectionTally(), DetectionTally()
    t_ours = t_peer = 0.0
    for f in frames:
        text_only = PageLabels(
            tuple(b for b in f.labels.boxes if b.kind == "text"), f.labels.ignore
        )
        other = [b.box for b in f.labels.boxes if b.kind != "text"]
        t0 = time.perf_counter()
        mine = [d for d in detector.detect(f.image) if d.kind == "text"]
        t1 = time.perf_counter()
        boxes, _ = engine.text_det(np.ascontiguousarray(f.image[..., ::-1]))
        t2 = time.perf_counter()
        t_ours, t_peer = t_ours + t1 - t0, t_peer + t2 - t1
        found = []
        for quad in boxes if boxes is not None else []:
            q = np.asarray(quad)
            box = (
                float(q[:, 0].min()),
                float(q[:, 1].min()),
                float(q[:, 0].max()),
                float(q[:, 1].max()),
            )
            # text that PP-OCR finds inside a button or link is not a plain-text miss or error
            if other and box_iou(np.array(box), np.array(other, float)).max() > 0.3:
                continue
            found.append(_Det(box, "text", 1.0))
        ours.add(mine, text_only)
        peer.add(found, text_only)
    n = max(len(frames), 1)
    return {
        "frames": len(frames),
        "handeye": {**_short_text(ours.summary()), "ms_per_frame": round(1000 * t_ours / n, 1)},
        "ppocr_det": {**_short_text(peer.summary()), "ms_per_frame": round(1000 * t_peer / n, 1)},
    }


def _short_text(s: dict[str, Any]) -> dict[str, Any]:
    return {"precision": s["element_precision"], "recall": s["element_recall"]}


class _Det:
    def __init__(self, box, kind, score):
        self.box, self.kind, self.score = box, kind, score


# ----------------------------------------------------------------------------------- OCR
def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def _cer(truth: str, read: str) -> float:
    import difflib

    a, b = _norm(truth), _norm(read)
    if not a:
        return 0.0 if not b else 1.0
    sm = difflib.SequenceMatcher(None, a, b)
    return 1 - sum(m.size for m in sm.get_matching_blocks()) / max(len(a), len(b))


def ocr_scores(reader: Any, frames: list[Frame]) -> dict[str, Any]:
    """Exact-match rate and character error on labelled text boxes (Latin script only)."""
    exact = total = 0
    cer = 0.0
    t0 = time.perf_counter()
    for f in frames:
        items = [b for b in f.labels.boxes if b.kind in OCR_KINDS and b.text and b.text.isascii()]
        if not items:
            continue
        boxes = [(tuple(int(round(v)) for v in b.box), b.kind) for b in items]
        for b, (text, _) in zip(items, reader.read(f.image, boxes), strict=True):
            total += 1
            exact += _norm(text) == _norm(b.text)
            cer += _cer(b.text, text)
    return {
        "boxes": total,
        "exact": round(exact / max(total, 1), 4),
        "cer": round(cer / max(total, 1), 4),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def parse_text_scores(parser: Any, frames: list[Frame]) -> dict[str, Any]:
    """End to end: parse the frame, match elements to labels, compare the text read."""
    exact = total = 0
    for f in frames:
        parse = parser.parse(f.image)
        gt = [b for b in f.labels.boxes if b.kind in OCR_KINDS and b.text and b.text.isascii()]
        if not gt or not len(parse):
            total += len(gt)
            continue
        boxes = np.array([e.box for e in parse.elements], float)
        for b in gt:
            ious = box_iou(np.array(b.box, float), boxes)
            j = int(np.argmax(ious))
            total += 1
            exact += ious[j] >= 0.5 and _norm(parse.elements[j].text) == _norm(b.text)
    return {
        "labelled_text_elements": total,
        "found_and_read_exactly": round(exact / max(total, 1), 4),
    }


# ------------------------------------------------------------------------------- latency
_LATENCY_CHILD = r"""
import json, resource, sys, time
import numpy as np
from perception.screen.parser import ScreenParser
data = np.load(sys.argv[1])
out = {}
t0 = time.perf_counter()
parser = ScreenParser(threads=int(sys.argv[2]))
out["load_seconds"] = round(time.perf_counter() - t0, 2)
for name in ("small", "large"):
    frames = data[name]
    parser.parse(frames[0])  # warm-up
    rows = []
    for f in frames:
        if parser.reader is not None and hasattr(parser.reader, "_cache"):
            parser.reader._cache.clear()  # cold: no OCR result reused between frames
        p = parser.parse(f)
        rows.append([p.timings["total"], p.timings["detect"], p.timings["ocr"], len(p)])
    again = [parser.parse(f).timings["total"] for f in frames]  # the same frame a step later
    rows = np.array(rows)
    q = lambda a, p: round(1000 * float(np.percentile(a, p)), 1)
    out[name] = {"frames": len(frames), "shape": list(frames.shape[1:3]),
                 "p50_ms": q(rows[:, 0], 50), "p95_ms": q(rows[:, 0], 95),
                 "detect_p50_ms": q(rows[:, 1], 50), "ocr_p50_ms": q(rows[:, 2], 50),
                 "elements_mean": round(float(rows[:, 3].mean()), 1),
                 "unchanged_frame_p50_ms": q(np.array(again), 50)}
# VmHWM: this process's own peak. ru_maxrss would also carry the parent's peak over exec.
try:
    hwm = next(row for row in open("/proc/self/status") if row.startswith("VmHWM"))
    out["peak_rss_mb"] = round(int(hwm.split()[1]) / 1024, 1)
except (OSError, StopIteration):
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def latency(small: list[Frame], large: list[Frame], threads: int) -> dict[str, Any]:
    """Parse timings and peak memory in a child process holding only the parser."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frames.npz"
        np.savez(
            path, small=np.stack([f.image for f in small]), large=np.stack([f.image for f in large])
        )
        root = Path(__file__).resolve().parents[1]
        proc = subprocess.run(
            [sys.executable, "-c", _LATENCY_CHILD, str(path), str(threads)],
            capture_output=True,
            text=True,
            cwd=root,
            check=True,
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--json", help="also write the result here")
    ap.add_argument("--quick", action="store_true", help="a few frames per set (smoke test)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    from perception.screen.detector import WEIGHTS_PATH, ScreenDetector
    from perception.screen.ocr import OcrConfig, RapidOcrReader, TesseractReader
    from perception.screen.parser import ScreenParser

    t_start = time.perf_counter()
    load = os.getloadavg()
    sets = held_out_frames(args.quick)
    detector = ScreenDetector(threads=args.threads)
    mw, pg = sets["miniwob"], sets["pages"]
    result: dict[str, Any] = {
        "machine": machine(load_average_at_start=[round(v, 1) for v in load]),
        "weights": {
            "path": str(WEIGHTS_PATH.relative_to(Path(__file__).resolve().parents[1])),
            "kb": round(WEIGHTS_PATH.stat().st_size / 1024, 1),
            "training": {k: detector.meta.get(k) for k in ("train_seconds", "total_seconds")},
        },
        "frames": {k: len(v) for k, v in sets.items()},
    }
    log.info("detection")
    result["detection"] = {
        "miniwob": detection_scores(detector, mw),
        "pages": detection_scores(detector, pg),
    }
    log.info("robustness")
    variants = {
        "x0.75": lambda fs: [resized(f, 0.75) for f in fs],
        "x1.5": lambda fs: [resized(f, 1.5) for f in fs],
        "jpeg30": lambda fs: [jpeg(f) for f in fs],
    }
    rob: dict[str, Any] = {}
    for base in ("miniwob", "pages"):
        rob[base] = {"original": _short(result["detection"][base])}
        for name, fn in variants.items():
            rob[base][name] = _short(detection_scores(detector, fn(sets[base])))
        rob[base]["dark"] = _short(detection_scores(detector, sets[f"{base}_dark"]))
    result["robustness_detection"] = rob
    log.info("text-line peer (PP-OCR detector)")
    n_peer = 10 if args.quick else 40
    result["text_lines_vs_ppocr"] = {
        "miniwob": ppocr_text_peer(mw[:n_peer], detector),
        "pages": ppocr_text_peer(pg[: n_peer // 2], detector),
    }
    log.info("OCR readers")
    rapid, tess = RapidOcrReader(OcrConfig(cache_size=0)), TesseractReader()
    n_ocr = 10 if args.quick else 40
    result["ocr_on_labelled_boxes"] = {
        split: {
            "rapidocr": ocr_scores(rapid, fs[:n_ocr]),
            "tesseract": ocr_scores(tess, fs[:n_ocr]),
        }
        for split, fs in (
            ("miniwob", mw),
            ("miniwob_dark", sets["miniwob_dark"]),
            ("pages", pg[: n_ocr // 2]),
        )
    }
    log.info("end-to-end parse text")
    parser = ScreenParser(threads=args.threads)
    e2e: dict[str, Any] = {}
    for base, frames in (("miniwob", mw[:n_ocr]), ("pages", pg[: n_ocr // 4])):
        e2e[base] = {"original": parse_text_scores(parser, frames)}
        for name, fn in variants.items():
            e2e[base][name] = parse_text_scores(parser, fn(frames))
        e2e[base]["dark"] = parse_text_scores(parser, sets[f"{base}_dark"][: len(frames)])
    result["robustness_parse_text"] = e2e
    log.info("latency (child process)")
    result["latency"] = latency(
        mw[: 10 if args.quick else 40],
        sets["pages_1280x720"][: 5 if args.quick else 20],
        args.threads,
    )
    result["load_average_at_end"] = [round(v, 1) for v in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - t_start, 1)
    emit(result, args.json, indent=1)


if __name__ == "__main__":
    main()
