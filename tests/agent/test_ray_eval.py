"""`handeye eval --ray` on a real local Ray cluster: same episodes as a local run, dead actors."""

from __future__ import annotations

import json
import sys

import pytest

from agent.evaluation import evaluate
from agent.traces import list_episodes
from contracts.errors import SetupError

pytest.importorskip("envs.tabletop")  # chooses the headless GL backend before mujoco loads
ray = pytest.importorskip("ray")

ENVS = ["handeye/tabletop-reach-v0", "handeye/tabletop-push-v0"]
POLICY = "tabletop-expert"
EPISODES = 4


def outcome(result: dict) -> tuple:
    """What must match between runs: which episode, and what happened in it."""
    return (
        result["env_id"],
        result["seed"],
        result["instruction"],
        result["success"],
        result["steps"],
        round(result["total_reward"], 9),
    )


@pytest.fixture(scope="module")
def ray_cluster():
    """One private loopback Ray (2 CPUs) for the module; evaluate_ray reuses it."""
    from agent.ray_eval import RayConfig, ray_session

    with ray_session(RayConfig(address="local", actors=2)) as connect_s:
        yield connect_s


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The reference: the same envs, policy and seeds in this process, traced."""
    trace = tmp_path_factory.mktemp("local-trace")
    got: list[dict] = []
    reports, interrupted = evaluate(
        ENVS, POLICY, episodes=EPISODES, trace_dir=trace, on_episode=got.append
    )
    assert not interrupted
    return reports, sorted(map(outcome, got)), trace


def test_local_ray_listens_on_loopback_only(ray_cluster):
    import psutil

    assert ray.util.get_node_ip_address() == "127.0.0.1"
    listening = [
        (proc.name(), conn.laddr.ip)
        for proc in psutil.Process().children(recursive=True)
        for conn in proc.net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    ]
    assert listening, "the local Ray should have its GCS and raylet listening"
    assert all(ip in ("127.0.0.1", "::ffff:127.0.0.1", "::1") for _, ip in listening), listening


def test_ray_eval_gives_the_local_runs_episodes_reports_and_trace_layout(
    ray_cluster, local_run, tmp_path
):
    from agent.ray_eval import RayConfig, evaluate_ray

    local_reports, local_outcomes, local_trace = local_run
    got: list[dict] = []
    run = evaluate_ray(
        ENVS,
        POLICY,
        episodes=EPISODES,
        trace_dir=tmp_path,
        on_episode=got.append,
        config=RayConfig(actors=2),
    )
    assert not run.interrupted and run.reruns == [] and run.actors_started == 2
    assert sorted(map(outcome, got)) == local_outcomes
    for mine, theirs in zip(run.reports, local_reports, strict=True):
        assert (mine.env_id, mine.episodes, mine.successes) == (
            theirs.env_id,
            theirs.episodes,
            theirs.successes,
        )
        assert mine.mean_reward == pytest.approx(theirs.mean_reward)
        assert mine.mean_steps == pytest.approx(theirs.mean_steps)
    # The trace folder: the same files and the same episodes as the local run's.
    layout = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert layout == {p.relative_to(local_trace).parts[0] for p in local_trace.rglob("*")}
    assert sorted(p.name for p in (tmp_path / "meta").iterdir()) == ["episodes.jsonl", "info.json"]
    assert list((tmp_path / "spool").iterdir()) == []

    def traced(root):
        return sorted(
            (m.env_id, m.seed, m.success, m.steps, m.complete) for m in list_episodes(root)
        )

    assert traced(tmp_path) == traced(local_trace)
    info = json.loads((tmp_path / "meta" / "info.json").read_text())
    assert info["total_episodes"] == len(ENVS) * EPISODES


def test_killing_actors_mid_run_reruns_their_episodes_and_finishes_every_one(
    ray_cluster, local_run
):
    from agent.ray_eval import RayConfig, evaluate_ray, reruns_markdown

    killed: list[str] = []
    got: list[dict] = []

    def on_episode(result: dict) -> None:
        got.append(result)
        if not killed:  # both actors, at the first result: one of them is mid-episode
            killed.extend(n for n in ray.util.list_named_actors() if n.startswith("handeye-eval-"))
            for name in killed:
                ray.kill(ray.get_actor(name))

    config = RayConfig(actors=2, envs_per_actor=1)  # each env switch closes the other env
    run = evaluate_ray(ENVS, POLICY, episodes=EPISODES, on_episode=on_episode, config=config)
    assert len(killed) == 2
    assert sorted(map(outcome, got)) == local_run[1]
    assert len(got) == len(ENVS) * EPISODES  # nothing lost, nothing played twice
    # Each dead actor had one episode running and up to one queued behind it.
    assert {r.actor for r in run.reruns} == set(killed) and 2 <= len(run.reruns) <= 4
    assert all("killed by `ray.kill`" in r.reason for r in run.reruns), run.reruns
    assert run.actors_started == 4  # each dead actor was replaced
    note = reruns_markdown(run.reruns)
    assert f"{len(run.reruns)} episode(s) re-run" in note and all(n in note for n in killed)


@pytest.mark.slow
def test_with_no_replacements_a_dead_actors_episode_goes_to_the_survivor(ray_cluster, local_run):
    from agent.ray_eval import RayConfig, evaluate_ray

    got: list[dict] = []

    def on_episode(result: dict) -> None:
        got.append(result)
        if len(got) == 1:
            ray.kill(ray.get_actor(sorted(ray.util.list_named_actors())[0]))

    config = RayConfig(actors=2, max_replacements=0)
    run = evaluate_ray(ENVS, POLICY, episodes=EPISODES, on_episode=on_episode, config=config)
    assert sorted(map(outcome, got)) == local_run[1]
    assert 1 <= len(run.reruns) <= 2 and run.actors_started == 2
    assert len({r.actor for r in run.reruns}) == 1
    assert all("killed by `ray.kill`" in r.reason for r in run.reruns)


@pytest.mark.slow
def test_cli_eval_ray_writes_the_ray_entry_and_the_rerun_note(ray_cluster, tmp_path, capsys):
    from agent.cli import main

    out = tmp_path / "res.json"
    code = main(
        [
            "eval",
            "--env",
            "tabletop-reach",
            "--policy",
            POLICY,
            "--episodes",
            "2",
            "--workers",
            "1",
            "--ray",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["envs"]["handeye/tabletop-reach-v0"]["episodes"] == 2
    assert data["ray"]["address"] == "local" and data["ray"]["reruns"] == 0
    assert "no episode was re-run" in out.with_suffix(".md").read_text()


def test_ray_flag_without_ray_installed_says_what_to_install(monkeypatch):
    from agent.ray_eval import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # what an environment without ray looks like
    with pytest.raises(SetupError, match=r"pip install 'handeye\[scale\]'"):
        import_ray()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, head, timeout: float = 90.0) -> None:
    """Block until the head's GCS accepts connections on `port` (or fail the test)."""
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert head.poll() is None, "ray start --head exited early"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the Ray head did not listen on 127.0.0.1:{port} within {timeout} s")


