"""A dialog that pops up over a form: the dismissing button is found and pressed, never one the
plan names, and a field whose focus opened the dialog is typed into again (real Chromium)."""

from __future__ import annotations

import numpy as np
import pytest

import envs  # noqa: F401 - registers the ids
from contracts.actions import Type
from perception.screen.parser import ScreenParse, UIElement
from policies.house.web.popups import dismiss_button
from policies.house.web.view import View
from tests.policies.house_episodes import run_on_page


def _view(*texts: str) -> View:
    els = tuple(
        UIElement(i + 1, (10, 100 + 30 * i, 80, 120 + 30 * i), "button", t, True, 0.9)
        for i, t in enumerate(texts)
    )
    frame = np.full((240, 160, 3), 255, np.uint8)
    return View("Log in", frame, ScreenParse(els, 160, 240))


def test_a_dismissing_button_is_found_but_not_one_the_plan_names_nor_a_plain_no():
    assert dismiss_button(_view("OK", "Cancel"), set()).text == "Cancel"
    assert dismiss_button(_view("OK", "Cancel"), {"cancel"}) is None
    assert dismiss_button(_view("Yes", "No", "Maybe"), set()) is None
    assert dismiss_button(_view("Not now"), set()).text == "Not now"


POPUP = """<!doctype html><html><body style="font: 16px sans-serif; margin: 20px">
<form onsubmit="document.title = user.value; return false">
<label>Username <input id="user"></label><br><br><button>Log in</button></form>
<script>
let shown = false;
user.addEventListener('focus', () => {
  if (shown) return;
  shown = true; user.disabled = true;
  const d = document.createElement('div');
  d.style = 'position:absolute; top:30px; left:20px; padding:20px; border:2px solid #888;' +
            'background:#eee';
  d.innerHTML = '<p>Your session is about to expire.</p><button id="x">OK</button> ' +
                '<button id="c">Cancel</button>';
  document.body.appendChild(d);
  c.onclick = () => { d.remove(); user.disabled = false; };
  x.onclick = () => { document.title = 'left'; };
});
</script></body></html>"""


@pytest.mark.slow
def test_a_dialog_opened_by_focusing_a_field_is_cancelled_and_the_field_typed_again(
    plan_policy, tmp_path, browser_pool
):
    task = 'Type "ada" as the username, then submit.'
    actions, info = run_on_page(plan_policy, tmp_path / "popup.html", POPUP, task)
    assert Type("ada") in actions
    assert info["title"] == "ada", actions
