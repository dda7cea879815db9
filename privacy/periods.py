"""Budget periods: fixed runs of days counted from the ledger's first day of use, stored once."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ledger_epoch (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        first_day TEXT NOT NULL
    ) STRICT""",
)
"""One row ever: created with the other ledger tables by the ledger's `ensure_schema`."""


def epoch(conn: sqlite3.Connection, today: date) -> date:
    """The first day of use, fixed by the first call: every period counts from it for the store's life."""
    row = conn.execute("SELECT first_day FROM ledger_epoch").fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO ledger_epoch (id, first_day) VALUES (1, ?) ON CONFLICT DO NOTHING",
            (today.isoformat(),),
        )
        row = conn.execute("SELECT first_day FROM ledger_epoch").fetchone()
    return date.fromisoformat(row[0])


def period_index(first_day: date, day: date, period_days: int) -> int:
    """Which period `day` is in; a clock set back before the first day stays in period 0, never a new one.

    >>> [period_index(date(2026, 1, 1), date(2026, 1, d), 30) for d in (30, 31)]
    [0, 1]
    >>> period_index(date(2026, 1, 1), date(2025, 6, 1), 30)
    0
    """
    return max(0, (day - first_day).days // period_days)


def renews_on(first_day: date, day: date, period_days: int) -> date:
    """First day of the period after `day`'s: when the remaining budget is whole again.

    >>> renews_on(date(2026, 1, 1), date(2026, 1, 1), 30)
    datetime.date(2026, 1, 31)
    """
    return first_day + timedelta(days=(period_index(first_day, day, period_days) + 1) * period_days)
