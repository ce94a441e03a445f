"""Before/after evaluation of a fine-tuned VLM: the base and the tuned model on the same seeds.

Both arms are the `vlm` policy built the way `handeye eval --policy vlm` builds it (the tuned
arm adds the LoRA `adapter`, or is the full checkpoint), and play the same held-out seeds of
the same envs through the session loop, one model in memory at a time. A wrapper watches
each episode for evaluation only: the frame it starts from, the clicks taken, and the target
box where the env publishes one (`info["privileged"]["target_box"]`), so the report gives the
click-inside-target rate beside success. The report (JSON, markdown, a PNG chart and an HTML
page with both arms' clicks drawn on the same frames) is written to a temporary folder and
renamed into place, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from contracts.actions import Click, DoubleClick, as_action
from contracts.errors import ActionError, ConfigError
from contracts.keys import PRIVILEGED

log = logging.getLogger(__name__)

ARMS = ("base", "tuned")


@dataclass(frozen=True)
class CompareConfig:
    """Options of a before/after evaluation; `handeye train vlm --eval-*` flags map onto them.

    env: env id glob(s), comma-separated. model: the base checkpoint folder. adapter: the
    LoRA folder (OUT/adapter) applied on the base for the tuned arm, or tuned_model: a full
    fine-tuned checkpoint (OUT/model). episodes per env, from `seed` on (pick seeds the
    training traces did not use). policy_kwargs: options both arms share (prompt, device,
    max_new_tokens, ...). pictures: episodes per env drawn in the HTML page.
    """

    env: str
    model: str
    out: str
    adapter: str | None = None
    tuned_model: str | None = None
    episodes: int = 20
    seed: int = 100_000
    max_steps: int | None = None
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    trace: bool = True
    pictures: int = 12


@dataclass(frozen=True)
class ArmEpisode:
    """One arm's outcome on one seed."""

    success: bool
    steps: int
    reward: float
    clicks: list[list[int]]
    inside: bool | None  # the first click inside the target box; None: no box or no click
    reply: str | None
    error: str | None


@dataclass
class EpisodePair:
    """Both arms on one (env, seed), with what the frame and target were."""

    env_id: str
    seed: int
    instruction: str
    target_box: list[int] | None
    arms: dict[str, ArmEpisode] = field(default_factory=dict)


@dataclass(frozen=True)
class CompareResult:
    """What the comparison found and where its report went."""

    out: Path
    summary: dict[str, dict[str, dict[str, Any]]]  # env -> arm -> rates and counts
    episodes: list[EpisodePair]
    frames: dict[tuple[str, int], np.ndarray] = field(repr=False, compare=False)


class ClickMonitor(gym.Wrapper):
    """Notes each episode's first frame, clicks and privileged target box, for evaluation only."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.first_frame: np.ndarray | None = None
        self.target_box: list[int] | None = None
        self.clicks: list[list[int]] = []

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        box = (info.get(PRIVILEGED) or {}).get("target_box")
        self.target_box = [int(v) for v in box] if box is not None else None
        frame = obs.get("screen", obs.get("rgb")) if isinstance(obs, dict) else None
        self.first_frame = None if frame is None else np.array(frame, copy=True)
        self.clicks = []
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        try:
            typed = as_action(action)
        except ActionError:
            typed = None
        if isinstance(typed, Click | DoubleClick):
            self.clicks.append([int(typed.x), int(typed.y)])
        return self.env.step(action)

    def first_click_inside(self) -> bool | None:
        """Whether the episode's first click fell inside the target box (None: no box/click)."""
        if self.target_box is None or not self.clicks:
            return None if self.target_box is None else False
        x0, y0, x1, y1 = self.target_box
        x, y = self.clicks[0]
        return x0 <= x < x1 and y0 <= y < y1


def arm_policy_kwargs(config: CompareConfig, arm: str) -> dict[str, Any]:
    """The `vlm` policy options of one arm: the shared ones plus the model (and adapter)."""
    shared = {k: v for k, v in config.policy_kwargs.items() if k not in ("model", "adapter")}
    if arm == "base":
        return {**shared, "model": str(config.model)}
    if config.tuned_model:
        return {**shared, "model": str(config.tuned_model)}
    return {**shared, "model": str(config.model), "adapter": str(config.adapter)}


def check_config(config: CompareConfig) -> None:
    """Refuse a comparison that cannot run, before any model loads."""
    if config.episodes < 1:
        raise ConfigError(f"--eval-episodes must be >= 1, got {config.episodes}")
    if bool(config.adapter) == bool(config.tuned_model):
        raise ConfigError("compare needs exactly one of adapter (LoRA folder) or tuned_model")
    for what, path in (
        ("base model", config.model),
        ("adapter", config.adapter),
        ("tuned model", config.tuned_model),
    ):
        if path and not Path(path).expanduser().is_dir():
            raise ConfigError(f"the {what} folder {path!r} does not exist")


