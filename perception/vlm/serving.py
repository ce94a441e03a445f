"""One model served on loopback to many env workers, concurrent requests batched together.

`transformers serve` generates one request at a time for vision-language models (its
continuous batching is for text-only LLMs), so N workers queue behind each other. This
server speaks the same OpenAI-compatible `POST /v1/chat/completions` (image as a data URL,
what `HTTPGrounder` sends) and gathers the requests that arrive within `batch_wait_ms` of
the first, up to `max_batch`, into one batched forward pass (server-side batching, like
vLLM's, without paged attention). It binds 127.0.0.1 only: put a proxy in front to share it.
A full queue answers 429 with Retry-After, which the HTTP grounder honours.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import queue
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from contracts.errors import GroundingError, SetupError
from perception.vlm.loading import LoadedModel, load_model, torch_dtype
from perception.vlm.transformers_backend import _eos_ids, _reply_length, strip_reply

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServeConfig:
    """Options of `handeye serve`; CLI flags map 1:1 onto these fields.

    model: a local checkpoint folder. port: 0 picks a free one. max_batch: most requests
    in one generate(). batch_wait_ms: how long the first request waits for others to join.
    max_queue: requests waiting beyond which the server answers 429. name: the model
    name clients send (default: the folder path as given). threads: torch CPU threads
    (0: torch's default; on a busy CPU fewer threads avoid spinning on descheduled ones).
    """

    model: str
    port: int = 8000
    max_batch: int = 8
    batch_wait_ms: float = 10.0
    max_queue: int = 256
    device: str = "auto"
    dtype: str = "auto"
    name: str | None = None
    threads: int = 0


@dataclass
class _Request:
    messages: list[dict[str, Any]]
    images: list[Any]
    max_tokens: int
    future: Future


def _image(url: str) -> Any:
    """A PIL image from a `data:image/...;base64,` URL (the only kind a loopback server takes)."""
    from PIL import Image, UnidentifiedImageError

    head, _, data = url.partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        raise GroundingError("only data:image/...;base64 URLs are served (no fetching)")
    try:
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    except (ValueError, UnidentifiedImageError) as exc:
        raise GroundingError(f"the image data URL does not decode: {exc}") from None


def chat_request(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any], int]:
    """An OpenAI chat body as chat-template messages, its PIL images in order, and max tokens."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise GroundingError("the request needs a non-empty 'messages' list")
    out, images = [], []
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not isinstance(content, list):
            raise GroundingError(f"a message's content must be text or a list, got {m!r:.100}")
        parts = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                parts.append({"type": "text", "text": str(part.get("text", ""))})
            elif kind == "image_url":
                url = part.get("image_url")
                images.append(_image(url.get("url", "") if isinstance(url, dict) else str(url)))
                parts.append({"type": "image"})
            else:
                raise GroundingError(f"unsupported content part {kind!r} (text, image_url)")
        out.append({"role": str(m.get("role", "user")), "content": parts})
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens") or 128
    return out, images, int(max_tokens)


class BatchingEngine:
    """Gathers queued chat requests into batched generate() calls on one thread."""

    def __init__(self, loaded: LoadedModel, max_batch: int = 8, batch_wait_ms: float = 10.0):
        self.loaded = loaded
        self.max_batch = max(1, max_batch)
        self.batch_wait_s = max(0.0, batch_wait_ms) / 1000
        self.queue: queue.Queue[_Request | None] = queue.Queue()
        self.batch_sizes: Counter[int] = Counter()
        self._thread = threading.Thread(target=self._run, name="serve-batches", daemon=True)
        self._thread.start()

    def submit(self, messages: list, images: list, max_tokens: int) -> Future:
        """Queue one request; its Future resolves to (text, prompt tokens, new tokens)."""
        future: Future = Future()
        self.queue.put(_Request(messages, images, max_tokens, future))
        return future

    def _gather(self) -> list[_Request] | None:
        first = self.queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < self.max_batch:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                self.queue.put(None)  # stop after this batch
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        while (batch := self._gather()) is not None:
            self.batch_sizes[len(batch)] += 1
            self._answer(batch, split=len(batch) > 1)

    def _answer(self, batch: list[_Request], split: bool) -> None:
        """Resolve the batch's futures; a failed batch is retried one request at a time, so
        one bad request fails alone, not its neighbours."""
        try:
            results = self.generate(batch)
        except Exception as exc:  # noqa: BLE001 - the batch thread must outlive any one batch
            log.warning("a batch of %d failed: %s: %s", len(batch), type(exc).__name__, exc)
            for r in batch:
                if split:
                    self._answer([r], split=False)
                else:
                    r.future.set_exception(exc)
            return
        for r, result in zip(batch, results, strict=True):
            r.future.set_result(result)

    def generate(self, batch: list[_Request]) -> list[tuple[str, int, int]]:
        """One batched forward pass over the requests: (reply text, prompt tokens, new tokens)."""
        import torch

        loaded = self.loaded
        processor = loaded.processor
        texts = [
            processor.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False)
            for r in batch
        ]
        images = [im for r in batch for im in r.images] or None
        inputs = processor(text=texts, images=images, padding=True, return_tensors="pt")
        inputs = inputs.to(loaded.model.device, dtype=torch_dtype(loaded.dtype))
        tokenizer = getattr(processor, "tokenizer", processor)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else None
        with torch.inference_mode():
            out = loaded.model.generate(
                **inputs,
                max_new_tokens=max(r.max_tokens for r in batch),
                do_sample=False,
                pad_token_id=pad if pad is not None else tokenizer.eos_token_id,
            )
        prompt_len = inputs["input_ids"].shape[1]
        eos = _eos_ids(loaded.model, tokenizer)
        markers = [tokenizer.eos_token or "", tokenizer.pad_token or ""]
        results = []
        for row, r in enumerate(batch):
            new = out[row, prompt_len:].tolist()[: r.max_tokens]
            n_new = _reply_length(new, eos)
            text = strip_reply(tokenizer.decode(new[:n_new], skip_special_tokens=False), markers)
            results.append((text, int(inputs["attention_mask"][row].sum()), n_new))
        return results

    def close(self) -> None:
        """Finish the queued batches and stop the thread."""
        self.queue.put(None)
        self._thread.join(timeout=30)


