"""Chores on a sender's message, end to end on real pages from pixels: open the message,
press its control, fill the new view's field, send."""

from __future__ import annotations

import pytest

from contracts.actions import Click, Type
from tests.policies.house_episodes import house_wins, run_on_page


def test_a_frameless_field_right_of_its_label_is_typed_into_not_the_label(plan_policy, tmp_path):
    # dev seed 42001 (email-inbox-forward): the "to:" field has no frame; a click on the label
    # focused nothing and the retries typed the recipient into the subject and the body
    page = """<!doctype html><html><body style="margin: 0; font: 14px sans-serif">
    <div style="border-bottom: 1px solid #ccc; padding: 4px"><b>to: </b><input id="to"
      style="border: none; outline: none; width: 300px"></div>
    <div style="border-bottom: 1px solid #ccc; padding: 4px"><b>subject: </b>Lunch plans</div>
    <textarea id="body" style="border: none; width: 400px; height: 120px">See you there.
    </textarea></body></html>"""
    actions, _ = run_on_page(
        plan_policy, tmp_path / "form.html", page, "Type Ana in the To field", max_steps=4
    )
    clicks = [a for a in actions if isinstance(a, Click)]
    types = [a for a in actions if isinstance(a, Type)]
    assert len(types) == 1 and types[0].text == "Ana", actions
    assert clicks and clicks[0].x > 40 and clicks[0].y < 30, actions  # right of "to:"


def test_the_send_arrow_is_found_when_a_line_shares_letters_with_send(plan_policy):
    # dev seed 42002 (email-inbox-forward): "bibendum" matched "send" at 0.61, so the send
    # arrow of the forward view was never looked for; in 42100 "Sed." matched it at 0.73
    assert house_wins(plan_policy, "email-inbox-forward", [42002, 42100], max_steps=14) == 2


@pytest.mark.slow
def test_a_forward_worded_by_roles_is_carried_out(plan_policy):
    # dev seeds 42000, 42002 (email-inbox-forward-nl): "Send Sheba the email you got from
    # Barbra." was read as a click on "send" near the words; now open, forward, "to", send
    assert house_wins(plan_policy, "email-inbox-forward-nl", [42000, 42002], max_steps=14) == 2


@pytest.mark.slow
def test_people_wordings_of_delete_and_reply_are_carried_out(plan_policy):
    # dev seeds 42000 ("Get rid of my message from Bren.") and 42002 ('Answer Perl's email
    # with "..."') of email-inbox-nl-turk were read as a close and as an answer to report
    assert house_wins(plan_policy, "email-inbox-nl-turk", [42000, 42002], max_steps=14) == 2
