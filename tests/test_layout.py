"""The house rules of the layout, checked on the source: dependencies run one way
(backlog <- episodes <- advice <- clinic), views never import views, and no test module
imports another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
APPS = ("backlog", "episodes", "advice", "clinic")  # lowest first
TESTS = REPO_ROOT / "tests"


def modules(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path) -> set[str]:
    """Every absolute module name a file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def upward_imports(package: str) -> list[tuple[str, str]]:
    above = APPS[APPS.index(package) + 1 :]
    return [
        (module_name(path), name)
        for path in modules(package)
        for name in imported_names(path)
        if name.split(".")[0] in above
    ]


@pytest.mark.parametrize("package", APPS)
def test_no_app_imports_an_app_above_it(package):
    assert upward_imports(package) == []


def test_the_import_walk_finds_an_upward_import_when_there_is_one():
    probe = REPO_ROOT / "episodes" / "_layout_probe.py"
    probe.write_text("from advice.rules import evaluate\n", encoding="utf-8")
    try:
        assert ("episodes._layout_probe", "advice.rules") in upward_imports("episodes")
    finally:
        probe.unlink()


def view_modules() -> list[Path]:
    return [
        path
        for package in APPS
        for path in modules(package)
        if "views" in path.relative_to(REPO_ROOT).parts or path.stem == "views"
    ]


def test_views_never_import_views():
    offenders = [
        (module_name(path), name)
        for path in view_modules()
        for name in imported_names(path)
        if name.split(".")[0] in APPS and ".views" in name and module_name(path) != name
    ]
    assert offenders == []


def test_episodes_serves_no_pages():
    assert not (REPO_ROOT / "episodes" / "views.py").exists()
    assert not (REPO_ROOT / "episodes" / "urls.py").exists()
    assert not (REPO_ROOT / "templates" / "episodes").exists()


def test_no_test_module_imports_another_test_module():
    test_modules = {
        module_name(path)
        for path in TESTS.rglob("*.py")
        if path.name.startswith("test_") or path.name == "conftest.py"
    }
    offenders = [
        (module_name(path), name)
        for path in TESTS.rglob("*.py")
        for name in imported_names(path)
        if any(name == module or name.startswith(f"{module}.") for module in test_modules)
    ]
    assert offenders == []


def test_production_code_cites_no_file_outside_the_repository():
    for package in APPS:
        for path in modules(package):
            text = path.read_text(encoding="utf-8")
            assert "CLINICAL.md" not in text, path
            assert "source article" not in text.lower(), path
