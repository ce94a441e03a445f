"""The timing contract: an env says how long its last reset/step spent in each phase."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class TimedEnv(Protocol):
    """An env that keeps seconds per phase of its last reset/step ("act", "capture") out of info,
    so that info stays deterministic for a given seed and action."""

    last_timings: dict[str, float]


def env_timings(env: Any) -> dict[str, float]:
    """Phase seconds of `env`'s last reset/step, through wrappers; {} if it keeps none."""
    inner = getattr(env, "unwrapped", env)
    return dict(inner.last_timings) if isinstance(inner, TimedEnv) else {}
