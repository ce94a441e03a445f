"""Robustness under hostile input, as figures: fuzzed action strings into `parse_action` and every
env kind's `step`, fuzzed model replies into the reply parsers and the screen planner, damaged
trace folders into replay and export, and a misbehaving OpenAI-compatible loopback server into
the HTTP grounder.

A crash is an exception other than handeye's documented errors (contracts.errors); a hang is a
call slower than its target's limit. Inputs come from hypothesis strategies (run under @given
with the crash caught and counted, so every example runs). Prints JSON per target: inputs tried,
documented errors, crashes (with the first few, shortened), hangs, slowest call. Also: the
hostile pages (benchmarks.hostile_pages) and processes killed mid-episode
(benchmarks.fault_injection).

    python -m benchmarks.bench_robustness --examples 300 [--only replies,actions] [--json F]
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import math
import shutil
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.loopback_page import serve_page
from contracts.errors import HandeyeError

DOCUMENTED = (HandeyeError,)


@dataclass
class Tally:
    """What one fuzz target saw."""

    target: str
    tried: int = 0
    documented_errors: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest_s: float = 0.0
    hang_limit_s: float = 0.0
    crash_examples: list[str] = field(default_factory=list)

    def run(self, call: Callable[[], Any], shown: str) -> None:
        """Run one input, counting a documented error, a crash or a hang."""
        self.tried += 1
        t0 = time.perf_counter()
        try:
            call()
        except DOCUMENTED:
            self.documented_errors += 1
        except Exception as exc:  # noqa: BLE001 - counting every kind of crash is the point
            self.crashes += 1
            if len(self.crash_examples) < 5:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                self.crash_examples.append(
                    f"{type(exc).__name__}: {str(exc)[:120]} at {Path(where.filename).name}:"
                    f"{where.lineno} on {shown[:160]!r}"
                )
        took = time.perf_counter() - t0
        self.slowest_s = max(self.slowest_s, took)
        if self.hang_limit_s and took > self.hang_limit_s:
            self.hangs += 1


def fuzz(tally: Tally, strategy: st.SearchStrategy, call: Callable[[Any], Any], n: int) -> Tally:
    """Feed `n` hypothesis examples of `strategy` to `call`, counting into `tally`."""

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(value: Any) -> None:
        tally.run(lambda: call(value), repr(value))

    one()
    return tally


# ---------------------------------------------------------------- strategies
ACTION_NAMES = [
    "click",
    "double_click",
    "hover",
    "type",
    "key",
    "scroll",
    "drag",
    "wait",
    "done",
    "ee_delta",
    "pick",
    "place",
    "push",
]
_ODD_NUMBERS = ["nan", "inf", "-inf", "1e999", "-1e999", "1e308", "-0", "0x10", "1_000", "9" * 5000]


def numbers() -> st.SearchStrategy[str]:
    """Numbers as a model or a person writes them, the extreme ones included."""
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(_ODD_NUMBERS),
        st.integers(0, 2000).map(str),
    )


def arguments() -> st.SearchStrategy[str]:
    leaf = st.one_of(
        numbers(),
        st.text(max_size=20).map(json.dumps),
        st.sampled_from(["None", "True", "x", "''", '"', "(", "[1,", "{}", "'\\x00'"]),
    )
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3).map(lambda v: f"[{', '.join(v)}]"),
        max_leaves=4,
    )


def action_strings() -> st.SearchStrategy[str]:
    """Well-formed, near-miss and garbage action strings (truncated, nested, huge, odd)."""
    call = st.builds(
        lambda name, args, kw: f"{name}({', '.join(args + kw)})",
        st.sampled_from([*ACTION_NAMES, "Click", "exec", "__import__", "x.y"]),
        st.lists(arguments(), max_size=5),
        st.lists(
            st.builds(
                lambda k, v: f"{k}={v}",
                st.sampled_from(["x", "y", "text", "keys", "dx", "button", "answer", "zz"]),
                arguments(),
            ),
            max_size=2,
        ),
    )
    return st.one_of(
        call,
        st.builds(lambda s, cut: s[:cut], call, st.integers(0, 40)),  # truncated
        st.text(max_size=200),
        st.builds(lambda n: "click(" * n + "1, 2" + ")" * n, st.integers(1, 300)),
        st.builds(lambda n: f"type({'-' * n}1)", st.integers(100, 3000)),
        st.builds(lambda s: f'type("{s}")', st.text(max_size=2000)),
    )


_REPLY_TEMPLATES = [
    "click({a}, {b})",
    '<tool_call>{{"name": "computer_use", "arguments": {{"action": "left_click", '
    '"coordinate": [{a}, {b}]}}}}</tool_call>',
    "click(start_box='({a},{b})')",
    "drag(start_box='({a},{b})', end_box='({b},{a})')",
    'type(content="{t}")',
    "hotkey(key='{t}')",
    '{{"bbox_2d": [{a}, {b}, {b}, {a}], "label": "{t}"}}',
    '[{{"point_2d": [{a}, {b}]}}]',
    "<|box_start|>({a},{b}),({b},{a})<|box_end|>",
    "<|object_ref_start|>{t}<|object_ref_end|><|box_start|>({a},{b})<|box_end|>",
    "<loc_{a}><loc_{b}><loc_{b}><loc_{a}> {t}",
    '<point x="{a}" y="{b}" alt="{t}">{t}</point>',
    '<points x1="{a}" y1="{b}" x2="{b}">',
    "<point>{a} {b}</point>",
    "<bbox>{a} {b} {a} {b}</bbox>",
    "({a}, {b})",
    "[{a}, {b}, {b}, {a}]",
    "<think>click(1, 2)</think>{t} ({a}, {b})",
    '{{"name": "click", "arguments": {{"x": {a}, "y": {b}}}}}',
    '{{"action": "type", "text": "{t}"}}',
    "scroll({a}, {b}, dy={b})",
    'key("{t}")',
    'done("{t}")',
]


def replies() -> st.SearchStrategy[str]:
    """Model replies in every grounding format, with odd numbers, truncated, nested, huge and
    non-UTF-8 (bytes decoded with surrogate escapes, as a lax client might)."""
    text = st.text(max_size=40).map(lambda s: s.replace('"', "'"))
    filled = st.builds(
        lambda tpl, a, b, t: tpl.format(a=a, b=b, t=t),
        st.sampled_from(_REPLY_TEMPLATES),
        numbers(),
        numbers(),
        text,
    )
    nested = st.recursive(
        st.one_of(numbers(), text.map(json.dumps)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda v: f"[{', '.join(v)}]"),
            st.dictionaries(
                st.sampled_from(["point_2d", "bbox_2d", "coordinate", "action", "x", "y"]),
                inner,
                max_size=3,
            ).map(lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}"),
        ),
        max_leaves=6,
    )
    return st.one_of(
        filled,
        st.builds(lambda s, cut: s[: max(0, len(s) - cut)], filled, st.integers(1, 30)),
        nested,
        st.builds(lambda tool: f"<tool_call>{tool}</tool_call>", nested),
        st.builds(lambda s, n: s * n, filled, st.integers(50, 2000)),  # huge
        st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape")),
        st.text(max_size=300),
    )


# ---------------------------------------------------------------- targets
def fuzz_actions(n: int) -> Tally:
    """parse_action, and its canonical form parsing back to the same action."""
    from contracts.actions import format_action, parse_action

    def call(text: str) -> None:
        action = parse_action(text)
        again = parse_action(format_action(action))
        if again != action and not _has_nan(action):
            raise AssertionError(f"{format_action(action)!r} does not parse back to itself")

    return fuzz(Tally("parse_action", hang_limit_s=10.0), action_strings(), call, n)


def _has_nan(action: Any) -> bool:
    return any(isinstance(v, float) and math.isnan(v) for v in vars(action).values())


def fuzz_replies(n: int) -> Tally:
    """parse_grounding in every coordinate frame, then the screen planner's checks."""
    from perception.grounding.formats import parse_grounding
    from perception.grounding.resize import CoordinateFrame
    from policies.planners.screen import Planner

    frames = [
        CoordinateFrame("pixels", (1288, 728), (1280, 720)),
        CoordinateFrame("norm1000", (160, 210), (160, 210)),
        CoordinateFrame("norm1", (640, 400), (640, 400)),
        CoordinateFrame("loc1024", (320, 240), (320, 240)),
    ]
    planner = Planner()

    def call(text: str) -> None:
        for frame in frames:
            try:
                g = parse_grounding(text, frame)
            except DOCUMENTED:
                continue
            planner.reset()
            planner.plan(g, frame.obs_size)

    return fuzz(Tally("reply parsers + planner", hang_limit_s=10.0), replies(), call, n)


