"""Screen capture speed: FrameStream against a bare mss grab loop on Xvfb, in one run.

Three measurements, on a private 1280x720 Xvfb:
  throughput  frames/s of `FrameStream(MssSource(), fps=None)` (with a consumer waiting on
              changes, as a policy would) against a bare loop doing the same work by hand
              (mss grab + the same BGRA->RGB conversion to an H x W x 3 array), on a still
              screen and on a screen where a 200x200 window changes colour at ~500 Hz.
              Rounds alternate between the two so load from other work hits both alike.
  latency     capture-to-policy (grab start -> the consumer holds the frame) and
              change-to-policy (a real repaint -> the consumer holds a frame showing it),
              at a policy-like fps cap.
  click       pyautogui vs xdotool: how long the call blocks, and when the X client under
              the pointer receives the button release.
One JSON object goes to stdout, progress to stderr.

    python -m benchmarks.bench_capture [--rounds 8] [--seconds 1.0] [--clicks 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_report import emit
from benchmarks.bench_report import machine as machine_block

TARGET_RATIO = 0.95
WIDTH, HEIGHT = 1280, 720
ANIM_BOX = (540, 260, 200, 200)  # x, y, w, h of the animated window


def log(msg: str) -> None:
    print(f"[bench_capture] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float]) -> dict[str, float]:
    """p50/p95/mean of `values` (seconds) in milliseconds."""
    if not values:
        return {"n": 0}
    p50, p95 = np.percentile(np.asarray(values) * 1000, [50, 95])
    return {"n": len(values), "p50": p50, "p95": p95, "mean": statistics.fmean(values) * 1000}


# ------------------------------------------------------------------ throughput
def bare_loop(display: str, seconds: float, convert: bool = True) -> tuple[int, float, float]:
    """What a user writes by hand: grab and convert to an RGB array, as fast as possible."""
    import mss
    from PIL import Image

    with mss.MSS(display=display) as sct:
        area = dict(sct.monitors[1])
        sct.grab(area)
        n, c0, t0 = 0, time.process_time(), time.monotonic()
        frame = None
        while time.monotonic() - t0 < seconds:
            shot = sct.grab(area)
            # Hold the frame until the next one, as any user of it does: dropping it at once
            # hands its pages back to the OS and makes every grab fault them in again (~4x
            # slower here), which would flatter FrameStream.
            frame = (
                np.asarray(Image.frombuffer("RGB", shot.size, shot.raw, "raw", "BGRX"))
                if convert
                else shot
            )
            n += 1
        del frame
        return n, time.monotonic() - t0, time.process_time() - c0


class ConvertEveryGrab:
    """MssSource without its unchanged-pixels shortcut: the bare loop's work as a FrameSource,
    so FrameStream's own cost (thread, full-frame compare, hand-off) is all that differs."""

    def __init__(self, display: str) -> None:
        import mss

        self._sct = mss.MSS(display=display)
        self._area = dict(self._sct.monitors[1])
        self.size = (self._area["width"], self._area["height"])

    def grab(self) -> np.ndarray:
        from PIL import Image

        shot = self._sct.grab(self._area)
        return np.asarray(Image.frombuffer("RGB", shot.size, shot.raw, "raw", "BGRX"))

    def close(self) -> None:
        self._sct.close()


def stream_round(
    display: str, seconds: float, skip_unchanged: bool
) -> tuple[int, float, float, int, list[float]]:
    """FrameStream uncapped, with this thread consuming changes like a policy would."""
    from perception.capture.frame_stream import FrameStream
    from perception.capture.sources import MssSource

    latencies = []
    source = MssSource(display=display) if skip_unchanged else ConvertEveryGrab(display)
    with FrameStream(source, fps=None, buffer=1) as stream:
        stream.wait_for_change(timeout=5)
        s0, c0, t0 = stream.stats(), time.process_time(), time.monotonic()
        while (now := time.monotonic()) - t0 < seconds:
            frame = stream.wait_for_change(timeout=t0 + seconds - now)
            if frame is not None:
                latencies.append(time.monotonic() - frame.t_capture)
        elapsed, cpu, s1 = time.monotonic() - t0, time.process_time() - c0, stream.stats()
    return s1.captured - s0.captured, elapsed, cpu, s1.changed - s0.changed, latencies


