"""Env throughput and memory: handeye's MiniWoB env vs Farama's `miniwob` env, in one run.

The same privileged expert (`policies.experts.miniwob.MiniWoBExpert`) solves both envs;
Farama's observations and actions go through the adapter in `farama_peer.py` beside this
script. Episodes of the envs are interleaved so that load from other work on the machine
hits every env alike. One JSON object goes to stdout, progress to stderr.

    python -m benchmarks.bench_env [--episodes 50] [--tasks click-button,enter-text]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.bench_report import emit
from benchmarks.bench_report import machine as machine_block
from benchmarks.cdp_floor import CDP_FLOOR, CDP_FLOOR_PIPELINED
from contracts.timing import env_timings

DEFAULT_TASKS = ("click-button", "click-link", "click-checkboxes", "enter-text", "focus-text")
# Eight different tasks held open at once for the memory measurement.
MEMORY_TASKS = DEFAULT_TASKS + ("click-dialog", "click-test", "enter-password")
MAX_STEPS = 30  # both envs are wrapped in gymnasium's TimeLimit with this many steps
TARGET_RATIO = 3.0
HANDEYE, HANDEYE_NO_FINAL, FARAMA = "handeye", "handeye_no_final_frame", "farama"
# "handeye" is the env as made by default (frames="auto": BeginFrame pages on the headless shell)
HANDEYE_BEGIN = "handeye_begin_frame"  # the env with frames="begin" (frames drawn on demand)
HANDEYE_CLOCK = "handeye_clock"  # the env with frames="clock" (Chromium's 60 Hz clock)
HANDEYE_KINDS = (HANDEYE, HANDEYE_NO_FINAL, HANDEYE_BEGIN, HANDEYE_CLOCK)
# handeye's page protocol over a bare websocket, one reply at a time / pipelined
FLOORS = (CDP_FLOOR, CDP_FLOOR_PIPELINED)
MB = 1024 * 1024

console = Console(stderr=True)


# ---------------------------------------------------------------- the envs under test
class HandeyeSide:
    """handeye's env through `gymnasium.make`, with its own phase timings collected."""

    def __init__(self, task: str, kind: str = HANDEYE) -> None:
        import gymnasium as gym

        import envs  # noqa: F401 - registers the handeye/* ids

        self.name = kind
        config: dict[str, Any] = {"capture_final_frame": kind != HANDEYE_NO_FINAL}
        if kind in (HANDEYE_BEGIN, HANDEYE_CLOCK):
            config["frames"] = "begin" if kind == HANDEYE_BEGIN else "clock"
        self.env = gym.make(f"handeye/miniwob-{task}-v0", **config)
        self.phases: dict[str, float] = {}

    def reset(self, seed: int) -> tuple[dict[str, Any], dict[str, Any], float]:
        t0 = time.perf_counter()
        obs, info = self.env.reset(seed=seed)
        env_s = time.perf_counter() - t0
        capture = env_timings(self.env).get("capture", 0.0)
        self._add("reset_capture", capture)
        self._add("reset_start_episode", env_s - capture)
        return obs, info, env_s

    def step(self, action: Any) -> tuple[dict[str, Any], dict[str, Any], bool, bool, float]:
        t0 = time.perf_counter()
        obs, _, terminated, truncated, info = self.env.step(action)
        env_s = time.perf_counter() - t0
        timings = env_timings(self.env)
        act, capture = timings.get("act", 0.0), timings.get("capture", 0.0)
        self._add("step_act", act)
        if "capture_and_state" in timings:  # frames="begin": one round trip for both
            capture = timings["capture_and_state"]
            self._add("step_capture_and_state", capture)
        else:
            self._add("step_capture", capture)
        # the rest: reading reward + DOM in one evaluate, building info, gymnasium wrappers
        self._add("step_state_and_info", env_s - act - capture)
        return obs, info, terminated or truncated, bool(info.get("success")), env_s

    def _add(self, phase: str, seconds: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds

    def close(self) -> None:
        self.env.close()


def make_side(kind: str, task: str) -> Any:
    if kind == FARAMA:
        from benchmarks.farama_peer import FaramaSide

        return FaramaSide(task, MAX_STEPS)
    if kind in FLOORS:
        from benchmarks.cdp_floor import CdpFloorSide

        return CdpFloorSide(task, MAX_STEPS, pipelined=kind == CDP_FLOOR_PIPELINED)
    return HandeyeSide(task, kind)


def make_expert() -> Any:
    from policies.experts.miniwob import MiniWoBExpert

    return MiniWoBExpert()


# ---------------------------------------------------------------------- measuring
@dataclass
class SideStats:
    """What one env did over the measured episodes of one task."""

    episodes: int = 0
    successes: int = 0
    wall_s: float = 0.0
    env_s: float = 0.0
    policy_s: float = 0.0
    reset_s: list[float] = field(default_factory=list)
    step_s: list[float] = field(default_factory=list)

    def summary(self, phases: dict[str, float]) -> dict[str, Any]:
        """Rates and means; `phases` (handeye only) are split per reset or per step."""
        n_resets, n_steps = len(self.reset_s), len(self.step_s)
        out = {
            "episodes": self.episodes,
            "success_rate": self.successes / self.episodes,
            "episodes_per_s": self.episodes / self.wall_s,
            "env_only_episodes_per_s": self.episodes / self.env_s,
            "reset_ms_mean": 1000 * statistics.fmean(self.reset_s),
            "step_ms_mean": 1000 * statistics.fmean(self.step_s),
            "step_ms_median": 1000 * statistics.median(self.step_s),
            "steps_per_episode": n_steps / self.episodes,
            "policy_ms_per_step": 1000 * self.policy_s / n_steps,
        }
        if phases:
            out["phases_ms_mean"] = {
                name: 1000 * s / (n_resets if name.startswith("reset") else n_steps)
                for name, s in sorted(phases.items())
            }
        return out


def run_episode(side: Any, policy: Any, seed: int, stats: SideStats | None) -> None:
    """Reset, then step with the expert until the episode ends; record into `stats`."""
    t0 = time.perf_counter()
    obs, info, env_s = side.reset(seed)
    resets, steps = [env_s], []
    policy.reset(info["instruction"])
    policy_s, finished, success = 0.0, False, False
    while not finished:
        tp = time.perf_counter()
        action = policy.act(obs, info)
        policy_s += time.perf_counter() - tp
        obs, info, finished, success, env_s = side.step(action)
        steps.append(env_s)
    if stats is not None:
        stats.wall_s += time.perf_counter() - t0
        stats.episodes += 1
        stats.successes += success
        stats.policy_s += policy_s
        stats.env_s += sum(resets) + sum(steps)
        stats.reset_s += resets
        stats.step_s += steps


def bench_task(task: str, kinds: list[str], episodes: int, warmup: int) -> dict[str, Any]:
    """Interleave the envs episode by episode on one task, after a few warm-up episodes each."""
    sides = []
    try:
        for kind in kinds:
            t0 = time.perf_counter()
            sides.append(make_side(kind, task))
            console.log(f"{task}: made {kind} in {time.perf_counter() - t0:.2f} s")
        policies = {side.name: make_expert() for side in sides}
        for w in range(warmup):
            for side in sides:
                run_episode(side, policies[side.name], 100_000 + w, None)
        for side in sides:
            side.phases.clear()
        stats = {side.name: SideStats() for side in sides}
        for i in range(episodes):
            k = i % len(sides)
            for side in sides[k:] + sides[:k]:  # rotate who goes first
                run_episode(side, policies[side.name], i, stats[side.name])
        result = {side.name: stats[side.name].summary(side.phases) for side in sides}
    finally:
        for side in sides:
            side.close()
    if FARAMA in result:
        far = result[FARAMA]["episodes_per_s"]
        result["ratio"] = {k: result[k]["episodes_per_s"] / far for k in result if k != FARAMA}
        far_env = result[FARAMA]["env_only_episodes_per_s"]
        result["env_only_ratio"] = {
            k: result[k]["env_only_episodes_per_s"] / far_env
            for k in result
            if k not in (FARAMA, "ratio")
        }
    return result


def tree_memory() -> dict[str, Any]:
    """RSS and PSS of this process plus all its descendants (browsers, drivers)."""
    import psutil

    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    rss = pss = child_rss = 0
    counted = 0
    for p in procs:
        try:
            mem = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        counted += 1
        rss += mem.rss
        pss += getattr(mem, "pss", mem.rss)
        if p.pid != me.pid:
            child_rss += mem.rss
    return {
        "processes": counted,
        "total_rss_mb": rss / MB,
        "total_pss_mb": pss / MB,
        "browser_side_rss_mb": child_rss / MB,
        "python_rss_mb": (rss - child_rss) / MB,
    }


def memory_worker(kind: str, n: int) -> dict[str, Any]:
    """Open n envs on n different tasks, reset and step each, then measure the process tree."""
    sides = []
    try:
        for task in MEMORY_TASKS[:n]:
            side = make_side(kind, task)
            sides.append(side)
            obs, info, _ = side.reset(0)
            policy = make_expert()
            policy.reset(info["instruction"])
            side.step(policy.act(obs, info))
        time.sleep(1.0)  # let freshly started renderer processes settle
        mem = tree_memory()
    finally:
        for side in sides:
            side.close()
    mem["envs"] = len(sides)
    mem["tasks"] = list(MEMORY_TASKS[:n])
    mem["per_env_rss_mb"] = mem["total_rss_mb"] / len(sides)
    mem["per_env_pss_mb"] = mem["total_pss_mb"] / len(sides)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in mem.items()}


