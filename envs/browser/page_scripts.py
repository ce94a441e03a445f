"""Page scripts and styles: `.js`/`.css` files shipped beside the code that runs them."""

from __future__ import annotations

from importlib import resources


def page_file(package: str, name: str) -> str:
    """The text of the `.js` or `.css` file `name` shipped in `package` (package data)."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def bind(function_js: str, **scripts: str) -> str:
    """`function_js` with its free names bound to other page scripts, as one expression whose
    value is that function (`page.evaluate` and `(expression)(arg)` both call it)."""
    names = ", ".join(scripts)
    values = ", ".join(f"({script})" for script in scripts.values())
    return f"(({names}) => ({function_js}))({values})"
