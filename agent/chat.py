"""`handeye chat` and `handeye run`: a person gives tasks, the agent does them live, step by step.

chat is interactive: it asks for tasks (and `/help`, `/env ...`, `/quit`), shows every step
(action, target, latency per phase, the saved frame), asks before risky actions (y/n: "n"
tells the policy why and it goes on), and pauses on Ctrl-C with a resume/abort question.
run does one task without questions: risky actions are refused unless `--yes`; exit code 0
when the agent finished with `done()`.

Ctrl-C is read as a key while a session runs (the terminal's ISIG is off): as a signal it
would also reach the browser driver and Chromium, which share the terminal's process group,
and kill them. This module holds all the rich output; the session itself only logs.
"""

from __future__ import annotations

import _thread
import argparse
import contextlib
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

HELP = """\
Type a task in plain words and press Enter; the agent works on it step by step.
  /help                 this text
  /env web URL          drive a web page at URL (its host becomes an allowed domain)
  /env terminal         drive a bash terminal (a fresh temp HOME per task)
  /env desktop [DISP]   drive an X desktop: 'xvfb' (private, default), 'attach' or ':N'
  /trace                where this session's trace is
  /quit                 leave (Ctrl-D works too)
While a task runs, Ctrl-C pauses after the current step: [r]esume or [a]bort.
Risky actions (typing a password, submitting a form, leaving the allowed domains, shell
commands on the deny-list) wait for your y/n; "n" tells the agent, which tries something else."""


def add_session_arguments(p: argparse.ArgumentParser, *, run: bool) -> None:
    """Flags shared by `chat` and `run` (the CLI adds the policy flags and --policy-kwargs)."""
    if run:
        p.add_argument("task", help='what the agent should do, e.g. "sign in as alice"')
    p.add_argument(
        "--env",
        default="web" if run else None,
        help="web, terminal or desktop" + (" (default: web)" if run else " (asked if absent)"),
    )
    p.add_argument("--url", help="web: the page to open (its host is an allowed domain)")
    p.add_argument("--viewport", default="1280x720", help="web/desktop: WIDTHxHEIGHT pixels")
    p.add_argument("--display", default="xvfb", help="desktop: xvfb (private), attach, or :N")
    p.add_argument("--app", default="auto", help="desktop: form (demo app), none, auto")
    p.add_argument(
        "--policy",
        default="vlm",
        help="policy name: vlm, house, scripted, random (with --help: its option flags)",
    )
    p.add_argument(
        "--allow-domain",
        action="append",
        default=[],
        help="web: another domain the agent may visit (repeatable; '*' any); before going "
        "elsewhere chat asks and run refuses, and a page's own navigation elsewhere is blocked",
    )
    p.add_argument("--max-steps", type=int, default=30, help="step budget per task")
    p.add_argument("--max-seconds", type=float, default=600.0, help="time budget per task")
    p.add_argument("--trace", help="trace folder (default runs/<command>-<time>)")
    p.add_argument("--no-frames", action="store_true", help="do not save each frame as a PNG")
    p.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a secret the agent types as <secret:NAME> and never sees: NAME=@FILE, NAME=env:VAR "
        "or NAME=VALUE (shown by ps and kept in shell history: prefer the others); repeatable; "
        "the value appears in no prompt, trace or log",
    )
    p.add_argument(
        "--secret-domain",
        action="append",
        default=[],
        metavar="NAME=HOST",
        help="web: a host whose fields may get secret NAME (repeatable; default: the allowed "
        "domains)",
    )
    p.add_argument(
        "--redact-selector",
        action="append",
        default=[],
        metavar="CSS",
        help="web: hide elements matching this selector in stored frames (repeatable)",
    )
    p.add_argument(
        "--redact-region",
        action="append",
        default=[],
        metavar="X0,Y0,X1,Y1",
        help="hide this box (screen pixels) in stored frames (repeatable)",
    )
    p.add_argument(
        "--no-redact-passwords",
        action="store_true",
        help="store password fields (and fields that got a secret) as they looked",
    )
    p.add_argument(
        "--retain-for", metavar="AGE", help="at the end, delete episodes older than AGE (e.g. 7d)"
    )
    p.add_argument(
        "--retain-episodes", type=int, metavar="N", help="at the end, keep the newest N episodes"
    )
    if run:
        p.add_argument(
            "--yes", action="store_true", help="approve risky actions (default: refuse them)"
        )


