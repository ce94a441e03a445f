"""Page scripts and styles ship as package data and compose into one evaluable function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envs.browser.page_scripts import bind, page_file

ROOT = Path(__file__).resolve().parents[3]
PAGE_FILES = sorted(p for ext in ("js", "css") for p in (ROOT / "envs").rglob(f"*.{ext}"))


@pytest.fixture(scope="module")
def page(browser_pool):
    handle = browser_pool.new_page(64, 64)
    yield handle.page
    handle.close()


def test_a_bound_script_is_called_by_playwright_and_by_a_plain_call(page) -> None:
    script = bind("// twice, plus one\n(x) => twice(x) + 1\n", twice="// doubles\n(v) => 2 * v\n")
    assert page.evaluate(script, 3) == 7
    assert page.evaluate(f"({script})({json.dumps(20)})") == 41  # the CDP floor's form


def test_every_page_file_ships_in_the_wheel_and_loads() -> None:
    package_data = (ROOT / "pyproject.toml").read_text().split("[tool.setuptools.package-data]")[1]
    assert PAGE_FILES
    for path in PAGE_FILES:
        assert f'"*{path.suffix}"' in package_data.splitlines()[1], path
        package = ".".join(path.parent.relative_to(ROOT).parts)
        assert page_file(package, path.name) == path.read_text()
