"""Action-chunk policies and the policy server that computes chunks for a remote robot client.

A chunk policy maps one observation to the next H actions (ACT, pi0, SmolVLA style). The
server runs one in its own process behind a loopback socket (`multiprocessing.connection`,
HMAC-authenticated), so a robot client can keep executing its current chunk while the next is
computed (LeRobot's async inference; the client is `agent.async_inference`). Each chunk comes
back stamped with the timestep of the observation it was computed from, which the client
uses to drop actions it has already passed and to aggregate the overlap.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection, Listener
from typing import Any, Protocol

import numpy as np

from contracts.actions import Action, EEDelta
from contracts.errors import ConfigError, HandeyeError, SetupError
from policies.base import Policy, make_policy

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class ChunkPolicy(Protocol):
    """Maps one observation to the next `horizon` actions."""

    name: str
    privileged: bool
    horizon: int

    def reset(self, instruction: str) -> None: ...

    def act_chunk(
        self, obs: dict[str, Any], info: dict[str, Any] | None = None, timestep: int | None = None
    ) -> list[Action]: ...


class TabletopExpertChunks:
    """The tabletop expert planning H steps open-loop on a rough forward model (`predict_gripper`).

    The phase machine's state after each predicted step is kept by timestep, so the next chunk
    starts from the state the expert predicted for the observation's timestep, not from the
    end of the last rollout. The model misses lag and contact details, so the later actions of
    a chunk are the least reliable: the ones an async client executes after a slow inference.
    """

    privileged = True

    def __init__(self, horizon: int = 10) -> None:
        from policies.experts.tabletop import TabletopExpert

        self.expert = TabletopExpert()
        self.horizon = horizon
        self.name = f"tabletop-expert-chunks{horizon}"
        self._states: dict[int, tuple[str, int]] = {}

    def reset(self, instruction: str) -> None:
        """Start the expert's phase machine over."""
        self.expert.reset(instruction)
        self._states = {}

    def act_chunk(
        self, obs: dict[str, Any], info: dict[str, Any] | None = None, timestep: int | None = None
    ) -> list[Action]:
        """Up to H end-effector deltas from the privileged state in `info`, rolled forward."""
        if not info or "privileged" not in info:
            raise HandeyeError("the tabletop expert needs info['privileged'] from the env")
        expert = self.expert
        if timestep is not None and timestep in self._states:
            expert.phase, expert._timer = self._states[timestep]
        p = dict(info["privileged"])
        p["objects"] = {k: dict(v) for k, v in p.get("objects", {}).items()}
        state = {**info, "privileged": p}
        chunk: list[Action] = []
        states: dict[int, tuple[str, int]] = {}
        for i in range(self.horizon):
            a = expert.act(obs, state)
            chunk.append(a)
            predict_gripper(p, a)
            if timestep is not None:
                states[timestep + i + 1] = (expert.phase, expert._timer)
        self._states = states
        return chunk


def predict_gripper(p: dict[str, Any], a: EEDelta) -> None:
    """Roll the privileged state `p` one step forward under `a` (in place, a rough model).

    The tcp, fingertip and yaw move by the delta; a held object moves with them; closing on the
    goal object within 2 cm grasps it, opening lets go; a low tcp moving into the goal object
    pushes it along the motion's component towards it.
    """
    move = np.array([a.dx, a.dy, a.dz])
    tcp = np.asarray(p["tcp"], dtype=float)
    name = p.get("goal", {}).get("object")
    obj = p["objects"].get(name) if name else None
    if obj is not None and p.get("grasped") != name and a.grip > 0.5:
        if np.linalg.norm(tcp - obj["pos"]) < 0.02:
            p["grasped"] = name
    elif a.grip < 0 and p.get("grasped") == name:
        p["grasped"] = None
    held = p.get("grasped")
    if held in p["objects"]:
        p["objects"][held]["pos"] = p["objects"][held]["pos"] + move
    elif obj is not None and tcp[2] < obj["pos"][2] + obj["half_height"]:
        towards = obj["pos"][:2] - tcp[:2]
        gap = float(np.linalg.norm(towards))
        reach = float(obj.get("radius") or 0.02) + 0.03
        if 1e-6 < gap < reach:
            push = max(0.0, float(np.dot(move[:2], towards / gap)))
            obj["pos"] = obj["pos"] + np.array([*(towards / gap * push), 0.0])
    p["tcp"], p["fingertip"] = tcp + move, np.asarray(p["fingertip"]) + move
    p["yaw"] = p["yaw"] + a.dyaw


