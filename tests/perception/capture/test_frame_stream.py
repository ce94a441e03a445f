"""FrameStream and its sources on real parts: Xvfb + mss, Chromium screencast, a pty, a video."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.errors import EnvError, SetupError
from perception.capture.frame_stream import (
    FrameStream,
    arrays_equal,
    changed_fraction,
    frames_differ,
)
from perception.capture.sources import (
    EnvRenderSource,
    FrameSource,
    MssSource,
    OpenCVSource,
    PlaywrightScreencastSource,
)


class PaintedSource:
    """A real in-memory FrameSource whose picture the test repaints (a canvas, not a mock)."""

    def __init__(self, width: int = 64, height: int = 48, frames: int | None = None) -> None:
        self._image = np.zeros((height, width, 3), np.uint8)
        self._lock = threading.Lock()
        self.grabs = 0
        self.frames_left = frames
        self.closed = False
        self.fail_with: Exception | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self._image.shape[1], self._image.shape[0]

    def paint(self, value: int, x: int = 0, y: int = 0) -> None:
        with self._lock:
            image = self._image.copy()
            image[y, x] = value
            self._image = image

    def grab(self) -> np.ndarray | None:
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            self.grabs += 1
            if self.frames_left is not None:
                if self.frames_left == 0:
                    return None
                self.frames_left -= 1
            return self._image.copy()  # a fresh array each time, like a screen grab

    def close(self) -> None:
        self.closed = True


def stream_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("handeye-frame-stream")]


# ---- change detection (pure functions) ---------------------------------------------------------


def test_one_changed_pixel_counts_as_a_change_at_threshold_zero() -> None:
    a = np.zeros((720, 1280, 3), np.uint8)
    b = a.copy()
    assert not frames_differ(a, b)
    b[-1, -1, 2] = 1  # the very last byte: past every early-exit chunk
    assert frames_differ(a, b)
    assert not frames_differ(a, b, threshold=0.01)


def test_changed_fraction_measures_the_share_of_changed_pixels() -> None:
    a = np.zeros((40, 40, 3), np.uint8)
    b = a.copy()
    b[:20] = 255
    assert changed_fraction(a, b) == pytest.approx(0.5)
    assert frames_differ(a, b, threshold=0.4) and not frames_differ(a, b, threshold=0.6)
    assert changed_fraction(a, np.zeros((10, 10, 3), np.uint8)) == 1.0


@settings(max_examples=50, deadline=None)
@given(
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    data=st.data(),
)
def test_arrays_equal_agrees_with_numpy(h: int, w: int, data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    b = a.copy()
    if data.draw(st.booleans()):
        y, x, c = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1)), 1
        b[y, x, c] ^= 0xFF
    assert arrays_equal(a, b) == np.array_equal(a, b)
    assert arrays_equal(a[:, ::-1], b[:, ::-1]) == np.array_equal(a, b)  # non-contiguous views


# ---- the stream on an in-memory source ---------------------------------------------------------


def wait_for_changes(stream: FrameStream, n: int) -> None:
    deadline = time.monotonic() + 2
    while stream.stats().changed < n and time.monotonic() < deadline:
        time.sleep(0.005)


def test_unchanged_source_yields_no_new_frame_and_a_change_does() -> None:
    src = PaintedSource()
    with FrameStream(src, fps=100) as stream:
        first = stream.wait_for_change(timeout=2)
        assert first is not None and first.changed and first.seq == 0
        assert stream.wait_for_change(timeout=0.2) is None  # still picture: nothing new
        assert stream.latest().seq > first.seq and not stream.latest().changed
        src.paint(200, x=3, y=4)
        frame = stream.wait_for_change(timeout=2)
        assert frame is not None and frame.changed and frame.image[4, 3, 0] == 200
        assert frame.t_capture >= first.t_capture
    assert stream.stats().changed == 2


def test_fps_cap_limits_captures_per_second() -> None:
    src = PaintedSource()
    with FrameStream(src, fps=20) as stream:
        time.sleep(1.0)
        stats = stream.stats()
    assert 12 <= stats.captured <= 23, stats
    assert 14 <= stats.fps <= 22, stats
    assert stats.capture_ms_p95 >= stats.capture_ms_p50 >= 0


def test_frames_missed_by_a_slow_consumer_are_counted_as_dropped() -> None:
    src = PaintedSource()
    with FrameStream(src, fps=200, buffer=2) as stream:
        assert stream.wait_for_change(timeout=2) is not None
        for value in range(1, 6):  # five changes, none taken in between
            src.paint(value)
            wait_for_changes(stream, value + 1)
        newest = stream.wait_for_change(timeout=1)
        assert newest is not None and newest.image[0, 0, 0] == 5
        assert stream.stats().dropped == 4


def test_frames_iterator_yields_every_buffered_change_in_order() -> None:
    src = PaintedSource()
    with FrameStream(src, fps=200, buffer=8) as stream:
        wait_for_changes(stream, 1)
        for n, value in enumerate((10, 20), start=2):
            src.paint(value)
            wait_for_changes(stream, n)
        seen = []
        for frame in stream.frames(timeout=1.0):
            seen.append(int(frame.image[0, 0, 0]))
            if len(seen) == 3:
                src.paint(30)
            if len(seen) == 4:
                break
    assert seen == [0, 10, 20, 30]
    assert stream.stats().dropped == 0


def test_finite_source_ends_the_stream_cleanly() -> None:
    src = PaintedSource(frames=3)
    with FrameStream(src, fps=None) as stream:
        frames = list(stream.frames(timeout=2.0))
        assert len(frames) == 1  # three grabs of one picture: one change
        assert stream.stats().captured == 3 and not stream.running
    assert src.closed


def test_source_failure_is_raised_to_the_consumer() -> None:
    src = PaintedSource()
    src.fail_with = OSError("camera unplugged")
    with FrameStream(src, fps=50) as stream, pytest.raises(EnvError, match="camera unplugged"):
        stream.wait_for_change(timeout=2)


def test_close_joins_the_thread_wakes_waiters_and_closes_the_source() -> None:
    before = stream_threads()
    src = PaintedSource()
    stream = FrameStream(src, fps=30)
    stream.wait_for_change(timeout=2)
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(stream.wait_for_change(timeout=10)))
    waiter.start()
    time.sleep(0.05)
    stream.close()
    waiter.join(2)
    assert not waiter.is_alive() and got == [None]
    assert src.closed and stream_threads() == before
    stream.close()  # idempotent


def test_bad_arguments_are_rejected() -> None:
    for kwargs in ({"fps": 0}, {"buffer": 0}, {"change_threshold": 1.5}):
        with pytest.raises(EnvError):
            FrameStream(PaintedSource(), **kwargs)
    assert isinstance(PaintedSource(), FrameSource)


# ---- real sources ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xvfb() -> Iterator[object]:
    from envs.desktop.display import Xvfb

    with Xvfb(320, 240) as display:
        yield display


def paint_root(display_name: str, rgb: int) -> None:
    """Repaint the X root window's background (a real screen change, from another client)."""
    from Xlib.display import Display

    conn = Display(display_name)
    root = conn.screen().root
    root.change_attributes(background_pixel=rgb)
    root.clear_area(0, 0, 0, 0)
    conn.sync()
    conn.close()


