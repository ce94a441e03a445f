"""Many envs at once: handeye's MiniWoB VectorEnv (N pages of one Chromium) against N Farama
`miniwob` envs in gymnasium's AsyncVectorEnv, in one interleaved run.

For each task and each N the vector envs are built side by side and take turns: each runs the
privileged expert (`policies.experts.miniwob.MiniWoBExpert`, one per sub-env; Farama's DOM and
actions go through `farama_peer.py`) for a time slice, the order rotating per round, so that
load from other work on the machine hits both alike. At N = 1 one Farama env made with
`gymnasium.make` (no worker process) and one handeye env run too: "one Farama env" in the
targets is that one. Memory per env is the RSS and PSS of each side's process tree (browser,
driver, workers) over N, taken after the measured rounds. CPU per episode is the CPU time of
this process and all under it during a side's slices over its episodes: on a machine shared
with other work the rates follow the CPU share the run gets, the CPU cost much less, and
`idle_machine_episodes_per_s` is what that cost allows on this machine's cores alone; the
`cpu_over_*` ratios compare costs. One JSON object goes to stdout,
progress to stderr, and a scaling plot (PNG) beside the --json file.

    python -m benchmarks.bench_vector [--envs 1,2,4,8,16] [--tasks click-button,...]
        [--seconds 2] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.bench_env import DEFAULT_TASKS, MAX_STEPS, make_expert
from benchmarks.bench_env import machine as machine_block
from benchmarks.bench_report import emit

HANDEYE_VEC, FARAMA_VEC = "handeye_vector", "farama_async"
HANDEYE_ONE, FARAMA_ONE = "handeye_single", "farama_single"  # N = 1 only, no vector layer
# handeye's VectorEnv with frames="clock" (pages on Chromium's 60 Hz clock), with --with-clock;
# handeye_vector is the default (frames on demand on the headless shell)
HANDEYE_VEC_CLOCK = "handeye_vector_clock"
TARGET_OVER_ONE_FARAMA, TARGET_OVER_FARAMA_VEC = 6.0, 3.0
MB = 1024 * 1024

console = Console(stderr=True)


# ---------------------------------------------------------------- the vector envs under test
class HandeyeVec:
    """handeye's VectorEnv (`kind` handeye_vector), or one env in a SyncVectorEnv (single)."""

    def __init__(self, kind: str, task: str, n: int) -> None:
        import gymnasium as gym

        import envs

        self.name, self.n = kind, n
        env_id = f"handeye/miniwob-{task}-v0"
        if kind in (HANDEYE_VEC, HANDEYE_VEC_CLOCK):
            frames = {"frames": "clock"} if kind == HANDEYE_VEC_CLOCK else {}
            self.vec = envs.make_vec(env_id, num_envs=n, max_episode_steps=MAX_STEPS, **frames)
        else:
            self.vec = gym.make_vec(env_id, 1, "sync", max_episode_steps=MAX_STEPS)

    def views(self, obs: dict[str, Any], info: dict[str, Any]) -> list[tuple[dict, dict]]:
        from envs.vector import sub_info, sub_obs

        return [(sub_obs(obs, i), sub_info(info, i)) for i in range(self.n)]

    def success(self, info: dict[str, Any]) -> bool:
        return bool(info.get("success"))

    def batch(self, actions: list[Any]) -> Any:
        """None: the sub-env is being reset this step (its action is not used)."""
        return [a if a is not None else "wait(0)" for a in actions]

    def close(self) -> None:
        self.vec.close()


