"""Retries, backoff and the concurrency limit against real loopback servers that misbehave first."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from contracts.errors import GroundingError
from perception.vlm.http_backend import HTTPGrounder
from perception.vlm.http_transport import RetryPolicy, backoff_s, post_json, retry_after_s

_OK = {"choices": [{"message": {"content": "click(5, 6)"}}]}


class _Scripted(BaseHTTPRequestHandler):
    """Answers the n-th request per `script[n]` ("ok" once the script runs out)."""

    script: list[str] = []
    times: list[float] = []
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0
    hold_s = 0.0

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        cls = type(self)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with cls.lock:
            n = len(cls.times)
            cls.times.append(time.monotonic())
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        answered = False
        try:
            step = cls.script[n] if n < len(cls.script) else "ok"
            if step == "hang":
                time.sleep(1.0)  # past the client's timeout
                return
            if step == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.connection.close()  # RST instead of an answer
                return
            time.sleep(cls.hold_s)
            code, _, retry_after = step.partition(":")
            status = 200 if code == "ok" else int(code)
            payload = json.dumps(_OK if status == 200 else {"error": "busy"}).encode()
            # Out of flight before the answer goes out: a client that has it may send its next
            # request before this thread runs again, and that one must not count as a third.
            with cls.lock:
                cls.in_flight -= 1
                answered = True
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(payload)
        finally:
            if not answered:
                with cls.lock:
                    cls.in_flight -= 1

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def scripted_server(*script: str, hold_s: float = 0.0):
    handler = type(
        "H",
        (_Scripted,),
        {"script": list(script), "times": [], "lock": threading.Lock(), "hold_s": hold_s},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1/chat/completions", handler
    finally:
        server.shutdown()
        server.server_close()


_FAST = RetryPolicy(retries=3, backoff_s=0.01, backoff_max_s=0.05, timeout_s=0.5)


def test_429_is_retried_after_the_servers_retry_after_then_succeeds():
    with scripted_server("429:0.4", "ok") as (url, handler):
        reply = post_json(url, {}, {}, _FAST)
    assert reply == _OK and len(handler.times) == 2
    assert handler.times[1] - handler.times[0] >= 0.4  # Retry-After, not the 0.05 s backoff


@pytest.mark.parametrize("failure", ["503", "500", "hang", "reset"])
def test_transient_failures_are_retried_until_the_server_answers(failure):
    with scripted_server(failure, failure, "ok") as (url, handler):
        assert post_json(url, {}, {}, _FAST) == _OK
    assert len(handler.times) == 3


def test_the_last_try_is_a_grounding_error_naming_the_endpoint_and_status():
    with (
        scripted_server(*["503"] * 4) as (url, handler),
        pytest.raises(
            GroundingError,
            match=r"no answer from http://127\.0\.0\.1:\d+/v1.*"
            r"after 4 tries \(last: HTTP 503",
        ),
    ):
        post_json(url, {}, {}, _FAST)
    assert len(handler.times) == 4


def test_backoff_doubles_up_to_its_cap_with_full_jitter():
    policy = RetryPolicy(backoff_s=1.0, backoff_max_s=3.0)
    rng = random.Random(0)
    waits = [[backoff_s(policy, a, rng) for _ in range(300)] for a in (1, 2, 3, 4)]
    assert [round(max(w), 1) for w in waits] == [1.0, 2.0, 3.0, 3.0]
    assert all(min(w) < 0.1 for w in waits)  # jitter spreads retries of many workers apart
    assert retry_after_s("2") == 2.0 and retry_after_s("soon") is None
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past


def test_the_process_keeps_at_most_max_concurrency_requests_in_flight():
    with scripted_server(hold_s=0.1) as (url, handler):
        grounders = [
            HTTPGrounder(base_url=url, model="m", max_concurrency=2, family="generic")
            for _ in range(2)
        ]
        frame = np.zeros((20, 20, 3), np.uint8)
        threads = [
            threading.Thread(target=grounders[i % 2].ground, args=(frame, "x")) for i in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(handler.times) == 8 and handler.most_in_flight == 2


def test_a_grounder_rides_out_an_overloaded_server():
    with scripted_server("429:0", "503", "ok") as (url, handler):
        grounder = HTTPGrounder(
            base_url=url, model="m", family="generic", backoff_s=0.01, retries=2
        )
        g = grounder.ground(np.zeros((20, 20, 3), np.uint8), "x")
    assert g.raw_text == "click(5, 6)" and len(g.points) == 1 and len(handler.times) == 3
