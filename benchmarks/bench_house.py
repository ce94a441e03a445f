"""The `house` browser policy on MiniWoB tasks: success, latency, memory, failure causes.

One `PlanWebPolicy` (the house browser policy; pixels only; its parser loads once) runs seeded
episodes of each task (the 30 below by default, or `--tasks all`: every task the `miniwob`
package ships, with means over all, over the 30 and over the others) in
each robustness variant: plain, frames resized x0.75 / x1.5 and JPEG quality 30
(`envs.wrappers.frame_transforms`), and the env's dark theme. Variants interleave seed by seed,
so load from other work hits them alike. The policy gets `obs` and `{"error"}` only; the DOM in
`info` serves evaluation alone: each failed episode is attributed to perception, grounding or
planning (`house_attribution.py` beside this script), or to the page's timer when it ran out
mid-plan, with one example frame per cause and variant drawn into --out together with an HTML
summary. Policy latency per step (the policy's own
`last_extra`) is measured on MiniWoB frames and on 1280x720 generated pages; peak RSS of this
process via psutil / VmHWM. One JSON object goes to stdout (progress to stderr).

    python -m benchmarks.bench_house [--episodes 50 | --quick] [--tasks a,b | all] [--variants v]
"""

from __future__ import annotations

import argparse
import datetime
import html
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks import paraphrase
from benchmarks.bench_report import emit, machine
from benchmarks.house_attribution import Attribution, example_image, needed_elements

TASKS = (
    "click-button", "click-link", "click-dialog", "click-dialog-2", "click-tab", "click-tab-2",
    "click-checkboxes", "click-option", "click-widget", "click-test", "click-test-2",
    "click-collapsible", "click-collapsible-2", "click-menu", "click-scroll-list", "enter-text",
    "enter-text-dynamic", "enter-password", "enter-date", "focus-text", "focus-text-2",
    "login-user", "navigate-tree", "use-autocomplete", "choose-list", "search-engine",
    "email-inbox", "social-media", "find-word", "read-table",
)  # fmt: skip
VARIANTS = ("plain", "x0.75", "x1.5", "jpeg30", "dark")
POLICY = "policies.house.web.plan_policy:PlanWebPolicy"  # the house browser policy
CAUSES = ("perception", "grounding", "planning", "timeout", "policy_error")
TARGETS = {
    "mean_success": 0.90,
    "miniwob_policy_p50_ms": 150.0,
    "page_1280x720_policy_p50_ms": 600.0,
    "peak_rss_mb": 1536.0,
    "variant_drop_points": 10.0,
}
LARGE_INSTRUCTION = 'Click on the "Save" button.'
MB = 1024 * 1024

console = Console(stderr=True)


