"""Where frames come from: a screen (mss), a Chromium page (CDP screencast), an env, a camera.

Every source satisfies `FrameSource`: `grab()` returns the current picture as an H x W x 3
uint8 RGB array (None once a finite source such as a video file has ended), `size` is its
(width, height) in pixels, `close()` frees what it holds. A source may return the very same
array object again when it knows nothing changed; `FrameStream` then skips its pixel compare.
A source whose class sets `reports_changes = True` promises the converse too (a new array
object always holds new pixels), which spares FrameStream the compare on changed frames.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from contracts.errors import EnvError, SetupError, missing_extra

if TYPE_CHECKING:
    import gymnasium

log = logging.getLogger(__name__)

Region = tuple[int, int, int, int]  # left, top, width, height in screen pixels
_SAMPLE_ROWS = 16  # row stride of the cheap first look for a change


@runtime_checkable
class FrameSource(Protocol):
    """Anything that yields RGB frames on demand; the contract FrameStream depends on."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames in pixels."""
        ...

    def grab(self) -> np.ndarray | None:
        """The current frame, H x W x 3 uint8 RGB; None when a finite source has ended."""
        ...

    def close(self) -> None:
        """Release the screen connection, page session, camera or file."""
        ...


def check_frame(image: Any, what: str) -> np.ndarray:
    """`image` as an H x W x 3 uint8 array, or an EnvError naming what produced something else."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", type(image).__name__)
        raise EnvError(f"{what} gave {shape}, not an H x W x 3 image")
    if image.dtype != np.uint8:
        raise EnvError(f"{what} gave dtype {image.dtype}, not uint8")
    return image


def no_display_error(display: str | None, detail: object = "") -> SetupError:
    """The error for an X display that is unset or unreachable, saying what to install or run."""
    where = f"the X display {display!r}" if display else "an X display ($DISPLAY is not set)"
    return SetupError(
        f"cannot connect to {where}{f': {detail}' if detail else ''}. On a headless machine "
        "install Xvfb (`apt-get install xvfb`) and let handeye start it "
        "(envs.desktop.display.VirtualDisplay, or DesktopEnv(display='xvfb')), or run "
        "`Xvfb :99 -screen 0 1280x720x24 &` and `export DISPLAY=:99`"
    )


class MssSource:
    """The screen through mss: a whole monitor, or a region (left, top, width, height).

    Safe to grab from a thread other than the one that built it (mss 10 locks per object).
    Each grab's raw pixels are compared with the last ones (every 16th row first, where most
    changes show, then all of them): unchanged pixels come back as the same array object,
    which skips the BGRA->RGB conversion (0.6-2.5 ms at 1280x720) on a still screen.
    """

    reports_changes = True

    def __init__(
        self, monitor: int = 1, region: Region | None = None, display: str | None = None
    ) -> None:
        try:
            import mss
        except ImportError:
            raise missing_extra("mss", "desktop") from None
        self.display = display if display is not None else os.environ.get("DISPLAY")
        if not self.display and sys.platform.startswith("linux"):
            raise no_display_error(None)
        try:
            self._sct = mss.MSS(display=self.display) if self.display else mss.MSS()
        except mss.ScreenShotError as exc:
            raise no_display_error(self.display, exc) from None
        monitors = self._sct.monitors
        if region is not None:
            left, top, width, height = (int(v) for v in region)
            if width <= 0 or height <= 0:
                self._sct.close()
                raise EnvError(f"region {region} has no area; give (left, top, width, height)")
            self._area = {"left": left, "top": top, "width": width, "height": height}
        else:
            if not 0 <= monitor < len(monitors):
                self._sct.close()
                raise EnvError(
                    f"monitor {monitor} does not exist; this display has monitors "
                    f"0 (all) to {len(monitors) - 1}"
                )
            mon = monitors[monitor]
            self._area = {k: int(mon[k]) for k in ("left", "top", "width", "height")}
        self._last_raw: bytearray | None = None
        self._last_image: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self._area["width"], self._area["height"]

    def grab(self) -> np.ndarray:
        """The area's pixels now, H x W x 3 uint8 RGB (read-only)."""
        from PIL import Image

        shot = self._sct.grab(self._area)
        raw = shot.raw
        if self._last_image is not None and self._same_pixels(raw, shot.height):
            return self._last_image
        image = np.asarray(Image.frombuffer("RGB", shot.size, raw, "raw", "BGRX"))
        self._last_raw, self._last_image = raw, image
        return image

    def _same_pixels(self, raw: bytearray, height: int) -> bool:
        last = self._last_raw
        if last is None or len(raw) != len(last):
            return False
        rows = np.frombuffer(raw, np.uint8).reshape(height, -1)[::_SAMPLE_ROWS]
        if not np.array_equal(
            rows, np.frombuffer(last, np.uint8).reshape(height, -1)[::_SAMPLE_ROWS]
        ):
            return False
        return raw == last

    def close(self) -> None:
        self._sct.close()
        self._last_raw = self._last_image = None

    def __enter__(self) -> MssSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PlaywrightScreencastSource:
    """A Playwright page's pixels as Chromium paints them, through CDP `Page.startScreencast`.

    Playwright's sync API belongs to one thread: build, `pump()` and `close()` this source
    on the thread that owns the page. Chromium sends a frame only after something on the
    page changed, and Playwright hands it over only while that thread is inside a
    Playwright call (an env step, `page.wait_for_timeout`, or `pump(seconds)`). `grab()`
    only decodes the newest frame received, so FrameStream may call it from its own thread.
    """

    def __init__(
        self,
        page: Any,
        image_format: str = "jpeg",
        quality: int = 80,
        max_size: tuple[int, int] | None = None,
        first_frame_timeout_s: float = 5.0,
    ) -> None:
        if image_format not in ("jpeg", "png"):
            raise EnvError(f"screencast format must be 'jpeg' or 'png', got {image_format!r}")
        self.page = getattr(page, "page", page)  # accept envs.browser.pool.PageHandle too
        self._owner = threading.get_ident()
        self._lock = threading.Lock()
        self._data: str | None = None
        self._seq = 0
        self._decoded: tuple[int, np.ndarray] | None = None
        self.t_last_frame = 0.0  # time.monotonic() when the newest frame arrived
        self._cdp = self.page.context.new_cdp_session(self.page)
        self._cdp.on("Page.screencastFrame", self._on_frame)
        params: dict[str, Any] = {"format": image_format, "everyNthFrame": 1}
        if image_format == "jpeg":
            params["quality"] = int(quality)
        if max_size is not None:
            params["maxWidth"], params["maxHeight"] = (int(v) for v in max_size)
        self._cdp.send("Page.startScreencast", params)
        # Chromium sends the first frame only once something is painted; nudge a repaint.
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        deadline = time.monotonic() + first_frame_timeout_s
        while self._seq == 0 and time.monotonic() < deadline:
            self.page.wait_for_timeout(10)
        if self._seq == 0:
            self.close()
            raise EnvError(f"no screencast frame from the page within {first_frame_timeout_s} s")
        height, width = self.grab().shape[:2]
        self._size = (width, height)

    def _on_frame(self, event: dict[str, Any]) -> None:
        """Runs on the Playwright thread: keep the encoded frame, ack so Chromium sends more."""
        with self._lock:
            self._data = event["data"]
            self._seq += 1
            self.t_last_frame = time.monotonic()
        try:
            self._cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})
        except Exception as exc:  # noqa: BLE001 - the page may close between frame and ack
            log.debug("screencast ack failed: %s", exc)

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def frames_received(self) -> int:
        """How many frames Chromium has sent so far."""
        return self._seq

    def grab(self) -> np.ndarray:
        """The newest frame received (the same array object until a new one arrives)."""
        from PIL import Image

        with self._lock:
            seq, data = self._seq, self._data
        if self._decoded is not None and self._decoded[0] == seq:
            return self._decoded[1]
        assert data is not None
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
        self._decoded = (seq, image)
        return image

    def pump(self, seconds: float = 0.0) -> None:
        """Let Playwright deliver frames for `seconds`; call on the page's owner thread."""
        self._require_owner("pump")
        self.page.wait_for_timeout(max(0.0, seconds) * 1000)

    def close(self) -> None:
        """Stop the screencast and detach its CDP session (harmless on a closed page)."""
        if self._cdp is None:
            return
        self._require_owner("close")
        cdp, self._cdp = self._cdp, None
        try:
            cdp.send("Page.stopScreencast")
            cdp.detach()
        except Exception as exc:  # noqa: BLE001 - a closed page or browser raises many kinds
            log.debug("stopping the screencast of a closed page: %s", exc)

    def _require_owner(self, what: str) -> None:
        if threading.get_ident() != self._owner:
            raise EnvError(
                f"PlaywrightScreencastSource.{what}() must run on the thread that owns the page "
                "(Playwright's sync API is single-threaded)"
            )

    def __enter__(self) -> PlaywrightScreencastSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EnvRenderSource:
    """A gymnasium env's `render()` (render_mode='rgb_array') as a frame source.

    Envs are not thread-safe: pass the `lock` that your stepping code also holds, so a
    background grab never renders in the middle of a step. (MuJoCo's GL context belongs
    to one thread; stream such envs from the thread that steps them, via `grab()`.)
    """

    def __init__(self, env: gymnasium.Env, lock: threading.Lock | None = None) -> None:
        if getattr(env, "render_mode", None) != "rgb_array":
            raise EnvError(
                f"EnvRenderSource needs an env made with render_mode='rgb_array', "
                f"got {getattr(env, 'render_mode', None)!r}"
            )
        self.env = env
        self._lock = lock if lock is not None else threading.Lock()
        height, width = self.grab().shape[:2]
        self._size = (width, height)

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    def grab(self) -> np.ndarray:
        """A copy of the env's current render (envs may reuse one buffer between renders)."""
        with self._lock:
            return check_frame(self.env.render(), f"{type(self.env).__name__}.render()").copy()

    def close(self) -> None:
        """Nothing to free: the env belongs to the caller, who closes it."""


