"""The handeye command, run as users run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent.cli import main


def test_help_starts_without_heavy_imports():
    code = (
        "import sys; from agent.cli import build_parser; build_parser(); print(sorted(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for heavy in ("torch", "playwright", "gymnasium", "mujoco", "transformers"):
        assert f"'{heavy}'" not in out.stdout


def test_list_envs_filters_by_glob(capsys):
    assert main(["list-envs", "handeye/miniwob-click-tab*"]) == 0
    ids = capsys.readouterr().out.split()
    assert "handeye/miniwob-click-tab-v0" in ids and "handeye/miniwob-click-tab-2-v0" in ids
    assert all(i.startswith("handeye/miniwob-click-tab") for i in ids)


def test_unknown_env_pattern_is_a_clear_error(capsys):
    assert main(["eval", "--env", "handeye/nothing-*", "--episodes", "1"]) == 2
    assert "no registered env matches" in capsys.readouterr().err


def test_unknown_policy_is_a_clear_error(capsys):
    code = main(["eval", "--env", "miniwob-click-button", "--policy", "nope", "--episodes", "1"])
    assert code == 2 and "unknown policy 'nope'" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_writes_json_markdown_and_traces_then_replays(tmp_path):
    out = tmp_path / "r.json"
    cmd = [
        sys.executable,
        "-m",
        "agent.cli",
        "eval",
        "--env",
        "handeye/miniwob-click-button-v0",
        "--policy",
        "random",
        "--episodes",
        "2",
        "--max-steps",
        "3",
        "--json",
        str(out),
        "--trace",
        str(tmp_path / "tr"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    env = data["envs"]["handeye/miniwob-click-button-v0"]
    assert env["episodes"] == 2 and 0.0 <= env["success_rate"] <= 1.0
    assert "| handeye/miniwob-click-button-v0 | 2 |" in out.with_suffix(".md").read_text()
    assert "success per env" in proc.stdout
    html = tmp_path / "r.html"
    assert main(["replay", str(tmp_path / "tr"), "--format", "html", "--out", str(html)]) == 0
    assert html.read_text().count("<img") >= 2


@pytest.mark.slow
def test_eval_with_two_workers_covers_every_episode(tmp_path):
    out = tmp_path / "r.json"
    code = main(
        [
            "eval",
            "--env",
            "handeye/miniwob-click-button-v0,handeye/miniwob-click-link-v0",
            "--policy",
            "random",
            "--episodes",
            "3",
            "--workers",
            "2",
            "--max-steps",
            "2",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert {k: v["episodes"] for k, v in data["envs"].items()} == {
        "handeye/miniwob-click-button-v0": 3,
        "handeye/miniwob-click-link-v0": 3,
    }