def bench_memory(kinds: list[str], n: int, farama_flags: str) -> dict[str, Any]:
    """Each kind in a fresh interpreter, so that one's browsers never count for the other."""
    out: dict[str, Any] = {"envs": n}
    for kind in kinds:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.bench_env",
            "--memory-worker",
            kind,
            "--memory-envs",
            str(n),
        ]
        cmd += ["--farama-flags", farama_flags]
        console.log(f"memory: {n} {kind} envs at once")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"memory worker for {kind} failed:\n{done.stderr[-3000:]}")
        out[kind] = json.loads(done.stdout)
    if FARAMA in out and HANDEYE in out:
        out["farama_over_handeye"] = {
            k: round(out[FARAMA][k] / out[HANDEYE][k], 2) for k in ("total_rss_mb", "total_pss_mb")
        }
    return out


# ------------------------------------------------------------------------- report
def geomean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    from envs.browser.pool import find_chromium

    exe = find_chromium() or "chromium"
    reply = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return machine_block(
        chromium=reply.stdout.strip(),
        packages={n: version(n) for n in ("playwright", "selenium", "miniwob", "gymnasium")},
    )


def overall(tasks: dict[str, Any]) -> dict[str, Any]:
    kinds = [
        k
        for k in (*HANDEYE_KINDS, *FLOORS)
        if tasks and all(k in t.get("ratio", {}) for t in tasks.values())
    ]
    out: dict[str, Any] = {"target_ratio": TARGET_RATIO}
    for key in ("ratio", "env_only_ratio"):
        out[f"geomean_{key}"] = {k: geomean([t[key][k] for t in tasks.values()]) for k in kinds}
    out["meets_target"] = {
        k: v >= TARGET_RATIO for k, v in out["geomean_ratio"].items() if k not in FLOORS
    }
    out["success_rate"] = {
        k: statistics.fmean(t[k]["success_rate"] for t in tasks.values())
        for k in (*HANDEYE_KINDS, FARAMA, *FLOORS)
        if tasks and all(k in t for t in tasks.values())
    }
    return out


