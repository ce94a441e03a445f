"""The layer order of DESIGN.md holds: a package imports only the layers below it.

contracts <- perception <- policies <- agent, and contracts (+ perception.capture) <- envs;
training, benchmarks, demos and tests sit on top. Every import counts, the lazy ones inside
functions and TYPE_CHECKING blocks included, since they are dependencies all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("contracts", "perception", "envs", "policies", "agent", "training", "benchmarks")
# Which project packages (or sub-packages) each library layer may import besides itself.
ALLOWED: dict[str, tuple[str, ...]] = {
    "contracts": (),
    "perception": ("contracts",),
    "envs": ("contracts", "perception.capture"),
    "policies": ("contracts", "perception"),
    "agent": ("contracts", "perception", "envs", "policies"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in a file, nested ones included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.lineno, node.module)]
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def violations(layer: str) -> list[str]:
    allowed = (layer, *ALLOWED[layer])
    bad = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for line, name in imported_modules(path):
            if name.split(".")[0] not in PROJECT:
                continue
            if not any(name == a or name.startswith(a + ".") for a in allowed):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return sorted(set(bad))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_the_layers_below(layer: str) -> None:
    bad = violations(layer)
    assert not bad, f"{layer} reaches above its layer:\n" + "\n".join(bad)


def test_the_checker_sees_lazy_imports(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from agent.session import run_episode\n")
    assert (2, "agent.session.run_episode") in imported_modules(f)


def test_training_is_not_shipped_in_the_wheel() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '"training*"' not in text and '"contracts*"' in text
