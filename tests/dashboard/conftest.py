"""Fixtures for the dashboard's AppTest suite: a fresh copy of the demo store per test, frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import FROZEN_NOW, PASSWORD

from data import store
from privacy.accounts import create_account, ensure_schema

# --doctest-modules would import this file as a module named `conftest`, clashing with its siblings.
collect_ignore = ["conftest.py"]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A frozen clock, and the service cache emptied afterwards (its on_release closes the store)."""
    monkeypatch.setenv("HEARTH_FROZEN_NOW", FROZEN_NOW)
    for name in (
        "HEARTH_UNIT",
        "HEARTH_MAX_EPSILON",
        "HEARTH_BUDGET",
        "HEARTH_PERIOD_DAYS",
        "HEARTH_MEMBER_CAP",
    ):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    st.cache_resource.clear()


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path, environment: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo.sqlite"
    path.write_bytes(demo_template.read_bytes())
    environment.setenv("HEARTH_DB", str(path))
    return path


@pytest.fixture
def real_store(tmp_path: Path, environment: pytest.MonkeyPatch) -> Path:
    """A 'real' (non-demo) family of three, one with a password; no step data is needed to sign in."""
    path = tmp_path / "real.sqlite"
    conn = store.connect(path)
    for name in ("Maya", "Sam"):
        store.add_member(conn, name)
    ensure_schema(conn)
    create_account(conn, "Ruth", PASSWORD)
    conn.close()
    environment.setenv("HEARTH_DB", str(path))
    return path
