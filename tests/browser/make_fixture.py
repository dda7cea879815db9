"""The browser suite's fixture store: the demo family, one password account, and a noticeboard of releases.

Noise is only ever drawn by OpenDP, so a page looks the same run after run only if every figure on it is a
release already on the family's noticeboard, replayed at no cost. This script makes those releases once,
through the real service at the frozen clock (the family plan's releases of every period a page opens on,
as Maya's first visit would), and writes what the ledger (and the tradeoff lab's `lab_runs`) then holds to
`fixtures/ledger.json`. The suite rebuilds the store from the committed demo family and re-inserts those
rows (`build_store`), then `stale_specs` checks that every page's opening figure really replays.

Regenerate, then regenerate the screenshot baselines, whenever the demo data, the question key, the
release JSON, the ledger tables or a page's opening periods change (the suite fails with a message saying
so):

    .venv/bin/python tests/browser/make_fixture.py
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from data import store
from data.demo import DEMO_LAST_DAY, load_demo
from privacy import accounts
from privacy.accounts import create_account
from privacy.budget import ledger
from privacy.budget.plan import PRODUCTS, Product
from privacy.engine.periods import Period, recent
from privacy.service import Hearth
from privacy.settings import Settings

HERE = Path(__file__).resolve().parent
LEDGER_FILE = HERE / "fixtures" / "ledger.json"
FROZEN_NOW = "2026-11-02T09:00:00+00:00"
"""The clock every server of the suite runs at (HEARTH_FROZEN_NOW)."""
VIEWER = "Maya"
"""The demo member whose visits made the releases: first in the roster, the demo picker's default, and
the family's admin (so the Family plan page is hers to see)."""
ACCOUNT = "Sam"
"""A demo member who also has a password, for the password sign-in tests."""
PASSWORD = "correct horse battery staple"
OPENING_PERIODS: dict[Product, int] = {
    Product.WEEKLY: 52,
    Product.GOALS: 6,
    Product.CHAMPION: 1,
    Product.DISTRIBUTION: 6,
    Product.HOURS: 6,
    Product.WEEKDAYS: 1,
}
"""How many of each product's newest periods the pages open on or offer in their pickers: the Overview
(13 weeks), Trends (up to 52), My data (13 weeks), and the Goals, Distribution and Patterns pickers."""
TABLES = (*sorted(ledger.TABLES - {"audit_log"}), "lab_runs")
"""Rows copied into the fixture: the ledger's accounts, noticeboard and plan, and the tradeoff lab's stored
draws; not the audit log of the fixture's own making."""
LAB_RUNS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lab_runs (settings_key TEXT PRIMARY KEY, draws_json TEXT NOT NULL)"
)
"""privacy.lab.runs.SCHEMA, repeated so a fixture can be loaded before the lab first opens the store."""


def frozen_now() -> datetime:
    """The suite's pinned clock as an aware datetime."""
    return datetime.fromisoformat(FROZEN_NOW)


def settings(path: Path) -> Settings:
    """The service's settings for a fixture store: defaults, the suite's frozen clock."""
    return Settings(db=path, frozen_now=frozen_now())


def opening_periods() -> list[tuple[Product, Period]]:
    """Every (product, period) a page opens on or offers, at the demo family's fixed day."""
    return [
        (product, period)
        for product, count in OPENING_PERIODS.items()
        for period in recent(DEMO_LAST_DAY, PRODUCTS[product].cadence, count)
    ]


def build_base(path: Path) -> None:
    """Demo family plus the password accounts: everything but the ledger (password hashes are salted anew)."""
    conn = store.connect(path)
    try:
        load_demo(conn)
        accounts.ensure_schema(conn)
        create_account(conn, ACCOUNT, PASSWORD, now=frozen_now())
        create_account(conn, VIEWER, PASSWORD, admin=True, now=frozen_now())
        ledger.ensure_schema(conn)
        conn.execute(LAB_RUNS_SCHEMA)
    finally:
        conn.close()


