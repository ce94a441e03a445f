"""Evaluate a policy on a Ray cluster: env workers are actors that pull (env, seed) episodes.

Each actor keeps its envs open across episodes (a browser page, a MuJoCo scene; one per env id,
the `envs_per_actor` most recently used) with a policy per env, as `agent.evaluation.run_job`
does for one env in one process. The driver keeps a
queue of (env_id, seed) items and keeps `calls_per_actor` of them queued on each actor, handing
out the next as soon as one finishes, so a slow env never leaves the others idle and an actor
never waits for the driver between episodes. An actor that dies (killed, out of memory, its node
lost) has its unfinished episodes (the one running, the one queued) put back at the head of the
queue and played by another actor (a replacement is started while the budget allows), and the
run lists every re-run and why.
Traces are recorded by each actor in a private folder and shipped to the driver as the
episode's parquet bytes, which the driver publishes under `--trace DIR`, so the folder has the
layout of a local run even when the actors sit on other machines. Ray is imported lazily: it
is the optional `scale` extra.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.evaluation import EnvReport, make_eval_env, summarize
from contracts.errors import EnvError, HandeyeError, SetupError

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'handeye[scale]'"


@dataclass(frozen=True)
class RayConfig:
    """Where a Ray evaluation runs and how many env actors it uses."""

    address: str = "local"  # local: a private loopback Ray here; auto or host:port: a cluster
    actors: int = 2
    num_cpus: int | None = None  # local only: CPUs the private Ray offers (default: actors)
    cpus_per_actor: float = 1.0
    max_replacements: int | None = None  # actors started for dead ones (default: `actors`)
    envs_per_actor: int = 4  # envs an actor keeps open; the least recently used one closes
    calls_per_actor: int = 2  # episodes queued on an actor, so it never waits for the driver


@dataclass(frozen=True)
class Rerun:
    """One episode that was played again because the actor playing it died."""

    env_id: str
    seed: int
    actor: str
    reason: str


@dataclass
class RayRun:
    """What a Ray evaluation gives back: the per-env reports plus how the cluster behaved."""

    reports: list[EnvReport]
    interrupted: bool
    reruns: list[Rerun] = field(default_factory=list)
    actors_started: int = 0
    connect_s: float = 0.0  # ray.init (or 0 when Ray was already up)


def import_ray() -> Any:
    """The `ray` module, or a SetupError saying which extra to install."""
    try:
        import ray
    except ImportError:
        raise SetupError(
            f"--ray needs Ray, which is not installed; run `{INSTALL_HINT}` "
            "(or `pip install 'ray>=2.40'`), or drop --ray to evaluate on this machine"
        ) from None
    return ray


@contextmanager
def _loopback_only() -> Iterator[None]:
    """Make the Ray that `ray.init` starts advertise and bind 127.0.0.1 only.

    On Linux Ray swaps `_node_ip_address="127.0.0.1"` for the host's routable address and its
    servers listen on every interface; with its cluster mode off (the switch Ray uses on macOS
    and Windows) the node is 127.0.0.1 and every server binds loopback. The switch is read by
    this process during init and by the raylet and GCS it spawns, so both are set only then.
    """
    from ray._private import ray_constants

    env, flag = (
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER",
        getattr(ray_constants, "ENABLE_RAY_CLUSTER", None),
    )
    if flag is None:  # a Ray without the switch: it may listen beyond loopback
        log.warning("this Ray has no loopback-only switch; the local Ray may listen on all hosts")
        yield
        return
    before = os.environ.get(env)
    os.environ[env] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = flag
        if before is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = before


@contextmanager
def ray_session(config: RayConfig) -> Iterator[float]:
    """Connect to Ray for one run (yields the seconds ray.init took); reuses a running Ray."""
    ray = import_ray()
    if ray.is_initialized():
        yield 0.0
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: no usage report
    started = time.perf_counter()
    try:
        if config.address == "local":
            with _loopback_only():
                ray.init(
                    address="local",  # a new private Ray, never a cluster already running here
                    num_cpus=config.num_cpus
                    or max(1, round(config.actors * config.cpus_per_actor)),
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    log_to_driver=False,  # actor logs would tear the progress bar
                    logging_level=logging.WARNING,
                )
        else:
            ray.init(address=config.address, log_to_driver=False)
    except ConnectionError as exc:
        raise SetupError(
            f"cannot reach a Ray cluster at {config.address!r} ({exc}); start one with "
            "`ray start --head`, pass its address (host:6379), or use --ray local. A cluster "
            "with token authentication (Ray's default) needs RAY_AUTH_MODE=token and its token "
            "(RAY_AUTH_TOKEN or ~/.ray/auth_token) on this side too"
        ) from None
    try:
        yield time.perf_counter() - started
    finally:
        ray.shutdown()


class EpisodeWorker:
    """An actor's body: builds each env and its policy once, then plays one episode per call."""

    def __init__(
        self,
        policy: str,
        max_steps: int | None,
        policy_kwargs: dict[str, Any],
        env_kwargs: dict[str, Any],
        traced: bool,
        keep_envs: int = 4,
    ) -> None:
        self.policy_name, self.max_steps = policy, max_steps
        self.policy_kwargs, self.env_kwargs = policy_kwargs, env_kwargs
        self.keep_envs = max(1, keep_envs)
        self.envs: dict[str, tuple[Any, int]] = {}  # env and step limit, the least recent first
        self.policies: dict[str, Any] = {}
        self.trace_root = Path(tempfile.mkdtemp(prefix="handeye-ray-")) if traced else None
        self.writer: Any = None

    def _env(self, env_id: str) -> tuple[Any, Any, int]:
        if env_id in self.envs:
            self.envs[env_id] = self.envs.pop(env_id)  # now the most recently used
        else:
            from policies.base import make_policy, warm_up

            # Open the new env before closing an old one, so a shared browser stays up.
            self.envs[env_id] = make_eval_env(env_id, self.max_steps, self.env_kwargs)
            self.policies[env_id] = make_policy(self.policy_name, **self.policy_kwargs)
            warm_up(self.policies[env_id])
            while len(self.envs) > self.keep_envs:
                oldest = next(iter(self.envs))
                self.envs.pop(oldest)[0].close()
                self.policies.pop(oldest).close()
        env, steps = self.envs[env_id]
        return env, self.policies[env_id], steps

    def play(self, env_id: str, seed: int) -> dict[str, Any]:
        """Play one seeded episode; returns its result dict and, if traced, its parquet file."""
        from agent.session import run_episode

        env, policy, max_steps = self._env(env_id)
        if self.trace_root is not None and self.writer is None:
            from agent.traces import TraceWriter

            self.writer = TraceWriter(self.trace_root, recover_orphans=False)
        result = run_episode(
            env, policy, env_id=env_id, seed=seed, max_steps=max_steps, writer=self.writer
        )
        reply: dict[str, Any] = {"result": asdict(result), "trace": None}
        if self.trace_root is not None and result.episode_id:
            path = self.trace_root / "episodes" / f"{result.episode_id}.parquet"
            reply["trace"] = {"episode_id": result.episode_id, "parquet": path.read_bytes()}
            path.unlink()  # the driver publishes it; the private folder stays empty
            (self.trace_root / "meta" / "episodes.jsonl").unlink(missing_ok=True)
        return reply

    def close(self) -> None:
        """Close every env, policy and the private trace folder."""
        for env, _ in self.envs.values():
            env.close()
        for policy in self.policies.values():
            policy.close()
        if self.writer is not None:
            self.writer.close()
        if self.trace_root is not None:
            shutil.rmtree(self.trace_root, ignore_errors=True)
        self.envs, self.policies = {}, {}