def show_window(display_name: str, x: int, y: int, w: int, h: int, rgb: int):
    """Map a plain X window of one colour; close the returned connection to remove it."""
    from Xlib.display import Display

    conn = Display(display_name)
    screen = conn.screen()
    win = screen.root.create_window(x, y, w, h, 0, screen.root_depth, background_pixel=rgb)
    win.map()
    conn.sync()
    return conn


def test_mss_stream_sees_a_real_screen_change_and_nothing_while_still(xvfb) -> None:
    paint_root(xvfb.name, 0x000000)
    src = MssSource(display=xvfb.name)
    assert src.size == (320, 240)
    with FrameStream(src, fps=60) as stream:
        first = stream.wait_for_change(timeout=2)
        assert first is not None and first.image.shape == (240, 320, 3)
        assert stream.wait_for_change(timeout=0.3) is None
        t_paint = time.monotonic()
        paint_root(xvfb.name, 0x00FF00)
        frame = stream.wait_for_change(timeout=2)
        assert frame is not None
        assert tuple(frame.image[120, 160]) == (0, 255, 0)
        assert frame.t_capture - t_paint < 0.5
        sliver = show_window(xvfb.name, 50, 3, 10, 2, 0xFF0000)  # between MssSource's sampled rows
        frame = stream.wait_for_change(timeout=2)
        assert frame is not None and tuple(frame.image[4, 55]) == (255, 0, 0)
        sliver.close()


