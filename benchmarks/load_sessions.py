"""Concurrent sessions under load: N worker processes each run a ChatSession (web page + VLM policy
over one loopback OpenAI-compatible server in this process) task after task for a while; RSS of
each worker's process tree is sampled over time, and after they close, every Chromium process
they ever had is checked for still being alive (a leak).

    python -m benchmarks.load_sessions --sessions 8 --seconds 120 [--json F]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WORKER = r"""
import json, sys, time, psutil
from agent.chat_envs import EnvChoice
from agent.chat_session import ChatSession, SessionConfig
url, endpoint, seconds, out, trace = sys.argv[1:6]
me = psutil.Process()
config = SessionConfig(env=EnvChoice(url=url, viewport=(320, 240)), policy="vlm",
    policy_kwargs={"endpoint": endpoint, "model": "m"}, max_steps=4, trace_dir=trace,
    save_frames=False, retain_episodes=5)
samples, pids, tasks = [], set(), 0
t0 = time.monotonic()
with ChatSession(config) as session:
    while time.monotonic() - t0 < float(seconds):
        session.run_task("click the OK button")
        tasks += 1
        procs = [me, *me.children(recursive=True)]
        pids.update(p.pid for p in procs[1:] if "chrom" in p.name() or p.name() == "Xvfb")
        rss = sum(p.memory_info().rss for p in procs if p.is_running())
        samples.append([round(time.monotonic() - t0, 1), rss // 2**20])
json.dump({"tasks": tasks, "rss_mb": samples, "pids": sorted(pids)}, open(out, "w"))
"""

_PAGE = """<!doctype html><body style="margin:0"><button style="position:absolute;left:10px;
top:10px;width:80px;height:30px">OK</button></body>"""


def main(argv: list[str] | None = None) -> None:
    import psutil

    from benchmarks.bench_report import emit, machine
    from benchmarks.fault_injection import _ModelServer, _page

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, default=8)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--json")
    args = p.parse_args(argv)
    server = _ModelServer()
    server.start()
    with _page() as url, tempfile.TemporaryDirectory() as tmp:
        endpoint = f"http://127.0.0.1:{server.port}/v1"
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, url, endpoint, str(args.seconds)]
                + [f"{tmp}/w{i}.json", f"{tmp}/trace{i}"],
                cwd=Path(__file__).resolve().parent.parent,
            )
            for i in range(args.sessions)
        ]
        codes = [w.wait(timeout=args.seconds + 300) for w in workers]
        took = time.perf_counter() - started
        time.sleep(2)  # let the kernel reap what the workers closed
        results = []
        for i in range(args.sessions):
            path = Path(f"{tmp}/w{i}.json")
            results.append(json.loads(path.read_text()) if path.exists() else None)
    server.kill()
    leaked = [
        pid
        for r in results
        if r
        for pid in r["pids"]
        if psutil.pid_exists(pid) and "chrom" in psutil.Process(pid).name()
    ]
    report = {
        "bench": "load_sessions",
        "machine": machine(),
        "sessions": args.sessions,
        "seconds": round(took, 1),
        "exit_codes": codes,
        "tasks": [r["tasks"] if r else None for r in results],
        "rss_mb_first_last_max": [
            [r["rss_mb"][0][1], r["rss_mb"][-1][1], max(s[1] for s in r["rss_mb"])]
            if r and r["rss_mb"]
            else None
            for r in results
        ],
        "rss_mb_over_time": [r["rss_mb"][:: max(1, len(r["rss_mb"]) // 8)] for r in results if r],
        "browser_processes_seen": sum(len(r["pids"]) for r in results if r),
        "browser_processes_leaked": len(leaked),
    }
    emit(report, args.json)


if __name__ == "__main__":
    main()