def publish_trace(root: Path, episode_id: str, parquet: bytes) -> None:
    """Write an actor's finished episode into the run's trace folder, as a local writer would."""
    from agent.trace_format import append_meta, embedded_meta, fsync_dir, write_atomic, write_info

    final = root / "episodes" / f"{episode_id}.parquet"
    write_atomic(final, parquet)
    fsync_dir(final.parent)
    append_meta(root, embedded_meta(final))
    write_info(root)


def _reason(exc: BaseException) -> str:
    """A one-line why for an actor's death, from Ray's multi-line error."""
    lines = [s.strip() for s in str(exc).splitlines() if s.strip()]
    why = next(
        (s for s in lines if s.startswith("The actor is dead because")), lines[0] if lines else ""
    )
    where = [s.replace(": ", " ") for s in lines if s.startswith(("pid:", "ip:"))]
    return f"{type(exc).__name__}: {why}" + (f" ({', '.join(where)})" if where else "")


class _Pool:
    """The driver's side: live actors with their queued calls, dead ones, replacements."""

    def __init__(self, ray: Any, config: RayConfig, make_args: tuple[Any, ...]) -> None:
        self.ray, self.config, self.make_args = ray, config, make_args
        self.run_id = uuid.uuid4().hex[:6]
        self.remote_cls = ray.remote(EpisodeWorker)
        self.started = 0
        self.budget = config.actors if config.max_replacements is None else config.max_replacements
        self.names: dict[Any, str] = {}
        self.load: dict[Any, int] = {}  # live actors: calls queued or running on each
        self.inflight: dict[Any, tuple[Any, tuple[str, int]]] = {}

    def start(self) -> None:
        name = f"handeye-eval-{self.run_id}-{self.started}"
        actor = self.remote_cls.options(
            name=name, num_cpus=self.config.cpus_per_actor, max_restarts=0, max_task_retries=0
        ).remote(*self.make_args)
        self.started += 1
        self.names[actor] = name
        self.load[actor] = 0

    def fill(self, pending: deque[tuple[str, int]]) -> None:
        """Queue items on the least loaded live actors, up to `calls_per_actor` each."""
        while pending and self.load:
            actor = min(self.load, key=self.load.__getitem__)
            if self.load[actor] >= self.config.calls_per_actor:
                return
            item = pending.popleft()
            self.inflight[actor.play.remote(*item)] = (actor, item)
            self.load[actor] += 1

    def finished(self, actor: Any) -> None:
        if actor in self.load:
            self.load[actor] -= 1

    def died(self, actor: Any) -> None:
        """Forget a dead actor (once) and start a replacement while the budget allows."""
        if self.load.pop(actor, None) is not None and self.budget > 0:
            self.budget -= 1
            self.start()

    def close(self, graceful: bool) -> None:
        """Close live actors' envs (graceful) and end every actor process."""
        if graceful:
            refs = [a.close.remote() for a in self.load]
            try:
                self.ray.get(refs, timeout=30)
            except self.ray.exceptions.RayError as exc:  # one died while closing
                log.debug("closing actors: %s", exc)
        for actor in self.names:
            self.ray.kill(actor)


