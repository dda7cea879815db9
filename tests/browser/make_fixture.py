"""The browser suite's fixture store: the demo family, one password account, and a ledger of stored releases.

Noise is only ever drawn by OpenDP, so a page looks the same run after run only if every figure on it is a
release already in the ledger, replayed at no cost. This script makes those releases once, through the real
service at the frozen clock, and writes what the ledger (and the tradeoff lab's `lab_runs`) then holds to
`fixtures/ledger.json`. The suite rebuilds the store from the committed demo family and re-inserts those
rows (`build_store`), then `stale_specs` checks that every page's default figure really replays.

Regenerate, then regenerate the screenshot baselines, whenever the demo data, the replay key, the release
JSON or a page's default figure changes (the suite fails with a message saying so):

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

from dashboard.views import overview
from data import store
from data.demo import load_demo
from privacy import accounts, ledger
from privacy.accounts import create_account
from privacy.queries import Bucket, QueryId, QuerySpec
from privacy.service import Hearth
from privacy.settings import PrivacySettings

HERE = Path(__file__).resolve().parent
LEDGER_FILE = HERE / "fixtures" / "ledger.json"
FROZEN_NOW = "2026-11-02T09:00:00+00:00"
"""The clock every server of the suite runs at (HEARTH_FROZEN_NOW)."""
VIEWER = "Maya"
"""The demo member whose releases are stored: first in the roster, so the demo picker's default."""
ACCOUNT = "Sam"
"""A demo member who also has a password, for the password sign-in tests."""
PASSWORD = "correct horse battery staple"
DEFAULT_EPSILON = 0.5
"""The sidebar slider's starting value (dashboard.components.epsilon_control.DEFAULT_EPSILON)."""
PAGE_SPECS: dict[str, tuple[QuerySpec, ...]] = {
    "Overview": (overview.WEEK, overview.MONTH, overview.GOAL, overview.CHAMPION),
    "Trends": (QuerySpec(QueryId.TREND, window_days=90, bucket=Bucket.WEEK),),
    "Goals": (QuerySpec(QueryId.GOAL_ATTAINMENT, window_days=30, bucket=Bucket.WEEK, goal=8_000),),
    "Distribution": (QuerySpec(QueryId.DISTRIBUTION, window_days=30),),
    "Patterns": (
        QuerySpec(QueryId.WEEKDAY, window_days=90),
        QuerySpec(QueryId.HOUR_OF_DAY, window_days=90),
    ),
}
"""What each page shows at its default controls: the Overview's own constants, the others' widget defaults
mirrored here (My data replays the Overview's 30-day average). A page whose default changes shows a
spend button in the screenshots, and the suite says to regenerate."""
TABLES = ("ledger_epoch", "ledger_spent", "ledger_family", "ledger_releases", "lab_runs")
"""Rows copied into the fixture: the ledger and the tradeoff lab's stored draws, nothing else."""
LAB_RUNS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lab_runs (settings_key TEXT PRIMARY KEY, draws_json TEXT NOT NULL)"
)
"""privacy.lab.runs.SCHEMA, repeated so a fixture can be loaded before the lab first opens the store."""


def frozen_now() -> datetime:
    """The suite's pinned clock as an aware datetime."""
    return datetime.fromisoformat(FROZEN_NOW)


def build_base(path: Path) -> None:
    """Demo family plus the password account: everything but the ledger (the password hash is salted anew)."""
    conn = store.connect(path)
    try:
        load_demo(conn)
        accounts.ensure_schema(conn)
        create_account(conn, ACCOUNT, PASSWORD, now=frozen_now())
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
    """Page figures that would not replay from the store at `path`: each one would show a spend button."""
    hearth = Hearth.open(path, PrivacySettings(), clock=frozen_now)
    try:
        viewer = hearth.demo_sign_in(_member_id(hearth, VIEWER))
        return [
            f"{page}: {spec.key}"
            for page, specs in PAGE_SPECS.items()
            for spec in specs
            if hearth.stored(viewer, spec, DEFAULT_EPSILON) is None
        ]
    finally:
        hearth.close()


def lab_run_keys(path: Path) -> set[str]:
    """Settings keys of the tradeoff lab's stored draws in the store at `path`."""
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT settings_key FROM lab_runs")}


def fixture_lab_run_keys(ledger_file: Path = LEDGER_FILE) -> set[str]:
    """Settings keys of the lab draws the committed fixture holds: any other key means fresh noise."""
    rows = json.loads(ledger_file.read_text())["lab_runs"]["rows"]
    return {row[0] for row in rows}


def generate(ledger_file: Path = LEDGER_FILE, lab_runs: Callable[[Path], None] | None = None) -> dict:
    """Make the releases once through the real service and write the rows they left to `ledger_file`."""
    with tempfile.TemporaryDirectory(prefix="hearth-fixture-") as folder:
        path = Path(folder) / "fixture.sqlite"
        build_base(path)
        hearth = Hearth.open(path, PrivacySettings(), clock=frozen_now)
        try:
            viewer = hearth.demo_sign_in(_member_id(hearth, VIEWER))
            for specs in PAGE_SPECS.values():
                for spec in specs:
                    hearth.release(viewer, spec, DEFAULT_EPSILON)
        finally:
            hearth.close()
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
