"""The budget ledger: the one record of epsilon spent, kept in the store beside the data it protects.

Every public function takes a connection from `data.store.connect`: one per thread, or one shared
behind a lock, since transactions on a shared connection would otherwise interleave. Any SQLite
failure becomes a generic `LedgerUnavailable`: nothing is released, nothing is reset or refunded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime

from privacy import audit_log, periods
from privacy.audit_log import Outcome
from privacy.epsilon import Epsilon
from privacy.release import BudgetExhausted, LedgerUnavailable
from privacy.settings import PrivacySettings

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ledger_spent (
        viewer_id INTEGER NOT NULL REFERENCES members (id),
        period_index INTEGER NOT NULL CHECK (period_index >= 0),
        spent_micro INTEGER NOT NULL CHECK (spent_micro >= 0),
        total_micro INTEGER NOT NULL CHECK (total_micro > 0),
        CHECK (spent_micro <= total_micro),
        PRIMARY KEY (viewer_id, period_index)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS ledger_family (
        period_index INTEGER PRIMARY KEY CHECK (period_index >= 0),
        spent_micro INTEGER NOT NULL CHECK (spent_micro >= 0),
        cap_micro INTEGER CHECK (cap_micro > 0),
        CHECK (cap_micro IS NULL OR spent_micro <= cap_micro)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS ledger_releases (
        id INTEGER PRIMARY KEY,
        viewer_id INTEGER NOT NULL REFERENCES members (id),
        replay_key TEXT NOT NULL CHECK (length(replay_key) BETWEEN 1 AND 1000),
        query_key TEXT NOT NULL,
        epsilon_micro INTEGER NOT NULL CHECK (epsilon_micro > 0),
        data_version INTEGER NOT NULL,
        period_index INTEGER NOT NULL CHECK (period_index >= 0),
        release_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (viewer_id, replay_key)
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS ledger_releases_viewer ON ledger_releases (viewer_id)",
    *periods.SCHEMA,
    *audit_log.SCHEMA,
)
"""Created together in one transaction: a ledger missing some of its tables is damaged, not new."""

TABLES = frozenset({"ledger_epoch", "ledger_spent", "ledger_family", "ledger_releases", "audit_log"})

VIEWER_MISMATCHES = """
WITH spent AS (SELECT viewer_id, period_index, spent_micro FROM ledger_spent),
rows AS (SELECT viewer_id, period_index, sum(epsilon_micro) FROM ledger_releases GROUP BY 1, 2)
SELECT viewer_id, period_index FROM (SELECT * FROM spent EXCEPT SELECT * FROM rows)
UNION SELECT viewer_id, period_index FROM (SELECT * FROM rows EXCEPT SELECT * FROM spent)
"""

FAMILY_MISMATCHES = """
WITH spent AS (SELECT period_index, spent_micro FROM ledger_family),
rows AS (SELECT period_index, sum(epsilon_micro) FROM ledger_releases GROUP BY 1)
SELECT period_index FROM (SELECT * FROM spent EXCEPT SELECT * FROM rows)
UNION SELECT period_index FROM (SELECT * FROM rows EXCEPT SELECT * FROM spent)
"""

UNAVAILABLE = "The privacy budget ledger is unavailable, so nothing was released. Please try again later."
"""The only text a ledger failure shows: no path, no SQL, no value."""


class LedgerCorrupt(LedgerUnavailable):
    """The file is damaged, a ledger table is missing, or a spent total is not the sum of its releases."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(UNAVAILABLE)
        self.problems = tuple(problems)
        """For operators: which check failed, by viewer id and period index, never a released value."""


@dataclass(frozen=True)
class Limits:
    """The budget rules a debit is checked against, in micro-units; built once from the settings."""

    total_micro: int
    """Each viewer's budget per period."""
    member_cap_micro: int | None
    """Spent by all viewers together per period: every family query touches every member. None: off."""
    period_days: int
    """Length of a period; periods count from the ledger's first day of use."""

    def __post_init__(self) -> None:
        if self.total_micro <= 0 or (self.member_cap_micro is not None and self.member_cap_micro <= 0):
            raise ValueError("budgets must be positive")
        if not 1 <= self.period_days <= 366:
            raise ValueError(f"period must be 1..366 days, got {self.period_days}")

    @classmethod
    def from_settings(cls, settings: PrivacySettings) -> Limits:
        """Convert the settings' floats rounding down: a family never gets more budget than it set."""
        cap = settings.member_cap
        return cls(
            total_micro=Epsilon.request(settings.budget_per_period).micro,
            member_cap_micro=None if cap is None else Epsilon.request(cap).micro,
            period_days=settings.period_days,
        )


