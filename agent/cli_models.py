"""The CLI commands around models: build training sets, train (VLM, behaviour cloning), serve."""

from __future__ import annotations

import argparse
import json
from typing import Any


def rich_console() -> Any:
    """The CLI's console on stdout (rich imported only when a command prints)."""
    from rich.console import Console

    return Console(stderr=False)


def _training_progress(console: Any, label: str, extra: str = "") -> Any:
    """A rich progress bar with the step count, the loss, `extra` fields and the ETA."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]} | " + extra + "ETA"),
        TimeRemainingColumn(),
        console=console,
    )


def cmd_dataset_build(args: argparse.Namespace) -> int:
    """Turn trace folders into a parquet training set (split by episode, with a card)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from agent.training_sets import DatasetConfig, build_dataset

    config = DatasetConfig(
        family=args.family,
        prompt=args.prompt,
        test_fraction=args.test_fraction,
        seed=args.seed,
        max_pixels=args.max_pixels,
        history=args.history,
        overwrite=args.overwrite,
    )
    console = rich_console()
    with Progress(
        TextColumn("[bold]episodes"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        bar = progress.add_task("episodes", total=None)
        card = build_dataset(
            args.traces, args.out, config, on_episode=lambda _: progress.advance(bar)
        )
    counts = ", ".join(
        f"{k} {v['rows']} rows / {v['episodes']} episodes" for k, v in card.counts.items()
    )
    console.print(f"wrote {args.out}: {counts}; {card.family} {card.reply_format} replies")
    return 0


def cmd_train_vlm(args: argparse.Namespace) -> int:
    """Fine-tune a VLM checkpoint (LoRA or full) on a training set, with a live progress bar."""
    from policies.vlm.finetune import FinetuneConfig, finetune

    config = FinetuneConfig(
        model=args.model,
        data=args.data,
        out=args.out,
        lora=args.lora,
        full=args.full,
        epochs=args.epochs,
        lr=args.lr,
        batch=args.batch,
        grad_accum=args.grad_accum,
        max_pixels=args.max_pixels,
        seed=args.seed,
        save_every=args.save_every,
        device=args.device,
        dtype=args.dtype,
        gradient_checkpointing=args.gradient_checkpointing,
        quantization=args.quantization,
        resume=not args.no_resume,
    )
    console = rich_console()
    with _training_progress(console, "train", "{task.fields[tps]} tok/s | ") as progress:
        bar = progress.add_task("train", total=None, loss="-", tps="-")

        def on_step(s) -> None:  # noqa: ANN001 - a StepLog
            progress.update(
                bar,
                completed=s.step,
                total=s.total,
                loss=f"{s.loss:.4f}",
                tps=f"{s.tokens_per_s:.0f}",
            )

        result = finetune(config, on_step=on_step)
    console.print(
        f"{result.steps} steps, loss {result.first_loss:.3f} -> {result.last_loss:.3f}, "
        f"{result.tokens_per_s:.0f} tokens/s; weights in {result.weights}, curve in "
        f"{result.out / 'loss.png'}"
    )
    if not args.full:
        console.print(
            f"use it: --policy vlm --model {args.model} --policy-kwargs "
            f'\'{{"adapter": "{result.weights}"}}\''
        )
    if args.eval_env:
        return _compare_after_training(args, config, result, console)
    return 0


def _compare_after_training(
    args: argparse.Namespace, config: Any, result: Any, console: Any
) -> int:
    """Evaluate the base and the tuned model on the same held-out seeds; one report in OUT/eval."""
    from agent.config_flags import json_object
    from agent.eval_compare import CompareConfig
    from policies.vlm.finetune import read_training_set

    card, _ = read_training_set(config.data, "train")
    shared = {"prompt": card["prompt"], "device": config.device, "dtype": config.dtype}
    if config.max_pixels:
        shared["max_pixels"] = config.max_pixels
    if config.quantization:  # both arms on the base the adapter was trained on
        shared["quantization"] = config.quantization
    shared.update(json_object(args.eval_policy_kwargs, "--eval-policy-kwargs"))
    weights = str(result.weights)
    compare_config = CompareConfig(
        env=args.eval_env,
        model=config.model,
        out=str(result.out / "eval"),
        adapter=None if config.full else weights,
        tuned_model=weights if config.full else None,
        episodes=args.eval_episodes,
        seed=args.eval_seed,
        policy_kwargs=shared,
    )
    return _run_compare(compare_config, console)


def _run_compare(config: Any, console: Any) -> int:
    """Play both arms with a progress bar, print success per env and where the report went."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from agent.eval_compare import compare
    from agent.evaluation import select_envs

    total = 2 * config.episodes * len(select_envs(config.env))
    with Progress(
        TextColumn("[bold]eval {task.fields[arm]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("success {task.fields[rate]}"),
        console=console,
    ) as progress:
        bar = progress.add_task("eval", total=total, arm="base", rate="-")
        done: dict[str, list[bool]] = {}

        def on_episode(arm: str, episode: dict) -> None:
            won = done.setdefault(arm, [])
            won.append(bool(episode["success"]))
            rate = f"{100 * sum(won) / len(won):.0f}%"
            progress.update(bar, advance=1, arm=arm, rate=rate)

        report = compare(config, on_episode=on_episode)
    for env_id, by_arm in report.summary.items():
        rates = " -> ".join(f"{100 * by_arm[a]['success_rate']:.0f}%" for a in by_arm)
        console.print(f"{env_id}: success base -> tuned {rates}")
    console.print(f"before/after report: {report.out / 'report.html'} (and .json, .md, .png)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Evaluate a base VLM and its fine-tuned version on the same seeds; one report in --out."""
    from agent.config_flags import json_object
    from agent.eval_compare import CompareConfig

    config = CompareConfig(
        env=args.env,
        model=args.model,
        out=args.out,
        adapter=args.adapter,
        tuned_model=args.tuned_model,
        episodes=args.episodes,
        seed=args.seed,
        max_steps=args.max_steps,
        policy_kwargs=json_object(args.policy_kwargs, "--policy-kwargs"),
        env_kwargs=json_object(args.env_kwargs, "--env-kwargs"),
    )
    return _run_compare(config, rich_console())


def cmd_train_bc(args: argparse.Namespace) -> int:
    """Behaviour-clone a tabletop EE-delta policy from expert demonstrations (trace or LeRobot)."""
    from agent.bc_demonstrations import load_demonstrations
    from policies.bc.training import BCTrainConfig, train_bc

    config = BCTrainConfig(
        out=args.out,
        epochs=args.epochs,
        lr=args.lr,
        batch=args.batch,
        chunk=args.chunk,
        seed=args.seed,
        shift=args.shift,
        slots=args.slots,
        keypoint_weight=args.keypoint_weight,
        grip_weight=args.grip_weight,
        grip_change_weight=args.grip_change_weight,
        onset_weight=args.onset_weight,
        open_labels_only=args.open_labels_only,
        head=args.head,
        lift=args.lift,
        overwrite=args.overwrite,
        resume=not args.no_resume,
        threads=args.threads,
    )
    console = rich_console()
    demos = load_demonstrations(args.data, only_success=not args.all_episodes)
    if args.episodes:
        demos = demos.first(args.episodes)
    console.print(
        f"{demos.n_episodes} episodes, {len(demos.images)} frames of "
        f"{demos.images.shape[2]}x{demos.images.shape[1]} from {args.data}"
    )
    with _training_progress(console, "train bc") as progress:
        bar = progress.add_task("train", total=None, loss="-")

        def on_step(step: int, total: int, loss: float) -> None:
            progress.update(bar, completed=step, total=total, loss=f"{loss:.4f}")

        result = train_bc(demos, config, on_step=on_step)
    console.print(
        f"{result.steps} steps in {result.seconds:.0f} s, loss {result.first_loss:.3f} -> "
        f"{result.last_loss:.3f}; model in {result.out}, curve in {result.out / 'loss.png'}"
    )
    console.print(f"use it: handeye eval --env ... --policy bc --model {result.out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a local checkpoint to many env workers over OpenAI-compatible HTTP on 127.0.0.1."""
    import signal
    import time

    from perception.vlm.serving import ModelServer, ServeConfig

    config = ServeConfig(
        model=args.model,
        port=args.port,
        max_batch=args.max_batch,
        batch_wait_ms=args.batch_wait_ms,
        max_queue=args.max_queue,
        device=args.device,
        dtype=args.dtype,
        name=args.name,
        threads=args.threads,
    )
    with ModelServer(config) as server:
        print(json.dumps({"url": server.url, "model": config.name or config.model}), flush=True)
        # Ctrl-C and SIGTERM both stop it, even where a parent shell started it with SIGINT ignored
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.default_int_handler)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(json.dumps(server.stats()), flush=True)
    return 0
