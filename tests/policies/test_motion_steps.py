"""Steps that watch the page over time or draw by hand: repeat a sequence the page flashes,
act once a shown number meets a condition, drag a circle round a mark."""

from __future__ import annotations

import math

import numpy as np
import pytest

from contracts.actions import Click, Drag
from policies.house.web.curve_drags import circle_path
from policies.house.web.sequence_repeat import lit_region
from policies.house.web.value_watch import Comparison, comparison
from tests.policies.house_episodes import house_wins, run_on_page


def test_a_flash_is_the_region_that_differs_from_the_page_at_rest():
    rest = np.full((120, 100, 3), 255, np.uint8)
    rest[60:90, 10:40] = (66, 134, 244)
    lit = rest.copy()
    lit[60:90, 10:40] = (147, 222, 255)
    assert lit_region(rest, lit, top=20) == (10, 60, 40, 90)
    assert lit_region(rest, rest.copy(), top=20) is None
    lit[5:15, 5:15] = 0  # a change above the banner's bottom is not looked at
    assert lit_region(rest, rest.copy(), top=20) is None


@pytest.mark.parametrize(
    ("words", "want", "met", "unmet"),
    [
        ("when the price is less than $46.10", Comparison("price", "<", 46.1, "$"), 46.0, 46.1),
        ("once the counter reaches 20", Comparison("counter", "==", 20.0), 20.0, 19.0),
        ("until the temperature rises above 30", Comparison("temperature", ">", 30.0), 31, 30),
        ("when the total is at most 1,200", Comparison("total", "<=", 1200.0), 1200, 1201),
    ],
)
def test_a_waiting_condition_reads_as_a_comparison_on_a_number(words, want, met, unmet):
    got = comparison(words)
    assert got == want
    assert got.holds(met) and not got.holds(unmet)


@pytest.mark.parametrize("words", [None, "when done", "if the box is checked", "except 5"])
def test_a_condition_without_a_number_to_wait_for_is_none(words):
    assert comparison(words) is None


def test_a_circle_path_goes_once_round_at_one_radius():
    path = circle_path((50, 60), 15.0, count=24)
    assert path[0] == path[-1] == (65, 60)
    radii = [math.hypot(x - 50, y - 60) for x, y in path]
    assert max(radii) - min(radii) < 1.0


_FLASHING = """<!doctype html><html><body style="margin:0;font:16px sans-serif">
<div style="height:40px">Tiles</div>
<div id="tiles">%s</div>
<script>
const order = [2, 0, 2, 1];
order.forEach((k, i) => {
  const tile = document.getElementById('t' + k);
  setTimeout(() => { tile.style.background = '#ffe680'; }, 1500 + i * 1000);
  setTimeout(() => { tile.style.background = '#3060c0'; }, 2050 + i * 1000);
});
</script></body></html>"""
_TILE = (
    '<div id="t%d" style="position:absolute;left:%dpx;top:80px;width:70px;height:70px;'
    'background:#3060c0"></div>'
)


def test_the_plan_policy_watches_a_sequence_then_clicks_it_in_order(plan_policy, tmp_path):
    tiles = "".join(_TILE % (k, 40 + 110 * k) for k in range(3))
    actions, _ = run_on_page(
        plan_policy,
        tmp_path / "tiles.html",
        _FLASHING % tiles,
        "Click the tiles in the order they are shown.",
        max_steps=60,
    )
    clicks = [a for a in actions if isinstance(a, Click)]
    assert [(a.x - 40) // 110 for a in clicks] == [2, 0, 2, 1]
    assert all(80 <= a.y < 150 for a in clicks)


def test_the_plan_policy_draws_a_circle_round_the_dot(plan_policy, tmp_path):
    html = (
        '<!doctype html><html><body style="margin:0"><div style="height:40px">Draw</div>'
        '<svg width="480" height="260"><circle cx="200" cy="120" r="4" fill="green"/></svg>'
        "</body></html>"
    )
    actions, _ = run_on_page(
        plan_policy, tmp_path / "dot.html", html, "Draw a circle centered at the green dot."
    )
    drag = next(a for a in actions if isinstance(a, Drag))
    radii = [math.hypot(x - 200, y - 160) for x, y in drag.points()]
    assert len(radii) > 16 and min(radii) > 8 and max(radii) - min(radii) < 2.5


def test_the_plan_policy_waits_until_the_shown_price_meets_the_condition(plan_policy, tmp_path):
    html = """<!doctype html><html><body style="margin:0;font:18px sans-serif">
<div style="height:40px">Shop</div><p id="p">Price: $20.00</p>
<button style="font-size:18px" onclick="document.getElementById('p').textContent='Sold'">
Buy</button>
<script>
let price = 20;
const tick = setInterval(() => {
  price -= 1;
  document.getElementById('p').textContent = 'Price: $' + price.toFixed(2);
  if (price <= 0) clearInterval(tick);
}, 400);
</script></body></html>"""
    actions, _ = run_on_page(
        plan_policy,
        tmp_path / "shop.html",
        html,
        "Click Buy when the price is less than $14.50.",
        max_steps=80,
    )
    clicks = [k for k, a in enumerate(actions) if isinstance(a, Click)]
    assert clicks, actions
    waited = sum(a.seconds for a in actions[: clicks[0]] if hasattr(a, "seconds"))
    assert len(clicks) == 1 and clicks[0] >= 5 and waited > 0.2


@pytest.mark.slow
def test_the_plan_policy_wins_simon_says_and_draw_circle(plan_policy):
    assert house_wins(plan_policy, "simon-says", [14003]) == 1
    assert house_wins(plan_policy, "draw-circle", [14004]) == 1


_MOVING = """<!doctype html><html><body style="margin:0;font:16px sans-serif">
<div style="height:40px">Targets</div>
<svg id="s" width="480" height="240"><circle id="c" cx="40" cy="120" r="16" fill="black"/></svg>
<script>
const c = document.getElementById('c');
const t0 = performance.now();
let hit = false;
function move(now) {
  if (hit) return;
  c.setAttribute('cx', 40 + 0.08 * (now - t0));  // 80 px a second
  requestAnimationFrame(move);
}
requestAnimationFrame(move);
document.getElementById('s').addEventListener('click', (e) => {
  const x = +c.getAttribute('cx');
  if (Math.abs(e.offsetX - x) <= 16 && Math.abs(e.offsetY - 120) <= 16) {
    hit = true;
    c.setAttribute('fill', 'lime');
  }
});
</script></body></html>"""


def test_the_plan_policy_clicks_a_moving_circle_where_it_has_got_to(plan_policy, tmp_path):
    import gymnasium as gym

    import envs  # noqa: F401 - registers the web env

    page = tmp_path / "moving.html"
    page.write_text(_MOVING)
    env = gym.make("handeye/web-v0", url=page.as_uri(), viewport=(480, 320))
    task = "Click the moving circle."
    try:
        obs, info = env.reset(seed=0, options={"instruction": task})
        plan_policy.reset(task)
        for _ in range(8):
            action = plan_policy.act(obs, {"error": info.get("error")})
            obs, *_, info = env.step(action)
            if plan_policy.finished:
                break
    finally:
        env.close()
    lime = (obs["screen"][..., 1] > 200) & (obs["screen"][..., 0] < 100)
    assert lime.sum() > 200  # the circle turned lime: the click landed on it as it moved