@dataclass(frozen=True)
class Budget:
    """Where a viewer stands this period, for the budget meter and the refusal message."""

    spent_micro: int
    total_micro: int
    remaining_micro: int
    family_spent_micro: int
    """Spent by every viewer together this period."""
    family_cap_micro: int | None
    family_remaining_micro: int | None
    renews_on: date
    """First day of the next period."""

    @property
    def available_micro(self) -> int:
        """The most the next release may cost: the tighter of the viewer's budget and the family cap."""
        if self.family_remaining_micro is None:
            return self.remaining_micro
        return min(self.remaining_micro, self.family_remaining_micro)


@dataclass(frozen=True)
class LedgerEntry:
    """One release on the viewer's budget page: what was asked, what it cost, when, on which data."""

    query_key: str
    epsilon_micro: int
    created_at: datetime
    data_version: int


class _Shortfall(Exception):
    """Raised inside the debit transaction so it rolls back; says which budget ran out."""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the ledger tables on first use; if only some exist, raise rather than start from zero."""
    with _guarded(conn):
        if _tables(conn) == TABLES:
            return
        with _immediate(conn):
            if present := _tables(conn):
                raise LedgerCorrupt([f"missing tables: {', '.join(sorted(TABLES - present))}"])
            for statement in SCHEMA:
                conn.execute(statement)


def find(conn: sqlite3.Connection, viewer_id: int, replay_key: str) -> str | None:
    """The stored release for this viewer and key, or None; read-only, so looking never spends."""
    with _guarded(conn):
        return _stored(conn, viewer_id, replay_key)


def precheck(
    conn: sqlite3.Connection, viewer_id: int, charge: Epsilon, limits: Limits, now: datetime
) -> None:
    """Refuse before any measurement runs if `charge` does not fit; `commit` still decides atomically."""
    current = budget(conn, viewer_id, limits, now)
    if charge.micro > current.available_micro:
        raise BudgetExhausted(charge, current.available_micro, current.renews_on.isoformat())


def commit(
    conn: sqlite3.Connection,
    viewer_id: int,
    replay_key: str,
    query_key: str,
    charge: Epsilon,
    data_version: int,
    release_json: str,
    limits: Limits,
    now: datetime,
) -> tuple[str, bool]:
    """Debit and store a release in one `BEGIN IMMEDIATE` transaction; returns (json, replayed).

    Show nothing until this returns: debit and release commit together, so a crash before display
    replays at the next request instead of charging twice. A key already stored (a racing tab)
    returns the stored release, not this one, and spends nothing.
    """
    at = _utc(now)
    try:
        with _immediate(conn):
            stored = _stored(conn, viewer_id, replay_key)
            if stored is not None:
                audit_log.record(conn, at, viewer_id, query_key, charge.micro, Outcome.REPLAYED)
                return stored, True
            index = _debit(conn, viewer_id, charge, limits, at.date())
            row = (viewer_id, replay_key, query_key, charge.micro, data_version, index, release_json)
            conn.execute(
                "INSERT INTO ledger_releases (viewer_id, replay_key, query_key, epsilon_micro,"
                " data_version, period_index, release_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, at.isoformat()),
            )
            audit_log.record(conn, at, viewer_id, query_key, charge.micro, Outcome.RELEASED)
    except _Shortfall as short:
        log(conn, viewer_id, query_key, charge.micro, Outcome.REFUSED, str(short), at)
        left = budget(conn, viewer_id, limits, at)
        raise BudgetExhausted(charge, left.available_micro, left.renews_on.isoformat()) from None
    return release_json, False


def log(
    conn: sqlite3.Connection,
    viewer_id: int,
    query_key: str,
    epsilon_micro: int,
    outcome: Outcome | str,
    reason: str,
    now: datetime,
) -> None:
    """Audit a request decided outside `commit`: a replay served by `find`, a refusal by `precheck`."""
    at = _utc(now)
    with _immediate(conn):
        audit_log.record(conn, at, viewer_id, query_key, epsilon_micro, outcome, reason)


def budget(conn: sqlite3.Connection, viewer_id: int, limits: Limits, now: datetime) -> Budget:
    """The viewer's budget this period; read-only but for fixing the epoch on the store's first use."""
    today = _utc(now).date()
    with _guarded(conn):
        epoch = periods.epoch(conn, today)
        index = periods.period_index(epoch, today, limits.period_days)
        spent, family = conn.execute(
            "SELECT (SELECT spent_micro FROM ledger_spent WHERE viewer_id = ? AND period_index = ?),"
            " (SELECT spent_micro FROM ledger_family WHERE period_index = ?)",
            (viewer_id, index, index),
        ).fetchone()
    spent, family, cap = spent or 0, family or 0, limits.member_cap_micro
    return Budget(
        spent_micro=spent,
        total_micro=limits.total_micro,
        remaining_micro=max(0, limits.total_micro - spent),
        family_spent_micro=family,
        family_cap_micro=cap,
        family_remaining_micro=None if cap is None else max(0, cap - family),
        renews_on=periods.renews_on(epoch, today, limits.period_days),
    )


def history(conn: sqlite3.Connection, viewer_id: int, limit: int = 200) -> list[LedgerEntry]:
    """The viewer's own releases, newest first, for their budget page."""
    with _guarded(conn):
        rows = conn.execute(
            "SELECT query_key, epsilon_micro, created_at, data_version FROM ledger_releases"
            " WHERE viewer_id = ? ORDER BY id DESC LIMIT ?",
            (viewer_id, limit),
        ).fetchall()
    return [LedgerEntry(q, e, datetime.fromisoformat(c), v) for q, e, c, v in rows]