class ModelServer:
    """A loaded model behind OpenAI-compatible HTTP on 127.0.0.1; a context manager."""

    def __init__(
        self,
        config: ServeConfig | None = None,
        *,
        loaded: LoadedModel | None = None,
        **options: Any,
    ) -> None:
        self.config = config if config is not None else ServeConfig(**options)
        cfg = self.config
        if cfg.threads > 0:
            import torch

            torch.set_num_threads(cfg.threads)
        self.loaded = loaded or load_model(cfg.model, device=cfg.device, dtype=cfg.dtype)
        self.names = {cfg.name or cfg.model, cfg.model, str(self.loaded.path)}
        self.engine = BatchingEngine(self.loaded, cfg.max_batch, cfg.batch_wait_ms)
        try:
            self.httpd = ThreadingHTTPServer((HOST, cfg.port), _handler(self))
        except OSError as exc:
            self.engine.close()
            raise SetupError(
                f"cannot listen on {HOST}:{cfg.port} ({exc}); pick another --port"
            ) from None
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        log.info("serving %s at %s (max batch %d)", cfg.model, self.url, cfg.max_batch)

    @property
    def port(self) -> int:
        """The port it listens on (the chosen one when the config said 0)."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1."""
        return f"http://{HOST}:{self.port}/v1"

    def complete(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one chat completion body: (HTTP status, JSON reply, extra headers)."""
        model = body.get("model")
        if model and model not in self.names:
            return 404, {"error": {"message": f"model {model!r} is not served here"}}, {}
        try:
            messages, images, max_tokens = chat_request(body)
        except GroundingError as exc:
            return 400, {"error": {"message": str(exc)}}, {}
        if self.engine.queue.qsize() >= self.config.max_queue:
            return 429, {"error": {"message": "queue full"}}, {"Retry-After": "1"}
        try:
            text, n_prompt, n_new = self.engine.submit(messages, images, max_tokens).result()
        except Exception as exc:  # noqa: BLE001 - whatever failed the batch, as a 500
            return (
                500,
                {"error": {"message": f"generation failed: {type(exc).__name__}: {exc}"}},
                {},
            )
        reply = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model or self.config.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop" if n_new < max_tokens else "length",
                }
            ],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": n_new,
                "total_tokens": n_prompt + n_new,
            },
        }
        return 200, reply, {}

    def stats(self) -> dict[str, Any]:
        """How many batches of each size ran so far."""
        return {"batch_sizes": dict(sorted(self.engine.batch_sizes.items()))}

    def close(self) -> None:
        """Stop listening, finish queued batches."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.engine.close()

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _handler(server: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            if self.path in ("/health", "/v1/health"):
                self._send(200, {"status": "ok", **server.stats()})
            elif self.path == "/v1/models":
                name = server.config.name or server.config.model
                self._send(200, {"object": "list", "data": [{"id": name, "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except (ValueError, RecursionError):
                self._send(400, {"error": {"message": "the body is not JSON"}})
                return
            if not isinstance(body, dict):
                self._send(400, {"error": {"message": "the body must be a JSON object"}})
                return
            self._send(*server.complete(body))

        def log_message(self, fmt: str, *args: object) -> None:
            log.debug("%s " + fmt, self.address_string(), *args)

    return Handler