class FaramaVec:
    """N Farama envs in gymnasium's AsyncVectorEnv (farama_async), or one made in-process."""

    def __init__(self, kind: str, task: str, n: int) -> None:
        import gymnasium as gym
        import miniwob
        from miniwob.action import ActionSpaceConfig, ActionTypes
        from miniwob.constants import ALL_POSSIBLE_KEYS

        from benchmarks.farama_peer import FaramaActions

        gym.register_envs(miniwob)
        self.name, self.n, self.task = kind, n, task
        config = ActionSpaceConfig.get_preset("all_supported")
        config.allowed_keys = ALL_POSSIBLE_KEYS  # so that chords like ctrl+a map too
        env_id = f"miniwob/{task}-v1"
        make = {"max_episode_steps": MAX_STEPS, "action_space_config": config}
        if kind == FARAMA_VEC:
            # Farama's observation holds DOM sequences: no shared memory; a fork server, as the
            # parent runs Playwright threads
            vector = {"shared_memory": False, "context": "forkserver"}
            self.vec = gym.make_vec(env_id, n, "async", vector_kwargs=vector, **make)
        else:
            self.vec = gym.make_vec(env_id, 1, "sync", **make)
        self.template = gym.make(env_id, **make).unwrapped  # builds actions; never reset
        self.actions = FaramaActions(self.template)
        self.none = self.template.create_action(ActionTypes.NONE)

    def views(self, obs: dict[str, Any], info: dict[str, Any]) -> list[tuple[dict, dict]]:
        from benchmarks.farama_peer import farama_dom
        from envs.vector import sub_info, sub_obs

        out = []
        for i in range(self.n):
            o = sub_obs(obs, i)
            privileged: dict[str, Any] = {"dom": farama_dom(o["dom_elements"])}
            if o["fields"]:
                privileged["fields"] = dict(o["fields"])
            seen = {"task": self.task, "instruction": o["utterance"], "privileged": privileged}
            seen["raw_reward"] = sub_info(info, i).get("raw_reward", 0)  # for `success`
            out.append(({"screen": o["screenshot"], "instruction": o["utterance"]}, seen))
        return out

    def success(self, info: dict[str, Any]) -> bool:
        return info.get("raw_reward", 0) > 0

    def batch(self, actions: list[Any]) -> Any:
        """Farama action dicts batched; Done, Wait and a resetting sub-env send NONE."""
        from gymnasium.vector.utils import concatenate, create_empty_array

        from contracts.actions import Done, Wait

        dicts = [
            self.none if a is None or isinstance(a, (Done, Wait)) else self.actions.convert(a)
            for a in actions
        ]
        space = self.vec.single_action_space
        return concatenate(space, dicts, create_empty_array(space, self.n))

    def close(self) -> None:
        self.vec.close()
        self.template.close()


def make_side(kind: str, task: str, n: int) -> Any:
    handeye = kind in (HANDEYE_VEC, HANDEYE_ONE, HANDEYE_VEC_CLOCK)
    return (HandeyeVec if handeye else FaramaVec)(kind, task, n)


# ---------------------------------------------------------------------- measuring
@dataclass
class Tally:
    """What one side did over its measured time slices."""

    steps: int = 0
    episodes: int = 0
    successes: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  # CPU of this process and every process under it, during the slices
    cpu_by_kind: dict[str, float] = field(default_factory=dict)  # the same, per process kind

    def summary(self, n: int) -> dict[str, Any]:
        cpu_ms = 1000 * self.cpu_s / max(self.episodes, 1)
        return {
            "envs": n,
            "steps": self.steps,
            "episodes": self.episodes,
            "success_rate": self.successes / max(self.episodes, 1),
            "steps_per_s": self.steps / self.wall_s,
            "episodes_per_s": self.episodes / self.wall_s,
            "seconds": self.wall_s,
            "cpu_ms_per_episode": cpu_ms,
            "cpu_ms_per_episode_by_process": {
                kind: round(1000 * cpu / max(self.episodes, 1), 2)
                for kind, cpu in sorted(self.cpu_by_kind.items())
            },
            # what the CPU cost allows on this machine's cores with nothing else running
            "idle_machine_episodes_per_s": (os.cpu_count() or 1) * 1000 / cpu_ms if cpu_ms else 0,
        }


def process_kind(proc: Any) -> str:
    """What a process of a side is: python (this one, workers), driver (Playwright's node,
    chromedriver), or Chromium's browser / renderer / gpu / utility process."""
    name = proc.name()
    if "python" in name:
        return "python"
    if "node" in name or "driver" in name:
        return "driver"
    kind = next((a[7:] for a in proc.cmdline() if a.startswith("--type=")), "browser")
    return {"gpu-process": "gpu"}.get(kind, kind)


