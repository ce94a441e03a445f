"""Redaction of recorded screens: password fields, fields that got a secret, elements matching
the person's CSS selectors and fixed regions are painted over in every stored frame.

`RedactScreens` is a wrapper that, after each reset and step, says in `info["redact"]` which
boxes of the new frame to hide (web: measured in the DOM, which recording may read; any env:
fixed regions). The policy still sees the whole frame; the trace writer (agent.trace_format:
step_row, fill_boxes) and the session's PNG frames paint the boxes over, and each episode's
metadata lists the rules and counts what was hidden.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from agent.session import REDACT
from contracts.errors import ConfigError, EnvError

log = logging.getLogger(__name__)

REDACT_KEY = REDACT  # info key: [[x0, y0, x1, y1, why], ...] in observation pixels
PASSWORD_SELECTOR = "input[type=password]"
SECRET_ATTRIBUTE = "data-handeye-secret"  # set on a field the gate typed a secret into

Box = tuple[int, int, int, int, str]


def parse_region(text: str) -> tuple[int, int, int, int]:
    """'x0,y0,x1,y1' (observation pixels) -> a box; ConfigError naming the flag otherwise."""
    try:
        x0, y0, x1, y1 = (int(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        raise ConfigError(
            f"--redact-region {text!r}: write x0,y0,x1,y1 in screen pixels, e.g. 0,0,400,60"
        ) from None
    if x1 <= x0 or y1 <= y0 or min(x0, y0) < 0:
        raise ConfigError(f"--redact-region {text!r}: need 0 <= x0 < x1 and 0 <= y0 < y1")
    return x0, y0, x1, y1


@dataclass(frozen=True)
class RedactionConfig:
    """What stored frames hide; `handeye chat/run` flags map 1:1 to these fields."""

    passwords: bool = True  # password inputs, and any field the gate typed a secret into
    selectors: tuple[str, ...] = ()  # web: CSS selectors of elements to hide
    regions: tuple[tuple[int, int, int, int], ...] = ()  # x0, y0, x1, y1 in observation pixels

    def rules(self) -> list[str]:
        """The rules as one line each, for an episode's metadata."""
        out = ["password fields", "secret fields"] if self.passwords else []
        out += [f"selector {s}" for s in self.selectors]
        out += ["region {},{},{},{}".format(*r) for r in self.regions]
        return out


class RedactScreens(gym.Wrapper):
    """Puts the boxes each new frame must hide in `info["redact"]`; the frame is left whole."""

    def __init__(self, env: gym.Env, config: RedactionConfig) -> None:
        super().__init__(env)
        self.redaction = config
        selectors = [(s, f"selector {s}") for s in config.selectors]
        if config.passwords:
            selectors = [
                (PASSWORD_SELECTOR, "password"),
                (f"[{SECRET_ATTRIBUTE}]", "secret"),
                *selectors,
            ]
        self._selectors = selectors

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        return obs, self._mark(obs, info)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, reward, terminated, truncated, self._mark(obs, info)

    def boxes(self, frame_shape: tuple[int, ...]) -> list[Box]:
        """The boxes to hide in the env's current frame (of `frame_shape`)."""
        out: list[Box] = [(*r, "region") for r in self.redaction.regions]
        measure = getattr(self.env.unwrapped, "element_boxes", None)
        if measure is None or not self._selectors:
            return out
        for selector, why in self._selectors:
            try:
                out += [(*b, why) for b in measure(selector)]
            except EnvError as exc:
                if why.startswith("selector") and "selector" in str(exc).lower():
                    raise ConfigError(
                        f"--redact-selector {selector!r} is not a selector the page accepts "
                        f"({exc}); give CSS such as '#card-number' or '.secret'"
                    ) from None
                # A page mid-navigation cannot be measured: hide the whole frame, not nothing.
                log.warning("could not measure %r (%s); the whole frame is hidden", selector, exc)
                h, w = frame_shape[:2]
                return [(0, 0, w, h, "unmeasured")]
        return out

    def _mark(self, obs: Any, info: dict[str, Any]) -> dict[str, Any]:
        frame = obs.get("screen") if isinstance(obs, dict) else None
        if frame is None:
            return info
        boxes = self.boxes(np.shape(frame))
        return {**info, REDACT_KEY: [list(b) for b in boxes]} if boxes else info
