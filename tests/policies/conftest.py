"""One browser house policy (parser, OCR, MiniLM loaded once) for every skill test."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def house_policy():
    from policies.house.web import HouseWebPolicy

    policy = HouseWebPolicy()
    yield policy
    policy.close()