def animate(display: str, hz: float) -> None:
    """Worker: a window that changes colour `hz` times a second, until killed."""
    from Xlib.display import Display

    conn = Display(display)
    screen = conn.screen()
    x, y, w, h = ANIM_BOX
    win = screen.root.create_window(x, y, w, h, 0, screen.root_depth, background_pixel=0)
    win.map()
    conn.sync()
    period, next_t, i = 1.0 / hz, time.monotonic(), 0
    while True:
        i += 1
        win.change_attributes(background_pixel=(0x3060FF * i) & 0xFFFFFF)
        win.clear_area(0, 0, 0, 0)
        conn.sync()
        next_t += period
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_t = time.monotonic()


def bench_throughput(
    display: str, rounds: int, seconds: float, changing: bool, skip_unchanged: bool = True
) -> dict[str, Any]:
    anim = None
    if changing:
        cmd = [sys.executable, __file__, "--animate", display]
        anim = subprocess.Popen(cmd, env=dict(os.environ, DISPLAY=display))
        time.sleep(0.5)
    try:
        bare = {"frames": 0, "s": 0.0, "cpu": 0.0}
        strm = {"frames": 0, "s": 0.0, "cpu": 0.0, "changed": 0}
        per_round, lat = [], []
        for r in range(rounds):
            order = ("bare", "stream") if r % 2 == 0 else ("stream", "bare")
            fps = {}
            for side in order:
                if side == "bare":
                    n, s, cpu = bare_loop(display, seconds)
                    bare["frames"] += n
                    bare["s"] += s
                    bare["cpu"] += cpu
                else:
                    n, s, cpu, changed, latencies = stream_round(display, seconds, skip_unchanged)
                    strm["frames"] += n
                    strm["s"] += s
                    strm["cpu"] += cpu
                    strm["changed"] += changed
                    lat += latencies
                fps[side] = n / s
            per_round.append(fps["stream"] / fps["bare"])
            log(f"changing={changing} skip={skip_unchanged} round {r}: {fps}")
    finally:
        if anim is not None:
            anim.terminate()
            anim.wait()
    bare_fps, stream_fps = bare["frames"] / bare["s"], strm["frames"] / strm["s"]
    return {
        "bare_fps": bare_fps,
        "stream_fps": stream_fps,
        "ratio": stream_fps / bare_fps,
        "ratio_median_of_rounds": statistics.median(per_round),
        "ratio_per_round": per_round,
        "bare_cpu_ms_per_frame": 1000 * bare["cpu"] / max(1, bare["frames"]),
        "stream_cpu_ms_per_frame": 1000 * strm["cpu"] / max(1, strm["frames"]),
        "stream_changed_share": strm["changed"] / max(1, strm["frames"]),
        "capture_to_consumer_ms": pct(lat),
    }


# ------------------------------------------------------------------ latency
def bench_latency(display: str, changes: int, fps: float) -> dict[str, Any]:
    """Repaint the root window at random moments; time until the consumer holds the change."""
    from Xlib.display import Display

    from perception.capture.frame_stream import FrameStream
    from perception.capture.sources import MssSource

    conn = Display(display)
    root = conn.screen().root
    rng = np.random.default_rng(0)
    cap, chg, missed = [], [], 0
    with FrameStream(MssSource(display=display), fps=fps, buffer=1) as stream:
        stream.wait_for_change(timeout=5)
        for i in range(changes):
            time.sleep(float(rng.uniform(0.02, 0.06)))
            colour = [0xFF0000, 0x00FF00][i % 2]
            stream.latest()  # the consumer is up to date before the change
            t_paint = time.monotonic()
            root.change_attributes(background_pixel=colour)
            root.clear_area(0, 0, 0, 0)
            conn.sync()
            want = ((colour >> 16) & 255, (colour >> 8) & 255, colour & 255)
            deadline = t_paint + 2.0
            while (now := time.monotonic()) < deadline:
                frame = stream.wait_for_change(timeout=deadline - now)
                if frame is not None and tuple(frame.image[5, 5]) == want:
                    t_recv = time.monotonic()
                    cap.append(t_recv - frame.t_capture)
                    chg.append(t_recv - t_paint)
                    break
            else:
                missed += 1
        grab = stream.stats()
    conn.close()
    return {
        "fps_cap": fps,
        "capture_to_policy_ms": pct(cap),
        "change_to_policy_ms": pct(chg),
        "grab_ms": {"p50": grab.capture_ms_p50, "p95": grab.capture_ms_p95},
        "missed": missed,
    }


