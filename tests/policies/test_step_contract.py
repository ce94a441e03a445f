"""Every step module of the plan policy keeps one calling convention and one "not mine" answer."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from policies.house.web import step_contract
from policies.house.web.interactive_steps import INTERACTIVE_STEPS
from policies.house.web.plan_click import PIXEL_CLICKS
from policies.house.web.step_contract import NOT_MINE, first_taken

WEB = Path(step_contract.__file__).parent


def test_every_dispatched_step_takes_policy_view_state_notes() -> None:
    for step_fn in [*INTERACTIVE_STEPS, *PIXEL_CLICKS]:
        params = list(inspect.signature(step_fn).parameters)
        assert params == ["policy", "view", "state", "notes"], (step_fn.__qualname__, params)


def test_no_step_module_defines_a_sentinel_of_its_own() -> None:
    for path in sorted(WEB.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.Assign):
                continue
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            is_object = (
                isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "object"
            )
            assert not is_object, f"{path.name}: {names} is a sentinel; use step_contract.NOT_MINE"
            if isinstance(node.value, ast.Name) and node.value.id.startswith("NOT_"):
                raise AssertionError(f"{path.name}: {names} renames a sentinel; use NOT_MINE")


def test_first_taken_answers_with_the_first_step_that_takes_it_in_order() -> None:
    calls: list[str] = []

    def skip(policy: object, view: object, state: object, notes: dict) -> object:
        calls.append("skip")
        return NOT_MINE

    def done(policy: object, view: object, state: object, notes: dict) -> object:
        calls.append("done")
        return None  # taken: the step is complete

    def never(policy: object, view: object, state: object, notes: dict) -> object:
        calls.append("never")
        return NOT_MINE

    assert first_taken([skip, done, never], None, None, None, {}) == (None, done)
    assert calls == ["skip", "done"]
    assert first_taken([skip, never], None, None, None, {}) == (NOT_MINE, None)
    assert repr(NOT_MINE) == "NOT_MINE"
