"""A floor for MiniWoB env throughput: handeye's page protocol over a bare CDP websocket.

`CdpFloorSide` sends Chromium the same DevTools commands handeye's env does for an episode
(start + state in one evaluate, a viewport screenshot, mouse move/press/release, key events
per character, the state read after each action), with the same page scripts and browser
flags, but from this process straight to the page's websocket: no Playwright driver, no
gymnasium wrappers, no checks. What it reaches is what any env that keeps handeye's
observation (pixels every step) and input fidelity (real pointer and key events) can reach
on this machine's Chromium; bench_env reports it beside handeye and Farama.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

CDP_FLOOR, CDP_FLOOR_PIPELINED = "cdp_floor", "cdp_floor_pipelined"
_START_TIMEOUT_S = 20.0


class CdpPage:
    """One page target of a Chromium started here, driven by synchronous CDP commands."""

    def __init__(self, width: int, height: int) -> None:
        import websocket  # websocket-client (the peers extra)

        from envs.browser.pool import CHROMIUM_FLAGS, find_chromium

        exe = find_chromium()
        if exe is None:
            raise RuntimeError("no Chromium on PATH; set HANDEYE_CHROMIUM")
        self._dir = tempfile.TemporaryDirectory(prefix="handeye-cdp-")
        args = [exe, "--headless", *CHROMIUM_FLAGS, "--remote-debugging-port=0"]
        args += [f"--user-data-dir={self._dir.name}", "about:blank"]
        # its own process group: Debian's chromium-headless-shell is a shell script that runs the
        # binary as a child, so ending only the script would leave the browser running
        self._proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        port = self._wait_port(Path(self._dir.name) / "DevToolsActivePort")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as reply:
            targets = json.load(reply)
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        self._ws = websocket.create_connection(url, suppress_origin=True, timeout=30)
        self._id = 0
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _wait_port(self, path: Path) -> int:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if path.exists() and path.read_text().strip():
                return int(path.read_text().split()[0])
            if self._proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self._proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("Chromium did not open its DevTools port in 20 s")

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """One command and its reply; parameters as a dict or as keywords."""
        return self.batch([(method, {**(params or {}), **kw})])[0]

    def batch(self, commands: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Send every command before reading any reply (Chromium runs each domain's commands
        in order); events that arrive among the replies are dropped."""
        first = self._id + 1
        for method, params in commands:
            self._id += 1
            self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        replies: dict[int, dict[str, Any]] = {}
        while len(replies) < len(commands):
            msg = json.loads(self._ws.recv())
            if msg.get("id", 0) >= first:
                if "error" in msg:
                    raise RuntimeError(f"{commands[msg['id'] - first][0]}: {msg['error']}")
                replies[msg["id"]] = msg["result"]
        return [replies[i] for i in range(first, self._id + 1)]

    def call(self, function_js: str, arg: Any = None) -> Any:
        """`(function_js)(arg)` in the page, awaited, its value returned."""
        return value(self.send(*evaluate(function_js, arg)))

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._end_browser()
            self._dir.cleanup()

    def _end_browser(self) -> None:
        """Kill the browser's whole process group (a measuring peer needs no clean shutdown)."""
        with contextlib.suppress(ProcessLookupError):  # the session leader's pid is the group id
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait(timeout=10)


SCREENSHOT = ("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})


def evaluate(function_js: str, arg: Any = None) -> tuple[str, dict[str, Any]]:
    """The command that runs `(function_js)(arg)` in the page and returns its value."""
    expression = f"({function_js})({json.dumps(arg)})"
    return "Runtime.evaluate", {
        "expression": expression,
        "returnByValue": True,
        "awaitPromise": True,
    }


def value(reply: dict[str, Any]) -> Any:
    if "exceptionDetails" in reply:
        raise RuntimeError(f"page script failed: {reply['exceptionDetails']}")
    return reply["result"].get("value")


def image(reply: dict[str, Any]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(reply["data"]))).convert("RGB"))


def mouse(kind: str, x: float, y: float, clicks: int = 0) -> tuple[str, dict[str, Any]]:
    button = "none" if kind == "mouseMoved" else "left"
    params = {"type": kind, "x": x, "y": y, "button": button, "clickCount": clicks}
    return "Input.dispatchMouseEvent", params


