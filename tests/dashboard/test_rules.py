"""The dashboard's own house rules, checked on its source with `ast` (layers: tests/test_layers.py)."""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

from dashboard import sitemap

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
SOURCES = sorted(DASHBOARD.rglob("*.py"))
PURE_MODULES = (
    "dashboard.text",
    "dashboard.validation",
    "dashboard.charts",
    "dashboard.theme",
    "dashboard.components.budget_meter",
    "dashboard.components.period_picker",
    "dashboard.figure_text",
    "dashboard.calendar_chart",
    "dashboard.sitemap",
    "dashboard.svg_figures",
)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_no_unsafe_html(source: Path) -> None:
    """Names come from imported files: HTML may only ever be a module constant, never built from data."""
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.keyword) and node.arg in ("unsafe_allow_html", "unsafe_allow_javascript"):
            assert isinstance(node.value, ast.Constant) and node.value.value is False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "html":
            (argument,) = node.args
            assert isinstance(argument, ast.Name) and argument.id.isupper(), f"{source.name}:{node.lineno}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_nothing_is_cached_as_data(source: Path) -> None:
    """`st.cache_data` is shared by every user; per-user values must never land in it."""
    assert "cache_data" not in source.read_text()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_no_side_effects_at_import(source: Path) -> None:
    """Top level holds imports, definitions and constants; page files run only as `__main__`."""
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.If)
    tree = ast.parse(source.read_text())
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstrings
        assert isinstance(node, allowed), f"{source.name}:{node.lineno}"
        if isinstance(node, ast.If):
            assert ast.unparse(node.test) == "__name__ == '__main__'", f"{source.name}:{node.lineno}"
            assert index == len(tree.body) - 1


def test_pages_live_in_views_each_with_one_render() -> None:
    assert not (DASHBOARD / "pages").exists()
    for page in (DASHBOARD / "views").glob("*.py"):
        if page.name == "__init__.py":
            continue
        tree = ast.parse(page.read_text())
        public = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
        assert "render" in public, page.name
        assert len(page.read_text().splitlines()) < 300, page.name  # STYLE.md: modules under ~300 lines


@pytest.mark.parametrize("name", PURE_MODULES)
def test_doctests_of_pure_helpers(name: str) -> None:
    """pytest skips dashboard/ for doctest collection, so the helpers' examples run here."""
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0 or name == "dashboard.theme"


def test_the_readme_lists_every_page_of_the_sitemap() -> None:
    """The page list is defined once (`dashboard.sitemap`); the README's table must follow it."""
    readme = (DASHBOARD / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "(`views/" in line]
    listed = {line.split("(`")[1].split("`)")[0] for line in rows}
    assert listed == {page.path for page in (sitemap.SIGN_IN, *sitemap.PAGES)}
    for page in sitemap.PAGES:
        assert f"| {page.title} (`{page.path}`)" in readme


def test_every_page_file_is_in_the_sitemap() -> None:
    files = {f"views/{p.name}" for p in (DASHBOARD / "views").glob("*.py") if p.name != "__init__.py"}
    assert files == {page.path for page in (sitemap.SIGN_IN, *sitemap.PAGES)}