def _play_arm(
    config: CompareConfig,
    arm: str,
    env_ids: list[str],
    pairs: dict[tuple[str, int], EpisodePair],
    frames: dict[tuple[str, int], np.ndarray],
    on_episode: Callable[[str, dict[str, Any]], None] | None,
    tmp: Path,
) -> bool:
    """Play every env's seeds with one arm's policy; fills `pairs`; returns interrupted."""
    from agent.evaluation import make_eval_env
    from agent.session import run_episodes
    from agent.traces import TraceWriter
    from policies.base import make_policy

    seeds = list(range(config.seed, config.seed + config.episodes))
    policy = make_policy("vlm", **arm_policy_kwargs(config, arm))
    writer = TraceWriter(tmp / "traces" / arm) if config.trace else None
    try:
        for env_id in env_ids:
            env, max_steps = make_eval_env(env_id, config.max_steps, config.env_kwargs)
            monitor = ClickMonitor(env)

            def done(result: Any, env_id: str = env_id, monitor: ClickMonitor = monitor) -> None:
                seed = int(result.seed)
                key = (env_id, seed)
                pair = pairs.setdefault(
                    key, EpisodePair(env_id, seed, result.instruction, monitor.target_box)
                )
                drawn = seed < config.seed + config.pictures  # keep only the frames drawn
                if drawn and key not in frames and monitor.first_frame is not None:
                    frames[key] = monitor.first_frame
                reply = getattr(policy, "last_extra", {}).get("reply")
                pair.arms[arm] = ArmEpisode(
                    bool(result.success),
                    int(result.steps),
                    float(result.total_reward),
                    list(monitor.clicks),
                    monitor.first_click_inside(),
                    reply,
                    result.error,
                )
                if on_episode:
                    on_episode(arm, asdict(result))

            try:
                _, interrupted = run_episodes(
                    monitor,
                    policy,
                    list(seeds),
                    env_id=env_id,
                    max_steps=max_steps,
                    writer=writer,
                    on_episode=done,
                )
            finally:
                monitor.close()
            if interrupted:
                return True
    finally:
        policy.close()
        if writer:
            writer.close()
    return False


def summarize_arms(pairs: list[EpisodePair]) -> dict[str, dict[str, dict[str, Any]]]:
    """env -> arm -> episodes, successes, success rate, click-inside-target rate (or None)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for env_id in dict.fromkeys(p.env_id for p in pairs):
        rows = [p for p in pairs if p.env_id == env_id]
        out[env_id] = {}
        for arm in ARMS:
            played = [p.arms[arm] for p in rows if arm in p.arms]
            if not played:
                continue
            boxed = [a.inside for a in played if a.inside is not None]
            n = len(played)
            out[env_id][arm] = {
                "episodes": n,
                "successes": sum(a.success for a in played),
                "success_rate": sum(a.success for a in played) / n,
                "click_inside_target_rate": sum(boxed) / len(boxed) if boxed else None,
                "mean_steps": sum(a.steps for a in played) / n,
                "errors": sorted({a.error for a in played if a.error})[:5],
            }
    return out


def compare(
    config: CompareConfig,
    on_episode: Callable[[str, dict[str, Any]], None] | None = None,
) -> CompareResult:
    """Evaluate the base and the tuned model on the same seeds and write one report to `out`.

    on_episode(arm, episode result dict) is called after every episode (for a progress bar).
    Raises KeyboardInterrupt after an interrupted run, with nothing written to `out`.
    """
    from agent.compare_report import write_report
    from agent.evaluation import select_envs

    check_config(config)
    env_ids = select_envs(config.env)
    out = Path(config.out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    pairs: dict[tuple[str, int], EpisodePair] = {}
    frames: dict[tuple[str, int], np.ndarray] = {}
    try:
        for arm in ARMS:
            if _play_arm(config, arm, env_ids, pairs, frames, on_episode, tmp):
                raise KeyboardInterrupt
        episodes = sorted(pairs.values(), key=lambda p: (env_ids.index(p.env_id), p.seed))
        result = CompareResult(out, summarize_arms(episodes), episodes, frames)
        meta = {
            "env": config.env,
            "env_ids": env_ids,
            "seeds": [config.seed, config.seed + config.episodes - 1],
            "arms": {arm: arm_policy_kwargs(config, arm) for arm in ARMS},
            "env_kwargs": config.env_kwargs,
        }
        write_report(result, tmp, meta, config.pictures)
    except BaseException:  # nothing half-written stays behind, whatever stopped the run
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log.info("compare report in %s", out)
    return result


def report_json(result: CompareResult, meta: dict[str, Any]) -> dict[str, Any]:
    """The report as JSON: run metadata, per-env rates of each arm, per-episode outcomes."""
    return {
        **meta,
        "envs": result.summary,
        "episodes": [
            {
                "env_id": p.env_id,
                "seed": p.seed,
                "instruction": p.instruction,
                "target_box": p.target_box,
                **{arm: asdict(a) for arm, a in p.arms.items()},
            }
            for p in result.episodes
        ],
    }


def load_report(path: Path | str) -> dict[str, Any]:
    """A report.json written by `compare` (for tests and notebooks)."""
    return json.loads((Path(path) / "report.json").read_text())