# ------------------------------------------------------------------------------ envs
def make_env(task: str, variant: str, max_steps: int) -> Any:
    """The task's env as the variant shows it (a frame wrapper, or the dark theme option)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the handeye ids
    from envs.wrappers.frame_transforms import JpegFrames, ResizeFrames

    env = gym.make(
        f"handeye/miniwob-{task}-v0", max_episode_steps=max_steps, dark_theme=variant == "dark"
    )
    if variant.startswith("x"):
        return ResizeFrames(env, float(variant[1:]))
    if variant.startswith("jpeg"):
        return JpegFrames(env, int(variant[4:]))
    return env


def screen_scale(env: Any) -> tuple[float, float]:
    return getattr(env, "screen_scale", (1.0, 1.0))


# ------------------------------------------------------------------------- episodes
def run_episode(
    env: Any, policy: Any, seed: int, task: str = "", reword: int | None = None
) -> dict[str, Any]:
    """One episode with the policy seeing obs + {"error"} only; privileged DOM for attribution.
    With `reword`, the policy is told the task in that paraphrase instead of the page's words."""
    from agent.session import visible_info
    from contracts.actions import format_action

    obs, info = env.reset(seed=seed)
    instruction = obs["instruction"]
    said = instruction if reword is None else paraphrase.reword(task, instruction, reword)
    policy.reset(said)
    attribution = Attribution()
    frames: list[tuple[np.ndarray, Any, list[tuple[int, int]]]] = []
    row: dict[str, Any] = {"seed": seed, "instruction": said, "success": False}
    timings: list[tuple[float, float]] = []
    skill, error = None, None
    while True:
        step = len(frames)
        try:
            action = policy.act({**obs, "instruction": said}, visible_info(policy, info))
        except (
            Exception
        ) as exc:  # a policy bug must not end the run: the episode is recorded as such
            error = f"{type(exc).__name__}: {exc}"
            frames.append((obs["screen"], None, []))
            break
        extra = dict(policy.last_extra)
        skill = extra.get("skill", skill)
        timings.append((float(extra.get("policy_ms", 0.0)), float(extra.get("parse_ms", 0.0))))
        frames.append((obs["screen"], policy.last_parse, action.points()))
        privileged = info.get("privileged") or {}
        if privileged.get("dom") is not None:
            needed = needed_elements(
                privileged["dom"],
                instruction,
                obs["screen"],
                screen_scale(env),
                privileged.get("fields"),
            )
            attribution.add_step(step, needed, policy.last_parse, action.points())
        row["last_action"] = format_action(action)
        obs, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            row["success"] = bool(info.get("success"))
            row["reason"] = info.get("reason")
            break
    row.update(steps=len(timings), skill=skill, timings=timings)
    row["needed"] = {k: [t.visible, t.perceived] for k, t in attribution.tallies.items()}
    if not row["success"]:
        row["cause"] = "policy_error" if error else attribution.cause()
        if not error and row.get("reason") == "timed out":  # the page's own timer, mid-plan
            row["cause"] = "timeout"
        row["missed"] = attribution.never_perceived()
        if error:
            row["error"] = error
        row["example"] = _example(frames, attribution, row)
    return row


def _example(frames: list, attribution: Attribution, row: dict[str, Any]) -> dict[str, Any]:
    """The frame that shows the failure: the first miss of a never-perceived element, else the
    last frame the policy acted on."""
    missed = [attribution.tallies[k] for k in row["missed"]]
    if row["cause"] == "perception":
        step = min(t.first_missed_step for t in missed)
        boxes = [t.box for t in missed if t.first_missed_step == step]
    else:
        step, boxes = len(frames) - 1, []
    frame, parse, points = frames[step]
    return {"step": step, "frame": frame, "parse": parse, "boxes": boxes, "points": points}


# ------------------------------------------------------------------------- latency
def percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    a = np.asarray(values, float)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(a, 50)), 1),
        "p90": round(float(np.percentile(a, 90)), 1),
        "mean": round(float(a.mean()), 1),
    }


