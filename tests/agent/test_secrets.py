"""Named secrets: typed as `<secret:NAME>`, their values reach only their own domain's field and
no byte the session writes (prompts, traces, frames, logs, reports)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from agent.cli import main
from agent.safety import SafetyPolicy
from agent.safety_secrets import Secret, Secrets, parse_secret_flags
from contracts.actions import Type
from contracts.errors import ConfigError
from tests.agent.loopback import scripted_model, serve_model, serve_pages
from tests.form_site import FORM_HTML, PASSWORD_FIELD, USER_FIELD, WELCOME_HTML

PW = "Zq9-hunter2-Kx"
TOKEN = "tok_8f3a77c2e1"
FIELD = {"tag": "input", "type": "password", "name": "password", "form": True}


def _policy(*secrets: Secret, allowed: tuple[str, ...] = ("127.0.0.1",)) -> SafetyPolicy:
    return SafetyPolicy(allowed_domains=allowed, secrets=Secrets(secrets))


def test_flags_read_values_from_text_files_and_env_and_errors_never_show_them(tmp_path):
    (tmp_path / "pw").write_text(PW + "\n")
    secrets = parse_secret_flags(
        ["a=plain", f"b=@{tmp_path / 'pw'}", "c=env:TOKEN_VAR"],
        ["c=bank.example", "c=login.bank.example"],
        env={"TOKEN_VAR": TOKEN},
    )
    assert secrets.values == ("plain", PW, TOKEN)
    assert secrets["c"].domains == ("bank.example", "login.bank.example")
    assert secrets["a"].domains is None and PW not in repr(secrets) + repr(secrets["b"])
    assert secrets.mask(f"x {PW} y {json.dumps(TOKEN)}") == 'x <secret:b> y "<secret:c>"'
    assert secrets.substitute("<secret:b>/<secret:zz>") == f"{PW}/<secret:zz>"
    for bad, words in (
        (["nope"], "NAME=VALUE"),
        (["x=env:UNSET_VAR"], "UNSET_VAR"),
        ([f"x=@{tmp_path / 'missing'}"], "cannot read"),
        ([f"x={PW}", f"x={PW}"], "twice"),
    ):
        with pytest.raises(ConfigError, match=words) as err:
            parse_secret_flags(bad, env={})
        assert PW not in str(err.value)
    with pytest.raises(ConfigError, match="no --secret q"):
        parse_secret_flags(["a=1"], ["q=host"])


@pytest.mark.parametrize(
    ("url", "focus", "domains", "decision", "words"),
    [
        ("http://127.0.0.1:8000/", FIELD, None, "allow", ""),
        ("http://evil.test/", FIELD, None, "deny", "only on 127.0.0.1"),
        ("http://127.0.0.1/", FIELD, ("bank.example",), "deny", "only on bank.example"),
        ("https://login.bank.example/", FIELD, ("bank.example",), "allow", ""),
        ("data:text/html,<input>", FIELD, None, "deny", "only on"),
        ("http://127.0.0.1/", {"tag": "addressbar"}, None, "deny", "text field"),
        ("http://127.0.0.1/", {"tag": "button", "type": "submit"}, None, "deny", "text field"),
        ("http://127.0.0.1/", None, None, "deny", "text field"),
        ("http://127.0.0.1/", {"tag": "div", "editable": True}, None, "allow", ""),
    ],
)
def test_a_secret_is_typed_only_into_a_text_field_on_its_own_domain(
    url, focus, domains, decision, words
):
    policy = _policy(Secret("pw", PW, domains))
    verdict = policy.check(Type("<secret:pw>"), {}, {"url": url, "focus": focus})
    assert verdict.decision == decision and words in verdict.reason
    assert PW not in verdict.reason


def test_unknown_secrets_wildcards_and_envs_without_focus_are_refused():
    policy = _policy(Secret("pw", PW))
    web = {"url": "http://127.0.0.1/", "focus": FIELD}
    assert "no secret named ['other']" in policy.check(Type("<secret:other>"), {}, web).reason
    anywhere = _policy(Secret("pw", PW), allowed=("*",))
    assert anywhere.check(Type("<secret:pw>"), {}, web).decision == "deny"
    assert "does not say" in policy.check(Type("<secret:pw>"), {}, {}).reason
    prompt = {"text": "$ sudo ls\n[sudo] password for me: "}
    at_prompt = policy.check(Type("<secret:pw>"), prompt, {"cursor": (30, 1)})
    assert at_prompt.allowed
    shell = policy.check(Type("<secret:pw>"), {"text": "$ "}, {"cursor": (2, 0)})
    assert shell.decision == "deny" and "password prompt" in shell.reason


def norm1000(point: tuple[int, int], size: tuple[int, int] = (640, 400)) -> str:
    """A click as a generic-family model writes it: 0-1000 of the image's width and height."""
    return f"click({round(point[0] * 1000 / size[0])}, {round(point[1] * 1000 / size[1])})"


