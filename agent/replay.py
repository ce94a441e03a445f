"""Replay recorded episodes as annotated GIF, MP4 or one self-contained HTML page.

Frames are upscaled (nearest neighbour) so a 160x210 MiniWoB frame stays readable, and each
action is drawn where it acted, in the observation pixels the policy saw: clicks as a
crosshair in a circle, drags and pushes as arrows, typing and keys as a text banner, errors
in red. Actions are read back with `contracts.actions.parse_action`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from agent.traces import Episode, EpisodeMeta, StepRecord, TraceReader, recover
from contracts.actions import (
    Click,
    Done,
    DoubleClick,
    Drag,
    EEDelta,
    Hover,
    Key,
    Pick,
    Place,
    Push,
    Scroll,
    Type,
    Wait,
    parse_action,
)
from contracts.errors import ActionError, TraceError, missing_extra

log = logging.getLogger(__name__)

FORMATS = ("gif", "mp4", "html")
TARGET_WIDTH = 480  # upscale small frames to about this many pixels across
POINTER = (255, 0, 200)  # magenta: rare in UIs and in the tabletop scenes
HOVER = (0, 220, 255)
OUTLINE = (0, 0, 0)
ERROR = (255, 70, 70)
DONE = (90, 230, 90)
TEXT = (255, 255, 255)
HEADER_BG = (32, 32, 40)


def auto_scale(width: int) -> int:
    """Integer upscale factor that brings a frame `width` pixels wide to about TARGET_WIDTH."""
    return max(1, TARGET_WIDTH // max(1, width))


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the fixed bitmap font
        return ImageFont.load_default()


def _wrap(text: str, font: Any, width: int, max_lines: int = 4) -> list[str]:
    """Greedy word wrap to `width` pixels; words wider than a line are cut by character."""
    lines: list[str] = []
    for para in text[:400].splitlines() or [""]:
        line = ""
        for word in para.split(" "):
            while len(word) > 1 and font.getlength(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                cut = len(word) - 1
                while cut > 1 and font.getlength(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _banner(img: Any, text: str, color: tuple[int, int, int], top: bool) -> None:
    """Write `text` on a translucent strip across the top or bottom of an RGBA image."""
    from PIL import Image, ImageDraw

    size = max(11, min(18, img.width // 28))
    font = _font(size)
    lines = _wrap(text, font, img.width - 8)
    height = len(lines) * (size + 3) + 6
    y0 = 0 if top else img.height - height
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((0, y0, img.width, y0 + height), fill=(0, 0, 0, 170))
    for i, line in enumerate(lines):
        draw.text((4, y0 + 3 + i * (size + 3)), line, font=font, fill=(*color, 255))
    img.alpha_composite(layer)


def _line(
    draw: Any, pts: Sequence[tuple[float, float]], color: tuple[int, int, int], w: int
) -> None:
    draw.line(pts, fill=OUTLINE, width=w + 2)
    draw.line(pts, fill=color, width=w)


def _ring(draw: Any, c: tuple[float, float], r: float, color: tuple[int, int, int], w: int) -> None:
    box = (c[0] - r, c[1] - r, c[0] + r, c[1] + r)
    draw.ellipse(box, outline=OUTLINE, width=w + 2)
    draw.ellipse(box, outline=color, width=w)


def _crosshair(
    draw: Any, c: tuple[float, float], r: float, color: tuple[int, int, int], w: int
) -> None:
    """A ring with arms outside it, leaving the exact point visible."""
    _ring(draw, c, r, color, w)
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        inner, outer = (
            (c[0] + dx * r * 0.45, c[1] + dy * r * 0.45),
            (c[0] + dx * r * 1.8, c[1] + dy * r * 1.8),
        )
        _line(draw, [inner, outer], color, w)


def _arrow(draw: Any, a: tuple[float, float], b: tuple[float, float], color: Any, w: int) -> None:
    _line(draw, [a, b], color, w)
    ang = math.atan2(b[1] - a[1], b[0] - a[0])
    head = max(12, 6 * w)
    wings = [
        (b[0] - head * math.cos(ang - s), b[1] - head * math.sin(ang - s)) for s in (0.45, -0.45)
    ]
    draw.polygon([b, *wings], fill=color, outline=OUTLINE)


def _label(draw: Any, c: tuple[float, float], text: str, size: int) -> None:
    pos = (c[0] + size, c[1] + size)
    draw.text(pos, text, font=_font(size), fill=TEXT, stroke_width=2, stroke_fill=OUTLINE)


def draw_action(
    frame: np.ndarray, action: str, scale: int | None = None, *, error: str | None = None
) -> np.ndarray:
    """The frame upscaled by `scale` (nearest) with `action` drawn where it acts and any error.

    `action` is a canonical action string in the frame's own pixels; "" draws nothing and an
    unparseable string is shown as text in red. Returns an (H*scale) x (W*scale) x 3 uint8 array.
    """
    from PIL import Image, ImageDraw

    h, w = frame.shape[:2]
    s = scale or auto_scale(w)
    img = Image.fromarray(frame).resize((w * s, h * s), Image.NEAREST).convert("RGBA")
    draw = ImageDraw.Draw(img)
    lw = 2 if s < 4 else s // 2
    r = max(8.0, 4.0 * s)
    fsize = max(11, min(18, img.width // 28))

    def px(x: float, y: float) -> tuple[float, float]:
        return ((x + 0.5) * s, (y + 0.5) * s)

    banner: tuple[str, tuple[int, int, int]] | None = None
    try:
        act = parse_action(action) if action.strip() else None
    except ActionError:
        act, banner = None, (f"unparsed action: {action}", ERROR)
    if isinstance(act, Click):
        _crosshair(draw, px(act.x, act.y), r, POINTER, lw)
        if act.button != "left":
            _label(draw, px(act.x, act.y), act.button, fsize)
    elif isinstance(act, DoubleClick):
        _crosshair(draw, px(act.x, act.y), r, POINTER, lw)
        _ring(draw, px(act.x, act.y), r * 1.5, POINTER, lw)
    elif isinstance(act, Hover):
        _ring(draw, px(act.x, act.y), r, HOVER, lw)
        _ring(draw, px(act.x, act.y), lw / 2, HOVER, lw)
    elif isinstance(act, (Drag, Push)):
        a, b = px(act.x0, act.y0), px(act.x1, act.y1)
        _ring(draw, a, r * 0.7, POINTER, lw)
        _arrow(draw, a, b, POINTER, lw)
        if isinstance(act, Push):
            _label(draw, b, "push", fsize)
    elif isinstance(act, (Pick, Place)):
        _crosshair(draw, px(act.x, act.y), r, POINTER, lw)
        _label(draw, px(act.x, act.y), act.name, fsize)
    elif isinstance(act, Scroll):
        c = px(act.x, act.y) if act.x is not None else (img.width / 2, img.height / 2)
        norm = math.hypot(act.dx, act.dy)
        if norm:
            length = min(img.width, img.height) / 4
            end = (c[0] + act.dx / norm * length, c[1] + act.dy / norm * length)
            _arrow(draw, c, end, HOVER, lw)
        _label(draw, c, f"scroll {act.dx},{act.dy}", fsize)
    elif isinstance(act, Type):
        banner = (f"type {json.dumps(act.text, ensure_ascii=False)}", TEXT)
    elif isinstance(act, Key):
        banner = (f"key {act.keys}", TEXT)
    elif isinstance(act, Done):
        banner = (f"done: {act.answer}" if act.answer is not None else "done", DONE)
    elif isinstance(act, Wait):
        banner = (f"wait {act.seconds:g} s", TEXT)
    elif isinstance(act, EEDelta):
        banner = (str(act), TEXT)
    if banner:
        _banner(img, banner[0], banner[1], top=False)
    if error:
        _banner(img, f"error: {error}", ERROR, top=True)
    return np.asarray(img.convert("RGB"))


def _with_header(body: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Stack a dark header strip with `lines` of text above `body`."""
    from PIL import Image, ImageDraw

    width = body.shape[1]
    size = max(11, min(16, width // 30))
    font = _font(size)
    wrapped = [seg for line in lines for seg in _wrap(line, font, width - 8, max_lines=2)]
    head = Image.new("RGB", (width, len(wrapped) * (size + 3) + 6), HEADER_BG)
    draw = ImageDraw.Draw(head)
    for i, line in enumerate(wrapped):
        draw.text((4, 3 + i * (size + 3)), line, font=font, fill=TEXT)
    return np.concatenate([np.asarray(head), body], axis=0)


def render_step(
    step: StepRecord, instruction: str, n_steps: int, scale: int | None = None
) -> np.ndarray:
    """One video frame: header (instruction, step, reward) over the frame with its action drawn."""
    flags = " terminated" if step.terminated else " truncated" if step.truncated else ""
    status = f"step {step.step + 1}/{n_steps}  reward {step.reward:g}{flags}  {step.action}"
    body = draw_action(step.frame, step.action, scale, error=step.error)
    return _with_header(body, [instruction, status])


def render_final(frame: np.ndarray, meta: EpisodeMeta, scale: int | None = None) -> np.ndarray:
    """The closing video frame: the observation after the last action, with the outcome."""
    body = draw_action(frame, "", scale)
    outcome = f"final  success {meta.success}  total reward {meta.total_reward:g}"
    if not meta.complete:
        outcome += "  (incomplete)"
    return _with_header(body, [meta.instruction, outcome])


def episode_frames(episode: Episode, scale: int | None = None, multiple: int = 2) -> list:
    """Annotated frames of an episode, padded to one size divisible by `multiple` (for video)."""
    if not episode.steps:
        raise TraceError(f"episode {episode.meta.episode_id} has no steps to replay")
    n = len(episode.steps)
    frames = [render_step(st, episode.meta.instruction, n, scale) for st in episode.steps]
    last = episode.steps[-1].final_frame
    if last is not None:
        frames.append(render_final(last, episode.meta, scale))
    h = -(-max(f.shape[0] for f in frames) // multiple) * multiple
    w = -(-max(f.shape[1] for f in frames) // multiple) * multiple
    out = []
    for f in frames:
        canvas = np.zeros((h, w, 3), np.uint8)
        canvas[:] = HEADER_BG
        canvas[: f.shape[0], : f.shape[1]] = f
        out.append(canvas)
    return out


def write_gif(
    episode: Episode, path: Path | str, *, fps: float = 2.0, scale: int | None = None
) -> Path:
    """Write an animated GIF with one frame per step (plus the final frame when recorded)."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(f) for f in episode_frames(episode, scale)]
    durations = [int(1000 / fps)] * len(images)
    durations[-1] *= 3  # hold the outcome
    images[0].save(
        path, save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False
    )
    return path


def write_mp4(
    episode: Episode, path: Path | str, *, fps: float = 2.0, scale: int | None = None
) -> Path:
    """Write an H.264 MP4 with one frame per step (plus the final frame when recorded)."""
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401 - provides the ffmpeg binary
    except ImportError as exc:
        raise missing_extra(exc.name or "imageio-ffmpeg", "video") from None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = episode_frames(episode, scale, multiple=16)
    with imageio.get_writer(
        path, fps=fps, codec="libx264", quality=8, pixelformat="yuv420p", ffmpeg_log_level="error"
    ) as writer:
        for f in frames:
            writer.append_data(f)
    return path


def _png_b64(frame: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(frame).save(buf, format="PNG", optimize=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _outcome(meta: EpisodeMeta) -> str:
    if meta.success is None:
        return "unknown"
    return f'<span class="{"ok" if meta.success else "fail"}">{meta.success}</span>'


def _summary(metas: Sequence[EpisodeMeta]) -> str:
    rows = [
        "<tr><th>episode</th><th>env</th><th>policy</th><th>seed</th><th>instruction</th>"
        "<th>success</th><th>complete</th><th>steps</th><th>reward</th><th>duration s</th></tr>"
    ]
    for m in metas:
        e = html.escape
        rows.append(
            f'<tr><td><a href="#{e(m.episode_id)}">{e(m.episode_id)}</a></td><td>{e(m.env_id)}</td>'
            f"<td>{e(m.policy)}</td><td>{m.seed}</td><td>{e(m.instruction)}</td>"
            f"<td>{_outcome(m)}</td><td>{m.complete}</td><td>{m.steps}</td>"
            f"<td>{m.total_reward:g}</td><td>{m.duration_s:.2f}</td></tr>"
        )
    return "<table>" + "\n".join(rows) + "</table>"


def _step_figure(st: StepRecord, n_steps: int, scale: int | None) -> str:
    e = html.escape
    img = _png_b64(draw_action(st.frame, st.action, scale, error=st.error))
    timings = " ".join(f"{k} {v * 1000:.1f} ms" for k, v in st.timings.items())
    flags = (" terminated" if st.terminated else "") + (" truncated" if st.truncated else "")
    parts = [
        f"<b>step {st.step + 1}/{n_steps}</b> <code>{e(st.action) or '(no action)'}</code>",
        f"reward {st.reward:g}{flags}",
    ]
    if timings:
        parts.append(timings)
    if st.error:
        parts.append(f'<span class="err">error: {e(st.error)}</span>')
    if st.extra:
        extra = json.dumps(st.extra, ensure_ascii=False)
        parts.append(f'<span class="extra">{e(extra)}</span>')
    caption = "<br>".join(parts)
    alt = e(f"step {st.step}: {st.action}")
    return (
        f'<figure><img class="step" alt="{alt}" src="data:image/png;base64,{img}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _episode_section(ep: Episode, scale: int | None) -> Iterator[str]:
    m, e = ep.meta, html.escape
    yield f'<section id="{e(m.episode_id)}"><h2>{e(m.env_id)} — {e(m.episode_id)}</h2>'
    yield f"<p>{e(m.instruction)}<br>success {_outcome(m)}, {m.steps} steps, "
    yield f"reward {m.total_reward:g}{'' if m.complete else ', <b>incomplete</b>'}</p>"
    yield '<div class="strip">'
    for st in ep.steps:
        yield _step_figure(st, len(ep.steps), scale)
    last = ep.steps[-1].final_frame if ep.steps else None
    if last is not None:
        img = _png_b64(draw_action(last, "", scale))
        yield (
            f'<figure><img class="final" alt="final frame" src="data:image/png;base64,{img}">'
            "<figcaption><b>final frame</b></figcaption></figure>"
        )
    yield "</div></section>"


def write_html(
    source: Path | str | Episode | Sequence[Episode],
    path: Path | str,
    *,
    scale: int | None = None,
) -> Path:
    """Write one self-contained HTML page: a summary table, then each episode's steps in a strip.

    `source` is a trace root (every episode under it) or episodes already loaded. Frames are
    embedded as base64 PNG; episodes are decoded one at a time to bound memory.
    """
    if isinstance(source, Episode):
        source = [source]
    if isinstance(source, (str, Path)):
        reader = TraceReader(source)
        metas = reader.episodes()
        episodes: Iterable[Episode] = (reader.episode(m.episode_id) for m in metas)
        title = f"handeye trace {Path(source).name}"
    else:
        metas = [ep.meta for ep in source]
        episodes, title = source, "handeye episodes"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}')
        css = resources.files("agent").joinpath("replay.css").read_text(encoding="utf-8")
        f.write(f"</title><style>{css}</style></head><body><h1>{html.escape(title)}</h1>")
        f.write(_summary(metas))
        for ep in episodes:
            for chunk in _episode_section(ep, scale):
                f.write(chunk)
        f.write("</body></html>\n")
    return path


def replay(
    trace_root: Path | str,
    episode_id: str | None = None,
    out: Path | str | None = None,
    fmt: str | None = None,
    *,
    fps: float = 2.0,
    scale: int | None = None,
) -> Path:
    """Render a recorded trace as `fmt` ("gif", "mp4" or "html") and return the file written.

    Without `episode_id`, html shows every episode and gif/mp4 the latest one. `fmt` defaults to
    `out`'s suffix, else html; `out` defaults to <trace_root>/replay/<episode or "episodes">.<fmt>.
    Episodes left by a crashed session are recovered (as incomplete) first.
    """
    root = Path(trace_root)
    if fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower() if out is not None else ""
        fmt = suffix if suffix in FORMATS else "html"
    if fmt not in FORMATS:
        raise TraceError(f"unknown replay format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader = TraceReader(root)
    try:
        recover(root)
    except OSError as exc:  # a read-only trace can still be replayed
        log.warning("could not recover unfinished episodes under %s: %s", root, exc)
    if episode_id is None and fmt != "html":
        metas = reader.episodes()
        if not metas:
            raise TraceError(f"{root}: no episodes recorded yet")
        episode_id = metas[-1].episode_id
    out = Path(out) if out is not None else root / "replay" / f"{episode_id or 'episodes'}.{fmt}"
    if fmt == "html":
        source = root if episode_id is None else reader.episode(episode_id)
        return write_html(source, out, scale=scale)
    episode = reader.episode(episode_id)
    writer = write_gif if fmt == "gif" else write_mp4
    return writer(episode, out, fps=fps, scale=scale)