def large_page_latency(policy: Any, n: int) -> dict[str, Any]:
    """Policy ms per step on `n` 1280x720 generated pages (all templates, seeds from 0)."""
    from training.page_generator import TEMPLATES
    from training.screen_data import render_pages

    templates = sorted(TEMPLATES)
    seeds = range(-(-(n + 1) // len(templates)))
    pages = render_pages(templates, seeds, viewport=(1280, 720, 1.0))
    frames = [f.image for f in pages][: n + 1]
    policy.reset(LARGE_INSTRUCTION)
    # warm-up on a page not measured (the OCR cache would serve a measured page's crops)
    policy.act({"screen": frames.pop(), "instruction": LARGE_INSTRUCTION})
    rows = []
    for frame in frames:
        policy.reset(LARGE_INSTRUCTION)
        policy.act({"screen": frame, "instruction": LARGE_INSTRUCTION})
        rows.append((policy.last_extra["policy_ms"], policy.last_extra["parse_ms"]))
    return {
        "frames": len(rows),
        "shape": list(frames[0].shape[:2]),
        "policy_ms": percentiles([r[0] for r in rows]),
        "parse_ms": percentiles([r[1] for r in rows]),
    }


def rss_sample() -> tuple[float, float]:
    """RSS in MB of this process and of its descendants (the browser and its driver)."""
    import psutil

    me = psutil.Process()
    children = 0
    for child in me.children(recursive=True):
        try:
            children += child.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return me.memory_info().rss / MB, children / MB


def memory(samples: list[tuple[float, float]]) -> dict[str, Any]:
    """Peak RSS of this process (VmHWM, or the largest psutil sample) and of the browser side."""
    peak = max((s[0] for s in samples), default=0.0)
    try:
        with open("/proc/self/status") as status:
            hwm = next(line for line in status if line.startswith("VmHWM"))
        peak = max(peak, int(hwm.split()[1]) / 1024)
    except (OSError, StopIteration):
        pass
    browser = max((s[1] for s in samples), default=0.0)
    return {"peak_rss_mb": round(peak, 1), "browser_side_rss_mb_max_sampled": round(browser, 1)}


# -------------------------------------------------------------------------- report
def summarise(rows: list[dict[str, Any]], tasks: list[str], variants: list[str]) -> dict[str, Any]:
    """Success per task and variant, means, drops vs plain, failure counts, latency."""
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["variant"], r["task"]].append(r)
    success = {
        v: {t: statistics.fmean(r["success"] for r in by[v, t]) for t in tasks if by[v, t]}
        for v in variants
    }
    mean = {v: statistics.fmean(s.values()) if s else 0.0 for v, s in success.items()}
    groups = {v: task_groups(s) for v, s in success.items()}
    failures = {
        v: {t: {c: sum(r.get("cause") == c for r in by[v, t]) for c in CAUSES} for t in tasks}
        for v in variants
    }
    totals = {v: {c: sum(f[c] for f in failures[v].values()) for c in CAUSES} for v in variants}
    robustness = {}
    for v in variants:
        row: dict[str, Any] = {"mean_success": round(mean[v], 4)}
        if "plain" in mean and v != "plain":
            row["drop_points_vs_plain"] = round(100 * (mean["plain"] - mean[v]), 1)
            row["meets_target"] = row["drop_points_vs_plain"] <= TARGETS["variant_drop_points"]
        robustness[v] = row
    latency = {}
    for v in variants:
        steps = [t for r in rows if r["variant"] == v for t in r["timings"]]
        latency[v] = {
            "policy_ms": percentiles([s[0] for s in steps]),
            "parse_ms": percentiles([s[1] for s in steps]),
        }
    return {
        "success": {v: {t: round(x, 4) for t, x in s.items()} for v, s in success.items()},
        "mean_success": {v: round(x, 4) for v, x in mean.items()},
        "mean_success_by_group": groups,
        "robustness": robustness,
        "failures": failures,
        "failures_total": totals,
        "latency_miniwob_ms": latency,
    }


def task_groups(success: dict[str, float]) -> dict[str, Any]:
    """Mean success over all tasks run, over those of the 30 (`TASKS`) and over the others."""
    out: dict[str, Any] = {}
    for name, keep in (("all", None), ("the_30", True), ("others", False)):
        rates = [x for t, x in success.items() if keep is None or (t in TASKS) == keep]
        out[name] = {
            "tasks": len(rates),
            "mean": round(statistics.fmean(rates), 4) if rates else None,
        }
    return out


def every_task() -> list[str]:
    """Every MiniWoB task the `miniwob` package ships, as handeye registers them."""
    from envs.miniwob import all_tasks

    return sorted(all_tasks())


def save_example(row: dict[str, Any], out: Path, seen: set[tuple[str, str]]) -> dict | None:
    """Draw a failed episode's frame to PNG if it is the first of its (variant, cause); the
    frame is dropped from `row` either way, so a long run holds no frames."""
    from PIL import Image

    ex = row.pop("example", None)
    if ex is None or (row["variant"], row["cause"]) in seen:
        return None
    seen.add((row["variant"], row["cause"]))
    image = example_image(ex["frame"], ex["parse"], ex["boxes"], ex["points"])
    name = f"{row['cause']}_{row['variant']}_{row['task']}_seed{row['seed']}.png"
    Image.fromarray(image).save(out / name)
    keys = ("cause", "variant", "task", "seed", "instruction", "skill", "missed")
    return {
        "file": name,
        **{k: row[k] for k in keys},
        "step": ex["step"],
        "last_action": row.get("last_action"),
        "error": row.get("error"),
    }


def write_html(report: dict[str, Any], examples: list[dict[str, Any]], out: Path) -> None:
    """summary.html: the success table (failures by cause per cell) and the example frames."""
    variants, tasks = report["config"]["variants"], report["config"]["tasks"]
    s, f = report["summary"]["success"], report["summary"]["failures"]
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variants)
    body = []
    for t in tasks:
        cells = []
        for v in variants:
            if t not in s[v]:
                cells.append("<td>-</td>")
                continue
            c = f[v][t]
            cells.append(
                f"<td>{100 * s[v][t]:.0f}% <small>P{c['perception']} G{c['grounding']} "
                f"L{c['planning']} T{c['timeout']} E{c['policy_error']}</small></td>"
            )
        body.append(f"<tr><td>{html.escape(t)}</td>{''.join(cells)}</tr>")
    means = "".join(
        f"<td><b>{100 * report['summary']['mean_success'][v]:.1f}%</b></td>" for v in variants
    )
    figs = []
    for e in examples:
        what = f"missed: {', '.join(e['missed'])}" if e["missed"] else f"action: {e['last_action']}"
        if e["error"]:
            what = f"error: {e['error']}"
        figs.append(
            f"<figure><img src='{html.escape(e['file'])}'><figcaption><b>{e['cause']}</b> "
            f"{html.escape(e['variant'])} {html.escape(e['task'])} seed {e['seed']} step "
            f"{e['step']} (skill {html.escape(str(e['skill']))})<br>"
            f"{html.escape(e['instruction'])}<br>{html.escape(what)}</figcaption></figure>"
        )
    page = f"""<!doctype html><meta charset="utf-8"><title>house policy (issue 8)</title>
<style>body{{font-family:sans-serif}} td,th{{padding:2px 8px;border-bottom:1px solid #ddd}}
figure{{display:inline-block;vertical-align:top;width:520px}} img{{max-width:500px}}</style>
<h1>house policy on MiniWoB</h1><p>{html.escape(report["command"])} &mdash; {report["date"]}.
Cells: success; failures by cause (P perception, G grounding, L planning, T the page's timer,
E policy error).
Example frames: parse drawn as numbered boxes, missed needed elements in yellow, the last
action as a red cross.</p><table><tr><th>task</th>{head}</tr>{"".join(body)}
<tr><td><b>mean</b></td>{means}</tr></table>
<h2>Examples</h2>{"".join(figs) or "<p>no failures</p>"}"""
    (out / "summary.html").write_text(page)