def tree_cpu_s(roots: list[Any]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by this process and by `roots` and everything
    under them (one side's browsers, drivers and workers), per `process_kind`.

    Only one side runs at a time, so this process's CPU during a side's slice is that side's
    (its loop thread, decoding, the expert); the other sides' idle pages are left out.
    """
    import psutil

    procs = {os.getpid(): psutil.Process()}
    for root in roots:
        try:
            procs.update({p.pid: p for p in [root, *root.children(recursive=True)]})
        except psutil.NoSuchProcess:
            continue
    total: dict[str, float] = {}
    for p in procs.values():
        try:
            t, kind = p.cpu_times(), process_kind(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total[kind] = total.get(kind, 0.0) + t.user + t.system
    return total


class Driver:
    """Steps one side's vector env with one expert per sub-env, one time slice at a time.

    Autoreset is gymnasium's NEXT_STEP on both sides: the step after a sub-env's episode ends
    resets it (its action unused), and its expert then reads the new instruction. No episode
    spans two slices: MiniWoB's page timer (10 s) would run out while the other sides take
    their turns. A slice starts every sub-env on a fresh episode (not timed) and, once its
    time is up, plays the episodes in flight to their end (timed, counted) while new ones
    that autoreset starts are dropped: the cost of N episodes in lockstep, on both sides.
    """

    def __init__(self, side: Any, seed: int, roots: list[Any]) -> None:
        self.side, self.roots = side, roots
        self.experts = [make_expert() for _ in range(side.n)]
        side.vec.reset(seed=seed)  # later slices' resets continue each sub-env's seed stream

    def run(self, seconds: float, tally: Tally | None) -> None:
        n = self.side.n
        obs, info = self.side.vec.reset()
        views = self.side.views(obs, info)
        for expert, (o, _) in zip(self.experts, views, strict=True):
            expert.reset(o["instruction"])
        resetting, live = [False] * n, [True] * n
        cpu0 = tree_cpu_s(self.roots) if tally is not None else {}
        t0 = time.perf_counter()
        while any(live):
            draining = time.perf_counter() - t0 >= seconds
            actions = [
                expert.act(*views[i]) if live[i] and not resetting[i] else None
                for i, expert in enumerate(self.experts)
            ]
            obs, _, terminated, truncated, info = self.side.vec.step(self.side.batch(actions))
            views = self.side.views(obs, info)
            for i, expert in enumerate(self.experts):
                if not live[i]:
                    continue
                if resetting[i]:
                    resetting[i] = False
                    live[i] = not draining  # a new episode after time is up is not played
                    expert.reset(views[i][0]["instruction"])
                    continue
                ended = bool(terminated[i] or truncated[i])
                if tally is not None:
                    tally.steps += 1
                    tally.episodes += ended
                    tally.successes += ended and self.side.success(views[i][1])
                resetting[i] = ended
                live[i] = not (ended and draining)
        if tally is not None:
            tally.wall_s += time.perf_counter() - t0
            cpu1 = tree_cpu_s(self.roots)
            for kind, cpu in cpu1.items():
                used = cpu - cpu0.get(kind, 0.0)
                tally.cpu_by_kind[kind] = tally.cpu_by_kind.get(kind, 0.0) + used
                tally.cpu_s += used


def tree_memory(roots: list[Any], n: int) -> dict[str, Any]:
    """RSS and PSS per env of `roots` and all their descendants; the browser's part apart."""
    import psutil

    procs: dict[int, Any] = {}
    for root in roots:
        try:
            for p in [root, *root.children(recursive=True)]:
                procs[p.pid] = p
        except psutil.NoSuchProcess:
            continue
    rss = pss = browser_rss = 0
    for p in procs.values():
        try:
            mem, name = p.memory_full_info(), p.name()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += mem.rss
        pss += getattr(mem, "pss", mem.rss)
        browser_rss += mem.rss if "chrom" in name and "driver" not in name else 0
    return {
        "processes": len(procs),
        "rss_per_env_mb": rss / MB / n,
        "pss_per_env_mb": pss / MB / n,
        "browser_rss_per_env_mb": browser_rss / MB / n,
    }


def side_roots(side: Any, before: set[int]) -> list[Any]:
    """The processes a side started: its AsyncVectorEnv workers, or this process's new children."""
    import psutil

    workers = getattr(side.vec, "processes", None)
    if workers:  # AsyncVectorEnv's workers (children of its fork server)
        return [psutil.Process(w.pid) for w in workers]
    me = psutil.Process()
    return [p for p in me.children() if p.pid not in before and "python" not in p.name()]


def bench_point(task: str, n: int, kinds: list[str], seconds: float, rounds: int) -> dict:
    """All sides at one (task, N): build, warm up, interleave `rounds` slices, measure memory."""
    import psutil

    me = psutil.Process()
    sides, roots = [], {}
    try:
        for kind in kinds:
            before = {p.pid for p in me.children()}
            t0 = time.perf_counter()
            side = make_side(kind, task, n)
            sides.append(side)
            side.vec.reset(seed=0)  # starts the browsers
            roots[kind] = side_roots(side, before)
            console.log(f"{task} N={n}: {kind} up in {time.perf_counter() - t0:.1f} s")
        drivers = {side.name: Driver(side, 1000 * n, roots[side.name]) for side in sides}
        for kind in kinds:
            drivers[kind].run(min(1.0, seconds), None)  # warm-up
        tallies = {kind: Tally() for kind in kinds}
        for r in range(rounds):
            for kind in kinds[r % len(kinds) :] + kinds[: r % len(kinds)]:
                drivers[kind].run(seconds, tallies[kind])
        out = {kind: {**tallies[kind].summary(n), **tree_memory(roots[kind], n)} for kind in kinds}
    finally:
        for side in sides:
            side.close()
    line = ", ".join(f"{k} {v['episodes_per_s']:.1f} ep/s" for k, v in out.items())
    console.log(f"{task} N={n}: {line}")
    return out


# ------------------------------------------------------------------------- report
def geomean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(max(v, 1e-9)) for v in values))


