"""`handeye chat` driven as a person drives it: keys typed into tmux, the screen read back.

Also `handeye run` from a shell, on the terminal env and on the web form page.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from agent.safety import MASK
from agent.traces import TraceReader
from tests.form_site import PASSWORD_FIELD, USER_FIELD, serve_form_site

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

HANDEYE = Path(sys.executable).with_name("handeye")
SIGN_IN = [
    f"click({USER_FIELD[0]}, {USER_FIELD[1]})",
    'type("alice")',
    f"click({PASSWORD_FIELD[0]}, {PASSWORD_FIELD[1]})",
    'type("hunter2")',
    'key("Enter")',
]


def _handeye() -> list[str]:
    return [str(HANDEYE)] if HANDEYE.exists() else [sys.executable, "-m", "agent.cli"]


class Tmux:
    """A private tmux server running one command in a 120x40 pane."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"handeye-test-{uuid.uuid4().hex[:8]}"
        # Under pytest the pane's environment says COLUMNS=80; the pane itself is 120 wide.
        shell = (
            f"unset COLUMNS LINES; cd {shlex.quote(str(cwd))} && {shlex.join(command)}; "
            "echo EXITED=$?; sleep 60"
        )
        self._tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "t", shell)
        self.socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").strip())

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return out.stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "t", *keys)

    def type_line(self, text: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", text)
        self.send("Enter")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-t", "t", "-S", "-500")

    def wait_for(self, pattern: str, timeout: float = 30.0, after: int = 0) -> re.Match:
        """Wait until `pattern` shows on the screen (searching from character `after`)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            found = re.compile(pattern, re.MULTILINE).search(text, after)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not appear within {timeout} s:\n{text}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        self.socket_path.unlink(missing_ok=True)  # tmux 3.3 leaves it behind


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_form_site(tmp_path_factory.mktemp("site")) as base:
        yield base


def _chat(site: str, tmp_path: Path, actions: list[str]) -> tuple[Tmux, Path]:
    script = tmp_path / "actions.txt"
    script.write_text("# the sign-in, one action per line\n" + "\n".join(actions) + "\n")
    trace = tmp_path / "trace"
    command = _handeye() + [
        "chat",
        "--env",
        "web",
        "--url",
        site,
        "--viewport",
        "640x400",
        "--policy",
        "scripted",
        "--policy-kwargs",
        json.dumps({"file": str(script)}),
        "--trace",
        str(trace),
    ]
    return Tmux(command, tmp_path), trace


@pytest.mark.slow
def test_chat_runs_a_task_live_asks_before_risky_steps_and_saves_a_redacted_trace(site, tmp_path):
    tmux, trace = _chat(site, tmp_path, SIGN_IN)
    try:
        tmux.wait_for(r"^task> ", timeout=60)
        tmux.type_line("sign in as alice")
        tmux.wait_for(r"^\s+1 ✓ click\(120, 95\) @ \(120, 95\) on input\[text\] 'user'")
        tmux.wait_for(r"frame .*step-001\.png")
        ask = tmux.wait_for(r"confirm: typing into password field 'password'")
        assert f'type("{MASK}")' in tmux.screen() and "hunter2" not in tmux.screen()
        tmux.wait_for(r"allow this action\? \[y/n\]", after=ask.end())
        tmux.type_line("y")
        ask = tmux.wait_for(r"confirm: submitting a form", after=ask.end())
        tmux.wait_for(r"allow this action\? \[y/n\]", after=ask.end())
        tmux.type_line("n")
        tmux.wait_for(r"refused \(not approved\): submitting a form", after=ask.end())
        done = tmux.wait_for(r"✓ agent finished in 6 steps")
        saved = tmux.wait_for(r"trace saved: (\S+) \(episode (\S+)\)", after=done.end())
        assert Path(saved.group(1)) == trace
        tmux.wait_for(r"^task> ", after=saved.end())
        tmux.type_line("/quit")
        tmux.wait_for(r"EXITED=0")
    finally:
        tmux.close()
    steps = TraceReader(trace).dataframe(saved.group(2))
    assert list(steps["action"]) == [
        "click(120, 95)",
        'type("alice")',
        "click(120, 145)",
        f'type("{MASK}")',
        'key("Enter")',
        "done()",
    ]
    assert "refused" in steps["error"].iloc[4]
    assert not steps.astype(str).apply(lambda col: col.str.contains("hunter2")).any().any()
    assert len(list((trace / "frames" / saved.group(2)).glob("step-*.png"))) == 6


@pytest.mark.slow
def test_ctrl_c_pauses_the_task_and_the_person_resumes_or_aborts(site, tmp_path):
    tmux, trace = _chat(site, tmp_path, ["wait(1.0)", "wait(1.0)", "wait(1.0)"])
    try:
        tmux.wait_for(r"^task> ", timeout=60)
        tmux.type_line("wait a little")
        first = tmux.wait_for(r"^\s+1 ✓ wait\(1\.0\)")
        tmux.send("C-c")
        tmux.wait_for(r"pausing after this step", after=first.start())
        pause = tmux.wait_for(r"paused — resume or abort\? \[r/a\]")
        tmux.type_line("r")
        tmux.wait_for(r"▶ resumed", after=pause.end())
        done = tmux.wait_for(r"✓ agent finished in 4 steps")
        tmux.wait_for(r"^task> ", after=done.end())
        tmux.type_line("wait again")
        second = tmux.wait_for(r"^\s+1 ✓ wait\(1\.0\)", after=done.end())
        tmux.send("C-c")
        pause = tmux.wait_for(r"paused — resume or abort\? \[r/a\]", after=second.start())
        tmux.type_line("a")
        tmux.wait_for(r"■ aborted after 2 steps, [\d.]+ s; the steps are kept", after=pause.end())
        tmux.wait_for(r"trace saved:", after=pause.end())
        tmux.send("C-d")
        tmux.wait_for(r"EXITED=0")
    finally:
        tmux.close()
    episodes = TraceReader(trace).episodes()
    assert [(e.complete, e.success) for e in episodes] == [(True, False), (False, None)]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        _handeye() + ["run", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_run_on_the_terminal_makes_a_file_refuses_a_risky_command_and_exits_zero(tmp_path):
    made = tmp_path / "made.txt"
    victim = tmp_path / "victim"
    victim.mkdir()
    actions = [
        f'type("echo made-by-agent > {made}")',
        'key("Enter")',
        f'type("rm -rf {victim}")',
        'key("Enter")',
    ]
    result = _run(
        ["make a file", "--env", "terminal", "--policy", "scripted"]
        + ["--policy-kwargs", json.dumps({"actions": actions}), "--trace", str(tmp_path / "t")],
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert made.read_text() == "made-by-agent\n"
    assert victim.is_dir()  # refused without --yes
    assert "refused (not approved): risky shell command" in result.stdout
    assert "✓ agent finished in 5 steps" in result.stdout


@pytest.mark.slow
def test_run_exits_one_when_the_budget_runs_out_before_done(site, tmp_path):
    actions = ["wait(0.0)"] * 5
    result = _run(
        ["wait", "--url", site, "--viewport", "640x400", "--policy", "scripted"]
        + ["--policy-kwargs", json.dumps({"actions": actions}), "--max-steps", "2"]
        + ["--no-frames", "--trace", str(tmp_path / "t")],
        tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "✗ not finished after 2 steps" in result.stdout
    assert not (tmp_path / "t" / "frames").exists()


@pytest.mark.slow
def test_chat_asks_for_the_env_and_switches_env_on_command(site, tmp_path):
    script = tmp_path / "actions.txt"
    script.write_text('type("echo hi-$((40+2))")\nkey("Enter")\n')
    command = _handeye() + ["chat", "--policy", "scripted", "--trace", str(tmp_path / "t")]
    tmux = Tmux(command + ["--policy-kwargs", json.dumps({"file": str(script)})], tmp_path)
    try:
        tmux.wait_for(r"environment \[web/terminal/desktop\] \(web\): ", timeout=30)
        tmux.type_line("terminal")
        tmux.wait_for(r"^task> ", timeout=60)
        tmux.type_line("/help")
        tmux.wait_for(r"/env terminal +drive a bash terminal")
        tmux.type_line("say hi")
        done = tmux.wait_for(r"✓ agent finished in 3 steps")
        tmux.type_line(f"/env web {site}")
        switched = tmux.wait_for(rf"env is now web {re.escape(site)}", after=done.end())
        tmux.type_line("/nonsense")
        tmux.wait_for(r"unknown command /nonsense; try /help", after=switched.end())
        tmux.type_line("type on the page")
        tmux.wait_for(rf"env web {re.escape(site)} · policy scripted", after=switched.end())
        tmux.wait_for(r"✓ agent finished in 3 steps", after=switched.end())
        tmux.type_line("/quit")
        tmux.wait_for(r"EXITED=0")
    finally:
        tmux.close()
    assert [e.env_id for e in TraceReader(tmp_path / "t").episodes()] == [
        "handeye/terminal-open",
        "handeye/web-v0",
    ]
