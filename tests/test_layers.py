"""The package layering of DESIGN.md: imports point down, siblings never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

# package (or module) -> top-level packages it must never import
FORBIDDEN = {
    "common": {"articles", "crawler", "classifier", "scheduler", "fakewatch", "db", "factchecks"},
    "articles": {"crawler", "classifier", "scheduler", "fakewatch", "db", "factchecks"},
    "factchecks": {"crawler", "classifier", "scheduler", "fakewatch", "db"},
    "classifier": {"crawler", "scheduler", "fakewatch", "db"},
    "crawler": {"classifier", "scheduler", "fakewatch"},
    "db": {"crawler", "classifier", "scheduler", "fakewatch", "articles", "factchecks"},
    "fakewatch/article_input.py": {"crawler"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level package names that a module imports, at any depth of its body."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    target = ROOT / package
    modules = [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
    assert modules, f"{package} has no modules"
    wrong = {
        str(module.relative_to(ROOT)): sorted(imported_packages(module) & FORBIDDEN[package])
        for module in modules
    }
    assert not {module: names for module, names in wrong.items() if names}
