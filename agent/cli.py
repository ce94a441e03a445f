"""The `handeye` command: list envs, evaluate policies, replay traces, ground one screenshot.

Heavy packages are imported inside each command so `handeye --help` starts instantly.
User-facing output (rich) lives here and nowhere in the libraries.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from agent.chat import add_session_arguments
from agent.cli_models import (
    cmd_compare,
    cmd_dataset_build,
    cmd_serve,
    cmd_train_bc,
    cmd_train_vlm,
    rich_console,
)
from agent.config_flags import add_policy_flags, json_object, policy_in_argv, policy_options
from contracts.errors import HandeyeError


def cmd_list_envs(args: argparse.Namespace) -> int:
    """Print registered env ids (optionally filtered by a glob)."""
    from agent.evaluation import registered_envs, select_envs

    ids = select_envs(args.pattern) if args.pattern else registered_envs()
    for env_id in ids:
        print(env_id)
    print(f"{len(ids)} envs", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a policy on the envs matching --env, with a progress bar and a success table."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from agent.evaluation import evaluate, markdown_table, reports_json, select_envs

    console = rich_console()
    env_ids = select_envs(args.env)
    trace_dir = Path(args.trace) if args.trace else None
    total = len(env_ids) * args.episodes
    env_kwargs = json.loads(args.env_kwargs) if args.env_kwargs else {}
    policy_kwargs = _policy_kwargs(args)
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("success {task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        bar = progress.add_task(f"{args.policy} on {len(env_ids)} envs", total=total, rate="-")
        done = {"n": 0, "ok": 0}

        def on_episode(result: dict) -> None:
            done["n"] += 1
            done["ok"] += bool(result["success"])
            rate = f"{100 * done['ok'] / done['n']:.0f}%"
            progress.update(bar, advance=1, rate=rate, description=result["env_id"])

        run_kwargs = {
            "episodes": args.episodes,
            "seed": args.seed,
            "max_steps": args.max_steps,
            "trace_dir": trace_dir,
            "env_kwargs": env_kwargs,
            "policy_kwargs": policy_kwargs,
            "on_episode": on_episode,
        }
        ray_run = None
        if args.ray:
            from agent.ray_eval import RayConfig, evaluate_ray

            config = RayConfig(address=args.ray, actors=args.workers)
            ray_run = evaluate_ray(env_ids, args.policy, config=config, **run_kwargs)
            reports, interrupted = ray_run.reports, ray_run.interrupted
        else:
            reports, interrupted = evaluate(
                env_ids, args.policy, workers=args.workers, **run_kwargs
            )
    table = Table(title=f"policy {args.policy!r}: success per env")
    for col in ("env", "episodes", "success", "mean steps", "ms/step capture/policy/act"):
        table.add_column(col, justify="left" if col == "env" else "right", no_wrap=col == "env")
    for r in reports:
        ms = r.mean_step_ms
        colour = "green" if r.success_rate >= 0.95 else "yellow" if r.success_rate >= 0.5 else "red"
        table.add_row(
            r.env_id,
            str(r.episodes),
            f"[{colour}]{100 * r.success_rate:.1f}%",
            f"{r.mean_steps:.1f}",
            f"{ms['capture']:.0f}/{ms['policy']:.0f}/{ms['act']:.0f}",
        )
    console.print(table)
    if reports:
        mean = sum(r.success_rate for r in reports) / len(reports)
        console.print(
            f"mean success {100 * mean:.1f}% over {len(reports)} envs "
            f"in {time.perf_counter() - started:.1f} s"
        )
    if interrupted:
        console.print("[yellow]interrupted: partial results kept")
    meta = {
        "policy": args.policy,
        "episodes": args.episodes,
        "seed": args.seed,
        "interrupted": interrupted,
    }
    note = ""
    if ray_run is not None:
        from agent.ray_eval import ray_meta, reruns_markdown

        meta["ray"] = ray_meta(ray_run, args.ray)
        note = reruns_markdown(ray_run.reruns)
        console.print(note.strip())
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(reports_json(reports, **meta), indent=2))
        md = Path(args.json).with_suffix(".md")
        md.write_text(markdown_table(reports) + note)
        console.print(f"wrote {args.json} and {md}")
    if trace_dir:
        console.print(f"traces in {trace_dir} (view: handeye replay {trace_dir} --format html)")
    return 130 if interrupted else 0


def _policy_kwargs(args: argparse.Namespace) -> dict:
    """The policy's options from the command line, checked against its config before any env
    starts."""
    from policies.base import POLICIES

    options = policy_options(args)
    POLICIES.check(args.policy, options)
    return options


def cmd_ground(args: argparse.Namespace) -> int:
    """Ground an instruction in one image: print the point/box, save a copy with it drawn."""
    import numpy as np
    from PIL import Image

    from perception.grounders import make_grounder
    from perception.grounding.overlay import draw_grounding

    path = Path(args.image)
    if not path.is_file():
        raise HandeyeError(f"no image at {str(path)!r}")
    try:
        image = np.asarray(Image.open(path).convert("RGB"))
    except OSError as exc:
        raise HandeyeError(f"cannot read {str(path)!r} as an image: {exc}") from None
    options = json_object(args.options, "--options")
    options.update(prompt=args.prompt, max_new_tokens=args.max_new_tokens)
    if args.family:
        options["family"] = args.family
    grounder = make_grounder(args.backend, model=args.model, endpoint=args.endpoint, **options)
    try:
        grounding = grounder.ground(image, args.instruction)
    finally:
        grounder.close()
    out = Path(args.out) if args.out else path.with_name(f"{path.stem}.ground.png")
    draw_grounding(image, grounding).save(out)
    target = grounding.target
    result = {
        "image": str(path),
        "size": [int(image.shape[1]), int(image.shape[0])],
        "instruction": args.instruction,
        "point": [round(target.x, 1), round(target.y, 1)] if target else None,
        "points": [[round(p.x, 1), round(p.y, 1)] for p in grounding.points],
        "boxes": [[round(v, 1) for v in (b.x0, b.y0, b.x1, b.y1)] for b in grounding.boxes],
        "action": grounding.action,
        "format": grounding.format,
        "reply": grounding.raw_text,
        "timings_ms": {k: round(1000 * v, 1) for k, v in grounding.timings.items()},
        "drawn": str(out),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Turn recorded episodes into an annotated GIF, MP4 or HTML page."""
    from agent.replay import replay

    out = replay(
        Path(args.trace),
        episode_id=args.episode,
        out=Path(args.out) if args.out else None,
        fmt=args.format,
    )
    print(out)
    return 0