# ---------------------------------------------------------------------------- main
def out_folder(out: Path | None) -> Path:
    """`out`, made if missing; without one a fresh folder per run under the system temp dir,
    so two runs side by side never write over each other's episodes."""
    if out is None:
        return Path(tempfile.mkdtemp(prefix="handeye_bench_house_"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, help="seeded episodes per task and variant (50)")
    parser.add_argument("--quick", action="store_true", help="5 episodes, 5 large pages")
    parser.add_argument("--seed", type=int, default=0, help="first episode seed")
    parser.add_argument(
        "--tasks", default=",".join(TASKS), help="comma-separated, or 'all' (every MiniWoB task)"
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"of {','.join(VARIANTS)}")
    parser.add_argument("--max-steps", type=int, default=30, help="TimeLimit per episode")
    parser.add_argument("--large-frames", type=int, help="1280x720 pages to time (20; 0 skips)")
    parser.add_argument(
        "--out", type=Path, help="folder for episodes, examples and HTML (a fresh temp folder)"
    )
    parser.add_argument("--json", type=Path, help="also write the JSON result here")
    parser.add_argument(
        "--reword", type=int, help="tell the policy the task in paraphrase N (data/paraphrases)"
    )
    args = parser.parse_args(argv)
    episodes = args.episodes if args.episodes is not None else (5 if args.quick else 50)
    large = args.large_frames if args.large_frames is not None else (5 if args.quick else 20)
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if tasks == ["all"]:
        tasks = every_task()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants or not tasks or episodes < 1:
        parser.error(f"need tasks, episodes >= 1 and variants of {VARIANTS}; bad: {unknown}")
    args.out = out_folder(args.out)
    console.log(f"writing episodes, examples and summary.html to {args.out}")

    started, load = time.perf_counter(), os.getloadavg()
    t0 = time.perf_counter()
    module, name = POLICY.split(":")
    policy = getattr(importlib.import_module(module), name)()
    load_s = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    rss: list[tuple[float, float]] = []
    examples: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    episodes_path = args.out / "episodes.jsonl"
    with Progress(*columns, console=console) as progress, episodes_path.open("w") as log:
        bar = progress.add_task("episodes", total=len(tasks) * len(variants) * episodes)
        for task in tasks:
            env_by_variant = {v: make_env(task, v, args.max_steps) for v in variants}
            try:
                for seed in range(args.seed, args.seed + episodes):
                    for variant, env in env_by_variant.items():
                        result = run_episode(env, policy, seed, task, args.reword)
                        row = {"task": task, "variant": variant, **result}
                        example = save_example(row, args.out, seen)
                        if example is not None:
                            examples.append(example)
                        rows.append(row)
                        log.write(json.dumps({k: v for k, v in row.items() if k != "timings"}))
                        log.write("\n")
                        log.flush()
                        progress.advance(bar)
                    rss.append(rss_sample())
            finally:
                for env in env_by_variant.values():
                    env.close()
            done = [r for r in rows if r["task"] == task]
            rates = " ".join(
                f"{v} {sum(r['success'] for r in done if r['variant'] == v)}/{episodes}"
                for v in variants
            )
            progress.console.log(f"{task}: {rates}")
        large_latency = None
        if large > 0:
            progress.update(bar, description=f"{large} pages at 1280x720")
            try:
                large_latency = large_page_latency(policy, large)
            except Exception as exc:  # keep the episodes measured so far
                large_latency = {"error": f"{type(exc).__name__}: {exc}"}
    summary = summarise(rows, tasks, variants)
    mem = memory(rss)
    policy.close()
    plain = summary["latency_miniwob_ms"].get("plain", {}).get("policy_ms", {})
    checks = {
        "mean_success": summary["mean_success"].get("plain", 0.0) >= TARGETS["mean_success"],
        "miniwob_policy_p50_ms": plain.get("p50", float("inf")) <= TARGETS["miniwob_policy_p50_ms"],
        "peak_rss_mb": mem["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
    }
    if large_latency and "error" not in large_latency:
        checks["page_1280x720_policy_p50_ms"] = (
            large_latency["policy_ms"]["p50"] <= TARGETS["page_1280x720_policy_p50_ms"]
        )
    drops = [r["meets_target"] for r in summary["robustness"].values() if "meets_target" in r]
    if drops:
        checks["variant_drop_points"] = all(drops)
    report: dict[str, Any] = {
        "benchmark": "house_policy",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "-m", "benchmarks.bench_house", *(argv or sys.argv[1:])]),
        "machine": machine(load_average_at_start=[round(v, 1) for v in load]),
        "config": {
            "policy": POLICY,
            "reword": args.reword,
            "episodes": episodes,
            "seeds": [args.seed, args.seed + episodes - 1],
            "tasks": tasks,
            "variants": variants,
            "max_steps": args.max_steps,
            "out": str(args.out),
        },
        "policy_load_s": round(load_s, 2),
        "summary": summary,
        "latency_page_1280x720_ms": large_latency,
        "memory": mem,
        "targets": TARGETS,
        "meets_targets": checks,
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    report["examples"] = examples
    write_html(report, examples, args.out)
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
