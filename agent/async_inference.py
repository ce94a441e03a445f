"""The robot client of async inference: keep executing the current action chunk while the next
one is computed by a policy server (`policies.action_chunks`), LeRobot's async inference.

The control loop ticks at `fps`. Sync: send the observation, wait for the chunk (the robot
idles), execute it, repeat. Async: the client keeps a queue of timestamped actions; when the
queue falls to `chunk_threshold` x horizon actions or fewer it sends the current observation
(one request in flight), and keeps stepping while the server computes. A chunk computed from
the observation at timestep t holds actions for t, t+1, ...: those the robot has already
passed are dropped, those the queue still holds are aggregated (0.3 old + 0.7 new, or the
new only), the rest are appended. A tick with an empty queue is an idle tick (no step).
With one request in flight and an inference of L ticks, a chunk adds at most H - L new
actions per L executed, so the queue only holds when the horizon H >= 2L (measured: H=10 at
L=3 ran 0.17 idle ticks a step on pick-place, mostly the first chunk's wait; H=5, 0.64).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Client
from typing import Any

from contracts.actions import Action
from contracts.errors import HandeyeError, SetupError
from policies.action_chunks import aggregate

log = logging.getLogger(__name__)

_PUBLIC_INFO = ("error",)


@dataclass(frozen=True)
class AsyncConfig:
    """Options of the robot client; names follow LeRobot's robot client.

    fps: control-loop rate (ticks per second; 0: as fast as the env steps). chunk_threshold:
    request a new chunk when queue length / horizon falls to this or below. aggregate:
    weighted_average or latest_only. max_steps: env steps per episode.
    """

    fps: float = 10.0
    chunk_threshold: float = 0.5
    aggregate: str = "weighted_average"
    max_steps: int = 100


@dataclass
class EpisodeStats:
    """What one episode did: success, control rate, idle ticks, steps taken during inferences."""

    mode: str
    success: bool = False
    steps: int = 0
    wall_s: float = 0.0
    idle_ticks: int = 0
    requests: int = 0
    inference_s: list[float] = field(default_factory=list)
    steps_during_inference: list[int] = field(default_factory=list)

    @property
    def steps_per_s(self) -> float:
        """Env steps per wall-clock second (the control-loop rate achieved)."""
        return self.steps / self.wall_s if self.wall_s else 0.0


class RemoteChunkPolicy:
    """A connection to a policy server; a context manager."""

    def __init__(self, address: tuple[str, int], authkey: bytes) -> None:
        try:
            self.conn = Client(address, authkey=authkey)
        except OSError as exc:
            raise SetupError(f"no policy server at {address[0]}:{address[1]} ({exc})") from None
        self.horizon, self.privileged = 1, False

    def reset(self, instruction: str) -> None:
        """Reset the server's policy; learn its horizon and whether it reads privileged info."""
        self.conn.send({"kind": "reset", "instruction": instruction})
        reply = self.conn.recv()
        self.horizon, self.privileged = int(reply["horizon"]), bool(reply["privileged"])

    def infer(self, timestep: int, obs: dict[str, Any], info: dict[str, Any]) -> list[Action]:
        """Send one observation and wait for its chunk (actions for timestep, timestep+1, ...)."""
        visible = info if self.privileged else {k: info[k] for k in _PUBLIC_INFO if k in info}
        self.conn.send({"kind": "observe", "timestep": timestep, "obs": obs, "info": visible})
        reply = self.conn.recv()
        if reply.get("kind") != "chunk":
            raise HandeyeError(f"the policy server failed: {reply.get('error')}")
        return list(reply["actions"])

    def close(self) -> None:
        """Hang up (the server waits for the next client)."""
        self.conn.close()

    def __enter__(self) -> RemoteChunkPolicy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Ticker:
    """Sleeps so that ticks come at `fps` (no sleeping at fps 0)."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps > 0 else 0.0
        self.next = time.perf_counter()

    def wait(self) -> None:
        if not self.period:
            return
        self.next += self.period
        delay = self.next - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:
            self.next = time.perf_counter()  # late: do not burst to catch up


def run_sync_episode(
    env: Any, remote: RemoteChunkPolicy, seed: int, config: AsyncConfig = AsyncConfig()
) -> EpisodeStats:
    """One episode: infer, execute the chunk at fps, infer again (the robot idles meanwhile)."""
    stats = EpisodeStats("sync")
    obs, info = env.reset(seed=seed)
    remote.reset(str(obs.get("instruction", "")))
    t0 = time.perf_counter()
    ticker = _Ticker(config.fps)
    done = False
    while not done and stats.steps < config.max_steps:
        t_infer = time.perf_counter()
        chunk = remote.infer(stats.steps, obs, info)
        stats.inference_s.append(time.perf_counter() - t_infer)
        stats.requests += 1
        stats.steps_during_inference.append(0)
        ticker.next = time.perf_counter()
        for action in chunk:
            obs, _, terminated, truncated, info = env.step(action)
            stats.steps += 1
            stats.success = stats.success or bool(info.get("success"))
            done = terminated or truncated or stats.steps >= config.max_steps
            ticker.wait()
            if done:
                break
    stats.wall_s = time.perf_counter() - t0
    return stats


class _Inflight:
    """One request running on a thread; its chunk lands in the shared queue when it returns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


def run_async_episode(
    env: Any, remote: RemoteChunkPolicy, seed: int, config: AsyncConfig = AsyncConfig()
) -> EpisodeStats:
    """One episode: step at fps from the action queue while the next chunk is being computed."""
    stats = EpisodeStats("async")
    obs, info = env.reset(seed=seed)
    remote.reset(str(obs.get("instruction", "")))
    queue: dict[int, Action] = {}  # timestep -> action, ordered
    flight = _Inflight()
    executed = 0  # timesteps done; the next step is timestep `executed`

    def request(timestep: int, obs: dict[str, Any], info: dict[str, Any], start: int) -> None:
        t = time.perf_counter()
        try:
            chunk = remote.infer(timestep, obs, info)
        except (HandeyeError, OSError, EOFError) as exc:
            flight.error = exc
            return
        with flight.lock:
            stats.inference_s.append(time.perf_counter() - t)
            stats.steps_during_inference.append(executed - start)
            for i, action in enumerate(chunk):
                ts = timestep + i
                if ts < executed:
                    continue  # the robot is past it
                queue[ts] = (
                    aggregate(queue[ts], action, config.aggregate) if ts in queue else action
                )

    t0 = time.perf_counter()
    ticker = _Ticker(config.fps)
    done = False
    try:
        while not done and executed < config.max_steps:
            if flight.error is not None:
                raise HandeyeError(f"async inference failed: {flight.error}")
            with flight.lock:
                low = len(queue) <= config.chunk_threshold * remote.horizon
                if low and not flight.busy:
                    flight.thread = threading.Thread(
                        target=request, args=(executed, obs, info, executed), daemon=True
                    )
                    stats.requests += 1
                    flight.thread.start()
                action = queue.pop(executed, None)
            if action is None:
                stats.idle_ticks += 1
                if not config.fps:
                    time.sleep(0.001)
            else:
                obs, _, terminated, truncated, info = env.step(action)
                with flight.lock:
                    executed += 1
                stats.success = stats.success or bool(info.get("success"))
                done = terminated or truncated
            ticker.wait()
    finally:
        if flight.thread is not None:
            flight.thread.join(timeout=60)
    stats.steps = executed
    stats.wall_s = time.perf_counter() - t0
    return stats