def cmd_traces_prune(args: argparse.Namespace) -> int:
    """Delete old episodes (and their saved frames) from a trace folder."""
    from agent.traces import parse_age, prune

    age = parse_age(args.older_than) if args.older_than else None
    removed = prune(Path(args.trace), older_than_s=age, keep=args.keep)
    print(f"deleted {len(removed)} episodes from {args.trace}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive session: type tasks, watch the agent do them, approve risky steps."""
    from agent.chat import chat_main

    return chat_main(args, _policy_kwargs(args))


def cmd_run(args: argparse.Namespace) -> int:
    """One task, non-interactively; exit 0 when the agent finished it with done()."""
    from agent.chat import run_main

    return run_main(args, _policy_kwargs(args))


POLICY_KWARGS_HELP = (
    "JSON of policy options, for those with no flag (e.g. '{\"max_new_tokens\": 64}', passed on"
    " to the VLM backend); flags given override the same keys here"
)
POLICY_HELP = "policy name: {} (with --help: its option flags; default: %(default)s)"


def _policy_arguments(p: argparse.ArgumentParser, chosen: bool, policy: str | None) -> None:
    """--policy-kwargs and, on the command line's own command, the flags of its policy."""
    p.add_argument("--policy-kwargs", help=POLICY_KWARGS_HELP)
    if chosen:
        add_policy_flags(p, policy or p.get_default("policy"))


def _model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="VLM: a local checkpoint folder, or the served model name")
    p.add_argument(
        "--endpoint", help="VLM: an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1"
    )
    p.add_argument(
        "--backend", help="backend: transformers, http, house (default: from the above, else house)"
    )


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The `handeye` parser; for the command in `argv`, with flags of the policy it names."""
    command, policy = policy_in_argv(argv)
    parser = argparse.ArgumentParser(
        prog="handeye", description="Agents that see and act: envs, policies, traces."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list-envs", help="list registered env ids")
    p.add_argument("pattern", nargs="?", help="glob, e.g. 'handeye/miniwob-click-*'")
    p.set_defaults(func=cmd_list_envs)

    p = sub.add_parser("eval", help="evaluate a policy on envs matching a pattern")
    p.add_argument("--env", required=True, help="glob(s), comma-separated")
    p.add_argument("--policy", default="expert", help=POLICY_HELP.format("expert, random, ..."))
    p.add_argument("--episodes", type=int, default=10)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="episodes at once: N pages of one browser for browser envs, else N processes",
    )
    p.add_argument("--seed", type=int, default=0, help="first episode seed")
    p.add_argument(
        "--max-steps", type=int, help="step budget per episode (default: the env's own limit)"
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run --workers env actors on Ray: local (a private loopback Ray, the default), "
        "auto, or a cluster's host:port; needs pip install 'handeye[scale]'",
    )
    p.add_argument("--json", help="write results JSON here (and a .md table beside it)")
    p.add_argument("--trace", help="record episodes (parquet + PNG) into this folder")
    p.add_argument("--env-kwargs", help="JSON of env options, e.g. '{\"scale\": 1.5}'")
    _policy_arguments(p, command == "eval", policy)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "ground", help="ground an instruction in one image (a VLM, or the embedded house grounder)"
    )
    p.add_argument("image", help="a screenshot or photo (PNG, JPEG, ...)")
    p.add_argument("instruction", help='what to point at, e.g. "the Submit button"')
    _model_flags(p)
    p.add_argument("--family", help="model family (default: detected): qwen2_5_vl, qwen3_vl, ...")
    p.add_argument("--prompt", default="point", help="prompt template: point, next_action, ...")
    p.add_argument("--max-new-tokens", type=int, default=128)
    p.add_argument("--options", help='JSON of backend options, e.g. \'{"device": "cpu"}\'')
    p.add_argument("--out", help="where to write the image with the grounding drawn")
    p.set_defaults(func=cmd_ground)

    p = sub.add_parser("replay", help="render recorded episodes as GIF, MP4 or HTML")
    p.add_argument("trace", help="trace folder written by --trace")
    p.add_argument("--episode", help="episode id (default: all for html, the first otherwise)")
    p.add_argument("--format", choices=("gif", "mp4", "html"), default="html")
    p.add_argument("--out", help="output path")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("dataset", help="build training sets from recorded traces")
    dsub = p.add_subparsers(dest="dataset_command", required=True)
    p = dsub.add_parser("build", help="trace folders -> parquet rows (frame, instruction, reply)")
    p.add_argument("traces", nargs="+", help="trace folders written by --trace")
    p.add_argument("--out", required=True, help="the training set's folder (must not exist)")
    p.add_argument("--family", default="qwen2_5_vl", help="qwen2_5_vl, qwen3_vl or generic")
    p.add_argument("--prompt", default="next_action", help="prompt task: next_action or point")
    p.add_argument("--test-fraction", type=float, default=0.2, help="share of episodes held out")
    p.add_argument("--seed", type=int, default=0, help="seed of the episode split")
    p.add_argument("--max-pixels", type=int, help="the model processor's max_pixels")
    p.add_argument("--history", type=int, default=8, help="earlier actions kept per row")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    p.set_defaults(func=cmd_dataset_build)

    p = sub.add_parser("traces", help="manage recorded traces")
    traces = p.add_subparsers(dest="traces_command", required=True)
    p = traces.add_parser("prune", help="delete episodes by age and/or count")
    p.add_argument("trace", help="trace folder")
    p.add_argument("--older-than", metavar="AGE", help="delete episodes older than AGE (7d, 12h)")
    p.add_argument("--keep", type=int, metavar="N", help="keep only the newest N episodes")
    p.set_defaults(func=cmd_traces_prune)

    p = sub.add_parser("train", help="train models from training sets")
    tsub = p.add_subparsers(dest="train_command", required=True)
    p = tsub.add_parser("vlm", help="fine-tune a VLM checkpoint (LoRA or full) on a training set")
    p.add_argument("--model", required=True, help="the base checkpoint folder")
    p.add_argument("--data", required=True, help="a folder written by `handeye dataset build`")
    p.add_argument("--out", required=True, help="adapter/model, checkpoints, log, loss.png")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--lora", default="r=16,alpha=32", help="LoRA options (default: %(default)s)")
    mode.add_argument("--full", action="store_true", help="train every weight instead of LoRA")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-4, help="peak learning rate")
    p.add_argument("--batch", type=int, default=4, help="rows per forward pass")
    p.add_argument("--grad-accum", type=int, default=1, help="forward passes per optimizer step")
    p.add_argument("--max-pixels", type=int, help="the processor's max_pixels (as for the set)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save-every", type=int, default=0, help="steps between checkpoints")
    p.add_argument("--device", default="auto", help="auto, cuda, mps, cpu")
    p.add_argument("--dtype", default="auto", help="auto (bf16 on GPU), bf16, fp16, fp32")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument(
        "--quantization", choices=("4bit", "8bit"), help="QLoRA: a bitsandbytes base (CUDA)"
    )
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints in --out")
    p.add_argument("--eval-env", help="after training, evaluate base and tuned on these envs")
    p.add_argument("--eval-episodes", type=int, default=20, help="held-out episodes per env")
    p.add_argument("--eval-seed", type=int, default=100_000, help="first held-out seed")
    p.add_argument(
        "--eval-policy-kwargs", help="JSON of vlm options, e.g. '{\"max_new_tokens\": 32}'"
    )
    p.set_defaults(func=cmd_train_vlm)

    p = sub.add_parser(
        "compare", help="a base VLM and its fine-tuned version on the same seeds: one report"
    )
    p.add_argument("--env", required=True, help="glob(s), comma-separated")
    p.add_argument("--model", required=True, help="the base checkpoint folder")
    tuned = p.add_mutually_exclusive_group(required=True)
    tuned.add_argument("--adapter", help="the LoRA folder of `handeye train vlm` (OUT/adapter)")
    tuned.add_argument("--tuned-model", help="a fully fine-tuned checkpoint (OUT/model)")
    p.add_argument("--out", required=True, help="report.json/.md/.png/.html and both arms' traces")
    p.add_argument("--episodes", type=int, default=20, help="episodes per env and arm")
    p.add_argument("--seed", type=int, default=100_000, help="first seed (held out from training)")
    p.add_argument("--max-steps", type=int, help="step budget per episode (default: the env's)")
    p.add_argument(
        "--policy-kwargs", help='vlm options for both arms, e.g. \'{"prompt": "point"}\''
    )
    p.add_argument("--env-kwargs", help="JSON of env options")
    p.set_defaults(func=cmd_compare)

    p = tsub.add_parser("bc", help="behaviour-clone a tabletop policy from expert episodes")
    p.add_argument("--data", required=True, help="a trace folder (--trace) or a LeRobot export")
    p.add_argument("--out", required=True, help="model folder: model.pt, config.json, loss.png")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--chunk", type=int, default=1, help="actions per prediction (ACT-style)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shift", type=int, default=4, help="random-shift augmentation (pixels)")
    p.add_argument("--slots", type=int, default=2, help="named-object keypoints (0: off)")
    p.add_argument(
        "--keypoint-weight", type=float, default=1.0, help="auxiliary loss on labelled keypoints"
    )
    p.add_argument(
        "--grip-weight", type=float, default=1.0, help="weight of the grip command in the loss"
    )
    p.add_argument(
        "--head",
        choices=("named", "all"),
        default="named",
        help="action MLP inputs: named keypoints + proprio + words, or all image features too",
    )
    p.add_argument(
        "--grip-change-weight",
        type=float,
        default=1.0,
        help="extra factor on the grip error where the expert's grip flips (close, release)",
    )
    p.add_argument(
        "--onset-weight",
        type=float,
        default=1.0,
        help="extra factor on the action where the expert's dz jumps (descend, lift, lower)",
    )
    p.add_argument(
        "--open-labels-only",
        action="store_true",
        help="learn the named object's keypoint only where the expert's gripper is open",
    )
    p.add_argument(
        "--lift",
        action="store_true",
        help="named keypoints also as table xy relative to the tcp (needs calibrated frames)",
    )
    p.add_argument("--episodes", type=int, help="use only the first N episodes")
    p.add_argument("--all-episodes", action="store_true", help="keep failed episodes too")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    p.add_argument("--no-resume", action="store_true", help="ignore OUT.partial checkpoints")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's own)")
    p.set_defaults(func=cmd_train_bc)

    p = sub.add_parser(
        "serve", help="serve a local model to many workers (OpenAI-compatible, 127.0.0.1 only)"
    )
    p.add_argument("--model", required=True, help="a local checkpoint folder")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free one)")
    p.add_argument("--max-batch", type=int, default=8, help="most requests in one generate()")
    p.add_argument(
        "--batch-wait-ms", type=float, default=10.0, help="how long a request waits for others"
    )
    p.add_argument("--max-queue", type=int, default=256, help="waiting requests before a 429")
    p.add_argument("--device", default="auto", help="auto, cuda, mps, cpu")
    p.add_argument("--dtype", default="auto", help="auto, bf16, fp16, fp32")
    p.add_argument("--name", help="the model name clients send (default: --model as given)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: its default)")
    p.set_defaults(func=cmd_serve)

    for name, run in (("chat", False), ("run", True)):
        helptext = "do one task non-interactively" if run else "type tasks, watch the agent work"
        p = sub.add_parser(name, help=f"{helptext} (web page, terminal or desktop)")
        add_session_arguments(p, run=run)
        _policy_arguments(p, command == name, policy)
        p.set_defaults(func=cmd_run if run else cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `handeye` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except HandeyeError as exc:
        print(f"handeye: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("handeye: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
