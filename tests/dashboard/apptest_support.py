"""Plain helpers for the dashboard AppTest suite (fixtures live in conftest.py)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data import store
from privacy import accounts

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


def _scalar(path: Path, sql: str, *args: object) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()


def spent(path: Path) -> int:
    """Total epsilon (micro) charged to every day's block, plan and reserve: read straight from the ledger."""
    return _scalar(path, "SELECT coalesce(sum(charge_micro), 0) FROM budget_charges")


def reserve_spent(path: Path) -> int:
    """Epsilon (micro) taken from the days' reserves: what questions, sharpening and refreshes cost."""
    return _scalar(path, "SELECT coalesce(sum(reserve_micro), 0) FROM budget_blocks")


def releases(path: Path) -> int:
    """Releases on the family's noticeboard, however they were paid for."""
    return _scalar(path, "SELECT count(*) FROM board_releases")


def releases_of(path: Path, kind: str, product: str | None = None) -> int:
    """Releases of one kind ('plan', 'asked', 'sharpen'), optionally of one product."""
    if product is None:
        return _scalar(path, "SELECT count(*) FROM board_releases WHERE kind = ?", kind)
    return _scalar(path, "SELECT count(*) FROM board_releases WHERE kind = ? AND product = ?", kind, product)


def make_admin(path: Path, name: str) -> None:
    """Give a demo member an admin account (demo sign-in then carries the admin flag)."""
    conn = store.connect(path)
    try:
        accounts.ensure_schema(conn)
        accounts.create_account(conn, name, PASSWORD, admin=True)
    finally:
        conn.close()


def covered_through(path: Path, name: str, day: date) -> None:
    """Set how far a member's imports reach, as if their latest export had (or had not yet) arrived."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "UPDATE import_batches SET covered_through = ?"
            " WHERE member_id = (SELECT id FROM members WHERE name = ?)",
            (store.day_number(day), name),
        )


def unescaped(markdown: str) -> str:
    """Markdown as a reader sees it: the backslash escapes `dashboard.text.md` adds removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


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
