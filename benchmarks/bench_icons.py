"""The icon classifier (`perception/screen/icons.py`) on icons it never trained on: Font Awesome
Free (the held-out set, rendered at random sizes, colours, blur and JPEG as in training) and
the MiniWoB icons (a benchmark's own icons: test data only), beside a nearest-template peer
(the normalised ink of every labelled training icon, matched by correlation).

    python -m benchmarks.bench_icons [--json out.json]

Needs the training extra (`pip install handeye[icons]`) and npm to fetch the icon sets once.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_report import emit, machine
from perception.screen.icons import OTHER, WORDS, default_classifier, normalise
from training.train_icons import HELD_OUT, class_of, fetch_sets, miniwob_icons, render_all


def templates(files: list[Path]) -> tuple[np.ndarray, list[str]]:
    """One clean rendering (unit-norm ink, flattened) per labelled training icon."""
    import io

    import resvg_py
    from PIL import Image

    vecs, labels = [], []
    for f in files:
        cls = class_of(f.name)
        if cls is None:
            continue
        svg = f.read_text(errors="replace").replace("currentColor", "#000")
        try:
            png = resvg_py.svg_to_bytes(svg_string=svg, width=24)
        except (ValueError, OSError):
            continue
        alpha = np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))[..., 3]
        page = np.full((alpha.shape[0] + 6, alpha.shape[1] + 6, 3), 255, np.uint8)
        page[3:-3, 3:-3] = (255 - alpha)[..., None]
        v = normalise(page).ravel()
        vecs.append(v / (np.linalg.norm(v) + 1e-6))
        labels.append(cls)
    return np.stack(vecs), labels


def accuracy(predicted: list[str], truth: list[str]) -> float:
    return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/icon-sets")
    parser.add_argument("--renders", type=int, default=3, help="renderings per held-out icon")
    parser.add_argument("--json")
    args = parser.parse_args()
    sets = fetch_sets(Path(args.cache))
    classes = [*WORDS, OTHER]
    held = [(f, str(class_of(f.name))) for f in sets[HELD_OUT] if class_of(f.name)]
    hx, hy = render_all([j for j in held for _ in range(args.renders)], classes, random.Random(1))
    mini = miniwob_icons()
    suites = {
        "held_out_fontawesome": (hx, [classes[i] for i in hy]),
        "miniwob": (np.stack([m[0] for m in mini]), [m[1] for m in mini]),
    }
    train = [f for p, fs in sets.items() if p != HELD_OUT for f in fs]
    bank, bank_labels = templates(train)
    net = default_classifier()
    report: dict[str, object] = {"machine": machine(), "classes": len(classes)}
    for name, (x, truth) in suites.items():
        t0 = time.perf_counter()
        probs = net.probs(x)
        ms = (time.perf_counter() - t0) * 1000 / len(x)
        # Among the known classes: "other" is the classifier's "not one I know".
        known = probs[:, : len(WORDS)]
        ours = [classes[i] for i in known.argmax(axis=1)]
        top3 = [truth[k] in [classes[i] for i in np.argsort(-known[k])[:3]] for k in range(len(x))]
        flat = x.reshape(len(x), -1)
        flat = flat / (np.linalg.norm(flat, axis=1, keepdims=True) + 1e-6)
        peer = [bank_labels[i] for i in (flat @ bank.T).argmax(axis=1)]
        per_class: dict[str, list[bool]] = {}
        for p, t in zip(ours, truth, strict=True):
            per_class.setdefault(t, []).append(p == t)
        report[name] = {
            "n": len(x),
            "classifier_top1": accuracy(ours, truth),
            "classifier_top3": float(np.mean(top3)),
            "nearest_template_top1": accuracy(peer, truth),
            "classifier_ms_per_icon": ms,
            "per_class": {k: float(np.mean(v)) for k, v in sorted(per_class.items())},
        }
    emit(report, args.json)


if __name__ == "__main__":
    main()
