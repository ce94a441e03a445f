"""The row of a results list that meets a superlative: quantities read from text, the list's
repeated actions, and an episode on a real Chromium page."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Click
from perception.instructions.plan import Step, Target
from perception.screen.parser import UIElement
from policies.house.web.result_rows import quantity, row_actions, rows, superlative


def test_prices_durations_and_times_of_day_read_as_numbers():
    assert quantity("Book for $1,575", "price") == 1575
    assert quantity("11h 10m", "duration") == 670
    assert quantity("45 mins", "duration") == 45
    assert quantity("Departs 2:05 PM", "time") == 14 * 60 + 5
    assert quantity("12:30 am", "time") == 30
    assert quantity("Duration:", "duration") is None


def test_a_superlative_in_the_target_or_its_anchor_names_the_quantity_and_its_end():
    def click(text: str, anchor: str = "") -> Step:
        near = Target(anchor) if anchor else None
        return Step("click", Target(text, relation="near" if near else None, anchor=near))

    assert superlative(click("buy", "ticket with the cheapest cost")) == ("price", "min")
    assert superlative(click("the most expensive flight")) == ("price", "max")
    assert superlative(click("the longest trip")) == ("duration", "max")
    assert superlative(click("Submit")) is None


def _el(i: int, y: int, text: str, x: int = 10, kind: str = "text") -> UIElement:
    return UIElement(i, (x, y, x + 90, y + 12), kind, text, True, 0.9)


def test_each_action_takes_the_quantity_of_its_own_block_not_a_repeated_key():
    page = [
        _el(1, 10, "Duration:"),
        _el(2, 24, "2h 5m"),
        _el(3, 38, "Book for $300", kind="button"),
        _el(4, 60, "Duration"),
        _el(5, 74, "0h 50m"),
        _el(6, 88, "Book for $900", x=14, kind="link"),
    ]
    assert [e.id for e in row_actions(page)] == [3, 6]  # "Duration:" reads the same each time
    assert [(r.action.id, r.value) for r in rows(page, "duration")] == [(3, 125), (6, 50)]
    assert [(r.action.id, r.value) for r in rows(page, "price")] == [(3, 300), (6, 900)]


LIST = """<!doctype html><html><body style="font: 15px sans-serif; margin: 16px">
<p>Hotels near the station</p>
<div>Garden Inn, 12 min walk</div><button onclick="document.title='garden'">Reserve $120</button>
<div>Grand Hotel, 3 min walk</div><button onclick="document.title='grand'">Reserve $340</button>
<div>City Rooms, 25 min walk</div><button onclick="document.title='city'">Reserve $95</button>
</body></html>"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "title"),
    [("Reserve the cheapest room.", "city"), ("Reserve the most expensive room.", "grand")],
)
def test_the_row_with_the_least_or_most_is_clicked(
    plan_policy, tmp_path, browser_pool, task, title
):
    page = tmp_path / "hotels.html"
    page.write_text(LIST)
    env = gym.make("handeye/web-v0", url=page.as_uri(), viewport=(480, 320))
    try:
        obs, info = env.reset(seed=0, options={"instruction": task})
        plan_policy.reset(task)
        action = plan_policy.act(obs, {"error": info.get("error")})
        obs, _, _, _, info = env.step(action)
    finally:
        env.close()
    assert isinstance(action, Click), plan_policy.last_extra
    assert info["title"] == title, plan_policy.last_extra
