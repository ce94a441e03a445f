"""Typed UI actions on an X display: pixel->pointer mapping, a failsafe, and the executor.

`DesktopInput.execute(action)` takes a typed UI action in *image* pixels (what the policy
saw), maps it to pointer coordinates with `PointerMap` (screenshots may be resized, and
on HiDPI screens the pointer moves in points, not pixels), checks the `Failsafe`, and
performs it with an `InputBackend` (`envs.desktop.input_backends`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from contracts.actions import (
    Action,
    Click,
    DoubleClick,
    Drag,
    Hover,
    Key,
    Scroll,
    Type,
    format_action,
)
from contracts.errors import ActionError, EnvError
from envs.desktop.input_backends import InputBackend, PyAutoGUIBackend


@dataclass(frozen=True)
class PointerMap:
    """Maps image pixels (what the policy saw) to pointer coordinates (what the mouse moves in).

    A pixel covers [x, x+1); its centre x + 0.5 maps to floor((x + 0.5) * pointer / image),
    computed in integers so that every pointer position lies on the screen and, when the
    pointer grid is as fine as the image or finer, maps back to the same pixel.
    """

    image_size: tuple[int, int]
    pointer_size: tuple[int, int]

    @property
    def scale(self) -> tuple[float, float]:
        """(sx, sy): pointer units per image pixel."""
        return (
            self.pointer_size[0] / self.image_size[0],
            self.pointer_size[1] / self.image_size[1],
        )

    @staticmethod
    def _centre_to(v: int, src: int, dst: int) -> int:
        return min(dst - 1, max(0, (2 * v + 1) * dst // (2 * src)))

    def to_pointer(self, x: int, y: int) -> tuple[int, int]:
        """The pointer position under the centre of image pixel (x, y)."""
        (iw, ih), (pw, ph) = self.image_size, self.pointer_size
        return self._centre_to(x, iw, pw), self._centre_to(y, ih, ph)

    def to_image(self, x: int, y: int) -> tuple[int, int]:
        """The image pixel under the centre of pointer position (x, y), clamped to the image."""
        (iw, ih), (pw, ph) = self.image_size, self.pointer_size
        return self._centre_to(x, pw, iw), self._centre_to(y, ph, ih)

    def _map(self, action: Action, point: Any) -> Action:
        changes, xs = {}, {}
        for f in fields(action):  # type: ignore[arg-type]
            value, axis = getattr(action, f.name), f.metadata.get("axis")
            if axis == "x" and value is not None:
                xs[f.name] = value
            elif axis == "y" and value is not None:
                x_name, x = xs.popitem()  # the y field follows its x field (contracts.actions)
                changes[x_name], changes[f.name] = point(x, value)
        return replace(action, **changes) if changes else action

    def map_action(self, action: Action) -> Action:
        """`action` with its image-pixel coordinates moved to pointer coordinates."""
        return self._map(action, self.to_pointer)

    def unmap_action(self, action: Action) -> Action:
        """`action` with its pointer coordinates moved to image pixels."""
        return self._map(action, self.to_image)


class Failsafe:
    """Stops input when a person asks: pointer in a screen corner (pyautogui's rule), an abort
    file present, or `trip()` called from any thread. Stays tripped until the cause is gone."""

    def __init__(self, abort_file: str | os.PathLike[str] | None = None, corners: bool = True):
        self.abort_file = Path(abort_file) if abort_file is not None else None
        self.corners = corners
        self._flag = threading.Event()
        self._why = ""

    def trip(self, why: str = "stopped by the operator") -> None:
        """Abort all further input (thread-safe)."""
        self._why = why
        self._flag.set()

    def clear(self) -> None:
        """Undo `trip()` (the corner and file conditions clear themselves)."""
        self._flag.clear()

    def reason(self, pointer: tuple[int, int], screen: tuple[int, int]) -> str | None:
        """Why input must stop now, or None."""
        if self._flag.is_set():
            return f"failsafe: {self._why}"
        if self.abort_file is not None and self.abort_file.exists():
            return f"failsafe: abort file {self.abort_file} exists; delete it to resume"
        w, h = screen
        if self.corners and tuple(pointer) in {(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)}:
            return (
                f"failsafe: the pointer is in a screen corner {tuple(pointer)}; "
                "move it away to resume"
            )
        return None


class DesktopInput:
    """Performs typed UI actions given in image pixels, through a backend, behind a failsafe."""

    def __init__(
        self,
        backend: InputBackend,
        image_size: tuple[int, int],
        failsafe: Failsafe | None = None,
        text_fallback: InputBackend | None = None,
    ) -> None:
        self.backend = backend
        self.failsafe = failsafe if failsafe is not None else Failsafe()
        self.screen = backend.screen_size()
        self.map = PointerMap(tuple(image_size), self.screen)  # type: ignore[arg-type]
        self.text_fallback = text_fallback

    def close(self) -> None:
        """Release the backends' X connections."""
        self.backend.close()
        if self.text_fallback is not None:
            self.text_fallback.close()

    def failsafe_reason(self) -> str | None:
        """Why input must stop now (see Failsafe), or None."""
        return self.failsafe.reason(self.backend.pointer(), self.screen)

    def pointer_in_image(self) -> tuple[int, int]:
        """Where the pointer is, in image pixels."""
        return self.map.to_image(*self.backend.pointer())

    def execute(self, action: Action) -> None:
        """Perform one UI action (image pixels) unless the failsafe says stop (EnvError)."""
        why = self.failsafe_reason()
        if why is not None:
            raise EnvError(why)
        self.perform(action)

    def perform(self, action: Action) -> None:
        """Perform one UI action (image pixels) without consulting the failsafe first."""
        act, b = self.map.map_action(action), self.backend
        if isinstance(act, Click):
            if act.modifiers:
                raise ActionError(
                    f"the desktop env cannot hold {act.modifiers!r} during a click yet; "
                    "send the click without modifiers, or use a browser env (it holds them)"
                )
            b.click(act.x, act.y, act.button)
        elif isinstance(act, DoubleClick):
            b.click(act.x, act.y, "left", count=2)
        elif isinstance(act, Hover):
            b.move(act.x, act.y)
        elif isinstance(act, Drag):
            if act.via:
                raise ActionError(
                    f"the desktop env drags in a straight line only; {format_action(action)} "
                    "has waypoints: send it without via, or use a browser env"
                )
            b.drag(act.x0, act.y0, act.x1, act.y1)
        elif isinstance(act, Scroll):
            b.scroll(act.dx, act.dy, act.x, act.y)
        elif isinstance(act, Type):
            self._type(act.text)
        elif isinstance(act, Key):
            b.key(act.keys)
        else:
            raise ActionError(f"{format_action(action)} is not a mouse or keyboard action")

    def _type(self, text: str) -> None:
        b = self.backend
        if isinstance(b, PyAutoGUIBackend) and not b.can_type(text):
            if self.text_fallback is None:
                raise ActionError(
                    f"pyautogui cannot type {text!r} and xdotool is not installed "
                    "(`apt-get install xdotool`)"
                )
            self.text_fallback.type_text(text)
        else:
            b.type_text(text)
