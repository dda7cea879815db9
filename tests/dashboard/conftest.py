"""Fixtures for the dashboard's AppTest suite: a fresh copy of the demo store per test, frozen clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import store
from data.demo import load_demo
from privacy.accounts import create_account, ensure_schema

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
FROZEN_NOW = "2026-11-02T09:00:00+00:00"
TIMEOUT = 60
PASSWORD = "correct horse battery staple"
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.sqlite"
    conn = store.connect(path)
    load_demo(conn)
    conn.close()
    return path


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


def fresh_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def member_id(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT id FROM members WHERE name = ?", (name,)).fetchone()[0])
    finally:
        conn.close()


def enter_demo(at: AppTest, path: Path, name: str = "Maya") -> AppTest:
    """Sign in through the demo picker, as a visitor would."""
    at.selectbox(key="demo-member").set_value(member_id(path, name)).run()
    return at.button(key="demo-enter").click().run()


def spent(path: Path) -> int:
    """Total epsilon (micro) debited in the store, by every viewer: read straight from the ledger."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT coalesce(sum(spent_micro), 0) FROM ledger_spent").fetchone()[0])
    finally:
        conn.close()


def releases(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM ledger_releases").fetchone()[0])
    finally:
        conn.close()


def texts(at: AppTest) -> list[str]:
    """Every piece of text the page holds, for 'is this name anywhere?' checks."""
    found: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "error",
        "warning",
        "info",
        "success",
    ):
        found += [str(element.value) for element in getattr(at, kind)]
    found += [f"{m.label} {m.value}" for m in at.metric]
    found += [str(b.label) for b in at.button]
    for box in at.selectbox:
        found += [str(o) for o in box.options]
    return found
