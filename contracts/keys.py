"""Names of observation and info keys every env and policy share, so neither spells them twice."""

from __future__ import annotations

# Observation keys (what a pixel policy may read).
SCREEN = "screen"  # (H, W, 3) uint8 screenshot
RGB = "rgb"  # (H, W, 3) uint8 camera frame
DEPTH = "depth"  # (H, W) float32 metres
INSTRUCTION = "instruction"

# Info keys.
ERROR = "error"  # a recoverable failure of the last step, as text
PRIVILEGED = "privileged"  # DOM, simulator state, oracle: rewards, experts, labels and evaluation

# The info keys a pixel policy is shown; everything else stays with the session and experts.
PUBLIC_INFO_KEYS: tuple[str, ...] = (ERROR,)