def evaluate_ray(
    env_ids: list[str],
    policy: str,
    *,
    episodes: int,
    seed: int = 0,
    max_steps: int | None = None,
    trace_dir: Path | None = None,
    policy_kwargs: dict[str, Any] | None = None,
    env_kwargs: dict[str, Any] | None = None,
    on_episode: Callable[[dict], None] | None = None,
    config: RayConfig | None = None,
) -> RayRun:
    """Run `episodes` seeded episodes per env on Ray actors; same per-episode results as local."""
    config = config or RayConfig()
    if episodes < 1:
        raise HandeyeError(f"episodes must be >= 1, got {episodes}")
    if config.actors < 1:
        raise HandeyeError(f"--ray needs at least 1 actor (--workers), got {config.actors}")
    if trace_dir is not None:
        from agent.traces import TraceWriter

        TraceWriter(trace_dir).close()  # the folder layout and info file, as a local run makes
    with ray_session(config) as connect_s:
        seeds = range(seed, seed + episodes)
        args = (
            policy,
            max_steps,
            policy_kwargs or {},
            env_kwargs or {},
            trace_dir is not None,
            config.envs_per_actor,
        )
        run = _schedule(env_ids, seeds, args, trace_dir, on_episode, config)
        run.connect_s = connect_s
    return run