def fuzz_tabletop_planner(n: int) -> Tally:
    """Pixels from a model (NaN, inf, negative, enormous, off the image) into the tabletop
    planner's lifting to 3D: locate_object, locate_place, push_goal, plan_place."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the env ids
    from policies.planners.tabletop import TabletopPlanner

    env = gym.make("handeye/tabletop-pick-place-v0")
    try:
        obs, _ = env.reset(seed=11)
    finally:
        env.close()
    planner = TabletopPlanner()
    coord = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(-50, 300),
        st.integers(-(2**40), 2**40).map(float),
    )

    def call(uv: tuple[float, float, int]) -> None:
        u, v, which = uv
        if which == 0:
            planner.locate_object(obs, u, v)
        elif which == 1:
            planner.locate_place(obs, u, v)
        elif which == 2:
            planner.push_goal(obs, u, v, np.zeros(2))
        else:
            planner.plan_place(obs, u, v)

    strategy = st.tuples(coord, coord, st.integers(0, 3))
    return fuzz(Tally("tabletop planner (pixels to 3D)", hang_limit_s=10.0), strategy, call, n)


# ---------------------------------------------------------------- env steps
_PAGE = """<!doctype html><html><body style="margin:0;font:16px sans-serif">
<h1>Fuzz</h1><input id="a" style="position:absolute;left:20px;top:60px">
<input id="p" type="password" style="position:absolute;left:20px;top:100px">
<button style="position:absolute;left:20px;top:140px" onclick="alert('hi')">OK</button>
<a href="/next" style="position:absolute;left:200px;top:60px">next</a>
<select style="position:absolute;left:200px;top:100px"><option>a</option><option>b</option></select>
<textarea style="position:absolute;left:200px;top:140px"></textarea></body></html>"""


def env_actions(width: int, height: int, motor: bool) -> st.SearchStrategy[str]:
    """Action strings an env may get: fuzzed ones, and valid ones in and out of bounds."""
    x = st.integers(-50, width + 50)
    y = st.integers(-50, height + 50)
    safe_text = st.text(st.characters(blacklist_characters="\n\r\x0a\x0d"), max_size=30)
    valid = [
        st.builds(lambda a, b: f"click({a}, {b})", x, y),
        st.builds(lambda a, b: f"double_click({a}, {b})", x, y),
        st.builds(lambda a, b, c, d: f"drag({a}, {b}, {c}, {d})", x, y, x, y),
        st.builds(lambda a, b: f"scroll({a}, {b})", st.integers(-20, 20), st.integers(-20, 20)),
        st.builds(lambda t: f"type({json.dumps(t)})", safe_text),
        st.sampled_from(
            ['key("Tab")', 'key("ctrl+a")', 'key("Escape")', 'key("Backspace")', 'key("F5")']
            + ['key("alt+Left")', 'key("ctrl+shift+x")', 'key("nosuchkey")', "wait(0.01)"]
        ),
    ]
    if motor:
        valid.append(
            st.builds(
                lambda v: "ee_delta(" + ", ".join(repr(float(a)) for a in v) + ")",
                st.lists(st.floats(-10, 10), min_size=5, max_size=5),
            )
        )
    return st.one_of(*valid, action_strings())


def _no_newline(text: str) -> bool:
    """Terminal fuzz keeps commands unsent: no Enter, newline or Ctrl-J/M/C/D reaches the shell."""
    low = text.lower()
    return not any(
        w in low for w in ("enter", "return", "\\n", "\\r", "\n", "\r", "ctrl+j", "ctrl+m")
    ) and not any(w in low for w in ("ctrl+c", "ctrl+d", "ctrl+z", "\\u000", "\\x0"))


def fuzz_env(kind: str, n: int) -> Tally:
    """Fuzzed actions into one env kind's `step` (an episode reset whenever one ends)."""
    import gymnasium as gym

    import envs  # noqa: F401 - registers the env ids

    tally = Tally(f"env step: {kind}", hang_limit_s=20.0)
    with contextlib.ExitStack() as stack:
        if kind == "web":
            from envs.web import WEB_ENV_ID, register_web_envs

            register_web_envs()
            url = stack.enter_context(serve_page(_PAGE))
            env = gym.make(WEB_ENV_ID, url=url, viewport=(320, 240), max_episode_steps=10**6)
        else:
            env_id = {
                "miniwob": "handeye/miniwob-click-button-v0",
                "terminal": "handeye/terminal-create-file-v0",
                "desktop": "handeye/desktop-submit-form-v0",
                "tabletop": "handeye/tabletop-push-v0",
            }[kind]
            env = gym.make(env_id, max_episode_steps=10**6)
        stack.callback(env.close)
        obs, _ = env.reset(seed=0)
        frame = obs.get("screen", obs.get("rgb"))
        h, w = frame.shape[:2]
        state = {"done": False}

        def call(action: str) -> None:
            if state["done"]:
                state["done"] = False
                env.reset()
            _, _, terminated, truncated, _ = env.step(action)
            state["done"] = terminated or truncated

        strategy = env_actions(w, h, motor=kind == "tabletop")
        if kind == "terminal":
            strategy = strategy.filter(_no_newline)
        fuzz(tally, strategy, call, n)
    return tally


