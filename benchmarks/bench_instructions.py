"""Instruction understanding: how often `parse_instruction` gives the plan a wording means, and
how fast, beside a keyword peer (first verb word + first quoted span), in one run.

Reports, as one JSON object:
- corpus: exact-plan accuracy over tests/perception/instructions/corpus.json, per group
  (MiniWoB wordings, paraphrases, chores), per verb (plans holding that verb, and the share
  of that verb's expected steps found), and the target accuracy on single-step instructions;
- held_out: the same on held_out.json, wordings written before the parser was tuned on them;
- paraphrases: for every MiniWoB wording in the corpus and each of its rewordings
  (benchmarks/data/paraphrases.json via benchmarks/paraphrase.py), the share whose plan
  matches the original's (texts compared case-blind, an unnamed kind matching any, "submit"
  matching a click on Submit, select / check / click alike, a value chosen in a list matching
  a click on it);
- latency: parse time p50/p90 in ms over the corpus (each wording parsed --repeat times);
- with --minilm, the corpus accuracy and latency with the MiniLM embedder as the fallback.

    python -m benchmarks.bench_instructions [--quick] [--minilm] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_report import emit, machine
from benchmarks.paraphrase import count, reword, templates
from perception.instructions import VERBS, parse_instruction

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "perception" / "instructions" / "corpus.json"
HELD_OUT = ROOT / "tests" / "perception" / "instructions" / "held_out.json"
Parser = Callable[[str], list[dict[str, Any]]]

_PEER_VERBS = {
    "click": "click", "press": "click", "hit": "click", "tap": "click", "follow": "click",
    "focus": "click", "type": "type", "enter": "type", "input": "type", "write": "type",
    "fill": "type", "put": "type", "select": "select", "choose": "select", "pick": "select",
    "check": "check", "tick": "check", "mark": "check", "uncheck": "uncheck",
    "untick": "uncheck", "expand": "expand", "open": "expand", "collapse": "collapse",
    "scroll": "scroll", "hover": "hover", "drag": "drag", "read": "read", "find": "read",
    "submit": "submit", "search": "type", "log": "type", "sign": "type",
}  # fmt: skip


def ours(text: str) -> list[dict[str, Any]]:
    """The plan `parse_instruction` gives, as step dicts."""
    return [step.to_dict() for step in parse_instruction(text).steps]


def keyword_peer(text: str) -> list[dict[str, Any]]:
    """A one-step reading: the first verb word the text holds, acting on its first quoted span
    (or, unquoted, on the last capitalised word) — what a single regex would get."""
    words = re.findall(r"[A-Za-z']+", text)
    verb = next((_PEER_VERBS[w.lower()] for w in words if w.lower() in _PEER_VERBS), "click")
    quoted = re.findall(r"[\"“']([^\"”']+)[\"”']", text)
    capitalised = [w for w in words[1:] if w[:1].isupper()]
    label = quoted[0] if quoted else (capitalised[-1] if capitalised else "")
    if verb == "type":
        return [{"verb": "type", "value": label}] if label else [{"verb": "type"}]
    if verb == "submit" or not label:
        return [{"verb": verb}]
    return [{"verb": verb, "target": {"text": label}}]


# ------------------------------------------------------------------------------ scoring
def score(cases: list[dict[str, Any]], parse: Parser) -> dict[str, Any]:
    """Exact-plan accuracy overall, per group and per verb, and single-step target accuracy."""
    by_group: dict[str, list[bool]] = defaultdict(list)
    by_verb: dict[str, list[bool]] = defaultdict(list)
    found: dict[str, list[bool]] = defaultdict(list)
    single: list[bool] = []
    for case in cases:
        got, want = parse(case["text"]), case["steps"]
        ok = got == want
        by_group[case["group"].split(":")[0]].append(ok)
        for verb in {s["verb"] for s in want}:
            by_verb[verb].append(ok)
        for step in want:
            found[step["verb"]].append(step in got)
        if len(want) == 1 and "target" in want[0]:
            single.append(len(got) == 1 and got[0].get("target") == want[0]["target"])
    total = [ok for oks in by_group.values() for ok in oks]
    return {
        "cases": len(total),
        "exact_plan_accuracy": _mean(total),
        "per_group": {
            g: {"cases": len(v), "accuracy": _mean(v)} for g, v in sorted(by_group.items())
        },
        "per_verb": {
            verb: {
                "plans": len(by_verb[verb]),
                "plan_accuracy": _mean(by_verb[verb]),
                "steps": len(found[verb]),
                "steps_found": _mean(found[verb]),
            }
            for verb in VERBS
            if by_verb[verb]
        },
        "single_step_target": {"cases": len(single), "accuracy": _mean(single)},
    }


def _mean(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def _loose(steps: list[dict[str, Any]]) -> list[tuple]:
    """A plan with the distinctions a rewording may blur removed (see the module docstring)."""
    out = []
    for step in steps:
        verb, target = step["verb"], step.get("target") or {}
        if verb == "submit":
            verb, target = "click", {"text": "submit"}
        if verb == "select" and "value" in step:
            target, step = {"text": step["value"]}, {k: v for k, v in step.items() if k != "value"}
        if verb in ("select", "check"):
            verb = "click"
        anchor = (target.get("anchor") or {}).get("text", "").lower()
        out.append((verb, target.get("text", "").lower(), target.get("kind", "any"),
                    target.get("ordinal"), anchor, step.get("value"), step.get("key")))  # fmt: skip
    return out


def _same(a: list[tuple], b: list[tuple]) -> bool:
    return len(a) == len(b) and all(
        x[:2] == y[:2] and x[3:] == y[3:] and "any" in (x[2], y[2]) or x == y
        for x, y in zip(a, b, strict=True)
    )


def paraphrases(cases: list[dict[str, Any]], parse: Parser) -> dict[str, Any]:
    """The share of rewordings whose plan matches the plan of the wording they reword."""
    per_task: dict[str, list[bool]] = defaultdict(list)
    for case in cases:
        group = case["group"]
        if not group.startswith("miniwob:"):
            continue
        task = group.split(":", 1)[1]
        if task not in templates():  # a task the rewordings do not cover (not one of the 30)
            continue
        original = _loose(parse(case["text"]))
        for which in range(count(task)):
            per_task[task].append(_same(_loose(parse(reword(task, case["text"], which))), original))
    every = [ok for oks in per_task.values() for ok in oks]
    return {
        "tasks": len(per_task),
        "rewordings": len(every),
        "same_plan_as_original": _mean(every),
        "per_task": {task: _mean(oks) for task, oks in sorted(per_task.items())},
    }


def latency(cases: list[dict[str, Any]], parse: Parser, repeat: int) -> dict[str, float]:
    """Parse time per wording in ms: the best of `repeat` runs each, then p50 / p90 / max."""
    times = []
    for case in cases:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            parse(case["text"])
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    times.sort()
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p90": times[int(0.9 * (len(times) - 1))],
        "max": times[-1],
    }


def minilm_parser() -> Parser:
    """`ours` with the bundled MiniLM embedder as the fallback for unknown verbs and kinds."""
    from perception.instructions import minilm_similarity

    similarity = minilm_similarity()
    return lambda text: [s.to_dict() for s in parse_instruction(text, similarity).steps]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 8th case, 3 repeats")
    parser.add_argument("--repeat", type=int, default=20, help="parses per wording for latency")
    parser.add_argument("--minilm", action="store_true", help="also run with the MiniLM fallback")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args(argv)
    cases = json.loads(CORPUS.read_text())["cases"]
    held_out = json.loads(HELD_OUT.read_text())["cases"] if HELD_OUT.exists() else []
    repeat = 3 if args.quick else args.repeat
    if args.quick:
        cases = cases[::8]
    print(f"{len(cases)} corpus and {len(held_out)} held-out wordings", file=sys.stderr)
    report: dict[str, Any] = {
        "corpus": score(cases, ours),
        "held_out": score(held_out, ours) if held_out else None,
        "paraphrases": paraphrases(cases, ours),
        "latency_ms": latency(cases, ours, repeat),
        "peer_keyword": {
            "corpus": score(cases, keyword_peer),
            "held_out": score(held_out, keyword_peer) if held_out else None,
            "paraphrases": paraphrases(cases, keyword_peer),
            "latency_ms": latency(cases, keyword_peer, repeat),
        },
        "minilm": None,
        "config": {"quick": args.quick, "repeat": repeat},
        "machine": machine(),
    }
    if args.minilm:
        with_minilm = minilm_parser()
        report["minilm"] = {
            "corpus": score(cases, with_minilm),
            "held_out": score(held_out, with_minilm) if held_out else None,
            "latency_ms": latency(cases, with_minilm, repeat),
        }
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
