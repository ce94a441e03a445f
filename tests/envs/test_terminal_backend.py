"""A real bash in a real pty, emulated by pyte: input, output, keys, death and clean-up."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import psutil
import pytest

from contracts.errors import EnvError, SetupError
from envs.terminal.backend import PROMPT_MARK, TerminalBackend, TerminalConfig


@pytest.fixture
def term() -> Iterator[TerminalBackend]:
    with TerminalBackend() as backend:
        yield backend


def run(term: TerminalBackend, command: str, timeout: float = 5.0) -> None:
    """Type a command, press Enter and wait for the prompt to come back."""
    term.send_text(command)
    term.send_keys("Enter")
    assert term.wait_settled(timeout)
    assert term.at_fresh_prompt()


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_shell_starts_at_a_prompt_in_its_own_temp_home(term: TerminalBackend) -> None:
    assert term.alive
    assert term.screen_text().startswith(f"{PROMPT_MARK}~$")
    assert term.at_fresh_prompt()
    run(term, "pwd; echo $HOME; echo $TERM")
    lines = term.screen_text().splitlines()
    assert lines[1:4] == [str(term.workdir), str(term.workdir), "xterm-256color"]


def test_command_output_appears_and_cursor_follows(term: TerminalBackend) -> None:
    run(term, "echo hello-from-bash")
    lines = term.screen_text().splitlines()
    assert lines[1] == "hello-from-bash"
    col, row = term.cursor()
    assert (row, col) == (2, len(lines[2]) + 1)  # after "handeye:~$ "


def test_screen_size_is_what_programs_see() -> None:
    with TerminalBackend(TerminalConfig(cols=100, rows=30)) as term:
        run(term, "stty size")
        assert term.screen_text().splitlines()[1] == "30 100"
        assert len(term.screen.display) == 30


def test_ctrl_c_interrupts_a_running_command(term: TerminalBackend) -> None:
    term.send_text("sleep 30")
    term.send_keys("Enter")
    # Until the forked shell has exec'd sleep, it ignores ctrl+c as the shell does; a person
    # presses ctrl+c on a job that runs, so wait until the job itself sleeps.
    assert wait_for(lambda: not term.foreground_is_shell() and term.foreground_job_waits())
    term.send_keys("ctrl+c")
    assert term.wait_settled(10)  # returns as soon as the prompt is back; 10 s for a loaded CI
    assert term.at_fresh_prompt()
    assert term.foreground_is_shell()
    assert "^C" in term.screen_text()


def test_up_recalls_the_previous_command_and_tab_completes(term: TerminalBackend) -> None:
    (term.workdir / "unusual_name_42.txt").write_text("x\n")
    run(term, "echo first")
    term.send_keys("Up")
    term.wait_idle(2, until=lambda: term.cursor_line()[0].endswith("echo first"))
    assert term.cursor_line()[0].endswith("echo first")
    term.send_keys("ctrl+u")
    term.send_text("cat unus")
    term.send_keys("Tab")
    term.wait_idle(2, until=lambda: "unusual_name_42.txt" in term.cursor_line()[0])
    assert term.cursor_line()[0].endswith("cat unusual_name_42.txt ")


def test_terminal_queries_are_answered_by_the_emulator(term: TerminalBackend) -> None:
    # Device status report: the program asks where the cursor is and reads the reply.
    run(term, "printf '\\e[6n'; read -rs -d R -t 2 pos; echo \"pos=${pos#*[}\"")
    assert "pos=2;1" in term.screen_text()


def test_killed_shell_is_reported_and_input_raises(term: TerminalBackend) -> None:
    os.kill(term.pid, signal.SIGKILL)
    assert wait_for(lambda: not term.alive)
    assert term.exit_reason() == "killed by signal 9"
    with pytest.raises(EnvError, match="killed by signal 9"):
        term.send_text("echo hi")


def test_open_quote_settles_at_the_continuation_prompt(term: TerminalBackend) -> None:
    term.send_text("echo 'unclosed")
    term.send_keys("Enter")
    assert term.wait_settled(3)
    assert term.cursor_line() == ("handeye> ", "")
    run(term, "closed'")
    assert "unclosed\nclosed" in term.screen_text()


def test_quiet_job_settles_without_waiting_for_the_timeout(term: TerminalBackend) -> None:
    term.send_text("sleep 30")
    term.send_keys("Enter")
    t0 = time.monotonic()
    assert term.wait_settled(5)
    assert time.monotonic() - t0 < 2
    assert not term.at_fresh_prompt()


def test_exit_status_is_reported(term: TerminalBackend) -> None:
    term.send_text("exit 3")
    term.send_keys("Enter")
    term.wait_idle(3)
    assert wait_for(lambda: not term.alive)
    assert term.exit_reason() == "exited with status 3"


def test_wait_idle_reports_output_that_never_stops(term: TerminalBackend) -> None:
    term.send_text("yes")
    term.send_keys("Enter")
    assert wait_for(lambda: not term.foreground_is_shell())
    assert term.wait_idle(0.3) is False
    term.send_keys("ctrl+c")
    assert term.wait_settled(10)  # pyte must first work through the flood of "y" lines
    assert term.at_fresh_prompt()


def test_input_nobody_reads_times_out_instead_of_hanging() -> None:
    with TerminalBackend(TerminalConfig(write_timeout_s=0.3)) as term:
        # A program in raw mode that never reads: the pty's input buffer fills up.
        term.send_text("stty -icanon -echo; sleep 30")
        term.send_keys("Enter")
        assert wait_for(lambda: not term.foreground_is_shell())
        t0 = time.monotonic()
        with pytest.raises(EnvError, match="did not read its input"):
            term.send_text("x" * 100_000)
        assert time.monotonic() - t0 < 3
        assert term.alive


def test_close_kills_every_job_leaves_no_zombie_and_removes_home() -> None:
    term = TerminalBackend()
    run(term, "sleep 300 &")
    term.send_text("sleep 301 | cat")
    term.send_keys("Enter")
    shell = psutil.Process(term.pid)
    assert wait_for(lambda: len(shell.children(recursive=True)) >= 3)
    procs = [shell, *shell.children(recursive=True)]
    workdir = term.workdir
    term.close()
    term.close()  # idempotent
    gone, alive = psutil.wait_procs(procs, timeout=3)
    assert alive == []
    assert not os.path.exists(f"/proc/{shell.pid}")  # reaped, not a zombie
    assert not workdir.exists()
    assert not term.alive


def test_missing_program_is_a_setup_error() -> None:
    with pytest.raises(SetupError, match="not found on PATH"):
        TerminalBackend(TerminalConfig(command=("no-such-program-xyz",)))


def test_any_program_can_run_without_a_prompt() -> None:
    config = TerminalConfig(command=("cat",), ready_text=None, continuation_text=None)
    with TerminalBackend(config) as term:
        term.send_text("abc")
        term.send_keys("Enter")
        assert term.wait_settled(3)
        assert term.screen_text().splitlines()[:2] == ["abc", "abc"]  # tty echo, then cat
        term.send_keys("ctrl+d")
        assert wait_for(lambda: not term.alive)
        assert term.exit_reason() == "exited with status 0"