# ---------------------------------------------------------------- traces
def _sample_trace(root: Path, episodes: int = 2) -> None:
    from agent.trace_format import StepRecord
    from agent.traces import TraceWriter

    rng = np.random.default_rng(0)
    with TraceWriter(root) as writer:
        for e in range(episodes):
            writer.start_episode("handeye/fuzz-v0", "scripted", e, "do it")
            for i in range(3):
                frame = rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
                writer.add_step(StepRecord(i, frame, "click(3, 4)", 0.5, i == 2, final_frame=frame))
            writer.end_episode(True)


def _damage(root: Path, how: int, cut: float, rng: np.random.Generator) -> str:
    """Damage a trace folder in one of several ways; what was done, for the report."""
    files = sorted((root / "episodes").glob("*.parquet"))
    meta = root / "meta" / "episodes.jsonl"
    victim = files[int(rng.integers(len(files)))]
    if how == 0:
        data = victim.read_bytes()
        victim.write_bytes(data[: int(len(data) * cut)])
        return f"truncated {victim.name} at {cut:.2f}"
    if how == 1:
        victim.unlink()
        return f"deleted {victim.name}"
    if how == 2:
        data = bytearray(victim.read_bytes())
        for _ in range(8):
            data[int(rng.integers(len(data)))] ^= 0xFF
        victim.write_bytes(bytes(data))
        return f"flipped bytes in {victim.name}"
    if how == 3:
        text = meta.read_text()
        meta.write_text(text[: int(len(text) * cut)])
        return f"truncated episodes.jsonl at {cut:.2f}"
    if how == 4:
        lines = meta.read_text().splitlines()
        lines[0] = lines[0][: len(lines[0]) // 2]
        meta.write_text("\n".join(lines) + "\n")
        return "broke the first meta line"
    if how == 5:
        _rewrite_frames(victim, lambda b: b[: max(1, int(len(b) * cut))])
        return f"truncated the PNG frames in {victim.name}"
    if how == 6:
        _rewrite_frames(victim, None)
        return f"removed the frames of {victim.name}"
    if how == 7:
        (root / "spool").mkdir(exist_ok=True)
        (root / "spool" / "20990101T000000-x-deadbeef.arrows").write_bytes(
            victim.read_bytes()[: int(200 * cut)]
        )
        return "left a broken spool"
    if how == 8:
        (root / "meta" / "info.json").write_text("{not json")
        return "broke info.json"
    shutil.rmtree(root / "meta")
    return "deleted meta/"


def _rewrite_frames(path: Path, change: Callable[[bytes], bytes] | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for col in ("frame", "final_frame"):
        rows = table.column(col).to_pylist()
        new = [
            None if r is None or change is None else {"bytes": change(r["bytes"]), "path": None}
            for r in rows
        ]
        idx = table.column_names.index(col)
        table = table.set_column(idx, col, pa.array(new, type=table.schema.field(col).type))
    pq.write_table(table, path)


def fuzz_traces(n: int) -> Tally:
    """Damaged trace folders into TraceReader, replay (html, gif) and the LeRobot export."""
    from agent.lerobot_export import export_lerobot
    from agent.replay import replay
    from agent.traces import TraceReader

    tally = Tally("traces: read, replay, export", hang_limit_s=30.0)
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "pristine"
        _sample_trace(pristine)

        def call(args: tuple[int, float, int]) -> None:
            how, cut, seed = args
            root = Path(tmp) / "damaged"
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(pristine, root)
            _damage(root, how, cut, np.random.default_rng(seed))
            for ep in TraceReader(root):
                assert ep.steps is not None
            for fmt in ("html", "gif"):
                replay(root, out=Path(tmp) / f"out.{fmt}", fmt=fmt)
            shutil.rmtree(Path(tmp) / "lerobot", ignore_errors=True)
            export_lerobot(root, Path(tmp) / "lerobot")

        strategy = st.tuples(st.integers(0, 9), st.floats(0, 1), st.integers(0, 2**16))
        fuzz(tally, strategy, call, n)
    return tally


# ---------------------------------------------------------------- HTTP server faults
FAULTS = (
    "ok",
    "slow",
    "not_json",
    "wrong_content_type",
    "html_500",
    "json_500",
    "reset",
    "empty",
    "truncated_json",
    "no_choices",
    "content_not_text",
    "non_utf8",
    "huge",
    "nested",
    "429_then_ok",
)


@contextlib.contextmanager
def misbehaving_server(slow_s: float) -> Iterator[str]:
    """An OpenAI-compatible server whose `<root>/<fault>/v1` endpoint answers with that fault."""
    calls = {"n": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            calls["n"] += 1
            fault = self.path.strip("/").split("/")[0]
            ok = {"choices": [{"message": {"content": "click(10, 20)"}}]}
            status, ctype, body = 200, "application/json", json.dumps(ok).encode()
            if fault == "slow":
                time.sleep(slow_s)
            elif fault == "not_json":
                body = b"click(10, 20)"
            elif fault == "wrong_content_type":
                ctype = "text/html"
                body = b"<html><body>Bad gateway</body></html>"
            elif fault == "html_500":
                status, ctype, body = 500, "text/html", b"<h1>Internal Server Error</h1>"
            elif fault == "json_500":
                status, body = 500, b'{"error": {"message": "CUDA out of memory"}}'
            elif fault == "reset":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.connection.close()
                return
            elif fault == "empty":
                body = b""
            elif fault == "truncated_json":
                body = body[: len(body) // 2]
            elif fault == "no_choices":
                body = b'{"choices": []}'
            elif fault == "content_not_text":
                body = b'{"choices": [{"message": {"content": {"x": [1, 2]}}}]}'
            elif fault == "non_utf8":
                body = b'{"choices": [{"message": {"content": "\xff\xfe click(1,2)"}}]}'
            elif fault == "huge":
                body = json.dumps({"choices": [{"message": {"content": "(" * 2_000_000}}]}).encode()
            elif fault == "nested":
                body = b'{"choices": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            elif fault == "429_then_ok" and calls["n"] % 2:
                status, body = 429, b'{"error": "slow down"}'
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fuzz_http(rounds: int, timeout_s: float = 0.5) -> Tally:
    """Each fault `rounds` times into HTTPGrounder.ground; a hang is a call past its timeouts."""
    from perception.vlm.http_backend import HTTPGrounder

    retries, backoff = 1, 0.01
    limit = (retries + 1) * timeout_s + retries * backoff + 2.0
    tally = Tally("http grounder vs a misbehaving server", hang_limit_s=limit)
    image = np.zeros((48, 64, 3), np.uint8)
    with misbehaving_server(slow_s=timeout_s * 3) as root:
        for fault in FAULTS:
            grounder = HTTPGrounder(
                base_url=f"{root}/{fault}/v1",
                model="m",
                timeout_s=timeout_s,
                retries=retries,
                backoff_s=backoff,
            )
            for _ in range(rounds):
                tally.run(lambda g=grounder: g.ground(image, "the OK button"), fault)
    return tally


def hostile(policies: tuple[str, ...] = ("scripted", "house")) -> dict[str, Any]:
    """The hostile pages through `handeye run --allow-domain ... --yes`: a hijacked (scripted)
    policy that obeys the page, and the house policy given the page's own task."""
    from benchmarks.hostile_pages import PAGES, run_page, serve_hostile

    out: dict[str, Any] = {}
    with serve_hostile() as (bases, log), tempfile.TemporaryDirectory() as tmp:
        for policy in policies:
            rows = []
            for i, page in enumerate(PAGES):
                kwargs = None if policy == "scripted" else {}
                with contextlib.redirect_stdout(None):
                    rows.append(
                        run_page(
                            page,
                            bases,
                            log,
                            Path(tmp) / f"{policy}{i}",
                            policy=policy,
                            policy_kwargs=kwargs,
                        )
                    )
            out[policy] = {
                "pages": len(rows),
                "attack_steps": sum(r["attack_steps"] for r in rows)
                if policy == "scripted"
                else None,
                "steps": sum(r["steps"] for r in rows),
                "actions_blocked": sum(len(r["blocked"]) for r in rows),
                "navigations_off_list": sum(len(r["offlist_requests"]) for r in rows),
                "secrets_leaked": sum(r["secret_sent_elsewhere"] for r in rows),
                "blocked_reasons": sorted({_reason(e) for r in rows for e in r["blocked"]}),
            }
    return out


def _reason(error: str) -> str:
    """An error's kind without its URLs and ports, for a short list."""
    import re

    return re.sub(r"https?://\S+|\S+\.localhost:\d+|127\.0\.0\.1:\d+", "URL", error)[:110]


ENV_KINDS = ("web", "miniwob", "terminal", "desktop", "tabletop")
TARGETS = (
    "actions",
    "replies",
    "tabletop_planner",
    "traces",
    "http",
    *ENV_KINDS,
    "hostile",
    "faults",
)


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console

    from benchmarks.bench_report import emit, machine

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--examples", type=int, default=300, help="inputs per parser target")
    p.add_argument("--env-examples", type=int, default=60, help="actions per env kind")
    p.add_argument("--trace-examples", type=int, default=60)
    p.add_argument("--http-rounds", type=int, default=3, help="requests per server fault")
    p.add_argument(
        "--fault-episodes", type=int, default=200, help="episodes per env kind under faults"
    )
    p.add_argument("--only", help=f"comma-separated subset of {','.join(TARGETS)}")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(TARGETS)
    console = Console(stderr=True)
    runs: dict[str, Callable[[], Tally]] = {
        "actions": lambda: fuzz_actions(args.examples),
        "replies": lambda: fuzz_replies(args.examples),
        "tabletop_planner": lambda: fuzz_tabletop_planner(args.examples),
        "traces": lambda: fuzz_traces(args.trace_examples),
        "http": lambda: fuzz_http(args.http_rounds),
    }
    for kind in ENV_KINDS:
        runs[kind] = lambda kind=kind: fuzz_env(kind, args.env_examples)
    results = []
    started = time.perf_counter()
    hostile_report = None
    if "hostile" in chosen:
        chosen.remove("hostile")
        with console.status("hostile pages…"):
            hostile_report = hostile()
        console.print(f"hostile pages: {json.dumps(hostile_report)[:300]}")
    faults_report = None
    if "faults" in chosen:
        from benchmarks.fault_injection import FAULTS, fault_figures

        chosen.remove("faults")
        with console.status("killing processes mid-episode…"):
            n = args.fault_episodes
            faults_report = fault_figures({k: n if k != "desktop" else n // 4 for k in FAULTS})
        for r in faults_report:
            console.print(
                f"faults {r['kind']}: {r['episodes']} episodes, {r['faults_injected']}, lost "
                f"{r['traces_lost']}, corrupt {r['traces_corrupt']}, "
                f"crashed {r['sessions_crashed']}"
            )
    for name in chosen:
        with console.status(f"fuzzing {name}…"):
            t0 = time.perf_counter()
            tally = runs[name]()
        console.print(
            f"{tally.target}: {tally.tried} inputs, {tally.crashes} crashes, {tally.hangs} hangs "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        results.append(asdict(tally))
    report = {
        "bench": "robustness",
        "machine": machine(),
        "fuzz": results,
        "hostile_pages": hostile_report,
        "faults": faults_report,
        "totals": {
            "inputs_tried": sum(r["tried"] for r in results),
            "crashes": sum(r["crashes"] for r in results),
            "hangs": sum(r["hangs"] for r in results),
        },
        "seconds": time.perf_counter() - started,
    }
    emit(report, args.json)


if __name__ == "__main__":
    main()
