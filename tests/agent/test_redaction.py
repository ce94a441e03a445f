"""Recorded screens: password fields, fields that got a secret, selected elements and regions are
flat in every stored frame (checked on pixels); retention deletes old episodes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from agent.chat_envs import EnvChoice
from agent.chat_session import ChatSession, SessionConfig
from agent.cli import main
from agent.safety_redaction import RedactionConfig, parse_region
from agent.safety_secrets import Secret, Secrets
from agent.trace_format import REDACT_FILL, StepRecord
from agent.traces import TraceReader, TraceWriter, parse_age, prune
from contracts.errors import ConfigError, TraceError
from tests.agent.loopback import serve_pages

_FIELD = "position:absolute;left:20px;width:200px;height:30px;font-size:18px"
PAGE = f"""<!doctype html><html><body style="margin:0;font:20px sans-serif">
<input id="pw" type="password" style="{_FIELD};top:70px">
<input id="key" style="{_FIELD};top:120px">
<div id="card" style="position:absolute;left:300px;top:20px">4111 1111 1111 1111</div>
<div style="position:absolute;left:300px;top:300px">REGION TEXT</div>
</body></html>"""
PW_BOX, KEY_BOX, REGION = (20, 70, 220, 100), (20, 120, 220, 150), (290, 290, 460, 340)
SCRIPT = ["click(120, 85)", 'type("<secret:pw>")', "click(120, 135)", 'type("<secret:key>")']


def _flat(frame: np.ndarray, box) -> bool:
    x0, y0, x1, y1 = (int(v) for v in box[:4])
    return bool((frame[y0:y1, x0:x1] == REDACT_FILL).all())


@pytest.mark.slow
def test_stored_frames_hide_passwords_secret_fields_selectors_and_regions(browser_pool, tmp_path):
    secrets = Secrets([Secret("pw", "hunter2hunter2"), Secret("key", "sk-live-7777777777")])
    with serve_pages({"/": PAGE}) as site:
        config = SessionConfig(
            env=EnvChoice(url=site.url + "/", viewport=(640, 400)),
            policy="scripted",
            policy_kwargs={"actions": SCRIPT},
            trace_dir=tmp_path / "trace",
            secrets=secrets,
            redaction=RedactionConfig(selectors=("#card",), regions=(REGION,)),
            retain_episodes=1,
        )
        with ChatSession(config) as session:
            first = session.run_task("fill in the password and the key", on_step=lambda view: None)
            live = session.gate.last_obs["screen"]  # what the policy saw: not redacted
            # Before the close prunes it, read the first episode back.
            reader = TraceReader(config.trace_dir)
            episode = reader.episode(first.episode_id)
            pngs = sorted((config.trace_dir / "frames" / first.episode_id).glob("*.png"))
            saved = [np.asarray(Image.open(p).convert("RGB")) for p in pngs]
            session.run_task("once more")
    assert first.finished and session.gate is None
    assert not _flat(live, PW_BOX) and not _flat(live, KEY_BOX)  # the glyphs are there live
    final = episode.steps[-1].final_frame
    stored = [s.frame for s in episode.steps] + [final] + saved
    assert len(episode.steps) == len(saved) == 5
    for frame in stored:
        assert _flat(frame, PW_BOX) and _flat(frame, REGION)
    for frame in (episode.steps[4].frame, final, *saved[3:]):  # after the key was typed
        assert _flat(frame, KEY_BOX)
    boxes = episode.steps[0].extra["redacted"]
    card_box = next(b for b in boxes if b[4] == "selector #card")
    assert all(_flat(frame, card_box) for frame in stored)
    meta = episode.meta
    assert meta.redaction == [
        "password fields",
        "secret fields",
        "selector #card",
        "region 290,290,460,340",
    ]
    assert meta.redacted["frames"] == len(episode.steps) + 1
    assert set(meta.redacted["why"]) == {"password", "secret", "selector #card", "region"}
    # Retention at the session's end kept only the newest episode, and its frames.
    left = TraceReader(config.trace_dir).episodes()
    assert len(left) == 1 and session.pruned == [first.episode_id]
    assert not (config.trace_dir / "frames" / first.episode_id).exists()


@pytest.mark.slow
def test_a_selector_the_page_cannot_parse_is_a_config_error(browser_pool, tmp_path):
    with serve_pages({"/": PAGE}) as site:
        config = SessionConfig(
            env=EnvChoice(url=site.url + "/", viewport=(640, 400)),
            policy="scripted",
            policy_kwargs={"actions": []},
            trace_dir=tmp_path,
            redaction=RedactionConfig(selectors=("div[[",)),
        )
        with ChatSession(config) as session, pytest.raises(ConfigError, match="div\\[\\["):
            session.open()


def _record(root, n: int) -> list[str]:
    ids = []
    with TraceWriter(root) as writer:
        for i in range(n):
            ids.append(writer.start_episode("env", "p", i))
            writer.add_step(StepRecord(0, np.zeros((4, 4, 3), np.uint8)))
            writer.end_episode(True)
            (root / "frames" / ids[-1]).mkdir(parents=True)
    return ids


def test_prune_keeps_the_newest_and_deletes_by_age_with_frames_and_counts(tmp_path, capsys):
    _record(tmp_path, 4)
    ids = [m.episode_id for m in TraceReader(tmp_path).episodes()]  # oldest first
    assert prune(tmp_path, older_than_s=3600) == []
    assert main(["traces", "prune", str(tmp_path), "--keep", "2"]) == 0
    assert "deleted 2 episodes" in capsys.readouterr().out
    left = [m.episode_id for m in TraceReader(tmp_path).episodes()]
    assert left == ids[2:] and not (tmp_path / "frames" / ids[0]).exists()
    info = json.loads((tmp_path / "meta" / "info.json").read_text())
    assert info["total_episodes"] == 2
    assert prune(tmp_path, older_than_s=0) == sorted(ids[2:])
    assert TraceReader(tmp_path).episodes() == []
    assert parse_age("7d") == 7 * 86400 and parse_age("90s") == 90
    for bad in ("7", "d", "-1d", "7y"):
        with pytest.raises(TraceError, match="unit"):
            parse_age(bad)
    with pytest.raises(ConfigError, match="x0,y0,x1,y1"):
        parse_region("1,2,3")
