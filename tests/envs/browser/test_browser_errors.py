"""`browser_errors`: Playwright's errors become EnvError in one place; others pass through."""

from __future__ import annotations

import pytest

from contracts.errors import ActionError, EnvError
from envs.browser.pool import browser_errors, playwright_message


@pytest.fixture
def pool(browser_pool):
    """The session's shared pool: a second sync Playwright cannot start in the same thread."""
    return browser_pool


def test_a_refused_call_is_an_env_error_with_playwrights_words_and_the_page_lives(pool) -> None:
    handle = pool.new_page(64, 64)
    with pytest.raises(EnvError, match="call reset") as info, browser_errors():
        handle.page.evaluate("() => { throw new Error('no such widget') }")
    assert "no such widget" in playwright_message(info.value)
    assert info.value.__cause__ is not None and handle.alive
    handle.close()


def test_a_dead_browser_is_an_env_error_and_the_page_is_no_longer_alive(pool) -> None:
    handle = pool.new_page(64, 64)
    pool.kill_browser_for_test()
    with pytest.raises(EnvError), browser_errors():
        handle.page.evaluate("1 + 1")
    assert not handle.alive


def test_errors_that_are_not_playwrights_pass_through_unchanged() -> None:
    with pytest.raises(ActionError, match="not mapped"), browser_errors():
        raise ActionError("not mapped")
