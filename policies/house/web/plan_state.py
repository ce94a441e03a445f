"""What the plan policy keeps between frames: the action waiting for its check and the progress
of the current step, with the search limits its steps share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from contracts.actions import Action, Click, DoubleClick, Wait
from perception.instructions.plan import Step
from perception.screen.parser import UIElement
from policies.house.web.page_cues import Box, overlaps

MAX_SEARCH = 4  # scrolls and tab openings tried to find a missing target
MAX_SETTLE = 2  # waits for a missing target to show (a submenu or a list still opening)
SETTLE_S = 0.3
MAX_REPEATS = 2  # the same click on an unchanged screen taken this often; once more is a loop
LOOP_WINDOW_PX = 48  # half-side of the click's neighbourhood compared at full resolution
LOOP_STRIDE_PX = 4  # the rest of the screen compared every 4th pixel each way: a word still shows


@dataclass
class Pending:
    """An action waiting for the next frame to tell whether it did what it should."""

    action: Action
    frame: np.ndarray
    box: tuple[int, int, int, int] | None
    expect: str  # "change": the screen or the box changes; "error": no error; "none": nothing


@dataclass
class StepState:
    """Progress of the current plan step: its phase, what was tried, what is left to try."""

    step: Step
    phase: str = "start"
    # Boxes, not ids: an element's id is its place in one parse and changes with the page.
    tried: list[Box] = field(default_factory=list)  # elements that failed their check
    acted: list[Box] = field(default_factory=list)  # elements acted on (for ALL steps)
    acted_texts: list[str] = field(default_factory=list)  # and what they read (boxes move)
    strip: list[Box] = field(default_factory=list)  # the page's tabs, as first found
    opened: list[Box] = field(default_factory=list)  # tabs opened while searching
    opened_texts: list[str] = field(default_factory=list)  # and sections, by their words

    def was_tried(self, el: UIElement) -> bool:
        return any(overlaps(el.box, b) for b in self.tried)

    failures: int = 0
    search: int = 0
    waits: int = 0
    revealed: bool = False  # an item's "more" menu was opened to find the target
    nudged: bool = False  # scrolled a little to show the actions below the target's item
    settles: int = 0  # waits for a missing target before searching for it
    expanded: int = 0  # expand boxes opened while searching
    per_page: int = 0  # links a page of results shows (the n-th may be on a later page)
    page: int = 0  # pages turned
    element: UIElement | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # a closed-loop step's own notes


@dataclass
class ClickRun:
    """Points chosen once for a step and clicked one per frame, in turn."""

    step: Step
    points: list[tuple[int, int]] = field(default_factory=list)
    clicked: int = 0
    found: bool = False

    def next_click(self, notes: dict[str, Any], what: str) -> tuple[Action, None, str] | None:
        """Click the next point, named `what` in the notes; None when every one is clicked."""
        if self.clicked >= len(self.points):
            return None
        point = self.points[self.clicked]
        self.clicked += 1
        notes["target"] = f"{what} {self.clicked} of {len(self.points)} at {point}"
        return Click(*point), None, "none"


@dataclass
class LoopGuard:
    """The last click and the frame it was chosen on: the same click on the same unchanged
    screen again and again is a loop (it does nothing there), not a retry."""

    key: tuple[str, bytes] | None = None
    count: int = 0

    def repeats(self, action: Action, frame: np.ndarray) -> bool:
        """Count `action` chosen on `frame` (H x W x 3); True once the same click has been
        chosen on the same pixels more than MAX_REPEATS times. Waits between do not break the
        run; any other action does."""
        if isinstance(action, Wait):
            return False
        if not isinstance(action, (Click, DoubleClick)):
            self.key, self.count = None, 0
            return False
        key = (str(action), screen_digest(frame, round(action.x), round(action.y)))
        self.count = self.count + 1 if key == self.key else 1
        self.key = key
        return self.count > MAX_REPEATS


def screen_digest(frame: np.ndarray, x: int, y: int) -> bytes:
    """A digest of what a click at (x, y) (frame pixels) could change in `frame` (H x W x 3):
    every pixel around the click, and the whole screen every LOOP_STRIDE_PX pixels: a seventh
    of the time of hashing every pixel at 1280x720, blind only to a change of a few pixels
    far from the click (a caret's blink)."""
    h, w = frame.shape[:2]
    x0, y0 = max(0, x - LOOP_WINDOW_PX), max(0, y - LOOP_WINDOW_PX)
    near = frame[y0 : max(y0, y + LOOP_WINDOW_PX), x0 : max(x0, x + LOOP_WINDOW_PX)]
    sparse = frame[::LOOP_STRIDE_PX, ::LOOP_STRIDE_PX]
    digest = hashlib.blake2b(np.ascontiguousarray(near).tobytes(), digest_size=16)
    digest.update(np.ascontiguousarray(sparse).tobytes())
    digest.update(f"{h}x{w}@{x0},{y0}".encode())
    return digest.digest()
