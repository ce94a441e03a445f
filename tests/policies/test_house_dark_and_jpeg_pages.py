"""The house policy on real dark-theme and JPEG-30 MiniWoB frames: one action each, as on plain."""

from __future__ import annotations

import gymnasium as gym

import envs  # noqa: F401 - registers the MiniWoB envs
from contracts.actions import Click, Hover
from envs.wrappers.frame_transforms import JpegFrames


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


def test_a_tab_whose_words_jpeg_blurred_past_reading_still_counts_in_the_strip(plan_policy):
    """At JPEG quality 30 OCR reads nothing in the active tab (light words on a coloured
    fill): "Tab #2" is still the second box of the strip, not the second box read."""
    env = JpegFrames(gym.make("handeye/miniwob-click-tab-v0", dom_in_info=False), 30)
    try:
        obs, info = env.reset(seed=41001)
        assert obs["instruction"] == "Click on Tab #2."
        plan_policy.reset(obs["instruction"])
        action = plan_policy.act(obs, {"error": info.get("error")})
    finally:
        env.close()
    assert isinstance(action, Click)
    # the strip's boxes: the first ends at x 52, the second spans 48-96, the third 94-140
    assert 52 < action.x < 94, (action, plan_policy.last_extra.get("target"))


def test_a_one_letter_target_is_not_a_two_letter_button_read_again(plan_policy) -> None:
    """At JPEG quality 30 the "OK" button read again on its own box gave "x": a one-letter
    target ("the button labeled x") is no word read one letter off, so the cross is clicked."""
    env = JpegFrames(gym.make("handeye/miniwob-click-dialog-2-v0", dom_in_info=False), 30)
    try:
        obs, info = env.reset(seed=41101)
        assert obs["instruction"] == 'Click the button in the dialog box labeled "x".'
        plan_policy.reset(obs["instruction"])
        for _ in range(3):  # a wait or two while a low-scored match may still settle
            action = plan_policy.act(obs, {"error": info.get("error")})
            if isinstance(action, Click):
                break
            obs, _, _, _, info = env.step(action)
    finally:
        env.close()
    assert isinstance(action, Click)
    assert 106 <= action.x <= 134 and 66 <= action.y <= 86, plan_policy.last_extra.get("target")