def action_commands(action: Any) -> list[tuple[str, dict[str, Any]]]:
    """The input events handeye's env sends for a click or a typed text (Playwright's order)."""
    from contracts.actions import Click, Type

    if isinstance(action, Click):
        x, y = action.x + 0.5, action.y + 0.5
        return [mouse("mouseMoved", x, y), mouse("mousePressed", x, y, 1),
                mouse("mouseReleased", x, y, 1)]  # fmt: skip
    if isinstance(action, Type):
        key = "Input.dispatchKeyEvent"
        return [
            cmd
            for ch in action.text
            for cmd in (
                (key, {"type": "keyDown", "text": ch, "key": ch}),
                (key, {"type": "keyUp", "key": ch}),
            )  # fmt: skip
        ]
    raise ValueError(f"the CDP floor runs clicks and typing only, not {action}")


class CdpFloorSide:
    """The floor as a bench side: reset/step with handeye-shaped observations and info.

    Sequential, it waits for each command's reply as handeye's env does; `pipelined`, it
    sends an action's events in one burst, then the screenshot and the state read together.
    """

    def __init__(self, task: str, max_steps: int = 30, pipelined: bool = False) -> None:
        from envs.miniwob import env as mw
        from envs.miniwob.tasks import TASK_HEIGHT, TASK_WIDTH, get_task

        self.name = CDP_FLOOR_PIPELINED if pipelined else CDP_FLOOR
        self.task, self.max_steps, self.pipelined = task, max_steps, pipelined
        self.size = (TASK_HEIGHT, TASK_WIDTH)
        self.page = CdpPage(TASK_WIDTH + 170, TASK_HEIGHT + 40)
        self.page.send("Page.navigate", url=get_task(task).url)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self.page.call(mw.TASK_LOADED_JS):
            if time.monotonic() > deadline:
                raise RuntimeError(f"MiniWoB task {task} did not load")
            time.sleep(0.02)
        self.page.call(mw.STYLE_JS, [mw.STILL_CSS, True])
        self.max_ms = self.page.call(mw.WARM_UP_JS, "train")
        self._start, self._state, self._ready = mw.START_AND_STATE_JS, mw.STATE_JS, mw.TASK_READY_JS
        self.instruction = ""
        self.steps = 0
        self.phases: dict[str, float] = {}

    def _info(self, state: dict[str, Any]) -> dict[str, Any]:
        privileged = {"dom": state["dom"]}
        if state.get("fields"):
            privileged["fields"] = state["fields"]
        return {"task": self.task, "instruction": state["utterance"], "privileged": privileged}

    def _run(self, commands: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        if self.pipelined:
            return self.page.batch(commands)
        return [self.page.send(method, params) for method, params in commands]

    def _look(self) -> tuple[np.ndarray, dict[str, Any]]:
        """The frame, then the state (handeye's order: the state describes the frame)."""
        shot, state = self._run([SCREENSHOT, evaluate(self._state, True)])
        return self._crop(shot), json.loads(value(state))

    def _crop(self, shot: dict[str, Any]) -> np.ndarray:
        h, w = self.size
        return image(shot)[:h, :w]

    def reset(self, seed: int) -> tuple[dict[str, Any], dict[str, Any], float]:
        t0 = time.perf_counter()
        park = mouse("mouseMoved", self.size[1] + 100, 5)
        start = evaluate(self._start, [seed, "train", self.max_ms, True])
        state = value(self._run([park, start])[1])
        while state is None:  # the task builds itself asynchronously
            if self.page.call(self._ready):
                state = self.page.call(self._state, True)
        state = json.loads(state)
        t1 = time.perf_counter()
        frame = self._crop(self.page.send(*SCREENSHOT))
        self.instruction = state["utterance"]
        self._add("reset_start_episode", t1 - t0)
        self._add("reset_capture", time.perf_counter() - t1)
        self.steps = 0
        obs = {"screen": frame, "instruction": self.instruction}
        return obs, {**self._info(state), "episode_seed": seed}, time.perf_counter() - t0

    def step(self, action: Any) -> tuple[dict[str, Any], dict[str, Any], bool, bool, float]:
        from contracts.actions import Done

        t0 = time.perf_counter()
        if isinstance(action, Done):
            return {}, {}, True, False, 0.0
        self._run(action_commands(action))
        t1 = time.perf_counter()
        frame, state = self._look()
        self._add("step_act", t1 - t0)
        self._add("step_capture_and_state", time.perf_counter() - t1)
        self.steps += 1
        done = bool(state["done"]) or self.steps >= self.max_steps
        success = bool(state["done"]) and state["raw"] > 0
        obs = {"screen": frame, "instruction": self.instruction}
        return obs, self._info(state), done, success, time.perf_counter() - t0

    def _add(self, phase: str, seconds: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds

    def close(self) -> None:
        self.page.close()