def _schedule(
    env_ids: list[str],
    seeds: range,
    args: tuple[Any, ...],
    trace_dir: Path | None,
    on_episode: Callable[[dict], None] | None,
    config: RayConfig,
) -> RayRun:
    """Feed the (env, seed) queue to the actors until every episode has a result (or Ctrl-C)."""
    ray = import_ray()
    pool = _Pool(ray, config, args)
    pending = deque((e, s) for e in env_ids for s in seeds)
    by_env: dict[str, list[dict]] = {e: [] for e in env_ids}
    reruns: list[Rerun] = []
    interrupted, graceful = False, True
    try:
        for _ in range(min(config.actors, len(pending))):
            pool.start()
        pool.fill(pending)
        while pool.inflight:
            ready, _ = ray.wait(list(pool.inflight), num_returns=1)
            actor, item = pool.inflight.pop(ready[0])
            try:
                reply = ray.get(ready[0])
            except ray.exceptions.RayActorError as exc:
                name = pool.names[actor]
                reruns.append(Rerun(item[0], item[1], name, _reason(exc)))
                log.warning("actor %s died before finishing %s seed %d; re-running it", name, *item)
                pending.appendleft(item)
                pool.died(actor)
                if not pool.load:
                    raise EnvError(
                        f"every Ray actor died ({len(reruns)} episodes cut short, the last: "
                        f"{reruns[-1].reason}); check the actors' memory and logs (`ray logs`), "
                        "or run with fewer --workers"
                    ) from None
            else:
                pool.finished(actor)
                _collect(reply, trace_dir, by_env, on_episode)
            pool.fill(pending)
    except KeyboardInterrupt:
        interrupted, graceful = True, False
    except BaseException:
        graceful = False
        raise
    finally:
        pool.close(graceful)
    reports = [
        summarize(e, sorted(by_env[e], key=lambda r: r["seed"])) for e in env_ids if by_env[e]
    ]
    return RayRun(reports, interrupted, reruns, pool.started)


def _collect(
    reply: dict[str, Any],
    trace_dir: Path | None,
    by_env: dict[str, list[dict]],
    on_episode: Callable[[dict], None] | None,
) -> None:
    """Take in one finished episode: publish its trace, keep its result, report progress."""
    result = reply["result"]
    if reply["trace"] and trace_dir is not None:
        publish_trace(trace_dir, reply["trace"]["episode_id"], reply["trace"]["parquet"])
    by_env[result["env_id"]].append(result)
    if on_episode:
        on_episode(result)


def reruns_markdown(reruns: list[Rerun]) -> str:
    """The re-run note under the success table: how many episodes were played again and why."""
    if not reruns:
        return "\nRay: no episode was re-run.\n"
    lines = [f"\nRay: {len(reruns)} episode(s) re-run on another actor after their actor died:\n"]
    lines += [f"- {r.env_id} seed {r.seed} (actor {r.actor}): {r.reason}" for r in reruns]
    return "\n".join(lines) + "\n"


def ray_meta(run: RayRun, address: str) -> dict[str, Any]:
    """The `ray` entry of the results JSON: where it ran, actors, and every re-run with its why."""
    return {
        "address": address,
        "actors_started": run.actors_started,
        "connect_s": round(run.connect_s, 2),
        "reruns": len(run.reruns),
        "rerun_episodes": [asdict(r) for r in run.reruns],
    }
