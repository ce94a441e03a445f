"""One served model shared by N env workers against N workers each holding its own model copy.

Each worker is a process that steps `handeye/tabletop-reach-v0` (128x128 RGB-D, MuJoCo)
and grounds every frame with a tiny random-weight Qwen2.5-VL (built here, no download):
"served" workers call `handeye serve` (one process, concurrent requests batched into one
generate()) through the HTTP grounder; "own" workers (the peer) each load the model
in-process. Torch runs 1 thread in every model process, the server's included
(--server-threads): on a shared 2-core machine a 2-thread torch spins on descheduled
threads and measured 5x slower (1.25 against 6.75 steps/s for one served worker, load 11).
For N = 1, 2, 4, 8 both sides run for the same wall time after
every worker is ready, and the report gives env steps/s (sum over workers), the mean grounding
latency, the server's batch sizes and memory: the sum of RSS over workers (+ the server).

    python -m benchmarks.bench_served [--workers 1,2,4,8] [--seconds 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

from benchmarks.bench_report import emit, machine

ENV_ID = "handeye/tabletop-reach-v0"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker(
    mode: str,
    model: str,
    url: str | None,
    seed: int,
    ready: Any,
    start: Any,
    seconds: float,
    out: Any,
) -> None:
    """Step the env and ground every frame until `seconds` after `start`; report to `out`."""
    import gymnasium as gym
    import numpy as np

    import envs  # noqa: F401 - registers the handeye ids

    if mode == "own":
        import torch

        torch.set_num_threads(1)
        from perception.vlm.transformers_backend import TransformersGrounder

        grounder: Any = TransformersGrounder(model=model, device="cpu")
    else:
        from perception.vlm.http_backend import HTTPGrounder

        grounder = HTTPGrounder(base_url=url, model=model, family="qwen2_5_vl", timeout_s=300)
    env = gym.make(ENV_ID)
    obs, _ = env.reset(seed=seed)
    grounder.ground(obs["rgb"], obs["instruction"])  # warm: first call pays one-off costs
    rng = np.random.default_rng(seed)
    ready.release()
    start.wait()
    t_end = time.monotonic() + seconds
    steps, grounding_s, errors = 0, 0.0, 0
    while time.monotonic() < t_end:
        t0 = time.perf_counter()
        try:
            grounder.ground(obs["rgb"], obs["instruction"])
        except Exception:  # noqa: BLE001 - counted: a benchmark must finish and say so
            errors += 1
        grounding_s += time.perf_counter() - t0
        obs, _, terminated, truncated, _ = env.step(rng.uniform(-1, 1, 5).astype(np.float32))
        steps += 1
        if terminated or truncated:
            obs, _ = env.reset()
    out.put({"steps": steps, "grounding_s": grounding_s, "errors": errors, "rss_mb": rss_mb()})
    env.close()
    grounder.close()


def run_side(mode: str, n: int, model: str, url: str | None, seconds: float) -> dict[str, Any]:
    """N workers of one side, started together; their summed steps/s and RSS."""
    ctx = mp.get_context("spawn")
    ready, start, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(mode, model, url, i, ready, start, seconds, out))
        for i in range(n)
    ]
    t_load = time.perf_counter()
    for p in procs:
        p.start()
    for _ in procs:
        if not ready.acquire(timeout=600):
            raise RuntimeError(f"{mode} workers did not get ready in 600 s")
    load_s = time.perf_counter() - t_load
    start.set()
    rows = [out.get(timeout=seconds + 600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    steps = sum(r["steps"] for r in rows)
    return {
        "workers": n,
        "steps_per_s": steps / seconds,
        "steps": steps,
        "grounding_ms_mean": 1000 * sum(r["grounding_s"] for r in rows) / max(1, steps),
        "errors": sum(r["errors"] for r in rows),
        "workers_rss_mb": sum(r["rss_mb"] for r in rows),
        "startup_s": load_s,
    }


def health(url: str) -> dict[str, Any]:
    root = url.removesuffix("/v1")
    with urllib.request.urlopen(root + "/health", timeout=10) as resp:
        return json.load(resp)


def start_server(
    model: str, max_batch: int, wait_ms: float, threads: int
) -> tuple[subprocess.Popen, str]:
    """`handeye serve` on a free loopback port; returns the process and its /v1 URL."""
    cmd = [sys.executable, "-m", "agent.cli", "serve", "--model", model, "--port", "0"]
    cmd += ["--device", "cpu", "--max-batch", str(max_batch), "--batch-wait-ms", str(wait_ms)]
    cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line:
        raise RuntimeError("handeye serve did not start")
    return proc, json.loads(line)["url"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2,4,8", help="comma-separated worker counts")
    ap.add_argument("--seconds", type=float, default=10.0, help="timed run per side and count")
    ap.add_argument("--max-batch", type=int, default=8)
    ap.add_argument("--batch-wait-ms", type=float, default=5.0)
    ap.add_argument(
        "--server-threads", type=int, default=1, help="torch threads of the server (0: default)"
    )
    ap.add_argument("--json", help="also write the report here")
    args = ap.parse_args(argv)
    counts = [int(c) for c in args.workers.split(",")]

    from training.tiny_models import build_tiny_qwen2_5_vl

    with tempfile.TemporaryDirectory() as tmp:
        model = str(build_tiny_qwen2_5_vl(tmp, reply="click(84, 63)"))
        server, url = start_server(model, args.max_batch, args.batch_wait_ms, args.server_threads)
        rows: list[dict[str, Any]] = []
        try:
            server_idle_mb = rss_mb(server.pid)
            for n in counts:
                before = health(url)["batch_sizes"]
                served = run_side("served", n, model, url, args.seconds)
                after = health(url)["batch_sizes"]
                served["server_rss_mb"] = rss_mb(server.pid)
                served["total_rss_mb"] = served["workers_rss_mb"] + served["server_rss_mb"]
                served["batch_sizes"] = {
                    k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)
                }
                log(f"served x{n}: {served['steps_per_s']:.1f} steps/s")
                own = run_side("own", n, model, None, args.seconds)
                own["total_rss_mb"] = own["workers_rss_mb"]
                log(f"own x{n}: {own['steps_per_s']:.1f} steps/s")
                rows.append(
                    {
                        "workers": n,
                        "served": served,
                        "own_model": own,
                        "speedup_served_vs_own": served["steps_per_s"]
                        / max(own["steps_per_s"], 1e-9),
                        "memory_ratio_served_vs_own": served["total_rss_mb"]
                        / max(own["total_rss_mb"], 1e-9),
                    }
                )
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    emit(
        {
            "benchmark": "served model shared by env workers vs one model per worker",
            "env": ENV_ID,
            "model": "tiny random-weight Qwen2.5-VL (training.tiny_models), CPU",
            "seconds_per_run": args.seconds,
            "max_batch": args.max_batch,
            "batch_wait_ms": args.batch_wait_ms,
            "server_threads": args.server_threads or "torch default",
            "server_idle_rss_mb": server_idle_mb,
            "rows": rows,
            "machine": machine(),
        },
        args.json,
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
