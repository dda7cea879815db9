"""Plain helpers for the dashboard AppTest suite (fixtures live in conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
FROZEN_NOW = "2026-11-02T09:00:00+00:00"
TIMEOUT = 60
PASSWORD = "correct horse battery staple"
HOSTILE = '<img src=x onerror="alert(1)">'


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