def _every_byte(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.slow
def test_run_types_secrets_only_on_their_domain_and_no_written_byte_holds_them(
    browser_pool, tmp_path, capsys, caplog, monkeypatch
):
    (tmp_path / "pw.txt").write_text(PW)
    monkeypatch.setenv("HANDEYE_TEST_TOKEN", TOKEN)
    replies = [
        norm1000(USER_FIELD),
        'type("alice")',
        'type("<secret:token>")',  # its domain is another: refused
        norm1000(PASSWORD_FIELD),
        'type("<secret:pw>")',
        norm1000(PASSWORD_FIELD),  # the filled field, described under the pointer
        'key("Enter")',
        "done()",
    ]
    caplog.set_level(logging.DEBUG)
    pages = {"/": FORM_HTML, "/welcome.html": WELCOME_HTML}
    trace = tmp_path / "trace"
    with serve_pages(pages) as site, serve_model(scripted_model(replies)) as model:
        code = main(
            [
                "-v",
                "run",
                f"sign in as alice with the password {PW}",
                "--url",
                site.url + "/",
                "--viewport",
                "640x400",
                "--policy",
                "vlm",
                "--endpoint",
                model.url + "/v1",
                "--model",
                "m",
                "--secret",
                f"pw=@{tmp_path / 'pw.txt'}",
                "--secret",
                "token=env:HANDEYE_TEST_TOKEN",
                "--secret-domain",
                "token=bank.example",
                "--trace",
                str(trace),
                "--max-steps",
                "10",
                "--yes",
            ]
        )
        replay = ["replay", str(trace), "--format", "html", "--out", str(tmp_path / "r.html")]
        assert main(replay) == 0
    out = capsys.readouterr()
    assert code == 0, out
    # The value reached the page's field (the form sent it), the other secret never did.
    sent = [p for p in site.paths if p.startswith("/welcome.html")]
    assert sent and f"password={PW}" in sent[0] and TOKEN not in "".join(site.paths)
    # The model saw only placeholders, in the task and in its history.
    prompts = b"".join(model.bodies)
    assert b"<secret:pw>" in prompts and b'type(\\"<secret:pw>\\")' in prompts
    written = b"\n".join(
        [_every_byte(trace), prompts, out.out.encode(), out.err.encode(), caplog.text.encode()]
    )
    written += (tmp_path / "r.html").read_bytes()
    for value in (PW, TOKEN):
        assert value.encode() not in written
    steps = {json.loads(line)["episode_id"] for line in (trace / "meta/episodes.jsonl").open()}
    assert len(steps) == 1
    assert "may be typed only on bank.example" in out.out


@pytest.mark.slow
def test_a_secret_reaches_the_shell_only_at_a_password_prompt(tmp_path):
    from agent.chat_envs import OpenTerminalTask
    from agent.safety_gate import RedactingTraceWriter, SafetyGate
    from agent.session import run_episode
    from agent.traces import TraceReader
    from envs.terminal.env import TerminalEnv
    from envs.wrappers.task_instruction import TaskInstruction
    from policies.scripted import ScriptedPolicy

    env = TaskInstruction(TerminalEnv(task=OpenTerminalTask(), step_timeout_s=0.5))
    env.set_task(f"log in with {PW}")
    script = [
        'type("<secret:pw>")',  # at the shell prompt: refused
        'type("read -s -p \\"password: \\" pw")',
        'key("Enter")',
        'type("<secret:pw>")',
        'key("Enter")',
        'type("echo len=${#pw}")',
        'key("Enter")',
        "wait(0.5)",  # a loaded machine may print after the step's settle time
    ]
    policy = SafetyPolicy(secrets=Secrets([Secret("pw", PW)]))
    gate = SafetyGate(env, policy)
    try:
        with RedactingTraceWriter(tmp_path, gate) as writer:
            result = run_episode(gate, ScriptedPolicy(script), max_steps=10, writer=writer)
    finally:
        env.close()
    assert f"len={len(PW)}" in gate.last_obs["text"] and gate.secrets_typed == 1
    steps = TraceReader(tmp_path).dataframe(result.episode_id)
    assert "password prompt" in steps["error"].iloc[0]
    assert 'type("<secret:pw>")' in list(steps["action"])
    assert PW.encode() not in _every_byte(tmp_path)
