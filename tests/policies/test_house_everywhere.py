"""The house policy beyond MiniWoB: a desktop app on Xvfb and any web page, pixels only."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the ids
from agent.session import run_episode
from perception.instructions.clauses import split_done

PAGE = """<!doctype html><html><head><title>start</title></head>
<body style="font: 16px sans-serif; margin: 40px">
<h2>Newsletter</h2>
<p>Your name</p><input id="name" style="width: 220px; padding: 4px">
<p><button onclick="document.title = 'hello ' + document.getElementById('name').value"
 style="padding: 6px 16px">Sign up</button>
<button onclick="document.title = 'no'">Cancel</button></p>
</body></html>"""


def test_then_call_done_is_split_off_the_task():
    assert split_done("Click the OK button, then call done().") == ("Click the OK button.", True)
    assert split_done('Enter "x" and press OK, then done') == ('Enter "x" and press OK.', True)
    assert split_done('Click on the "submit" button.') == ('Click on the "submit" button.', False)


@pytest.mark.slow
@pytest.mark.parametrize("task", ["click-ok", "type-text", "submit-form"])
def test_house_solves_the_desktop_tasks(plan_policy, task):
    env = gym.make(f"handeye/desktop-{task}-v0")
    try:
        result = run_episode(env, plan_policy, seed=3, max_steps=8)
    finally:
        env.close()
    assert result.success, result


@pytest.mark.slow
def test_house_fills_and_submits_a_form_on_any_web_page(plan_policy, tmp_path, browser_pool):
    page = tmp_path / "form.html"
    page.write_text(PAGE)
    env = gym.make("handeye/web-v0", url=page.as_uri(), viewport=(640, 400))
    task = 'Enter "Ada" into the text field and press Sign up, then call done().'
    try:
        obs, info = env.reset(seed=0, options={"instruction": task})
        plan_policy.reset(obs["instruction"])
        actions = []
        for _ in range(6):
            action = plan_policy.act(obs)
            actions.append(action.name)
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
    finally:
        env.close()
    assert actions == ["click", "type", "click", "done"]
    assert info["title"] == "hello Ada"  # the page's own reaction to the Sign up click
