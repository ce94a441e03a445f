"""`handeye ground` and `handeye eval --policy vlm` at tiny scale, run in-process."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from agent.cli import main
from tests.vlm_checkpoints import checkpoint


@pytest.fixture(scope="module")
def click_model(tmp_path_factory) -> str:
    return str(checkpoint(tmp_path_factory, "click"))


def test_ground_prints_image_pixels_and_draws_them(click_model, tmp_path, capsys):
    shot = tmp_path / "shot.png"
    Image.fromarray(np.full((210, 160, 3), 255, np.uint8)).save(shot)
    code = main(
        [
            "ground",
            str(shot),
            "the OK button",
            "--model",
            click_model,
            "--options",
            '{"device": "cpu"}',
            "--max-new-tokens",
            "12",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["point"] == [80.0, 59.1] and result["size"] == [160, 210]
    assert result["reply"] == "click(84, 63)" and result["action"] == "click(80, 59)"
    drawn = np.asarray(Image.open(result["drawn"]))
    assert result["drawn"] == str(tmp_path / "shot.ground.png")
    assert drawn.shape == (210, 160, 3) and (drawn[59, 80] != 255).any()  # the mark is there


def test_ground_reports_a_missing_image_or_server_as_an_error(tmp_path, capsys):
    assert main(["ground", str(tmp_path / "none.png"), "x", "--model", "m"]) == 2
    shot = tmp_path / "shot.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(shot)
    code = main(
        [
            "ground",
            str(shot),
            "x",
            "--endpoint",
            "http://127.0.0.1:9",
            "--model",
            "m",
            "--options",
            '{"retries": 0}',
        ]
    )
    assert code == 2 and "no answer from http://127.0.0.1:9" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_runs_the_vlm_policy_from_a_model_folder(click_model, browser_pool, tmp_path):
    out = tmp_path / "eval.json"
    code = main(
        [
            "eval",
            "--env",
            "miniwob-click-button",
            "--policy",
            "vlm",
            "--model",
            click_model,
            "--episodes",
            "1",
            "--max-steps",
            "2",
            "--json",
            str(out),
            "--policy-kwargs",
            '{"max_new_tokens": 12}',
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert report["policy"] == "vlm"
    assert report["envs"]["handeye/miniwob-click-button-v0"]["episodes"] == 1