class TerminalKeys:
    """Ctrl-C as a key while a session runs, so the signal never reaches child processes.

    In a session the terminal's ISIG is off (Ctrl-C arrives as the byte 0x03); while a task
    runs (`watching`), a thread reads keys with echo off and calls `on_interrupt` for each
    Ctrl-C. `prompting` gives the terminal back for a question. Without a terminal on stdin,
    SIGINT is caught instead.
    """

    def __init__(self, on_interrupt: Callable[[], None]) -> None:
        self.on_interrupt = on_interrupt
        self.fd = sys.stdin.fileno() if sys.stdin is not None and sys.stdin.isatty() else None
        self._session_attrs: list[Any] | None = None
        self._saved_attrs: list[Any] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._old_handler: Any = None
        self.watching_now = False

    def __enter__(self) -> TerminalKeys:
        if self.fd is not None:
            import termios

            self._saved_attrs = termios.tcgetattr(self.fd)
            attrs = termios.tcgetattr(self.fd)
            attrs[3] &= ~termios.ISIG
            termios.tcsetattr(self.fd, termios.TCSADRAIN, attrs)
            self._session_attrs = attrs
        return self

    def __exit__(self, *exc: object) -> None:
        self._unwatch()
        if self.fd is not None and self._saved_attrs is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved_attrs)

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Read Ctrl-C while the block runs (a task)."""
        self._watch()
        try:
            yield
        finally:
            self._unwatch()

    @contextlib.contextmanager
    def prompting(self) -> Iterator[None]:
        """Give the terminal back (line editing, echo) for a question asked mid-task."""
        was = self.watching_now
        self._unwatch()
        try:
            yield
        finally:
            if was:
                self._watch()

    def _watch(self) -> None:
        self.watching_now = True
        if self.fd is None:
            self._old_handler = signal.signal(signal.SIGINT, lambda *_: self.on_interrupt())
            return
        import termios

        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG)
        attrs[6][termios.VMIN], attrs[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.fd, termios.TCSADRAIN, attrs)
        self._stop.clear()
        self._thread = threading.Thread(target=self._read_keys, name="ctrl-c", daemon=True)
        self._thread.start()

    def _unwatch(self) -> None:
        if not self.watching_now:
            return
        self.watching_now = False
        if self.fd is None:
            signal.signal(signal.SIGINT, self._old_handler or signal.default_int_handler)
            return
        import termios

        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._session_attrs is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._session_attrs)

    def _read_keys(self) -> None:
        assert self.fd is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 64)
            except OSError:
                return
            for _ in range(data.count(b"\x03")):
                self.on_interrupt()


class ChatUI:
    """What a person sees and answers: step lines, confirmations, the pause question."""

    def __init__(self, console: Any, *, interactive: bool, approve: bool = False) -> None:
        self.console = console
        self.interactive = interactive
        self.approve = approve
        self.keys = TerminalKeys(self._interrupted)
        self.pause = threading.Event()
        self.pausable = False  # True while a chat task runs; otherwise Ctrl-C stops at once

    # ---- Ctrl-C -------------------------------------------------------------------------
    def _interrupted(self) -> None:
        if self.pausable and not self.pause.is_set():
            self.pause.set()
            self.console.print("[yellow]⏸ pausing after this step… (Ctrl-C again to stop at once)")
            return
        if threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt
        _thread.interrupt_main()

    def after_step(self, view: Any) -> None:
        """Show a step; then, if Ctrl-C was pressed, ask whether to resume or abort."""
        self.print_step(view)
        if not self.pause.is_set():
            return
        from rich.prompt import Prompt

        with self.keys.prompting():
            answer = Prompt.ask(
                "[yellow]⏸ paused[/] — [bold]r[/]esume or [bold]a[/]bort?",
                choices=["r", "a"],
                default="r",
                console=self.console,
            )
        self.pause.clear()
        if answer == "a":
            raise KeyboardInterrupt
        self.console.print("[green]▶ resumed")

    # ---- questions ----------------------------------------------------------------------
    def confirm(self, event: Any) -> bool:
        """Ask before a risky action (chat), or apply --yes (run)."""
        from rich.markup import escape

        reason = escape(event.verdict.reason)
        self.console.print(f"[bold yellow]⚠ confirm:[/] {reason}")
        self.console.print(f"    action [cyan]{escape(event.shown)}[/]{_target_text(event.target)}")
        if not self.interactive:
            verdict = "approved (--yes)" if self.approve else "refused (run with --yes to allow)"
            self.console.print(f"    {verdict}")
            return self.approve
        from rich.prompt import Confirm

        with self.keys.prompting():
            ok = Confirm.ask("    allow this action?", default=False, console=self.console)
        if not ok:
            self.console.print("    [yellow]refused: the agent is told and tries something else")
        return ok

    # ---- output -------------------------------------------------------------------------
    def print_step(self, view: Any) -> None:
        from rich.markup import escape

        ms = " · ".join(
            f"{k} {1000 * view.timings[k]:.0f} ms"
            for k in ("capture", "policy", "act")
            if k in view.timings
        )
        if view.error and not view.executed:
            mark = "[yellow]⨯[/]"
        elif view.error:
            mark = "[red]![/]"
        else:
            mark = "[green]✓[/]"
        if view.waited_s >= 0.05:
            ms += f" · you {view.waited_s:.1f} s"
        where = f" @ ({view.point[0]}, {view.point[1]})" if view.point else ""
        action = escape(view.action or "(no action)")
        self.console.print(
            f"[bold]{view.step + 1:>3}[/] {mark} [cyan]{action}[/]{where}"
            f"{_target_text(view.target)}  [dim]{ms}",
            soft_wrap=True,
        )
        if view.frame_path is not None:
            self.console.print(f"      [dim]frame {escape(str(view.frame_path))}", soft_wrap=True)
        if view.error:
            self.console.print(f"      [red]{escape(view.error)}", soft_wrap=True)

    def print_outcome(self, outcome: Any, trace_dir: Path) -> None:
        from rich.markup import escape

        took = f"{outcome.steps} steps, {outcome.duration_s:.1f} s"
        if outcome.finished:
            answer = f" — answer: {escape(outcome.answer)}" if outcome.answer else ""
            self.console.print(f"[bold green]✓ agent finished[/] in {took}{answer}")
        elif outcome.interrupted:
            self.console.print(f"[bold yellow]■ aborted[/] after {took}; the steps are kept")
        else:
            why = f": {escape(outcome.error)}" if outcome.error else ""
            self.console.print(f"[bold red]✗ not finished[/] after {took}{why}")
        self.console.print(
            f"trace saved: {escape(str(trace_dir))} (episode {outcome.episode_id}) — "
            f"view: handeye replay {escape(str(trace_dir))}",
            soft_wrap=True,
        )


def _target_text(target: dict[str, Any] | None) -> str:
    """' on button 'Sign in'' from what the env reported under the pointer."""
    if not target:
        return ""
    from rich.markup import escape

    kind = target.get("tag", "?") + (f"[{target['type']}]" if target.get("type") else "")
    label = target.get("text") or target.get("name") or ""
    href = f" → {target['href']}" if target.get("href") else ""
    return f" on {escape(kind)} {escape(repr(label)) if label else ''}{escape(href)}"


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _default_trace(command: str) -> Path:
    return Path("runs") / f"{command}-{datetime.now():%Y%m%d-%H%M%S}"


def _env_choice(args: argparse.Namespace, console: Any, interactive: bool) -> Any:
    from agent.chat_envs import EnvChoice, parse_viewport

    kind = args.env
    if kind is None:
        from rich.prompt import Prompt

        kind = Prompt.ask(
            "environment", choices=["web", "terminal", "desktop"], default="web", console=console
        )
    url = args.url
    if kind == "web" and not url:
        if interactive:
            from rich.prompt import Prompt

            url = Prompt.ask("URL to open", default="about:blank", console=console)
        else:
            url = "about:blank"
    return EnvChoice(
        kind=kind,
        url=url or "about:blank",
        viewport=parse_viewport(args.viewport),
        display=args.display,
        app=args.app,
    )


def _session_config(args: argparse.Namespace, choice: Any, policy_kwargs: dict, command: str):
    from agent.chat_session import SessionConfig
    from agent.safety_redaction import RedactionConfig, parse_region
    from agent.safety_secrets import parse_secret_flags
    from agent.traces import parse_age

    return SessionConfig(
        env=choice,
        policy=args.policy,
        policy_kwargs=policy_kwargs,
        max_steps=args.max_steps,
        max_seconds=args.max_seconds,
        allow_domains=tuple(args.allow_domain),
        trace_dir=Path(args.trace) if args.trace else _default_trace(command),
        save_frames=not args.no_frames,
        secrets=parse_secret_flags(args.secret, args.secret_domain),
        redaction=RedactionConfig(
            passwords=not args.no_redact_passwords,
            selectors=tuple(args.redact_selector),
            regions=tuple(parse_region(r) for r in args.redact_region),
        ),
        retain_for_s=parse_age(args.retain_for) if args.retain_for else None,
        retain_episodes=args.retain_episodes,
        strict_domains=command == "run",  # unattended: --yes never takes it off the list
    )


def _run_one(ui: ChatUI, session: Any, task: str) -> Any:
    from rich.markup import escape

    config = session.config
    ui.console.rule(f"[bold]task[/]: {escape(config.secrets.mask(task))}")
    ui.console.print(
        f"[dim]env {escape(config.env.describe())} · policy {escape(config.policy)} · "
        f"budget {config.max_steps} steps / {config.max_seconds:g} s"
    )
    ui.pausable = ui.interactive
    try:
        with ui.keys.watching():
            outcome = session.run_task(task, on_step=ui.after_step)
    finally:
        ui.pausable = False
        ui.pause.clear()
    ui.print_outcome(outcome, session.trace_dir)
    return outcome


def _env_command(line: str, session: Any) -> Any:
    """The EnvChoice a `/env ...` line asks for."""
    from dataclasses import replace

    parts = line.split()[1:]
    if not parts:
        raise ValueError("say which env: /env web URL, /env terminal or /env desktop")
    base = session.config.env
    if parts[0] == "web":
        url = parts[1] if len(parts) > 1 else "about:blank"
        return replace(base, kind="web", url=url)
    if parts[0] == "desktop":
        return replace(base, kind="desktop", display=parts[1] if len(parts) > 1 else "xvfb")
    return replace(base, kind=parts[0])


def chat_main(args: argparse.Namespace, policy_kwargs: dict) -> int:
    """The interactive session: ask for tasks until /quit or Ctrl-D."""
    from rich.markup import escape

    from agent.chat_session import ChatSession
    from contracts.errors import HandeyeError

    console = _console()
    ui = ChatUI(console, interactive=True)
    choice = _env_choice(args, console, interactive=True)
    config = _session_config(args, choice, policy_kwargs, "chat")
    with ui.keys, ChatSession(config, confirm=ui.confirm) as session:
        console.print(
            f"[bold]handeye chat[/] · env {escape(choice.describe())} · policy "
            f"{escape(config.policy)} · trace {escape(str(session.trace_dir))}"
        )
        with ui.keys.watching(), console.status("starting the env and the policy…"):
            session.open()
        console.print("Type a task, or /help.")
        while True:
            try:
                line = console.input("[bold cyan]task>[/] ").strip()
            except EOFError:
                console.print()
                break
            except KeyboardInterrupt:
                console.print("(type /quit or press Ctrl-D to leave)")
                continue
            if "\x03" in line:
                console.print("(type /quit or press Ctrl-D to leave)")
                continue
            if not line:
                continue
            if line in ("/quit", "/exit", "/q"):
                break
            if line == "/help":
                console.print(escape(HELP))
            elif line == "/trace":
                console.print(f"trace: {escape(str(session.trace_dir))}")
            elif line.startswith("/env"):
                try:
                    new = _env_command(line, session)
                    with ui.keys.watching(), console.status(f"starting {escape(new.describe())}…"):
                        session.switch_env(new)
                    console.print(f"env is now {escape(new.describe())}")
                except (ValueError, HandeyeError) as exc:
                    console.print(f"[red]{escape(str(exc))}")
            elif line.startswith("/"):
                console.print(f"[red]unknown command {escape(line.split()[0])}; try /help")
            else:
                _run_one(ui, session, line)
    console.print(f"bye — trace saved in {escape(str(config.trace_dir))}")
    return 0


def run_main(args: argparse.Namespace, policy_kwargs: dict) -> int:
    """One task, no questions: exit 0 if the agent finished with done(), 1 if not, 130 stopped."""
    from agent.chat_session import ChatSession

    console = _console()
    ui = ChatUI(console, interactive=False, approve=args.yes)
    choice = _env_choice(args, console, interactive=False)
    config = _session_config(args, choice, policy_kwargs, "run")
    with ui.keys, ChatSession(config, confirm=ui.confirm) as session:
        with ui.keys.watching():
            session.open()
        outcome = _run_one(ui, session, args.task)
    if outcome.interrupted:
        return 130
    return 0 if outcome.finished else 1
