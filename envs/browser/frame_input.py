"""Typed UI actions on a BeginFrame page: pointer events sent straight over the page's socket.

Under BeginFrame control a lone pointer move or a wheel waits for a frame, which a blocking
Playwright call cannot draw; and each Playwright call is one more hop through its driver. Here
pointer events go over the page's `FrameClock` with the parameters Playwright's Chromium mouse
sends (`crInput.ts`: button, buttons mask, force, clickCount), pipelined like its click, with
frames drawn for the events that wait for one. Keys, drags (Playwright's drag manager handles
HTML drag and drop) and page calls stay with Playwright, so the page sees the same events as
under `perform`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from envs.browser.begin_frame import FRAME_PERIOD_S, FrameClock
from envs.browser.pool import (
    SCROLL_NOTCH_PX,
    EnvError,
    InputCall,
    PageHandle,
    bound_call,
    browser_errors,
    input_calls,
    refused_key,
)

MODIFIER_BITS = {"Alt": 1, "Control": 2, "Meta": 4, "Shift": 8}
BUTTON_BITS = {"left": 1, "right": 2, "middle": 4, "back": 8, "forward": 16}


@dataclass
class Pointer:
    """What Playwright's `Mouse` tracks: position (CSS px), buttons held, last button, and the
    modifier keys held on the keyboard."""

    x: float = 0.0
    y: float = 0.0
    last_button: str = "none"
    buttons: set[str] = field(default_factory=set)
    modifiers: int = 0

    def _mask(self) -> int:
        return sum(BUTTON_BITS[b] for b in self.buttons)

    def move(self, x: float, y: float) -> tuple[str, dict[str, Any]]:
        self.x, self.y = x, y
        params = {"type": "mouseMoved", "button": self.last_button, "buttons": self._mask()}
        force = 0.5 if self.buttons else 0
        return "Input.dispatchMouseEvent", {**params, **self._at(), "force": force}

    def down(self, button: str, clicks: int) -> tuple[str, dict[str, Any]]:
        self.last_button = button
        self.buttons.add(button)
        params = {"type": "mousePressed", "button": button, "buttons": self._mask()}
        extra = {"clickCount": clicks, "force": 0.5}
        return "Input.dispatchMouseEvent", {**params, **self._at(), **extra}

    def up(self, button: str, clicks: int) -> tuple[str, dict[str, Any]]:
        self.last_button = "none"
        self.buttons.discard(button)
        params = {"type": "mouseReleased", "button": button, "buttons": self._mask()}
        return "Input.dispatchMouseEvent", {**params, **self._at(), "clickCount": clicks}

    def wheel(self, dx: float, dy: float) -> tuple[str, dict[str, Any]]:
        params = {"type": "mouseWheel", **self._at(), "deltaX": dx, "deltaY": dy}
        return "Input.dispatchMouseEvent", params

    def _at(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "modifiers": self.modifiers}


def pointer_of(clock: FrameClock) -> Pointer:
    """The pointer state of the clock's page (a clock serves one page for its whole life)."""
    if clock.pointer is None:
        clock.pointer = Pointer()
    return clock.pointer


def move_pointer(handle: PageHandle, x: float, y: float) -> None:
    """Move the pointer to CSS px (x, y), drawing frames until the page has taken the move."""
    assert handle.clock is not None
    handle.clock.batch([pointer_of(handle.clock).move(x, y)], frames=True)


def perform_with_frames(
    handle: PageHandle, action: Any, scale: float = 1.0, notch_px: float = SCROLL_NOTCH_PX
) -> None:
    """Carry out a typed UI action on a BeginFrame page as `perform` would; see the module."""
    from contracts.actions import Drag

    clock = handle.clock
    assert clock is not None
    pointer = pointer_of(clock)
    calls = input_calls(action, scale, notch_px)
    if isinstance(action, Drag):
        with clock.pumping():
            for call in calls:
                bound_call(handle.page, call)(*call.args, **call.kwargs)
        drag_done(pointer, calls)
        return
    for call in calls:
        _run(handle, clock, pointer, call)


def _run(handle: PageHandle, clock: FrameClock, pointer: Pointer, call: InputCall) -> None:
    """One of `input_calls`' calls: pointer events over the socket, the rest by Playwright."""
    if run_on_clock(clock, pointer, call):
        return
    try:
        with browser_errors():
            bound_call(handle.page, call)(*call.args, **call.kwargs)
    except EnvError as exc:
        if call.method == "press":
            raise refused_key(call, exc) from None
        raise


def run_on_clock(clock: FrameClock, pointer: Pointer, call: InputCall) -> bool:
    """Carry out one of `input_calls`' calls over the page's socket if it goes there (pointer
    events, page scripts, waits) and say so; False: it is Playwright's (keys, whose modifiers
    the pointer notes first). Blocking: the async vector env runs it on a worker thread."""
    target, method = call.target, call.method
    if target == "mouse" and method in ("click", "dblclick"):
        button = call.kwargs.get("button", "left")
        events = [pointer.move(*call.args)]
        for clicks in range(1, 3 if method == "dblclick" else 2):
            events += [pointer.down(button, clicks), pointer.up(button, clicks)]
        clock.batch(events)  # the press flushes the move: no frame needed
    elif target == "mouse" and method == "move":
        clock.batch([pointer.move(*call.args)], frames=True)
    elif target == "mouse" and method == "wheel":
        clock.batch([pointer.wheel(*call.args)], frames=True)
    elif target == "page" and method == "evaluate":
        clock.evaluate(call.args[0], frames=True, call=False)  # TWO_FRAMES_JS: a promise
    elif target == "page" and method == "wait_for_timeout":
        deadline = time.monotonic() + call.args[0] / 1000
        while time.monotonic() < deadline:  # time passes with frames at Chromium's own rate
            clock.frame()
            time.sleep(max(0.0, min(FRAME_PERIOD_S, deadline - time.monotonic())))
    else:
        if target == "keyboard" and method in ("down", "up") and call.args[0] in MODIFIER_BITS:
            bit = MODIFIER_BITS[call.args[0]]
            held = pointer.modifiers | bit
            pointer.modifiers = held if method == "down" else held & ~bit
        return False
    return True


def drag_done(pointer: Pointer, calls: list[InputCall]) -> None:
    """Note where a drag Playwright carried out left the pointer: at its last move, released."""
    pointer.x, pointer.y = calls[-3].args  # the last move before the release
    pointer.last_button, pointer.buttons = "none", set()
