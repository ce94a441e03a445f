"""Prompt templates: shipped per family as versioned files, rendered with history in model units."""

from __future__ import annotations

import pytest

from contracts.errors import SetupError
from perception.grounding.resize import CoordinateFrame
from perception.vlm.families import FAMILIES
from perception.vlm.prompt_templates import TASKS, history_in_model_units, load_prompt


@pytest.mark.parametrize("family", sorted({f.prompts for f in FAMILIES.values()}))
@pytest.mark.parametrize("task", TASKS)
def test_every_family_renders_every_task(family, task):
    template = load_prompt(family, task)
    system, user = template.render("Click on the OK button", ["click(3, 4)"], 1288, 728)
    assert template.version >= 1 and template.task == task
    assert "Click on the OK button" in system + user
    assert "$" not in system + user  # every placeholder was filled


def test_next_action_prompts_show_the_history_and_say_none_when_empty():
    template = load_prompt("qwen2_5_vl", "next_action")
    _, user = template.render("do it", ["click(10, 20)", 'type("hi")'], 100, 100)
    assert "1. click(10, 20)" in user and '2. type("hi")' in user
    _, empty = template.render("do it", [], 100, 100)
    assert "none" in empty


def test_pixel_prompts_state_the_model_image_size():
    system, _ = load_prompt("qwen2_5_vl", "next_action").render("x", [], 1288, 728)
    assert "1288x728" in system


def test_a_pinned_version_loads_that_file_and_a_missing_one_fails_clearly():
    assert load_prompt("uitars", "point_v1").name == "uitars/point_v1"
    with pytest.raises(SetupError, match="no prompt template"):
        load_prompt("uitars", "point_v99")
    with pytest.raises(SetupError, match="unknown prompt"):
        load_prompt("generic", "summarize")


def test_a_family_without_a_task_uses_the_generic_template():
    assert load_prompt("uitars", "robot_point").family == "generic"


def test_history_is_rewritten_in_model_units_and_notes_pass_through():
    frame = CoordinateFrame("norm1000", (200, 100), (200, 100))
    out = history_in_model_units(["click(100, 50)", "note: rejected", 'type("a")'], frame)
    assert out == ["click(502, 505)", "note: rejected", 'type("a")']
    pixels = CoordinateFrame("pixels", (168, 224), (160, 210))
    assert history_in_model_units(["drag(0, 0, 80, 105)"], pixels) == ["drag(0, 0, 84, 112)"]


def test_robot_prompts_ask_for_the_object_and_where_it_goes():
    for family in ("generic", "qwen2_5_vl", "qwen3_vl"):
        t = load_prompt(family, "robot_point")
        assert t.version >= 2 and '"label": "object"' in t.user and '"label": "target"' in t.user
