"""The before/after report's files: JSON, a markdown table, a PNG chart and an HTML page.

The HTML page is one self-contained file: the summary table, the chart, and for the first
episodes of each env the frame both arms saw with the target box (magenta), the base model's
click (red) and the tuned model's click (green) drawn on it, side by side with each reply.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from agent.eval_compare import CompareResult

ARM_COLOURS = {"base": (214, 39, 40), "tuned": (44, 160, 44)}
TARGET_COLOUR = (230, 0, 230)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def markdown_report(result: CompareResult, meta: dict[str, Any], rows: int = 200) -> str:
    """Success and click-inside-target per env for both arms, then per-episode outcomes."""
    arms = meta["arms"]
    lines = [
        "# Before / after fine-tuning",
        "",
        f"- base: `{arms['base'].get('model')}`",
        f"- tuned: `{arms['tuned'].get('adapter') or arms['tuned'].get('model')}`"
        + (" (LoRA adapter on the base)" if arms["tuned"].get("adapter") else ""),
        f"- seeds {meta['seeds'][0]}-{meta['seeds'][1]} of each env (the same for both)",
        "",
        "| env | episodes | success base | success tuned | click inside target base "
        "| click inside target tuned |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for env_id, by_arm in result.summary.items():
        b, t = by_arm.get("base", {}), by_arm.get("tuned", {})
        lines.append(
            f"| {env_id} | {b.get('episodes', 0)} | {_pct(b.get('success_rate'))} | "
            f"{_pct(t.get('success_rate'))} | {_pct(b.get('click_inside_target_rate'))} | "
            f"{_pct(t.get('click_inside_target_rate'))} |"
        )
    lines += [
        "",
        "## Episodes",
        "",
        "| env | seed | instruction | base | tuned | base click | tuned click |",
        "|---|---:|---|---|---|---|---|",
    ]

    def mark(arm: Any) -> str:
        return "-" if arm is None else ("won" if arm.success else "lost")

    def click(arm: Any) -> str:
        if arm is None or not arm.clicks:
            return "none" if arm is None or not arm.error else "error"
        return ",".join(map(str, arm.clicks[0]))

    for p in result.episodes[:rows]:
        b, t = p.arms.get("base"), p.arms.get("tuned")
        text = p.instruction.replace("|", "/")[:60]
        lines.append(
            f"| {p.env_id} | {p.seed} | {text} | {mark(b)} | {mark(t)} | {click(b)} | {click(t)} |"
        )
    if len(result.episodes) > rows:
        lines.append(f"\n({len(result.episodes) - rows} more episodes in report.json)")
    return "\n".join(lines) + "\n"


def draw_chart(summary: dict[str, dict[str, dict[str, Any]]], path: Path) -> None:
    """A bar chart of success per env, base beside tuned (PIL only)."""
    from PIL import Image, ImageDraw

    envs = list(summary)
    group, pad_l, pad_t, plot_h = 150, 50, 40, 220
    w = max(380, pad_l + group * max(1, len(envs)) + 20)
    h = pad_t + plot_h + 70
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.text((pad_l, 10), "success per env: base (red) vs tuned (green)", fill="black")
    base_y = pad_t + plot_h
    for pct in (0, 50, 100):
        y = base_y - plot_h * pct / 100
        d.line([(pad_l, y), (w - 10, y)], fill=(220, 220, 220))
        d.text((8, y - 6), f"{pct}%", fill="black")
    for i, env_id in enumerate(envs):
        x = pad_l + i * group + 20
        for j, arm in enumerate(("base", "tuned")):
            rate = summary[env_id].get(arm, {}).get("success_rate") or 0.0
            x0 = x + j * 50
            d.rectangle([x0, base_y - plot_h * rate, x0 + 40, base_y], fill=ARM_COLOURS[arm])
            d.text((x0 + 4, base_y - plot_h * rate - 14), f"{100 * rate:.0f}%", fill="black")
        name = env_id.removeprefix("handeye/")
        d.text((x, base_y + 8), name[:22], fill="black")
        d.text((x, base_y + 22), name[22:44], fill="black")
    img.save(path)


def draw_clicks(frame: np.ndarray, box: list[int] | None, clicks: dict[str, list[int]]) -> Any:
    """The frame, scaled up to at least 224 px wide, with the box and each arm's click drawn."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(np.ascontiguousarray(frame[..., :3]).astype(np.uint8))
    scale = max(1, 224 // max(1, img.width))
    img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    d = ImageDraw.Draw(img)
    if box is not None:
        d.rectangle([v * scale for v in box], outline=TARGET_COLOUR, width=2)
    for arm, (x, y) in clicks.items():
        cx, cy, r = (x + 0.5) * scale, (y + 0.5) * scale, max(4, scale * 2)
        colour = ARM_COLOURS[arm]
        d.line([(cx - r, cy - r), (cx + r, cy + r)], fill=colour, width=2)
        d.line([(cx - r, cy + r), (cx + r, cy - r)], fill=colour, width=2)
    return img


def _data_uri(img: Any) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def html_report(result: CompareResult, meta: dict[str, Any], chart: Path, pictures: int) -> str:
    """One HTML page: the summary, the chart, and frames with both arms' clicks side by side."""
    from PIL import Image

    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(env_id)}</td>"
        + "".join(
            f"<td>{_pct(by_arm.get(arm, {}).get(key))}</td>"
            for key in ("success_rate", "click_inside_target_rate")
            for arm in ("base", "tuned")
        )
        + "</tr>"
        for env_id, by_arm in result.summary.items()
    )
    cards, shown = [], dict.fromkeys(result.summary, 0)
    for p in result.episodes:
        frame = result.frames.get((p.env_id, p.seed))
        if frame is None or shown[p.env_id] >= pictures:
            continue
        shown[p.env_id] += 1
        clicks = {arm: a.clicks[0] for arm, a in p.arms.items() if a.clicks}
        img = draw_clicks(frame, p.target_box, clicks)
        notes = "".join(
            f"<div style='color:rgb{ARM_COLOURS[arm]}'>{arm}: "
            f"{'won' if a.success else 'lost'} &mdash; <code>{esc((a.reply or a.error or '')[:80])}"
            "</code></div>"
            for arm, a in p.arms.items()
        )
        cards.append(
            f"<figure><img src='{_data_uri(img)}'><figcaption><b>{esc(p.env_id)}</b> seed "
            f"{p.seed}<br>{esc(p.instruction)}{notes}</figcaption></figure>"
        )
    arms = meta["arms"]
    return (
        "<!doctype html><meta charset='utf-8'><title>before / after fine-tuning</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;"
        "border-bottom:1px solid #ddd}figure{display:inline-block;width:250px;margin:8px;"
        "vertical-align:top;font-size:12px}code{word-break:break-all}</style>"
        "<h1>Before / after fine-tuning</h1>"
        f"<p>base <code>{esc(str(arms['base'].get('model')))}</code>; tuned <code>"
        f"{esc(str(arms['tuned'].get('adapter') or arms['tuned'].get('model')))}</code>; seeds "
        f"{meta['seeds'][0]}-{meta['seeds'][1]}, the same for both. Magenta: the target; red: "
        "the base model's click; green: the tuned model's.</p>"
        "<table><tr><th>env</th><th>success base</th><th>success tuned</th>"
        "<th>click inside base</th><th>click inside tuned</th></tr>"
        f"{rows}</table><p><img src='{_data_uri(Image.open(chart))}'></p>" + "".join(cards)
    )


def write_report(result: CompareResult, folder: Path, meta: dict[str, Any], pictures: int) -> None:
    """report.json, report.md, report.png and report.html in `folder`."""
    from agent.eval_compare import report_json

    (folder / "report.json").write_text(json.dumps(report_json(result, meta), indent=2))
    (folder / "report.md").write_text(markdown_report(result, meta))
    draw_chart(result.summary, folder / "report.png")
    (folder / "report.html").write_text(html_report(result, meta, folder / "report.png", pictures))