def overall(points: dict[str, dict[str, dict]], ns: list[int]) -> dict[str, Any]:
    """Per N, over tasks: geomean rates, ratios against one Farama env and Farama's vector env,
    mean memory per env."""
    out: dict[str, Any] = {
        "target_over_one_farama": TARGET_OVER_ONE_FARAMA,
        "target_over_farama_vector": TARGET_OVER_FARAMA_VEC,
        "by_envs": {},
    }
    tasks = list(points)
    one = {t: points[t].get("1", {}).get(FARAMA_ONE) for t in tasks}
    for n in ns:
        at = {t: points[t][str(n)] for t in tasks}
        row: dict[str, Any] = {}
        for kind in (HANDEYE_VEC, FARAMA_VEC, HANDEYE_ONE, FARAMA_ONE, HANDEYE_VEC_CLOCK):
            if all(kind in at[t] for t in tasks):
                row[kind] = {
                    key: geomean([at[t][kind][key] for t in tasks])
                    for key in (
                        "episodes_per_s",
                        "steps_per_s",
                        "cpu_ms_per_episode",
                        "idle_machine_episodes_per_s",
                    )
                }
                for key in ("rss_per_env_mb", "pss_per_env_mb", "browser_rss_per_env_mb"):
                    row[kind][key] = statistics.fmean(at[t][kind][key] for t in tasks)
                parts = [at[t][kind].get("cpu_ms_per_episode_by_process", {}) for t in tasks]
                row[kind]["cpu_ms_per_episode_by_process"] = {
                    proc: round(statistics.fmean(p.get(proc, 0.0) for p in parts), 2)
                    for proc in sorted({proc for p in parts for proc in p})
                }
        eps = {t: at[t][HANDEYE_VEC]["episodes_per_s"] for t in tasks}
        if all(at[t].get(FARAMA_VEC) for t in tasks):
            row["over_farama_vector"] = geomean(
                [eps[t] / at[t][FARAMA_VEC]["episodes_per_s"] for t in tasks]
            )
            row["memory_farama_over_handeye"] = (
                row[FARAMA_VEC]["rss_per_env_mb"] / row[HANDEYE_VEC]["rss_per_env_mb"]
            )
            row["cpu_over_farama_vector"] = geomean(
                [
                    at[t][FARAMA_VEC]["cpu_ms_per_episode"]
                    / at[t][HANDEYE_VEC]["cpu_ms_per_episode"]
                    for t in tasks
                ]
            )
        if all(one[t] for t in tasks):
            row["over_one_farama"] = geomean([eps[t] / one[t]["episodes_per_s"] for t in tasks])
            row["cpu_over_one_farama"] = geomean(
                [
                    one[t]["cpu_ms_per_episode"] / at[t][HANDEYE_VEC]["cpu_ms_per_episode"]
                    for t in tasks
                ]
            )
        if all(at[t].get(HANDEYE_VEC_CLOCK) for t in tasks):
            row["over_clock_vector"] = geomean(
                [eps[t] / at[t][HANDEYE_VEC_CLOCK]["episodes_per_s"] for t in tasks]
            )
        out["by_envs"][str(n)] = row
    best = [r["over_one_farama"] for r in out["by_envs"].values() if "over_one_farama" in r]
    if best:
        out["best_over_one_farama"] = max(best)
        out["meets_over_one_farama"] = max(best) >= TARGET_OVER_ONE_FARAMA
    vec = [r["over_farama_vector"] for r in out["by_envs"].values() if "over_farama_vector" in r]
    if vec:
        out["min_over_farama_vector"] = min(vec)
        out["meets_over_farama_vector"] = min(vec) >= TARGET_OVER_FARAMA_VEC
    return out