def build_store(path: Path, ledger_file: Path = LEDGER_FILE) -> None:
    """The fixture store at `path`: the base, then the committed ledger rows, then a ledger check."""
    build_base(path)
    dump = json.loads(ledger_file.read_text())
    conn = store.connect(path)
    try:
        with store.transaction(conn):
            for table in TABLES:
                columns, rows = dump[table]["columns"], dump[table]["rows"]
                marks = ", ".join("?" * len(columns))
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                conn.executemany(statement, rows)
        ledger.verify(conn)
    finally:
        conn.close()


def stale_specs(path: Path) -> list[str]:
    """Opening figures with no release on the noticeboard at `path`: each would be made afresh (new noise)."""
    with closing(sqlite3.connect(path)) as conn:
        return [
            f"{product.value}: {period}"
            for product, period in opening_periods()
            if conn.execute(
                "SELECT 1 FROM board_releases WHERE kind = 'plan' AND product = ? AND first_day = ?"
                " AND last_day = ?",
                (product.value, period.first.isoformat(), period.last.isoformat()),
            ).fetchone()
            is None
        ]


def board_size(path: Path) -> int:
    """Releases on the noticeboard at `path`: a screenshot run that adds one drew fresh noise."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM board_releases").fetchone()[0])


def lab_run_keys(path: Path) -> set[str]:
    """Settings keys of the tradeoff lab's stored draws in the store at `path`."""
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT settings_key FROM lab_runs")}


def fixture_lab_run_keys(ledger_file: Path = LEDGER_FILE) -> set[str]:
    """Settings keys of the lab draws the committed fixture holds: any other key means fresh noise."""
    rows = json.loads(ledger_file.read_text())["lab_runs"]["rows"]
    return {row[0] for row in rows}


def make_releases(path: Path) -> None:
    """Maya's first visits: every opening period released by the family plan, oldest first."""
    hearth = Hearth.open(settings(path))
    try:
        viewer = hearth.demo_sign_in(_member_id(hearth, VIEWER))
        for product, period in opening_periods():
            hearth.figure(viewer, product, period)
    finally:
        hearth.close()


def generate(ledger_file: Path = LEDGER_FILE, lab_runs: Callable[[Path], None] | None = None) -> dict:
    """Make the releases once through the real service and write the rows they left to `ledger_file`."""
    with tempfile.TemporaryDirectory(prefix="hearth-fixture-") as folder:
        path = Path(folder) / "fixture.sqlite"
        build_base(path)
        make_releases(path)
        (lab_runs or tradeoff_runs)(path)
        dump = _dump(path)
    ledger_file.parent.mkdir(parents=True, exist_ok=True)
    ledger_file.write_text(json.dumps(dump, indent=1, sort_keys=True) + "\n")
    return dump


def tradeoff_runs(path: Path) -> None:
    """Draw the tradeoff lab's default settings once for the sections the suite screenshots.

    'Error vs ε' and 'Night-walk attack' store thousands of draws (about 750 kB of JSON), so the suite
    leaves those two sections out rather than commit them.
    """
    from privacy.tradeoff import LabSettings, TradeoffLab

    lab = TradeoffLab.open(path)
    try:
        settings = LabSettings()
        lab.release(settings)
        lab.needle(settings)
        lab.subtraction(settings, True)
    finally:
        lab.close()


def _dump(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        dump = {}
        for table in TABLES:
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
            columns = [d[0] for d in cursor.description]
            dump[table] = {"columns": columns, "rows": [list(row) for row in cursor.fetchall()]}
        return dump
    finally:
        conn.close()


def _member_id(hearth: Hearth, name: str) -> int:
    return next(member.id for member in hearth.roster() if member.name == name)


def main() -> None:
    """Write the fixture, then prove it: rebuilt from the file, every page figure replays."""
    dump = generate()
    with tempfile.TemporaryDirectory(prefix="hearth-fixture-check-") as folder:
        path = Path(folder) / "check.sqlite"
        build_store(path)
        stale = stale_specs(path)
    if stale:
        raise SystemExit(f"fixture does not replay: {stale}")
    sizes = {table: len(dump[table]["rows"]) for table in TABLES}
    print(f"wrote {LEDGER_FILE} ({LEDGER_FILE.stat().st_size:,} bytes): {sizes}")


if __name__ == "__main__":
    main()
