"""One browser house policy (parser, OCR, MiniLM loaded once) for every skill test."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def house_policy():
    from policies.house.web import HouseWebPolicy

    policy = HouseWebPolicy()
    yield policy
    policy.close()


@pytest.fixture(scope="session")
def plan_policy(house_policy):
    """The closed-loop plan policy, sharing the house policy's parser and grounder."""
    from policies.base import make_policy

    return make_policy("plan", parser=house_policy.parser, grounder=house_policy.grounder)