def plot(summary: dict[str, Any], ns: list[int], path: Path, title: str) -> None:
    """Aggregate episodes/s and memory per env against N, both sides (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["by_envs"]
    fig, (rate, memory) = plt.subplots(1, 2, figsize=(10, 4))
    sides = (
        (HANDEYE_VEC, "handeye VectorEnv"),
        (HANDEYE_VEC_CLOCK, "handeye VectorEnv, frames='clock'"),
        (FARAMA_VEC, "Farama AsyncVectorEnv"),
    )
    for kind, label in sides:
        if not any(kind in rows[str(n)] for n in ns):
            continue
        xs = [n for n in ns if kind in rows[str(n)]]
        rate.plot(xs, [rows[str(n)][kind]["episodes_per_s"] for n in xs], "o-", label=label)
        memory.plot(xs, [rows[str(n)][kind]["rss_per_env_mb"] for n in xs], "o-", label=label)
    one = rows.get("1", {}).get(FARAMA_ONE)
    if one:
        target = TARGET_OVER_ONE_FARAMA * one["episodes_per_s"]
        rate.axhline(one["episodes_per_s"], color="grey", ls=":", label="one Farama env")
        rate.axhline(target, color="grey", ls="--", label="target: 6x one Farama env")
    for ax, ylabel in ((rate, "episodes/s (geomean over tasks)"), (memory, "RSS per env (MB)")):
        ax.set_xscale("log", base=2)
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.set_xlabel("envs stepped at once (N)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    rate.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", default="1,2,4,8,16", help="comma-separated N values")
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS), help="comma-separated")
    parser.add_argument(
        "--seconds",
        type=float,
        default=2.0,
        help="time slice per side (then its episodes in flight are played to their end)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="slices per side and point")
    parser.add_argument("--skip-farama", action="store_true", help="measure handeye only")
    parser.add_argument(
        "--with-clock", action="store_true", help="also handeye's VectorEnv with frames='clock'"
    )
    parser.add_argument("--json", type=Path, help="also write the JSON here (the plot beside it)")
    parser.add_argument("--plot", type=Path, help="the PNG (default: beside --json)")
    args = parser.parse_args(argv)
    ns = sorted({int(v) for v in args.envs.split(",") if v.strip()})
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if not ns or ns[0] < 1 or args.seconds <= 0 or args.rounds < 1 or not tasks:
        parser.error("--envs must be positive, --seconds > 0, --rounds >= 1, --tasks non-empty")
    if not args.skip_farama:
        from benchmarks.farama_peer import use_farama_chrome

        use_farama_chrome("same")
    started = time.perf_counter()
    points: dict[str, dict[str, dict]] = {}
    for task in tasks:
        points[task] = {}
        for n in ns:
            kinds = [HANDEYE_VEC] + ([] if args.skip_farama else [FARAMA_VEC])
            kinds += [HANDEYE_VEC_CLOCK] if args.with_clock else []
            if n == 1:
                kinds += [HANDEYE_ONE] + ([] if args.skip_farama else [FARAMA_ONE])
            points[task][str(n)] = bench_point(task, n, kinds, args.seconds, args.rounds)
    summary = overall(points, ns)
    report: dict[str, Any] = {
        "benchmark": "vector_env_throughput",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "-m", "benchmarks.bench_vector", *(argv or sys.argv[1:])]),
        "machine": machine_block(),
        "config": {
            "envs": ns,
            "tasks": tasks,
            "seconds_per_slice": args.seconds,
            "rounds": args.rounds,
            "max_steps": MAX_STEPS,
            "policy": "policies.experts.miniwob.MiniWoBExpert",
            "farama_flags": None if args.skip_farama else "same",
            "with_clock": args.with_clock,
        },
        "points": points,
        "overall": summary,
        "elapsed_s": time.perf_counter() - started,
    }
    plot_path = args.plot or (args.json.with_suffix(".png") if args.json else None)
    if plot_path:
        load = report["machine"]["load_average"]
        plot(summary, ns, plot_path, f"MiniWoB expert, {len(tasks)} tasks, load {load}")
        report["plot"] = str(plot_path)
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
