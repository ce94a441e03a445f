"""A click target named in another letter case than the page shows is still found; the case
only decides between two elements that read the same words."""

from __future__ import annotations

import pytest

from contracts.actions import Click
from tests.policies.house_episodes import run_on_page

PAGE = """<!doctype html><html><body style="margin: 0; font: 16px sans-serif">
<div style="height: 50px; background: #ff0">{task}</div>
<div style="padding: 20px">{buttons}</div></body></html>"""


def _page(task: str, labels: list[str]) -> str:
    buttons = "".join(
        f'<button style="margin: 12px; font-size: 16px" '
        f'onclick="document.title=&quot;{label}&quot;; this.style.background=&quot;#08f&quot;">'
        f"{label}</button>"
        for label in labels
    )
    return PAGE.format(task=task, buttons=buttons)


@pytest.mark.parametrize(
    ("task", "labels", "want"),
    [
        ('Click on the "okay" button.', ["Cancel", "Okay", "Next"], "Okay"),
        ("Press OKAY.", ["Cancel", "Okay", "Next"], "Okay"),
        ('Click on the "yes" button.', ["Yes", "yes", "no"], "yes"),
    ],
)
def test_a_button_named_in_another_case_is_clicked_and_case_breaks_ties(
    plan_policy, tmp_path, task, labels, want
):
    actions, info = run_on_page(plan_policy, tmp_path / "case.html", _page(task, labels), task)
    clicks = [a for a in actions if isinstance(a, Click)]
    assert len(clicks) == 1 and info["title"] == want, actions  # the page shows the click: once
