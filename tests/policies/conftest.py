"""One browser house policy (the plan policy: parser, OCR, MiniLM loaded once) for its tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def plan_policy():
    """The house browser policy, with MiniLM loaded up front so every test ranks alike."""
    from policies.house.web import PlanWebPolicy

    policy = PlanWebPolicy(preload=False)
    policy.grounder.warm_up()
    yield policy
    policy.close()
