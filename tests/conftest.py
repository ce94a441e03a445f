"""Shared real resources for the suite: one Chromium for all browser tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Property tests check results, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("handeye", deadline=None)
settings.load_profile("handeye")


@pytest.fixture(scope="session")
def browser_pool():
    """Keep one shared Chromium alive for the whole session (envs attach pages to it), and the
    one of the envs' default frame mode (BeginFrame pages run in a browser of their own)."""
    from envs.browser.pool import resolve_frames, shared_pool

    pool = shared_pool().acquire()
    default = shared_pool(resolve_frames("auto")).acquire()
    yield pool
    default.release()
    pool.release()


@pytest.fixture(scope="module")
def one_thread():
    """Torch on one thread for a test module: small models train several times faster so on a
    busy 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