class OpenCVSource:
    """A camera (an index such as 0) or a video file, read with OpenCV (opencv-python-headless).

    A video file ends with `grab()` returning None, unless `loop=True` rewinds it.
    """

    def __init__(
        self, device: int | str = 0, size: tuple[int, int] | None = None, loop: bool = False
    ) -> None:
        try:
            import cv2
        except ImportError:
            raise SetupError(
                "OpenCVSource needs OpenCV; run: pip install 'handeye[camera]' "
                "(or pip install opencv-python-headless)"
            ) from None
        self._cv2 = cv2
        self.device, self.loop = device, loop
        if isinstance(device, str) and not os.path.exists(device):
            raise EnvError(f"video file {device!r} does not exist")
        self._cap = cv2.VideoCapture(device)
        if not self._cap.isOpened():
            self._cap.release()
            what = f"camera {device}" if isinstance(device, int) else f"video {device!r}"
            raise EnvError(f"OpenCV could not open {what}; check the device or the file's codec")
        if size is not None:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self._size = (
            int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def source_fps(self) -> float:
        """The frame rate the camera or file reports (0.0 when it reports none)."""
        return float(self._cap.get(self._cv2.CAP_PROP_FPS) or 0.0)

    def grab(self) -> np.ndarray | None:
        ok, bgr = self._cap.read()
        if not ok and self.loop and isinstance(self.device, str):
            self._cap.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._cap.read()
        if not ok:
            return None
        return self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> OpenCVSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