def print_table(tasks: dict[str, Any]) -> None:
    table = Table(title="episodes/s (success rate); ratio = handeye / farama", title_justify="left")
    kinds = (*HANDEYE_KINDS, FARAMA, *FLOORS)
    ratio_columns = (
        "ratio", "ratio no-final", "ratio begin-frame", "ratio clock", "floor", "floor pipelined"
    )  # fmt: skip
    for col in ("task", *kinds, *ratio_columns):
        table.add_column(col)
    for name, t in tasks.items():
        cells = [
            f"{t[k]['episodes_per_s']:.1f} ({t[k]['success_rate']:.0%})" if k in t else "-"
            for k in kinds
        ]
        ratio = t.get("ratio", {})
        ratios = [f"{ratio[k]:.2f}" if k in ratio else "-" for k in (*HANDEYE_KINDS, *FLOORS)]
        table.add_row(name, *cells, *ratios)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=50, help="measured episodes per env/task")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured episodes first")
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS), help="comma-separated")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    parser.add_argument("--skip-farama", action="store_true", help="measure handeye only")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the bare-CDP floors (handeye's commands, no Playwright) in the same run",
    )
    parser.add_argument(
        "--farama-flags",
        choices=("same", "stock"),
        default="same",
        help="same: Farama's Chromium also gets handeye's flags; stock: only its own",
    )
    parser.add_argument(
        "--handeye",
        default=",".join(HANDEYE_KINDS),
        help=f"comma-separated handeye columns, of {', '.join(HANDEYE_KINDS)}",
    )
    parser.add_argument("--memory-envs", type=int, default=8, help="0 skips the memory test")
    parser.add_argument("--memory-worker", choices=(HANDEYE, FARAMA), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.warmup < 0:
        parser.error("--episodes must be >= 1 and --warmup >= 0")

    if not args.skip_farama or args.memory_worker == FARAMA:
        from benchmarks.farama_peer import use_farama_chrome

        use_farama_chrome(args.farama_flags)
    if args.memory_worker:
        print(json.dumps(memory_worker(args.memory_worker, args.memory_envs)))
        return 0

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    kinds = [k.strip() for k in args.handeye.split(",") if k.strip()]
    if not kinds or not set(kinds) <= set(HANDEYE_KINDS):
        parser.error(f"--handeye takes some of {', '.join(HANDEYE_KINDS)}")
    kinds += [] if args.skip_farama else [FARAMA]
    kinds += list(FLOORS) if args.floor else []
    started = time.perf_counter()
    results: dict[str, Any] = {}
    for task in tasks:
        results[task] = bench_task(task, kinds, args.episodes, args.warmup)
        summary = ", ".join(f"{k} {results[task][k]['episodes_per_s']:.1f}/s" for k in kinds)
        console.log(f"{task}: {summary}")
    print_table(results)
    memory = None
    if args.memory_envs > 0:
        mem_kinds = [HANDEYE] + ([] if args.skip_farama else [FARAMA])
        memory = bench_memory(mem_kinds, args.memory_envs, args.farama_flags)
    report = {
        "benchmark": "env_throughput",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "-m", "benchmarks.bench_env", *(argv or sys.argv[1:])]),
        "machine": machine(),
        "config": {
            "episodes": args.episodes,
            "warmup": args.warmup,
            "tasks": tasks,
            "max_steps": MAX_STEPS,
            "policy": "policies.experts.miniwob.MiniWoBExpert",
            "farama_flags": None if args.skip_farama else args.farama_flags,
        },
        "tasks": results,
        "overall": overall(results),
        "memory": memory,
        "elapsed_s": time.perf_counter() - started,
    }
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
