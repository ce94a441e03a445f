"""The CDP floor's own Chromium: started and ended as one process group."""

from __future__ import annotations

import os
import time

from benchmarks.cdp_floor import CdpPage


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_closing_the_floor_leaves_no_browser_behind():
    # Debian's chromium-headless-shell is a shell script running the browser as its child: ending
    # only the script used to leave a headless browser behind for every floor page
    page = CdpPage(160, 210)
    group = page._proc.pid
    assert page.call("() => 1 + 1") == 2 and _group_alive(group)
    page.close()
    deadline = time.monotonic() + 5
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(group)
