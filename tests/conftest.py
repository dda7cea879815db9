"""Fixtures every test folder shares: the demo family built once per session, copied by each user."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import store
from data.demo import load_demo

# --doctest-modules would import this file as a module named `conftest`, clashing with its siblings.
collect_ignore = ["conftest.py"]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo family; read-only by convention: copy it before writing."""
    path = tmp_path_factory.mktemp("template") / "demo.sqlite"
    conn = store.connect(path)
    load_demo(conn)
    conn.close()
    return path
