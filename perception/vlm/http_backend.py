"""The HTTP grounder: a model served behind an OpenAI-compatible chat completions API.

vLLM, SGLang, Ollama, llama.cpp's server and `transformers serve` all take
`POST {base_url}/chat/completions` with the image as a data URL. The frame is sent
downscaled (longer side at most `max_side`), and the reply's coordinates are mapped
back to observation pixels through the family's frame, including the server's own
resize (Qwen smart_resize of the image it received). Transient failures (connection
refused or reset, timeouts, 429 and 5xx) are retried with jittered exponential backoff,
honouring Retry-After, under a per-process concurrency limit (`http_transport`); the key
comes from an environment variable and never appears in a message.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from contracts.errors import GroundingError, SetupError
from perception.grounding import Grounding
from perception.grounding.formats import parse_grounding
from perception.grounding.resize import CoordinateFrame
from perception.vlm.families import Family, get_family
from perception.vlm.http_transport import RetryPolicy, post_json
from perception.vlm.prompt_templates import PromptTemplate, history_in_model_units, load_prompt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HTTPConfig:
    """Options of the HTTP grounder; CLI flags map 1:1 onto these fields.

    base_url: the server's OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1 ("/v1"
    is appended when missing). model: the served model name. api_key_env: environment
    variable holding the key, sent as a Bearer token when set. max_side: longer side,
    in pixels, of the image sent. server_max_pixels: the server processor's max_pixels
    for Qwen-style pixel coordinates (default: the family's shipped value). retries,
    backoff_s, backoff_max_s, max_concurrency, timeout_s: see http_transport.RetryPolicy
    (the concurrency limit is per process and endpoint, shared by all its grounders).
    """

    base_url: str
    model: str
    family: str = "auto"
    coords: str | None = None
    prompt: str = "point"
    api_key_env: str = "HANDEYE_API_KEY"
    timeout_s: float = 120.0
    retries: int = 2
    backoff_s: float = 0.5
    backoff_max_s: float = 8.0
    max_concurrency: int = 8
    max_side: int = 1280
    image_format: str = "png"
    max_new_tokens: int = 128
    server_max_pixels: int | None = None


def chat_url(base_url: str) -> str:
    """The chat completions URL for a server root given with or without /v1."""
    url = base_url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SetupError(f"endpoint {base_url!r} must start with http:// or https://")
    if url.endswith("/chat/completions"):
        return url
    if not url.endswith("/v1"):
        url += "/v1"
    return url + "/chat/completions"


def encode_image(image: Any, max_side: int, fmt: str = "png") -> tuple[str, tuple[int, int]]:
    """A data URL of the image downscaled so its longer side is <= max_side, and its (w, h)."""
    from PIL import Image

    from perception.vlm.transformers_backend import as_pil

    pil = as_pil(image)
    w, h = pil.size
    if max(w, h) > max_side > 0:
        s = max_side / max(w, h)
        pil = pil.resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    kind = "jpeg" if fmt.lower() in ("jpg", "jpeg") else "png"
    pil.save(buf, format=kind.upper(), **({"quality": 90} if kind == "jpeg" else {}))
    return f"data:image/{kind};base64,{base64.b64encode(buf.getvalue()).decode()}", pil.size


def reply_text(response: dict[str, Any]) -> str:
    """The assistant text of a chat completion, tool calls written as `<tool_call>` blocks."""
    try:
        message = response["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        raise GroundingError(
            f"the server's reply has no choices[0].message: {str(response)[:300]}"
        ) from None
    content = message.get("content") or ""
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    calls = []
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        args = fn.get("arguments")
        args = json.loads(args) if isinstance(args, str) and args.strip() else args or {}
        calls.append(
            f"<tool_call>{json.dumps({'name': fn.get('name'), 'arguments': args})}</tool_call>"
        )
    return "\n".join([str(content), *calls]).strip()


class HTTPGrounder:
    """A served model as a Grounder; holds no connection between calls (close is a no-op)."""

    def __init__(self, config: HTTPConfig | None = None, **options: Any) -> None:
        self.config = config if config is not None else HTTPConfig(**options)
        if config is not None and options:
            self.config = replace(config, **options)
        cfg = self.config
        self.url = chat_url(cfg.base_url)
        self.family: Family = get_family(cfg.family, None, cfg.model, cfg.coords)
        self.template: PromptTemplate = load_prompt(self.family.prompts, cfg.prompt)

    def frame(self, obs_size: tuple[int, int], sent_size: tuple[int, int]) -> CoordinateFrame:
        """Where the reply's coordinates live: the server's resize of the image it was sent."""
        if self.family.coords != "pixels":
            return self.family.frame(obs_size, obs_size)
        if self.family.name == "generic":
            return self.family.frame(obs_size, sent_size)  # no known resize: the image sent
        model = self.family.resized(*sent_size, self.config.server_max_pixels)
        return self.family.frame(obs_size, model)

    def _body(self, data_url: str, instruction: str, history: Sequence[str], frame) -> dict:  # noqa: ANN001
        w, h = (int(s) for s in frame.span)
        system, user = self.template.render(
            instruction, history_in_model_units(history, frame), w, h
        )
        messages: list[dict[str, Any]] = []
        if system:
            messages.append({"role": "system", "content": system})
        content = [
            {"type": "image_url", "image_url": {"url": data_url}},
            {"type": "text", "text": user},
        ]
        messages.append({"role": "user", "content": content})
        return {
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_new_tokens,
            "temperature": 0.0,
            "stream": False,
        }

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST a chat completion, retrying transient failures with backoff (see http_transport)."""
        cfg = self.config
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(cfg.api_key_env, "") if cfg.api_key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        policy = RetryPolicy(
            cfg.retries, cfg.backoff_s, cfg.backoff_max_s, cfg.max_concurrency, cfg.timeout_s
        )
        return post_json(
            self.url, body, headers, policy, refused=self._refused, hint=f" serving {cfg.model!r}"
        )

    def _refused(self, code: int, detail: str) -> SetupError:
        if code in (401, 403):
            return SetupError(
                f"{self.url} refused the request (HTTP {code}); put the API key in "
                f"${self.config.api_key_env}"
            )
        return SetupError(
            f"{self.url} rejected the request (HTTP {code}): {detail}; check the model name "
            f"{self.config.model!r} and that the server accepts images"
        )

    def ground(self, image: np.ndarray, instruction: str, history: Sequence[str] = ()) -> Grounding:
        """Ground `instruction` in `image` (H x W x 3 uint8); coordinates in its pixels."""
        t0 = time.perf_counter()
        h, w = np.asarray(image).shape[:2]
        data_url, sent = encode_image(image, self.config.max_side, self.config.image_format)
        frame = self.frame((int(w), int(h)), sent)
        body = self._body(data_url, instruction, history, frame)
        t1 = time.perf_counter()
        text = reply_text(self.post(body))
        t2 = time.perf_counter()
        g = parse_grounding(text, frame, self.family.formats)
        timings = {"preprocess": t1 - t0, "request": t2 - t1, "parse": g.timings.get("parse", 0.0)}
        return replace(g, timings=timings, latency_s=sum(timings.values()))

    def ground_batch(
        self,
        images: Sequence[np.ndarray],
        instructions: Sequence[str],
        histories: Sequence[Sequence[str]] | None = None,
    ) -> list[Grounding | GroundingError]:
        """Ground frames with concurrent requests (the server batches them); errors in place."""
        if len(images) != len(instructions):
            raise GroundingError(
                f"need one instruction per image, got {len(images)} and {len(instructions)}"
            )
        histories = histories if histories is not None else [()] * len(images)

        def one(args: tuple) -> Grounding | GroundingError:
            try:
                return self.ground(*args)
            except GroundingError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=min(8, max(1, len(images)))) as pool:
            return list(pool.map(one, zip(images, instructions, histories, strict=True)))

    def close(self) -> None:
        """Nothing held between requests."""

    def __enter__(self) -> HTTPGrounder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
