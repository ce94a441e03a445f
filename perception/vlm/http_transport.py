"""POSTing JSON to a served model: a per-process concurrency limit and retries with backoff.

Many env workers share one endpoint; each process caps how many requests it has in flight
to that endpoint (one semaphore per URL, shared by every grounder of the process), and a
transient failure (429, 5xx, a timeout, a refused or reset connection) is retried after an
exponential backoff with full jitter, or after the server's Retry-After when it sends one.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from contracts.errors import GroundingError, SetupError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

_LIMITS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_LIMITS_LOCK = threading.Lock()


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is retried and throttled.

    retries: tries after the first. backoff_s: the first backoff (seconds), doubled each
    try up to backoff_max_s, drawn uniformly in [0, that] (full jitter). max_concurrency:
    requests this process keeps in flight to one endpoint (0: no limit). timeout_s: per try.
    """

    retries: int = 2
    backoff_s: float = 0.5
    backoff_max_s: float = 8.0
    max_concurrency: int = 8
    timeout_s: float = 120.0


def concurrency_limit(url: str, limit: int) -> threading.BoundedSemaphore | None:
    """The process-wide semaphore for requests to `url` at `limit` in flight (None: unlimited)."""
    if limit <= 0:
        return None
    with _LIMITS_LOCK:
        return _LIMITS.setdefault((url, limit), threading.BoundedSemaphore(limit))


def retry_after_s(value: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_s(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """The full-jitter wait before try `attempt` (1-based retry number), in seconds."""
    cap = min(policy.backoff_max_s, policy.backoff_s * 2 ** (attempt - 1))
    return rng.uniform(0.0, cap)


def post_json(
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    policy: RetryPolicy,
    *,
    refused: Any = None,
    hint: str = "",
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """POST `body` to `url` and return the JSON reply, retrying transient failures.

    `refused(code, detail)` builds the error for a status that is not retried (default:
    SetupError); `hint` ends the final message. After the last try a GroundingError names
    the endpoint, the tries and the last status, so a session records it and goes on.
    """
    rng = rng or random.Random()
    data = json.dumps(body).encode()
    limit = concurrency_limit(url, policy.max_concurrency)
    last, wait_next = "", None
    for attempt in range(policy.retries + 1):
        if attempt:
            wait = backoff_s(policy, attempt, rng)
            if wait_next is not None:  # the server said when; never past one try's timeout
                wait = min(wait_next, policy.timeout_s)
            log.info("retrying %s in %.2f s (%s)", url, wait, last)
            time.sleep(wait)
        wait_next = None
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            if limit is not None:
                limit.acquire()
            try:
                with urllib.request.urlopen(request, timeout=policy.timeout_s) as resp:
                    raw = resp.read()
            finally:
                if limit is not None:
                    limit.release()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode(errors="replace")
            if exc.code in RETRY_STATUS:
                last = f"HTTP {exc.code}: {detail}"
                wait_next = retry_after_s(exc.headers.get("Retry-After"))
                continue
            if refused is not None:
                raise refused(exc.code, detail) from None
            raise SetupError(f"{url} rejected the request (HTTP {exc.code}): {detail}") from None
        except (
            urllib.error.URLError,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
        ) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
            continue
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deeply
            raise GroundingError(f"the server at {url} sent non-JSON: {raw[:200]!r}") from None
    raise GroundingError(
        f"no answer from {url} after {policy.retries + 1} tries (last: {last}); is the server "
        f"running and not overloaded?{hint} (e.g. `handeye serve --model PATH`, `vllm serve MODEL`)"
    )