def verify(conn: sqlite3.Connection) -> None:
    """Raise `LedgerCorrupt` unless the file is sound and each spent total is the sum of its releases.

    Reads the whole file (`PRAGMA integrity_check`): for start-up and tests, not for every request.
    """
    with _guarded(conn):
        problems = [f"integrity: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table in ("ledger_spent", "ledger_releases"):
            orphans = conn.execute(f"PRAGMA foreign_key_check({table})").fetchall()
            problems += [f"{table} row {r[1]}: no such member" for r in orphans]
        viewers = conn.execute(VIEWER_MISMATCHES).fetchall()
        problems += [f"viewer {v} period {p}: spent is not the sum of its releases" for v, p in viewers]
        family = conn.execute(FAMILY_MISMATCHES).fetchall()
        problems += [f"family period {p}: spent is not the sum of its releases" for (p,) in family]
    if problems:
        raise LedgerCorrupt(problems)


def _debit(conn: sqlite3.Connection, viewer_id: int, charge: Epsilon, limits: Limits, today: date) -> int:
    """Charge the viewer and the family by conditional update (the check and the debit are one statement)."""
    index = periods.period_index(periods.epoch(conn, today), today, limits.period_days)
    params = {"viewer": viewer_id, "period": index, "charge": charge.micro}
    conn.execute(
        "INSERT INTO ledger_spent (viewer_id, period_index, spent_micro, total_micro)"
        " VALUES (:viewer, :period, 0, :total) ON CONFLICT DO NOTHING",
        params | {"total": limits.total_micro},
    )
    if not conn.execute(
        "UPDATE ledger_spent SET spent_micro = spent_micro + :charge, total_micro = :total"
        " WHERE viewer_id = :viewer AND period_index = :period AND spent_micro + :charge <= :total",
        params | {"total": limits.total_micro},
    ).rowcount:
        raise _Shortfall("viewer budget")
    conn.execute(
        "INSERT INTO ledger_family (period_index, spent_micro, cap_micro) VALUES (:period, 0, :cap)"
        " ON CONFLICT DO NOTHING",
        params | {"cap": limits.member_cap_micro},
    )
    # The family row is charged even with the cap off, so switching it on mid-period counts from day one.
    if not conn.execute(
        "UPDATE ledger_family SET spent_micro = spent_micro + :charge, cap_micro = :cap"
        " WHERE period_index = :period AND (:cap IS NULL OR spent_micro + :charge <= :cap)",
        params | {"cap": limits.member_cap_micro},
    ).rowcount:
        raise _Shortfall("member cap")
    return index


def _tables(conn: sqlite3.Connection) -> frozenset[str]:
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall()
    return frozenset(r[0] for r in rows) & TABLES


def _stored(conn: sqlite3.Connection, viewer_id: int, replay_key: str) -> str | None:
    row = conn.execute(
        "SELECT release_json FROM ledger_releases WHERE viewer_id = ? AND replay_key = ?",
        (viewer_id, replay_key),
    ).fetchone()
    return None if row is None else row[0]


def _utc(now: datetime) -> datetime:
    """`now` in UTC; a naive time is refused, since its zone, and so its day, would be a guess."""
    if now.utcoffset() is None:
        raise ValueError("the ledger needs a timezone-aware time")
    return now.astimezone(UTC)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A `BEGIN IMMEDIATE` transaction: writers queue for the lock instead of failing half-way."""
    with _guarded(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            _rollback(conn)
            raise
        conn.execute("COMMIT")


@contextmanager
def _guarded(conn: sqlite3.Connection) -> Iterator[None]:
    """Turn any SQLite failure into a generic `LedgerUnavailable`, leaving no transaction open."""
    try:
        yield
    except sqlite3.Error as exc:
        _rollback(conn)
        raise LedgerUnavailable(UNAVAILABLE) from exc


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back unless SQLite already did (it does on a full disk), so the first error is the one kept."""
    with suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
