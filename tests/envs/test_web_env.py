"""The any-URL web env on real Chromium against a real loopback HTTP server."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from contracts.actions import Click, Key, Type
from contracts.errors import ActionError, EnvError
from envs.web import WEB_ENV_ID, register_web_envs
from envs.web.address_bar import AddressBar, normalise_url
from tests.form_site import (
    AWAY_LINK,
    NEW_TAB_LINK,
    PASSWORD_FIELD,
    SUBMIT_BUTTON,
    USER_FIELD,
    serve_form_site,
)

register_web_envs()
VIEWPORT = (640, 400)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_form_site(tmp_path_factory.mktemp("site")) as base:
        yield base


@pytest.fixture
def web(browser_pool, site):
    env = gym.make(WEB_ENV_ID, url=site, viewport=VIEWPORT)
    yield env
    env.close()


def _value(env, selector: str) -> str:
    """What a field holds (read from the page: tests may look behind the pixels)."""
    return env.unwrapped._handle.page.input_value(selector)


def test_observation_is_the_viewport_and_the_instruction_given_at_reset(web, site):
    obs, info = web.reset(options={"instruction": "sign in as alice"})
    assert obs["screen"].shape == (400, 640, 3) and obs["screen"].dtype == np.uint8
    assert obs["screen"].std() > 5
    assert obs["instruction"] == "sign in as alice"
    assert info["url"] == site and info["title"] == "Sign in" and info["focus"] is None


def test_scale_renders_more_pixels_and_maps_clicks_back(browser_pool, site):
    env = gym.make(WEB_ENV_ID, url=site, viewport=VIEWPORT, scale=1.5)
    try:
        obs, _ = env.reset()
        assert obs["screen"].shape == (600, 960, 3)
        x, y = (round(v * 1.5) for v in USER_FIELD)
        info = env.step(Click(x, y))[-1]
        assert info["focus"]["name"] == "user"
    finally:
        env.close()


def test_clicking_and_typing_fill_the_form_and_focus_is_reported(web):
    web.reset()
    info = web.step(Click(*USER_FIELD))[-1]
    assert info["focus"] == {
        "tag": "input",
        "type": "text",
        "name": "user",
        "form": True,
        "editable": False,
        "action": info["url"].rsplit("/", 1)[0] + "/welcome.html",  # where the form posts
    }
    web.step(Type("alice"))
    info = web.step(Click(*PASSWORD_FIELD))[-1]
    assert info["focus"]["type"] == "password"
    web.step(Type("hunter2"))
    assert (_value(web, "#user"), _value(web, "#password")) == ("alice", "hunter2")


def test_enter_submits_the_form_and_waits_for_the_next_page(web, site):
    web.reset()
    web.step(Click(*USER_FIELD))
    web.step(Type("alice"))
    obs, reward, terminated, truncated, info = web.step(Key("Enter"))
    assert info["url"].startswith(f"{site}welcome.html?user=alice")
    assert info["title"] == "Welcome alice"
    assert (reward, terminated, truncated) == (0.0, False, False)


def test_describe_point_tells_a_submit_button_from_a_link(web):
    web.reset()
    button = web.unwrapped.describe_point(*SUBMIT_BUTTON)
    assert button["submit"] and button["tag"] == "button" and button["text"] == "Sign in"
    link = web.unwrapped.describe_point(*AWAY_LINK)
    assert link["href"] == "http://example.invalid/" and not link["submit"]
    field = web.unwrapped.describe_point(*PASSWORD_FIELD)
    assert field["type"] == "password" and field["form"]


def test_address_bar_keys_navigate_and_alt_left_goes_back(web, site):
    web.reset()
    info = web.step(Key("ctrl+l"))[-1]
    assert info["focus"]["tag"] == "addressbar" and info["address"] == site
    host = site.removeprefix("http://").rstrip("/")
    web.step(Type(f"{host}/welcome.html?user=bar"))
    info = web.step(Key("Enter"))[-1]
    assert info["title"] == "Welcome bar" and info["address"] is None
    info = web.step(Key("alt+Left"))[-1]
    assert info["url"] == site


def test_a_link_opening_a_new_tab_becomes_the_page(web):
    web.reset()
    obs, _, _, _, info = web.step(Click(*NEW_TAB_LINK))
    assert info["title"] == "Welcome tab"
    assert web.unwrapped._handle.page.url == info["url"]


def test_bad_actions_are_reported_in_info_not_raised(web):
    obs, _ = web.reset()
    for action, says in [
        ("click(9999, 5)", "outside the 640x400"),
        ("fly()", "unknown action kind"),
        ("pick(3, 4)", "not a UI action"),
        ('key("NoSuchKey")', "refused by the browser"),
    ]:
        obs2, reward, terminated, truncated, info = web.step(action)
        assert says in info["error"], action
        assert (reward, terminated, truncated) == (0.0, False, False)


def test_an_unreachable_url_is_an_error_in_info(browser_pool):
    env = gym.make(WEB_ENV_ID, url="http://127.0.0.1:9/", viewport=VIEWPORT)
    try:
        obs, info = env.reset()
        assert "could not load http://127.0.0.1:9/" in info.get("error", ""), info
        assert obs["screen"].shape == (400, 640, 3)
    finally:
        env.close()


def test_a_detached_capture_session_is_reattached_not_raised(web):
    """Chromium swaps renderers (error pages, cross-site loads) and the CDP session detaches."""
    obs, _ = web.reset()
    web.unwrapped._handle.cdp.detach()
    obs2, _, _, truncated, info = web.step("wait()")
    assert not truncated and "error" not in info, info
    assert np.array_equal(obs2["screen"], obs["screen"])


def test_reset_can_keep_the_page_or_open_another(web, site):
    web.reset()
    web.step(Click(*USER_FIELD))
    web.step(Type("kept"))
    obs, info = web.reset(options={"keep_page": True, "instruction": "next"})
    assert _value(web, "#user") == "kept" and obs["instruction"] == "next"
    _, info = web.reset(options={"url": f"{site}welcome.html?user=x"})
    assert info["title"] == "Welcome x"
    _, info = web.reset()
    assert info["url"] == site and _value(web, "#user") == ""


def test_done_ends_the_episode_with_its_answer(web):
    web.reset()
    _, reward, terminated, truncated, info = web.step('done("42")')
    assert terminated and not truncated and reward == 0.0 and info["answer"] == "42"


def test_crashed_browser_is_reported_and_the_next_reset_recovers(web, browser_pool):
    web.reset()
    browser_pool.kill_browser_for_test()
    _, reward, terminated, truncated, info = web.step(Click(*USER_FIELD))
    assert truncated and not terminated and "browser failed" in info["error"]
    obs, info = web.reset()
    assert info["title"] == "Sign in" and obs["screen"].std() > 5
    assert web.step(Click(*USER_FIELD))[-1]["focus"]["name"] == "user"


def test_bad_settings_give_clear_errors(browser_pool):
    with pytest.raises(EnvError, match="viewport"):
        gym.make(WEB_ENV_ID, viewport=(10, 10))
    with pytest.raises(EnvError, match="scale"):
        gym.make(WEB_ENV_ID, scale=9)


def test_check_env_passes(browser_pool, site):
    from gymnasium.utils.env_checker import check_env

    env = gym.make(WEB_ENV_ID, url=site, viewport=VIEWPORT)
    try:
        check_env(env.unwrapped, skip_render_check=False)
    finally:
        env.close()


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("127.0.0.1:8000/a", "http://127.0.0.1:8000/a"),
        ("localhost", "http://localhost"),
        ("example.com", "http://example.com"),
        ("https://x.org/p?q=1", "https://x.org/p?q=1"),
        ("about:blank", "about:blank"),
    ],
)
def test_address_bar_text_becomes_a_url(text, url):
    assert normalise_url(text) == url


def test_address_bar_refuses_a_search_and_edits_like_a_browser():
    with pytest.raises(ActionError, match="not a URL"):
        normalise_url("cheap flights")
    bar = AddressBar()
    assert not bar.key("Enter").handled  # the page has the focus
    bar.focus("http://old.example/")
    assert bar.type("new.example").handled and bar.text == "new.example"  # selection replaced
    bar.key("BackSpace")
    assert bar.text == "new.exampl"
    assert bar.key("Enter").navigate == "http://new.exampl"
    assert not bar.active


def test_dialogs_are_reported_and_window_open_stays_in_the_tab(web, site):
    html = (
        "<body style='margin:0'>"
        "<button style='position:absolute;left:0;top:0;width:100px;height:40px' "
        "onclick=\"alert('saved')\">alert</button>"
        "<button style='position:absolute;left:0;top:50px;width:100px;height:40px' "
        f"onclick=\"window.open('{site}welcome.html?user=popup')\">open</button></body>"
    )
    web.reset(options={"url": f"data:text/html,{html}"})
    info = web.step(Click(50, 20))[-1]
    assert info["dialog"] == "alert: saved"
    info = web.step(Click(50, 70))[-1]
    assert info["title"] == "Welcome popup" and "dialog" not in info