class SingleStepChunks:
    """Any Policy as a chunk policy of horizon 1 (one action per inference)."""

    horizon = 1

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.name, self.privileged = policy.name, policy.privileged

    def reset(self, instruction: str) -> None:
        """Reset the wrapped policy."""
        self.policy.reset(instruction)

    def act_chunk(
        self, obs: dict[str, Any], info: dict[str, Any] | None = None, timestep: int | None = None
    ) -> list[Action]:
        """The wrapped policy's one action."""
        return [self.policy.act(obs, info)]


def make_chunk_policy(name: str, horizon: int = 10, **options: Any) -> ChunkPolicy:
    """A chunk policy by name: tabletop-expert (chunks of `horizon`) or any registered policy."""
    if name == "tabletop-expert":
        if options:
            raise ConfigError(f"tabletop-expert chunks take no options, got {sorted(options)}")
        return TabletopExpertChunks(horizon)
    return SingleStepChunks(make_policy(name, **options))


def aggregate(old: Action, new: Action, how: str = "weighted_average") -> Action:
    """One action for a timestep two chunks both cover (LeRobot's aggregate_fn).

    weighted_average: 0.3 old + 0.7 new for end-effector deltas; latest_only: the new one.
    """
    if how == "latest_only" or not (isinstance(old, EEDelta) and isinstance(new, EEDelta)):
        return new
    if how != "weighted_average":
        raise ConfigError(f"unknown aggregate {how!r}; use weighted_average or latest_only")
    mix = [0.3 * a + 0.7 * b for a, b in zip(_fields(old), _fields(new), strict=True)]
    return EEDelta(*mix[:4], grip=mix[4])


def _fields(a: EEDelta) -> tuple[float, ...]:
    return (a.dx, a.dy, a.dz, a.dyaw, a.grip)


@dataclass(frozen=True)
class PolicyServerConfig:
    """Options of a policy server: which chunk policy, its horizon, and a simulated latency.

    latency_s: seconds each inference is made to take at least (a slow model's 300 ms).
    """

    policy: str = "tabletop-expert"
    horizon: int = 10
    latency_s: float = 0.0
    port: int = 0


def serve(config: PolicyServerConfig, authkey: bytes, ready: Any) -> None:
    """Run the server loop: answer one client at a time until it says close (process target)."""
    policy = make_chunk_policy(config.policy, config.horizon)
    with Listener((HOST, config.port), authkey=authkey) as listener:
        ready.send(listener.address[1])
        while True:
            with listener.accept() as conn:
                if not _session(conn, policy, config.latency_s):
                    return


def _session(conn: Connection, policy: ChunkPolicy, latency_s: float) -> bool:
    """Answer one client's messages; False when it asked the server to stop."""
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return True
        kind = msg.get("kind")
        if kind == "stop":
            return False
        if kind == "reset":
            policy.reset(msg.get("instruction", ""))
            conn.send({"kind": "ready", "horizon": policy.horizon, "privileged": policy.privileged})
        elif kind == "observe":
            t0 = time.perf_counter()
            try:
                actions = policy.act_chunk(msg["obs"], msg.get("info"), msg["timestep"])
            except HandeyeError as exc:
                conn.send({"kind": "error", "timestep": msg["timestep"], "error": str(exc)})
                continue
            time.sleep(max(0.0, latency_s - (time.perf_counter() - t0)))
            compute_s = time.perf_counter() - t0
            conn.send(
                {
                    "kind": "chunk",
                    "timestep": msg["timestep"],
                    "actions": actions,
                    "compute_s": compute_s,
                }
            )
        else:
            conn.send({"kind": "error", "error": f"unknown message kind {kind!r}"})


def _wait_ready(proc: Any, parent: Connection, config: PolicyServerConfig) -> None:
    """Wait for the server's port; a server process that died says so at once, not after 120 s."""
    deadline = time.monotonic() + 120
    while not parent.poll(0.2):
        if not proc.is_alive():
            raise SetupError(
                f"the policy server for {config.policy!r} exited with code {proc.exitcode} before "
                "it started; its error is printed above. In a script, start it under "
                "`if __name__ == '__main__':` (the server is a spawned process that imports "
                "your script again)"
            )
        if time.monotonic() > deadline:
            raise SetupError(f"the policy server for {config.policy!r} did not start in 120 s")


@contextmanager
def policy_server(config: PolicyServerConfig) -> Iterator[tuple[tuple[str, int], bytes]]:
    """A policy server process on loopback; yields its (host, port) and the auth key."""
    ctx = mp.get_context("spawn")
    authkey = secrets.token_bytes(16)
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(config, authkey, child), daemon=True)
    proc.start()
    port = None
    try:
        _wait_ready(proc, parent, config)
        port = int(parent.recv())
        yield (HOST, port), authkey
    finally:
        if port is not None:
            try:
                with Client((HOST, port), authkey=authkey) as conn:
                    conn.send({"kind": "stop"})
            except OSError:
                pass
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