def test_mss_region_grabs_only_that_rectangle(xvfb) -> None:
    with MssSource(region=(10, 20, 100, 50), display=xvfb.name) as src:
        assert src.size == (100, 50) and src.grab().shape == (50, 100, 3)
    with pytest.raises(EnvError, match="no area"):
        MssSource(region=(0, 0, 0, 10), display=xvfb.name)


def test_missing_x_display_says_what_to_install(monkeypatch) -> None:
    with pytest.raises(SetupError, match="apt-get install xvfb"):
        MssSource(display=":987")
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(SetupError, match="DISPLAY is not set"):
        MssSource()


@pytest.mark.slow
def test_screencast_source_streams_a_real_chromium_page(browser_pool) -> None:
    handle = browser_pool.new_page(320, 240)
    try:
        handle.page.set_content(
            "<body style='margin:0'><div id=b style='width:320px;height:240px;background:#f00'>"
        )
        # the screencast starts from the last composited frame: let the red one be composited
        handle.page.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        src = PlaywrightScreencastSource(handle, image_format="png")
        assert src.size == (320, 240)

        def next_showing(stream: FrameStream, rgb: tuple[int, int, int]):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                src.pump(0.05)  # Playwright delivers frames only while its thread is inside it
                frame = stream.wait_for_change(timeout=0.05)
                if frame is not None and tuple(frame.image[100, 100]) == rgb:
                    return frame
            return None

        with FrameStream(src, fps=60) as stream:
            assert next_showing(stream, (255, 0, 0)) is not None
            handle.page.evaluate("document.getElementById('b').style.background = '#00f'")
            assert next_showing(stream, (0, 0, 255)) is not None
        errors: list[BaseException] = []

        def close_elsewhere() -> None:
            try:
                src.pump(0.01)
            except EnvError as exc:
                errors.append(exc)

        t = threading.Thread(target=close_elsewhere)
        t.start()
        t.join()
        assert errors and "owns the page" in str(errors[0])
    finally:
        handle.close()


def test_env_render_source_streams_a_terminal_env() -> None:
    from envs.terminal.env import TerminalEnv

    env = TerminalEnv("create-file", render_mode="rgb_array")
    env.reset(seed=0)
    lock = threading.Lock()
    try:
        with FrameStream(EnvRenderSource(env, lock), fps=50) as stream:
            first = stream.wait_for_change(timeout=2)
            assert first is not None and first.image.shape == env.observation_space["screen"].shape
            with lock:
                env.step("type('echo hi')")
            frame = stream.wait_for_change(timeout=2)
            assert frame is not None and not np.array_equal(frame.image, first.image)
        with pytest.raises(EnvError, match="rgb_array"):
            EnvRenderSource(TerminalEnv("create-file"))
    finally:
        env.close()


def test_opencv_source_plays_a_video_file_to_its_end(tmp_path) -> None:
    cv2 = pytest.importorskip("cv2")
    path = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    colours = [(0, 0, 255), (0, 255, 0), (255, 0, 0), (255, 0, 0)]  # BGR; the last repeats
    for bgr in colours:
        writer.write(np.full((48, 64, 3), bgr, np.uint8))
    writer.release()
    src = OpenCVSource(path)
    assert src.size == (64, 48)
    with FrameStream(src, fps=None, change_threshold=0.1) as stream:
        frames = list(stream.frames(timeout=5))
    reds = [int(f.image[24, 32, 0]) for f in frames]
    assert len(frames) == 3 and reds[0] > 200 and reds[1] < 50 and reds[2] < 50
    assert int(frames[2].image[24, 32, 2]) > 200  # RGB order: the third picture is blue
    with pytest.raises(EnvError, match="does not exist"):
        OpenCVSource(str(tmp_path / "missing.avi"))


def test_opencv_source_without_opencv_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "cv2", None)
    with pytest.raises(SetupError, match="opencv-python-headless"):
        OpenCVSource(0)