@pytest.mark.slow
def test_eval_ray_address_joins_a_cluster_started_with_ray_start(tmp_path):
    import os
    import secrets
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    ray_cli = shutil.which("ray", path=os.path.dirname(sys.executable))
    assert ray_cli, "the ray console script should sit beside this Python"
    port = _free_port()
    env = {
        **os.environ,
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # the head on 127.0.0.1 only
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",  # an explicit address must opt in to the head's token auth
        "RAY_AUTH_TOKEN": secrets.token_hex(32),  # this cluster's own, shared by both sides
    }
    head = subprocess.Popen(
        [ray_cli, "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1",
         "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, head)
        out = tmp_path / "res.json"
        done = subprocess.run(
            [sys.executable, "-m", "agent.cli", "eval", "--env", "tabletop-reach", "--policy",
             POLICY, "--episodes", "2", "--workers", "2", "--ray", f"127.0.0.1:{port}",
             "--json", str(out)],
            env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        data = json.loads(out.read_text())
        assert data["ray"]["address"] == f"127.0.0.1:{port}" and data["ray"]["actors_started"] == 2
        assert data["envs"]["handeye/tabletop-reach-v0"]["episodes"] == 2
    finally:
        head.terminate()  # `ray start --block` stops the processes it started when it ends
        head.wait(timeout=60)
        # It leaves its address as "the cluster on this machine", which `ray.init()` would try.
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if current.exists() and current.read_text().strip() == f"127.0.0.1:{port}":
            current.unlink()


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_episodes_and_ends_the_actors(ray_cluster):
    from agent.ray_eval import RayConfig, evaluate_ray

    got: list[dict] = []

    def on_episode(result: dict) -> None:
        got.append(result)
        if len(got) == 2:
            raise KeyboardInterrupt

    run = evaluate_ray(ENVS, POLICY, episodes=EPISODES, on_episode=on_episode, config=RayConfig())
    assert run.interrupted and sum(r.episodes for r in run.reports) == 2
    assert not [n for n in ray.util.list_named_actors() if n.startswith("handeye-eval-")]
