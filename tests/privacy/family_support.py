"""A small real family store for the ledger tests: three members, daily imports, chosen coverage.

The demo store is two years of hourly data; the property, race and crash tests need many fresh stores,
so they build this one (a few hundred member-days) once and copy it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

from accounts_support import FAST, PASSWORD

from data import store
from data.model import ParsedImport, StepSample
from privacy import accounts
from privacy.budget import ledger

NAMES = ("Ada", "Ben", "Cy")
"""Ada is the family's admin; Ben and Cy are plain members."""
FIRST_DAY = date(2025, 10, 1)
COVERED = {"Ada": date(2026, 2, 28), "Ben": date(2026, 2, 22), "Cy": date(2026, 2, 12)}
"""Where each member's imports end in a fresh family: the three lag behind one another."""


def steps_on(name: str, day: date, salt: int = 0) -> int:
    """A made-up but fixed daily count in 0..24,999 (a late import passes another `salt`)."""
    digest = hashlib.sha256(f"{name}|{day}|{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 25_000


def import_days(
    conn: sqlite3.Connection, name: str, first: date, last: date, salt: int = 0, covered: date | None = None
) -> None:
    """Import daily counts for [first, last], recording the import as complete through `covered`.

    `covered` defaults to `last`; a late correction of old days passes the member's current coverage.
    """
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    samples = tuple(
        StepSample(
            datetime.combine(d, datetime.min.time()),
            datetime.combine(d + timedelta(days=1), datetime.min.time()),
            steps_on(name, d, salt),
            "test",
        )
        for d in days
    )
    digest = hashlib.sha256(f"{name}|{first}|{last}|{salt}".encode()).hexdigest()
    outcome = store.ingest(
        conn, name, ParsedImport("csv-daily", samples, len(samples)), f"{name}.csv", digest
    )
    if outcome.batch_id is not None:
        conn.execute(
            "UPDATE import_batches SET covered_through = ? WHERE id = ?",
            (store.day_number(covered or last), outcome.batch_id),
        )


def build_family(path: Path, covered: Mapping[str, date] = COVERED) -> Path:
    """A real store: the three members with accounts (Ada admin) and their imports up to `covered`."""
    with closing(store.connect(path)) as conn:
        accounts.ensure_schema(conn)
        for name in NAMES:
            accounts.create_account(conn, name, PASSWORD, admin=name == "Ada", passwords=FAST)
            import_days(conn, name, FIRST_DAY, covered[name])
        ledger.ensure_schema(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
