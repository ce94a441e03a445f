"""Loopback servers for the security tests: pages that log every request, and an
OpenAI-compatible model server that answers from a script and keeps every request body."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Served:
    """A running loopback server: its base URL and what it was sent (paths, then bodies)."""

    url: str
    paths: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@contextlib.contextmanager
def _serve(handler: type[http.server.BaseHTTPRequestHandler], served: Served) -> Iterator[Served]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def serve_pages(pages: dict[str, str]) -> Iterator[Served]:
    """Serve `pages` (path -> HTML) on 127.0.0.1; every requested path (query included) is kept."""
    served = Served("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            served.paths.append(self.path)
            html = pages.get(self.path.split("?")[0])
            body = (html or "<h1>not found</h1>").encode()
            self.send_response(200 if html is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    with _serve(Handler, served) as s:
        yield s


def chat_reply(text: str) -> bytes:
    """An OpenAI chat completion whose message is `text`."""
    return json.dumps(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
    ).encode()


Responder = Callable[[int, bytes], tuple[int, str, bytes]]


@contextlib.contextmanager
def serve_model(respond: Responder) -> Iterator[Served]:
    """An OpenAI-compatible endpoint: `respond(n, body) -> (status, content type, bytes)` answers
    the n-th POST (from 0); every request body is kept."""
    served = Served("")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                n = len(served.bodies)
                served.bodies.append(body)
                served.paths.append(self.path)
            status, ctype, data = respond(n, body)
            if status < 0:  # reset the connection without an answer
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    with _serve(Handler, served) as s:
        yield s


def scripted_model(replies: list[str]) -> Responder:
    """Answer the n-th request with replies[n] (then `done()` forever)."""

    def respond(n: int, body: bytes) -> tuple[int, str, bytes]:
        text = replies[n] if n < len(replies) else "done()"
        return 200, "application/json", chat_reply(text)

    return respond
