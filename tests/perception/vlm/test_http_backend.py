"""The HTTP grounder against real loopback servers: `transformers serve` with a tiny model, and
servers that refuse or fail, for the retry and error paths."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from contracts.errors import GroundingError, SetupError
from perception.grounding.resize import smart_resize
from perception.vlm.http_backend import HTTPGrounder, chat_url, encode_image, reply_text
from tests.vlm_checkpoints import checkpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frame(h: int, w: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def served_click_model(tmp_path_factory):
    """`transformers serve` on 127.0.0.1 with the tiny click model; stopped after the module."""
    cli = shutil.which("transformers", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("transformers[serving] is not installed")
    model = checkpoint(tmp_path_factory, "click_served")
    port = _free_port()
    log = open(tmp_path_factory.mktemp("serve") / "serve.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            cli,
            "serve",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--trust-remote-code",
            "--device",
            "cpu",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"transformers serve did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", str(model)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_served_model_reply_is_mapped_back_to_observation_pixels(served_click_model):
    url, name = served_click_model
    with HTTPGrounder(base_url=url, model=name, max_side=320, family="qwen2_5_vl") as grounder:
        g = grounder.ground(_frame(840, 640), "Click on the OK button", ["click(10, 10)"])
    assert g.raw_text == "click(84, 63)"
    # Sent at 244x320; the server's processor resized that to smart_resize(320, 244).
    h, w = smart_resize(320, 244)
    assert g.points[0].x == pytest.approx(84 * 640 / w)
    assert g.points[0].y == pytest.approx(63 * 840 / h)
    assert set(g.timings) == {"preprocess", "request", "parse"}


@pytest.mark.slow
def test_served_model_grounds_a_batch_concurrently(served_click_model):
    url, name = served_click_model
    grounder = HTTPGrounder(base_url=url + "/v1", model=name, prompt="next_action")
    results = grounder.ground_batch([_frame(210, 160)] * 2, ["a", "b"])
    assert [r.action for r in results] == ["click(80, 59)"] * 2


class _Handler(BaseHTTPRequestHandler):
    status = 503
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        type(self).seen.append({"auth": self.headers.get("Authorization"), "path": self.path})
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "nope"}')

    def log_message(self, *args: object) -> None:
        pass


def _serve(status: int):
    handler = type("H", (_Handler,), {"status": status, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


def test_an_overloaded_server_is_retried_with_backoff_then_reported():
    server, handler = _serve(503)
    try:
        grounder = HTTPGrounder(
            base_url=f"http://127.0.0.1:{server.server_port}", model="m", retries=2, backoff_s=0.05
        )
        t0 = time.perf_counter()
        with pytest.raises(GroundingError, match="after 3 tries.*HTTP 503"):
            grounder.ground(_frame(20, 20), "x")
        assert len(handler.seen) == 3 and time.perf_counter() - t0 < 5
        assert handler.seen[0]["path"] == "/v1/chat/completions"
    finally:
        server.shutdown()


def test_a_refused_key_names_the_variable_and_never_the_key(monkeypatch):
    monkeypatch.setenv("MY_VLM_KEY", "sk-secret-123")
    server, handler = _serve(401)
    try:
        grounder = HTTPGrounder(
            base_url=f"http://127.0.0.1:{server.server_port}/v1",
            model="m",
            api_key_env="MY_VLM_KEY",
        )
        with pytest.raises(SetupError, match=r"\$MY_VLM_KEY") as err:
            grounder.ground(_frame(20, 20), "x")
        assert "sk-secret" not in str(err.value)
        assert handler.seen == [{"auth": "Bearer sk-secret-123", "path": "/v1/chat/completions"}]
    finally:
        server.shutdown()


def test_no_server_is_a_grounding_error_after_the_retries():
    grounder = HTTPGrounder(base_url=f"http://127.0.0.1:{_free_port()}", model="m", backoff_s=0.01)
    with pytest.raises(GroundingError, match="no answer from .* after 3 tries.*ConnectionRefused"):
        grounder.ground(_frame(20, 20), "x")


def test_endpoint_urls_are_normalized():
    assert chat_url("http://h:8000") == "http://h:8000/v1/chat/completions"
    assert chat_url("http://h:8000/v1/") == "http://h:8000/v1/chat/completions"
    assert chat_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
    with pytest.raises(SetupError, match="http"):
        chat_url("localhost:8000")


def test_images_are_sent_downscaled_to_max_side():
    url, size = encode_image(_frame(720, 1280), 640)
    assert size == (640, 360) and url.startswith("data:image/png;base64,")
    assert encode_image(_frame(100, 50), 640)[1] == (50, 100)
    assert encode_image(_frame(100, 50), 640, "jpeg")[0].startswith("data:image/jpeg")


def test_tool_calls_in_the_reply_become_tool_call_text():
    reply = {
        "choices": [
            {
                "message": {
                    "content": None,
                    "tool_calls": [
                        {
                            "function": {
                                "name": "computer_use",
                                "arguments": '{"action": "left_click", "coordinate": [1, 2]}',
                            }
                        }
                    ],
                }
            }
        ]
    }
    text = reply_text(reply)
    assert text.startswith("<tool_call>") and '"coordinate": [1, 2]' in text
    assert (
        reply_text({"choices": [{"message": {"content": [{"type": "text", "text": "hi"}]}}]})
        == "hi"
    )
    with pytest.raises(GroundingError, match="no choices"):
        reply_text({"error": "x"})
