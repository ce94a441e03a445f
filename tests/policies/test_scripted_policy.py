"""The scripted policy: plays its list in order, then says done; built by name like any other."""

from __future__ import annotations

import pytest

from contracts.actions import Click, Done, Type
from contracts.errors import HandeyeError
from policies.base import POLICIES, Policy, make_policy
from policies.scripted import ScriptedPolicy


def test_plays_the_actions_in_order_then_done_and_starts_over_on_reset():
    policy = make_policy("scripted", actions=["click(3, 4)", Type("hi")], answer="ok")
    assert isinstance(policy, Policy) and not policy.privileged
    policy.reset("anything")
    assert [policy.act({}) for _ in range(4)] == [Click(3, 4), Type("hi"), Done("ok"), Done("ok")]
    policy.reset("again")
    assert policy.act({}) == Click(3, 4)


def test_reads_a_file_skipping_comments_and_blank_lines(tmp_path):
    path = tmp_path / "script.txt"
    path.write_text('# log in\nclick(1, 2)\n\n  type("a # not a comment")\n')
    policy = ScriptedPolicy(file=path)
    assert policy.actions == (Click(1, 2), Type("a # not a comment"))


def test_a_typo_fails_before_any_step_and_says_which_line():
    with pytest.raises(HandeyeError, match="scripted action 2 is invalid"):
        ScriptedPolicy(actions=["click(1, 2)", "clik(3, 4)"])


def test_needs_exactly_one_source_and_a_readable_file(tmp_path):
    with pytest.raises(HandeyeError, match="exactly one"):
        ScriptedPolicy()
    with pytest.raises(HandeyeError, match="exactly one"):
        ScriptedPolicy(actions=["done()"], file=tmp_path / "x.txt")
    with pytest.raises(HandeyeError, match="cannot read the action script"):
        ScriptedPolicy(file=tmp_path / "missing.txt")


def test_is_built_by_name_from_the_registry():
    from policies.base import make_policy

    policy = make_policy("scripted", actions=["click(3, 4)"])
    assert "scripted" in POLICIES and policy.name == "scripted" and not policy.privileged
