"""`data` is the bottom layer: it imports nothing from `privacy`, `dashboard` or Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
FORBIDDEN = {"privacy", "dashboard", "streamlit", "opendp"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_data_imports_no_upper_layer() -> None:
    files = sorted(DATA.rglob("*.py"))
    assert len(files) > 5
    offenders = {str(f.relative_to(DATA)): imported_roots(f) & FORBIDDEN for f in files}
    assert {f: roots for f, roots in offenders.items() if roots} == {}
