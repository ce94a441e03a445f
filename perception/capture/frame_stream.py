"""Background capture from a FrameSource into a bounded buffer, handing out only changed frames.

A policy is slow next to a screen: it should see the newest picture, and only when the
picture changed. `FrameStream` grabs on its own thread at up to `fps` frames/s, keeps the
newest capture (`latest()`) and the last `buffer` changed frames, and wakes consumers
(`wait_for_change()`, `frames()`) only when the pixels differ. One consumer per stream:
changed frames it never took are counted as dropped.

    with FrameStream(MssSource(), fps=10) as stream:
        for frame in stream.frames(timeout=5.0):
            act(frame.image)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from contracts.errors import EnvError
from perception.capture.sources import FrameSource, check_frame

log = logging.getLogger(__name__)

_SAMPLE_ROWS = 16  # row stride of the cheap first look for a change
_CHUNK = 1 << 18  # bytes compared per step, so a difference near the top stops the compare early
_GRID = 4  # pixel stride of the sampled grid that measures how much of a frame changed
_WINDOW = 256  # captures kept for the fps and latency statistics


@dataclass(frozen=True)
class Frame:
    """One capture: the image (H x W x 3 uint8 RGB, treat as read-only) and when it was taken.

    `t_capture` is `time.monotonic()` when the grab began (the pixels are at least this
    fresh); `seq` counts captures from 0; `changed` says it differs from the capture before.
    """

    image: np.ndarray
    t_capture: float
    seq: int
    changed: bool


@dataclass(frozen=True)
class StreamStats:
    """Capture rate, change and drop counts, and how long one grab takes (milliseconds)."""

    fps: float
    captured: int
    changed: int
    dropped: int
    capture_ms_p50: float
    capture_ms_p95: float


def arrays_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Exact pixel equality: every 16th row first (most changes show there), then the whole
    frame chunk by chunk, stopping at the first difference."""
    if a is b:
        return True
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.ndim and not np.array_equal(a[::_SAMPLE_ROWS], b[::_SAMPLE_ROWS]):
        return False
    if not (a.flags.c_contiguous and b.flags.c_contiguous):
        return bool(np.array_equal(a, b))
    fa, fb = a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8)
    words = fa.size // 8 * 8  # compared 8 bytes at a time: an 8x smaller temporary
    wa, wb = fa[:words].view(np.uint64), fb[:words].view(np.uint64)
    for i in range(0, wa.size, _CHUNK // 8):
        if not np.array_equal(wa[i : i + _CHUNK // 8], wb[i : i + _CHUNK // 8]):
            return False
    return bool(np.array_equal(fa[words:], fb[words:]))


def changed_fraction(a: np.ndarray, b: np.ndarray, stride: int = _GRID) -> float:
    """The fraction (0-1) of pixels on a `stride`-pixel grid whose colour differs between frames."""
    if a.shape != b.shape:
        return 1.0
    diff = np.any(a[::stride, ::stride] != b[::stride, ::stride], axis=-1)
    return float(diff.mean()) if diff.size else 0.0


def frames_differ(a: np.ndarray, b: np.ndarray, threshold: float = 0.0) -> bool:
    """Whether frame `a` counts as changed from `b`: any pixel (threshold 0) or more than
    `threshold` of the pixels on a 4-pixel grid."""
    if arrays_equal(a, b):
        return False
    return threshold <= 0 or changed_fraction(a, b) > threshold


class FrameStream:
    """A thread grabbing from `source` at up to `fps` (None: as fast as it can); a context manager.

    The stream owns the source and closes it on `close()` (for a Playwright source, close
    the stream on the page's owner thread). `buffer` bounds how many changed frames wait
    for the consumer; `change_threshold` is the fraction of pixels (0-1) that must differ
    for a capture to count as a change (0: any pixel).
    """

    def __init__(
        self,
        source: FrameSource,
        fps: float | None = 10.0,
        buffer: int = 4,
        change_threshold: float = 0.0,
        name: str = "handeye-frame-stream",
    ) -> None:
        if fps is not None and not fps > 0:
            raise EnvError(f"fps must be positive (or None for no cap), got {fps}")
        if buffer < 1:
            raise EnvError(f"buffer must hold at least 1 frame, got {buffer}")
        if not 0.0 <= change_threshold < 1.0:
            raise EnvError(f"change_threshold is a fraction in [0, 1), got {change_threshold}")
        self.source, self.fps = source, fps
        self.change_threshold = change_threshold
        # A source that returns a new array only for new pixels needs no compare at threshold 0.
        self._trust_source = change_threshold <= 0 and getattr(source, "reports_changes", False)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._buffer: deque[tuple[int, Frame]] = deque(maxlen=buffer)  # (change ordinal, frame)
        self._latest: tuple[int, Frame] | None = None
        self._taken = 0  # change ordinal of the newest frame handed to the consumer
        self._captured = self._changed = self._dropped = 0
        self._starts: deque[float] = deque(maxlen=_WINDOW)
        self._durations: deque[float] = deque(maxlen=_WINDOW)
        self._error: BaseException | None = None
        self._finished = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---- capture thread ---------------------------------------------------------------------

    def _run(self) -> None:
        period = 1.0 / self.fps if self.fps else 0.0
        next_t = time.monotonic()
        previous: np.ndarray | None = None
        seq = 0
        try:
            while not self._stop.is_set():
                t0 = time.monotonic()
                image = self.source.grab()
                t1 = time.monotonic()
                if image is None:
                    break
                check_frame(image, "the frame source")
                changed = previous is None or (
                    image is not previous
                    and (
                        self._trust_source or frames_differ(image, previous, self.change_threshold)
                    )
                )
                previous = image
                self._publish(Frame(image, t0, seq, changed), t1 - t0)
                seq += 1
                if period:
                    next_t += period
                    delay = next_t - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                    elif delay < -period:  # fell behind: restart the clock rather than burst
                        next_t = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - handed to the consumer thread, re-raised there
            log.debug("frame stream stopped by %r", exc)
            self._error = exc
        finally:
            with self._cond:
                self._finished = True
                self._cond.notify_all()

    def _publish(self, frame: Frame, duration: float) -> None:
        with self._cond:
            self._captured += 1
            self._starts.append(frame.t_capture)
            self._durations.append(duration)
            if frame.changed:
                self._changed += 1
                self._buffer.append((self._changed, frame))
            self._latest = (self._changed, frame)
            if frame.changed:
                self._cond.notify_all()

    # ---- consumer side ----------------------------------------------------------------------

    def _take(self, ordinal: int, frame: Frame) -> Frame:
        """Hand `frame` to the consumer (lock held), counting the changes it never saw."""
        if ordinal > self._taken:
            self._dropped += ordinal - self._taken - 1
            self._taken = ordinal
        return frame

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise EnvError(
                f"the frame source failed ({type(self._error).__name__}: {self._error}); "
                "the stream has stopped"
            ) from self._error

    def latest(self) -> Frame | None:
        """The newest capture, changed or not (None before the first one)."""
        with self._cond:
            if self._latest is None:
                self._raise_if_failed()
                return None
            return self._take(*self._latest)

    def wait_for_change(self, timeout: float | None = None) -> Frame | None:
        """The newest changed frame the consumer has not taken yet, waiting up to `timeout` s.

        None on timeout, or once the stream is closed or its source has ended.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                if self._buffer and self._buffer[-1][0] > self._taken:
                    return self._take(*self._buffer[-1])
                self._raise_if_failed()
                if self._finished or self._closed:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def frames(self, timeout: float | None = None) -> Iterator[Frame]:
        """Every buffered changed frame in order; ends on close, source end, or `timeout` s idle."""
        while True:
            with self._cond:
                deadline = None if timeout is None else time.monotonic() + timeout
                while True:
                    pending = [(o, f) for o, f in self._buffer if o > self._taken]
                    if pending:
                        frame = self._take(*pending[0])
                        break
                    self._raise_if_failed()
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if self._finished or self._closed or (remaining is not None and remaining <= 0):
                        return
                    self._cond.wait(remaining)
            yield frame

    def stats(self) -> StreamStats:
        """Capture fps over the last captures, counts, and grab duration percentiles (ms)."""
        with self._cond:
            starts, durations = list(self._starts), list(self._durations)
            captured, changed, dropped = self._captured, self._changed, self._dropped
        span = starts[-1] - starts[0] if len(starts) > 1 else 0.0
        fps = (len(starts) - 1) / span if span > 0 else 0.0
        p50, p95 = np.percentile(durations, [50, 95]) * 1000 if durations else (0.0, 0.0)
        return StreamStats(fps, captured, changed, dropped, float(p50), float(p95))

    @property
    def running(self) -> bool:
        """Whether the capture thread is still grabbing."""
        return self._thread.is_alive() and not self._finished

    def close(self, timeout: float = 5.0) -> None:
        """Stop and join the capture thread, wake any waiter, then close the source."""
        if self._closed:
            return
        self._stop.set()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("frame stream thread did not stop within %.1f s; source left open", timeout)
            return
        self.source.close()

    def __enter__(self) -> FrameStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
