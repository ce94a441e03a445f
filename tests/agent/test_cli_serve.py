"""`handeye serve` as a user runs it: a loopback process a grounder talks to, then Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from perception.vlm.http_backend import HTTPGrounder
from tests.vlm_checkpoints import checkpoint


@pytest.mark.slow
def test_serve_answers_a_grounder_and_stops_on_ctrl_c(tmp_path_factory):
    model = str(checkpoint(tmp_path_factory, "click"))
    cmd = [sys.executable, "-m", "agent.cli", "serve", "--model", model, "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--device", "cpu", "--name", "tiny"], stdout=subprocess.PIPE, text=True
    )
    try:
        started = json.loads(proc.stdout.readline())
        assert started["url"].startswith("http://127.0.0.1:") and started["model"] == "tiny"
        grounder = HTTPGrounder(base_url=started["url"], model="tiny", family="qwen2_5_vl")
        g = grounder.ground(np.zeros((210, 160, 3), np.uint8), "click OK")
        assert g.raw_text == "click(84, 63)"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and json.loads(out)["batch_sizes"] == {"1": 1}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
