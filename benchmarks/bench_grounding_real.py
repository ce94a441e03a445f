"""The embedded grounder on real web pages: does a person's instruction land inside its target?

Renders the real-page corpus (`training.real_pages`: ARIA Practices examples, Bootstrap, Pico,
GOV.UK Frontend fixtures, water.css and simple.css demos) at 1280x720, light and re-themed
dark, labels every interactive element from the DOM (privileged, for scoring only), and asks
the `house` grounder (`HouseGrounder`: screen parser + instruction planner + step grounding,
pixels only) to place each target from an instruction a person would say (`click the "Email"
field`, `check "Remember me"`, `select from the "Country" dropdown`, `press "Sign in"`). A hit
is a click point inside the target's box (or, for a checkbox or radio, the label that toggles
it). Two peers: the same grounder told only `click "Email"` (the wording of the issue's
first measurement), and the named wording on a parse that read every text on the frame (the
path before the grounder read only the lines a phrase could be, `full_read_*`). Scores per
kind, per site, per theme, for the tuning sites and the
held-out sites (never tuned or trained on) apart, and latency p50/p90 per instruction with
the frame's parse included (each target is what one `handeye ground` call would cost: the
OCR crop cache is emptied before each).

    nice -n 10 python -m benchmarks.bench_grounding_real [--sites govuk,water.css] [--json out]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_report import emit, machine
from training.real_pages import HELD_OUT_SITES, SITES, CorpusServer, RealTarget, prepare, site

log = logging.getLogger("bench_grounding_real")

# How a person names each kind: a few wordings, one chosen per target by a hash of its name.
WORDINGS: dict[str, tuple[str, ...]] = {
    "text_field": ('click the "{}" field', 'click in the "{}" box'),
    "password": ('click the "{}" field',),
    "date_field": ('click the "{}" date field',),
    "text_area": ('click the "{}" text area', 'click in the "{}" box'),
    "checkbox": ('check "{}"', 'tick the "{}" checkbox'),
    "radio": ('select the "{}" radio button', 'choose the "{}" option'),
    "dropdown": ('select from the "{}" dropdown', 'open the "{}" dropdown'),
    "button": ('press "{}"', 'click the "{}" button'),
    "icon_button": ('click the "{}" button',),
    "link": ('click the "{}" link', 'follow the "{}" link'),
    "tab": ('open the "{}" tab', 'click the "{}" tab'),
    "menu_item": ('click the "{}" menu item',),
    "list_option": ('select the "{}" option',),
    "slider": ('click the "{}" slider',),
}


def instruction_for(target: RealTarget) -> str:
    """The person-like instruction for `target` (stable across runs)."""
    options = WORDINGS[target.kind]
    pick = int(hashlib.sha1(target.name.encode()).hexdigest(), 16) % len(options)
    return options[pick].format(target.name)


@dataclass(frozen=True)
class Outcome:
    """One target tried: where it came from, whether each wording hit, and the cost."""

    site: str
    split: str
    theme: str
    kind: str
    named_hit: bool
    bare_hit: bool
    parsed: bool  # some parsed element's box holds the target's centre (perception found it)
    latency_s: float
    full_hit: bool  # the peer: the named wording on a parse that read every text
    full_latency_s: float


def _hit(grounding: Any, target: RealTarget) -> bool:
    return bool(grounding.points) and target.contains(grounding.points[0].x, grounding.points[0].y)


def try_frame(
    grounder: Any, frame: Any, split: str, misses: list[dict[str, Any]] | None = None
) -> list[Outcome]:
    """Ground each target of the frame as one `handeye ground` call would (the frame's layout
    is found once and counted in each target's latency; the text is read afresh per target),
    and, as the peer, on one full parse of the frame (every text read, the earlier default).
    Misses are described into `misses` when it is given."""
    parser = grounder.parser
    parser.forget_text()
    full = parser.parse(frame.image)
    out = []
    for t in frame.targets:
        instruction = instruction_for(t)
        peer = grounder.ground_parsed(frame.image, full, instruction)
        parser.forget_text()
        named = grounder.ground(frame.image, instruction)
        bare = grounder.ground(frame.image, f'click "{t.name}"')
        cx, cy = (t.box[0] + t.box[2]) / 2, (t.box[1] + t.box[3]) / 2
        if misses is not None and not _hit(named, t):
            misses.append(describe_miss(frame, t, instruction, named, full, (cx, cy)))
        out.append(
            Outcome(
                frame.site,
                split,
                frame.theme,
                t.kind,
                _hit(named, t),
                _hit(bare, t),
                any(e.box[0] <= cx <= e.box[2] and e.box[1] <= cy <= e.box[3] for e in full),
                named.latency_s,
                _hit(peer, t),
                peer.latency_s,
            )
        )
    return out


def describe_miss(
    frame: Any, target: RealTarget, instruction: str, grounding: Any, full: Any, centre: Any
) -> dict[str, Any]:
    """What a miss asked for, where it clicked, and what the full parse holds at the target."""
    cx, cy = centre
    under = [
        e.describe() + f" box {e.box}"
        for e in full
        if e.box[0] <= cx <= e.box[2] and e.box[1] <= cy <= e.box[3]
    ]
    point = grounding.points[0] if grounding.points else None
    return {
        "site": frame.site,
        "page": frame.page,
        "scroll": frame.scroll,
        "theme": frame.theme,
        "kind": target.kind,
        "name": target.name,
        "instruction": instruction,
        "box": [round(v) for v in target.box],
        "clicked": [point.x, point.y] if point else None,
        "candidates": grounding.raw_text.splitlines(),
        "parse_at_target": under,
    }


def rate(rows: list[Outcome], attr: str = "named_hit") -> dict[str, Any]:
    hits = sum(getattr(r, attr) for r in rows)
    return {"n": len(rows), "hit": round(100.0 * hits / max(1, len(rows)), 1)}


def summary(rows: list[Outcome]) -> dict[str, Any]:
    """Scores of `rows`: overall, the peer wording, per kind, per site, and how misses split."""
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    by_site: dict[str, list[Outcome]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r)
        by_site[r.site].append(r)
    misses = [r for r in rows if not r.named_hit]
    return {
        **rate(rows),
        "full_read_peer": rate(rows, "full_hit")["hit"],
        "bare_click_peer": rate(rows, "bare_hit")["hit"],
        "kind_mean": round(
            float(np.mean([rate(v)["hit"] for v in by_kind.values()])) if by_kind else 0.0, 1
        ),
        "per_kind": {k: rate(v) for k, v in sorted(by_kind.items())},
        "per_site": {k: rate(v) for k, v in sorted(by_site.items())},
        "misses": {
            "not_in_parse": sum(not r.parsed for r in misses),
            "in_parse_not_chosen": sum(r.parsed for r in misses),
        },
    }


def save_miss_frame(folder: str, frame: Any, missed: list[dict[str, Any]]) -> None:
    """Save the frame of some misses as PNG, named in each miss's "frame"."""
    from PIL import Image

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    page = frame.page.strip("/").replace(".html", "")
    page = "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in page)
    name = f"{frame.site}_{page}_{frame.scroll}_{frame.theme}.png"
    Image.fromarray(frame.image).save(out / name)
    for m in missed:
        m["frame"] = name


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", default=",".join(s.name for s in SITES))
    ap.add_argument("--themes", default="light,dark")
    ap.add_argument("--json", default=None, help="also write the report here")
    ap.add_argument("--max-frames", type=int, default=8, help="frames per page and theme")
    ap.add_argument("--ocr", default="auto", help="the parser's OCR engine")
    ap.add_argument(
        "--misses",
        default=None,
        help="write the tuning sites' misses (what was asked, clicked, parsed) and their "
        "frames here (a folder); held-out misses are never written, so nobody tunes on them",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

    from rich.console import Console
    from rich.progress import Progress

    from perception.screen.house_grounder import HouseGrounder
    from training.real_pages import render_site

    sites = tuple(site(n) for n in args.sites.split(","))
    themes = tuple(args.themes.split(","))
    prepare(sites)
    rows: list[Outcome] = []
    frames = 0
    misses: list[dict[str, Any]] = []
    with (
        HouseGrounder(ocr=args.ocr) as grounder,
        CorpusServer() as server,
        Progress(console=Console(stderr=True)) as bar,
    ):
        task = bar.add_task("real pages", total=len(sites))
        for s in sites:
            split = "held_out" if s.name in HELD_OUT_SITES else "tune"
            for frame in render_site(s, server, themes, args.max_frames):
                frames += 1
                keep = misses if args.misses and split == "tune" else None
                before = len(misses)
                rows.extend(try_frame(grounder, frame, split, keep))
                if len(misses) > before:
                    save_miss_frame(args.misses, frame, misses[before:])
            bar.advance(task)
    report: dict[str, Any] = {"bench": "grounding_real", "frames": frames, "targets": len(rows)}
    for split in ("held_out", "tune"):
        for theme in themes:
            part = [r for r in rows if r.split == split and r.theme == theme]
            if part:
                report[f"{split}_{theme}"] = summary(part)
    light = [r for r in rows if r.theme == "light"] or rows
    for name, attr in (("latency_ms_1280x720", "latency_s"), ("full_read_ms", "full_latency_s")):
        values = [getattr(r, attr) for r in light]
        report[name] = {
            "p50": round(1000 * float(np.percentile(values, 50)), 1),
            "p90": round(1000 * float(np.percentile(values, 90)), 1),
        }
    report["held_out_sites"] = list(HELD_OUT_SITES)
    if args.misses:
        (Path(args.misses) / "misses.json").write_text(json.dumps(misses, indent=1))
    report["machine"] = machine()
    emit(report, args.json)
    return report


if __name__ == "__main__":
    main()
