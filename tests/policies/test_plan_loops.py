"""Loop detection of the plan policy: the same click on an unchanged screen is not taken again
and again (a loop guard over its clicks, a pager whose turn did nothing), on frames built in
the test and on a real page in Chromium."""

from __future__ import annotations

import numpy as np

from contracts.actions import Click, Scroll, Wait
from perception.instructions.plan import Step, Target
from perception.screen.parser import ScreenParse, UIElement
from policies.house.web.pager import next_page_step
from policies.house.web.plan_state import MAX_REPEATS, LoopGuard, StepState
from policies.house.web.view import View
from tests.rendered_pages import render_with_boxes


def test_the_same_click_on_the_same_pixels_is_a_loop_after_a_few_tries():
    frame = np.full((40, 40, 3), 255, np.uint8)
    guard = LoopGuard()
    assert not any(guard.repeats(Click(5, 5), frame) for _ in range(MAX_REPEATS))
    assert not guard.repeats(Wait(0.3), frame)  # a wait between does not break the run
    assert guard.repeats(Click(5, 5), frame)
    guard = LoopGuard()
    moved = frame.copy()
    moved[0, 0] = 0
    for i in range(4):  # the screen changed each time: a retry, not a loop
        assert not guard.repeats(Click(5, 5), frame if i % 2 else moved)
    guard = LoopGuard()
    for _ in range(4):  # another action between two clicks starts the count again
        assert not guard.repeats(Click(5, 5), frame)
        assert not guard.repeats(Scroll(0, 2, 5, 5), frame)


LOOP_PAGE = """<!doctype html><html><body style="margin: 0; font: 16px sans-serif">
<div style="padding: 40px">
<label><input id="box" type="checkbox" {checked}> Keep me signed in</label>
<p id="status" style="margin: 500px 0 0 900px">Saved {saved} items</p></div></body></html>"""


def test_the_loop_guard_sees_a_toggled_box_and_a_far_status_line_on_a_real_page(browser_pool):
    def shot(checked: str = "", saved: int = 3) -> tuple[np.ndarray, list[float]]:
        html = LOOP_PAGE.format(checked=checked, saved=saved)
        image, boxes = render_with_boxes(browser_pool, html, ("box",))
        return image, boxes["box"]

    plain, (x0, y0, x1, y1) = shot()
    click = Click(round((x0 + x1) / 2), round((y0 + y1) / 2))
    again, _ = shot()
    guard = LoopGuard()
    assert not any(guard.repeats(click, f) for f in (plain, again)[:MAX_REPEATS])
    assert guard.repeats(click, plain)  # the same pixels: a loop
    for other in (shot("checked")[0], shot(saved=4)[0]):  # at the click, or 700 px away
        guard = LoopGuard()
        for i in range(4):  # the screen changed each time: a retry, not a loop
            assert not guard.repeats(click, plain if i % 2 else other)


def test_a_pager_whose_turn_left_the_frame_unchanged_is_not_clicked_again():
    frame = np.full((210, 160, 3), 255, np.uint8)
    parse = ScreenParse(
        (
            UIElement(1, (4, 60, 150, 74), "text", "Results", True, 0.9),
            UIElement(2, (4, 180, 40, 194), "link", "Next", True, 0.9),
        ),
        160,
        210,
    )
    view = View("find Zed", frame, parse)
    state = StepState(Step("click", Target(text="Zed")))
    assert next_page_step(view, state, {}) is not None
    assert next_page_step(view, state, {}) is None  # the same pixels after the turn
    other = StepState(Step("click", Target(text="Zed")))
    assert next_page_step(view, other, {}) is not None
    turned = View("find Zed", np.full((210, 160, 3), 250, np.uint8), parse)
    assert next_page_step(turned, other, {}) is not None  # the page did turn: go on


PAGE = """<!doctype html><html><body style="margin: 0; font: 18px sans-serif">
<div style="padding: 20px"><p>Ada Lovelace</p><p>Grace Hopper</p>
<p style="margin-top: 120px"><a href="#" onclick="return false">Next</a></p></div></body></html>"""


def test_a_pager_that_does_not_turn_is_clicked_once_not_until_the_steps_run_out(
    plan_policy, tmp_path
):
    from tests.policies.house_episodes import run_on_page

    actions, _ = run_on_page(plan_policy, tmp_path / "dead.html", PAGE, "click Zorro", 14)
    turns = [a for a in actions if isinstance(a, Click)]
    assert len(turns) == 1, actions  # before: once a frame, up to 8 pages
    assert plan_policy.finished, actions
