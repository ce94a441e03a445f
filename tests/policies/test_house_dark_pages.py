"""The house policy on real dark-theme MiniWoB frames: what it reads the same as on light ones."""

from __future__ import annotations

import gymnasium as gym

import envs  # noqa: F401 - registers the MiniWoB envs
from contracts.actions import Hover


def test_a_menu_read_as_lines_is_pointed_at_not_clicked(plan_policy) -> None:
    """On the dark theme a menu's items share the page's fill, so the parse reads them as
    lines of text, not items: the first item of a path still opens its submenu by hovering
    (a click on it ends the episode)."""
    env = gym.make("handeye/miniwob-click-menu-v0", dom_in_info=False, dark_theme=True)
    try:
        obs, info = env.reset(seed=41000)
        assert obs["instruction"] == "Select Jonie>Corette"
        plan_policy.reset(obs["instruction"])
        action = plan_policy.act(obs, {"error": info.get("error")})
    finally:
        env.close()
    assert isinstance(action, Hover), (action, plan_policy.last_extra.get("target"))
