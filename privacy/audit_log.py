"""The audit trail: who asked for what, at what cost, and what happened; never a released value."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        viewer_id INTEGER NOT NULL,
        query_key TEXT NOT NULL,
        epsilon_micro INTEGER NOT NULL CHECK (epsilon_micro >= 0),
        outcome TEXT NOT NULL CHECK (outcome IN ('released', 'replayed', 'refused')),
        reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 200)
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS audit_log_viewer ON audit_log (viewer_id)",
)
"""Created by the ledger's `ensure_schema`, in the same transaction as the ledger tables."""

REASON_CHARS = 200
"""A reason is a short phrase ('viewer budget'); the cap keeps a caller from filing data in it."""


class Outcome(StrEnum):
    """What became of a request."""

    RELEASED = "released"
    REPLAYED = "replayed"
    REFUSED = "refused"


@dataclass(frozen=True)
class AuditEntry:
    """One audited request, as an admin or a test reads it back."""

    at: datetime
    viewer_id: int
    query_key: str
    epsilon_micro: int
    """The charge asked for (a replay or a refusal spent none of it)."""
    outcome: Outcome
    reason: str


def record(
    conn: sqlite3.Connection,
    at: datetime,
    viewer_id: int,
    query_key: str,
    epsilon_micro: int,
    outcome: Outcome | str,
    reason: str = "",
) -> None:
    """Append one row inside the caller's transaction, so a release and its audit row commit together."""
    conn.execute(
        "INSERT INTO audit_log (at, viewer_id, query_key, epsilon_micro, outcome, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (at.isoformat(), viewer_id, query_key, epsilon_micro, Outcome(outcome).value, reason[:REASON_CHARS]),
    )


def entries(conn: sqlite3.Connection, viewer_id: int, limit: int = 200) -> list[AuditEntry]:
    """A viewer's audited requests, newest first."""
    rows = conn.execute(
        "SELECT at, viewer_id, query_key, epsilon_micro, outcome, reason FROM audit_log"
        " WHERE viewer_id = ? ORDER BY id DESC LIMIT ?",
        (viewer_id, limit),
    ).fetchall()
    return [AuditEntry(datetime.fromisoformat(r[0]), r[1], r[2], r[3], Outcome(r[4]), r[5]) for r in rows]
