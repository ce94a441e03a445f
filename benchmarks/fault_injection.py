"""Fault injection over many recorded episodes: real processes killed (SIGKILL) at seeded random
steps — Chromium, one of its renderers, the model server, the terminal's shell, Xvfb — while a
session runs episode after episode into a trace.

What must hold: the session goes on with the next episode (no exception escapes), the
interrupted episode is recorded with its steps so far and the error, and every episode in the
trace reads back (no lost or corrupt file). Used by benchmarks.bench_robustness and its test.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.loopback_page import serve_page

FAULTS = {
    "web": ("chromium", "renderer"),
    "vlm": ("model_server",),
    "terminal": ("shell",),
    "desktop": ("xvfb",),
}
_PAGE = """<!doctype html><body style="margin:0"><input id="a" style="position:absolute;
left:10px;top:10px;width:150px;height:30px"><button style="position:absolute;left:10px;top:60px;
width:80px;height:30px">OK</button></body>"""
_SCRIPT = ["click(80, 25)", 'type("abc")', 'key("Tab")', "click(50, 75)", "wait(0.01)"]


@dataclass
class FaultReport:
    """What one env kind went through."""

    kind: str
    episodes: int = 0
    faults_injected: dict[str, int] = field(default_factory=dict)
    episodes_recorded: int = 0
    traces_lost: int = 0
    traces_corrupt: int = 0
    interrupted_recorded_with_error: int = 0
    sessions_crashed: int = 0
    hangs: int = 0
    slowest_episode_s: float = 0.0
    crash: str | None = None


def _descendants() -> list[Any]:
    import psutil

    return psutil.Process().children(recursive=True)


def _kill(match: Callable[[Any], bool]) -> bool:
    """SIGKILL the first descendant process `match` accepts; whether one was found."""
    import psutil

    for proc in _descendants():
        try:
            if match(proc):
                proc.send_signal(signal.SIGKILL)
                return True
        except psutil.Error:
            continue
    return False


def _chromium(proc: Any, renderer: bool) -> bool:
    """The browser's main process (not Debian's /bin/sh wrapper) or one of its renderers."""
    argv = proc.cmdline()
    if not argv or "chrom" not in proc.name() or argv[0].endswith("sh"):
        return False
    cmd = " ".join(argv)
    return "--type=renderer" in cmd if renderer else "--type=" not in cmd


class _ModelServer:
    """A loopback OpenAI-compatible server answering `wait(0.01)`; kill() closes it for good,
    start() opens it again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = {"choices": [{"message": {"content": "wait(0.01)"}}]}
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def kill(self) -> bool:
        if self._server is None:
            return False
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        return True

    @property
    def running(self) -> bool:
        return self._server is not None


def run_faults(kind: str, episodes: int, seed: int = 0, p_fault: float = 0.5) -> FaultReport:
    """`episodes` recorded episodes of `kind` ('web', 'vlm', 'terminal', 'desktop'); each gets,
    with probability p_fault, one fault at a seeded random step."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the env ids
    from agent.session import run_episodes
    from agent.traces import TraceReader, TraceWriter
    from policies.base import make_policy

    report = FaultReport(kind)
    rng = np.random.default_rng(seed)
    schedule = {
        e: (str(rng.choice(FAULTS[kind])), int(rng.integers(0, len(_SCRIPT) - 1)))
        for e in range(episodes)
        if rng.random() < p_fault
    }
    model = _ModelServer()
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        if kind in ("web", "vlm"):
            from envs.web import WEB_ENV_ID, register_web_envs

            register_web_envs()
            url = stack.enter_context(serve_page(_PAGE))
            env = gym.make(WEB_ENV_ID, url=url, viewport=(200, 120), max_episode_steps=10**6)
        elif kind == "terminal":
            env = gym.make("handeye/terminal-create-file-v0", max_episode_steps=10**6)
        else:
            env = gym.make("handeye/desktop-submit-form-v0", max_episode_steps=10**6)
        stack.callback(env.close)
        if kind == "vlm":
            model.start()
            stack.callback(model.kill)
            url = f"http://127.0.0.1:{model.port}/v1"
            policy = make_policy("vlm", endpoint=url, model="m", timeout_s=2.0, backoff_s=0.05)
        else:
            script = _SCRIPT if kind != "terminal" else ['type("ls")', 'key("Tab")'] * 3
            policy = make_policy("scripted", actions=script)
        stack.callback(policy.close)
        writer = stack.enter_context(TraceWriter(Path(tmp) / "trace"))
        state = {"episode": 0, "t0": time.perf_counter()}

        def inject(outcome: Any) -> None:
            fault = schedule.get(state["episode"])
            if fault is None or outcome.step != fault[1]:
                return
            name = fault[0]
            done = {
                "chromium": lambda: _kill(lambda p: _chromium(p, renderer=False)),
                "renderer": lambda: _kill(lambda p: _chromium(p, renderer=True)),
                "model_server": model.kill,
                "shell": lambda: _kill_pid(getattr(env.unwrapped, "_backend", None)),
                "xvfb": lambda: _kill(lambda p: p.name() == "Xvfb"),
            }[name]()
            if done:
                report.faults_injected[name] = report.faults_injected.get(name, 0) + 1

        def next_episode(result: Any) -> None:
            took = time.perf_counter() - state["t0"]
            report.slowest_episode_s = max(report.slowest_episode_s, took)
            report.hangs += took > 60
            state["episode"] += 1
            state["t0"] = time.perf_counter()
            if kind == "vlm" and not model.running:
                model.start()  # the operator restarts the server; the session goes on

        try:
            results, _ = run_episodes(
                env,
                policy,
                list(range(episodes)),
                env_id=kind,
                max_steps=len(_SCRIPT),
                writer=writer,
                on_episode=next_episode,
                on_step=inject,
            )
            report.episodes = len(results)
        except Exception as exc:  # noqa: BLE001 - a session that dies is what is counted
            report.sessions_crashed = 1
            report.crash = f"{type(exc).__name__}: {exc}"[:300]
            report.episodes = state["episode"]
        writer.close()
        reader = TraceReader(Path(tmp) / "trace")
        metas = reader.episodes()
        report.episodes_recorded = len(metas)
        report.traces_lost = max(0, report.episodes - len(metas))
        faulted = {m.episode_id for i, m in enumerate(metas) if i in schedule}
        for meta in metas:
            try:
                episode = reader.episode(meta.episode_id)
            except Exception:  # noqa: BLE001 - any unreadable episode counts as corrupt
                report.traces_corrupt += 1
                continue
            if meta.episode_id in faulted and any(s.error for s in episode.steps):
                report.interrupted_recorded_with_error += 1
    return report


def _kill_pid(backend: Any) -> bool:
    pid = getattr(backend, "pid", None)
    if not pid:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
        return True
    return False


def fault_figures(episodes: dict[str, int], seed: int = 0) -> list[dict[str, Any]]:
    """run_faults for each kind named in `episodes` (kind -> episode count), as dicts."""
    return [asdict(run_faults(kind, n, seed)) for kind, n in episodes.items()]