# ------------------------------------------------------------------ clicks
class ClickListener:
    """A bare X client window that timestamps the button releases it receives."""

    def __init__(self, display: str) -> None:
        from Xlib import X
        from Xlib.display import Display

        self.conn = Display(display)
        screen = self.conn.screen()
        self.win = screen.root.create_window(
            100,
            100,
            400,
            300,
            0,
            screen.root_depth,
            event_mask=X.ButtonReleaseMask | X.StructureNotifyMask,  # destroy wakes the reader
        )
        self.win.map()
        self.conn.sync()
        self.released: list[float] = []
        self._event = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="bench-click-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from Xlib import X

        while not self._stop:
            event = self.conn.next_event()
            if event.type == X.ButtonRelease:
                self.released.append(time.monotonic())
                self._event.set()
            elif event.type == X.DestroyNotify:
                return

    def wait(self, timeout: float = 2.0) -> float | None:
        ok = self._event.wait(timeout)
        self._event.clear()
        return self.released[-1] if ok else None

    def close(self) -> None:
        self._stop = True
        self.win.destroy()
        self.conn.flush()
        self._thread.join(2.0)
        self.conn.close()


def bench_clicks(display: str, clicks: int) -> dict[str, Any]:
    from envs.desktop.input_backends import PyAutoGUIBackend, XdotoolBackend

    backends = {"pyautogui": PyAutoGUIBackend(display), "xdotool": XdotoolBackend(display)}
    listener = ClickListener(display)
    calls: dict[str, list[float]] = {k: [] for k in backends}
    seen: dict[str, list[float]] = {k: [] for k in backends}
    try:
        for i in range(clicks * len(backends)):
            name = list(backends)[i % len(backends)]
            x, y = 150 + (i * 7) % 300, 150 + (i * 11) % 200
            time.sleep(0.01)
            t0 = time.monotonic()
            backends[name].click(x, y)
            t1 = time.monotonic()
            t_seen = listener.wait()
            calls[name].append(t1 - t0)
            if t_seen is not None:
                seen[name].append(t_seen - t0)
    finally:
        listener.close()
        for backend in backends.values():
            backend.close()
    return {k: {"call_ms": pct(calls[k]), "seen_ms": pct(seen[k])} for k in backends}


# ------------------------------------------------------------------ report
def machine() -> dict[str, Any]:
    from importlib.metadata import version

    xdotool = subprocess.run(["xdotool", "--version"], capture_output=True, text=True, check=False)
    return machine_block(
        xdotool=xdotool.stdout.strip(),
        packages={n: version(n) for n in ("mss", "pyautogui", "numpy", "pillow")},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds per scenario")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one round")
    parser.add_argument("--changes", type=int, default=60, help="repaints timed for latency")
    parser.add_argument("--policy-fps", type=float, default=30.0, help="fps cap for latency")
    parser.add_argument("--clicks", type=int, default=40, help="clicks per input backend")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    parser.add_argument("--animate", metavar="DISPLAY", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.animate:
        animate(args.animate, hz=500.0)
        return 0

    from envs.desktop.display import Xvfb

    started = time.monotonic()
    with Xvfb(WIDTH, HEIGHT) as xvfb:
        log(f"Xvfb {xvfb.name} {WIDTH}x{HEIGHT}")
        grab_only = bare_loop(xvfb.name, args.seconds, convert=False)
        still = bench_throughput(xvfb.name, args.rounds, args.seconds, changing=False)
        changing = bench_throughput(xvfb.name, args.rounds, args.seconds, changing=True)
        worst = bench_throughput(
            xvfb.name, args.rounds, args.seconds, changing=False, skip_unchanged=False
        )
        latency = bench_latency(xvfb.name, args.changes, args.policy_fps)
        clicks = bench_clicks(xvfb.name, args.clicks)
    report = {
        "benchmark": "capture",
        "screen": [WIDTH, HEIGHT],
        "machine": machine(),
        "throughput": {
            "target_ratio": TARGET_RATIO,
            "grab_only_fps": grab_only[0] / grab_only[1],
            "still": still,
            "changing": changing,
            "no_source_shortcut": worst,
            "meets_target": {
                "still": still["ratio"] >= TARGET_RATIO,
                "changing": changing["ratio"] >= TARGET_RATIO,
            },
        },
        "latency": latency,
        "click": clicks,
        "seconds": time.monotonic() - started,
    }
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
