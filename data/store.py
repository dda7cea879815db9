"""The family store: one SQLite file holding members, hourly or daily step buckets and import batches."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from data.model import ParsedImport, StepSample

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS import_batches (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    buckets_stored INTEGER NOT NULL,
    duplicates_dropped INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    covered_through INTEGER NOT NULL DEFAULT 0,
    UNIQUE (member_id, sha256)
);
CREATE TABLE IF NOT EXISTS samples (
    member_id INTEGER NOT NULL REFERENCES members(id),
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    source TEXT NOT NULL,
    steps INTEGER NOT NULL CHECK (steps >= 0),
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    PRIMARY KEY (member_id, start, end, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS daily (
    member_id INTEGER NOT NULL REFERENCES members(id),
    day INTEGER NOT NULL,
    steps INTEGER NOT NULL CHECK (steps >= 0),
    PRIMARY KEY (member_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hourly (
    member_id INTEGER NOT NULL REFERENCES members(id),
    day INTEGER NOT NULL,
    hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    steps INTEGER NOT NULL CHECK (steps >= 0),
    PRIMARY KEY (member_id, day, hour)
) WITHOUT ROWID;
"""

EPOCH = date(1970, 1, 1)
KINDS = ("real", "demo", "synthetic")
MADE_UP = KINDS[1:]
"""Batch formats (and store kinds) of made-up data: a store holding anything else is real."""


def default_path() -> Path:
    """Where the store lives: `HEARTH_DB`, else the user's data folder, never inside the git tree."""
    if env := os.environ.get("HEARTH_DB"):
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "hearth" / "hearth.sqlite"


def day_number(day: date) -> int:
    """Days since 1970-01-01: integer days keep the read path free of string parsing.

    >>> day_number(date(1970, 1, 2))
    1
    """
    return (day - EPOCH).days


def day_from_number(number: int) -> date:
    """Inverse of `day_number`.

    >>> day_from_number(20000)
    datetime.date(2024, 10, 4)
    """
    return EPOCH + timedelta(days=number)


class WrongStore(ValueError):
    """Real and made-up data must not share a store: a demo store may show true values."""


@dataclass(frozen=True)
class Member:
    """One family member as the store knows them: the id is the key, the name only a label."""

    id: int
    name: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import changed, for the result summary and the CLI."""

    member: Member
    batch_id: int | None
    """None when the same file was already imported for this member (nothing changed)."""
    rows_read: int
    buckets_stored: int
    duplicates_dropped: int
    covered_through: date | None = None
    """The day through which this import says the member's data are complete (None: nothing changed)."""


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store with durable settings: WAL, full sync, foreign keys."""
    target = Path(path) if path is not None else default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(SCHEMA)
    _add_coverage_column(conn)
    return conn


def _add_coverage_column(conn: sqlite3.Connection) -> None:
    """Migrate a store made before coverage: add `covered_through`, backfilled as import day minus one."""
    if _has_coverage_column(conn):
        return
    with transaction(conn):
        if _has_coverage_column(conn):  # another process migrated it while we waited for the lock
            return
        conn.execute("ALTER TABLE import_batches ADD COLUMN covered_through INTEGER NOT NULL DEFAULT 0")
        conn.execute(
            "UPDATE import_batches SET covered_through ="
            " CAST(julianday(substr(imported_at, 1, 10)) - 2440587.5 AS INTEGER) - 1"
        )


def _has_coverage_column(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "covered_through" for row in conn.execute("PRAGMA table_info(import_batches)"))


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE` ... `COMMIT`: writers queue instead of failing with 'database is locked'."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_meta(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    """One value from the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def data_version(conn: sqlite3.Connection) -> int:
    """Bumped by every import that changes data: a new version is new data for replay purposes."""
    return int(get_meta(conn, "data_version", "0"))


def store_kind(conn: sqlite3.Connection) -> str:
    """`real`, `demo` or `synthetic`: only the last two may ever show true values."""
    return get_meta(conn, "kind", "real")


def set_kind(conn: sqlite3.Connection, kind: str, today: date | None = None) -> None:
    """Mark the store demo or synthetic (with its fixed 'today'); a real store stays real."""
    if kind not in KINDS:
        raise ValueError(f"unknown store kind {kind!r}")
    with transaction(conn):
        if kind in MADE_UP and holds_real_data(conn):
            raise WrongStore(f"this store holds real imports; it cannot be marked {kind}")
        _put_meta(conn, "kind", kind)
        if today is not None:
            _put_meta(conn, "today", today.isoformat())


def holds_real_data(conn: sqlite3.Connection) -> bool:
    """Whether any import came from a real file (not the demo or a synthetic family)."""
    marks = ", ".join("?" * len(MADE_UP))
    query = f"SELECT 1 FROM import_batches WHERE format NOT IN ({marks}) LIMIT 1"  # noqa: S608
    return conn.execute(query, MADE_UP).fetchone() is not None


def today(conn: sqlite3.Connection, now: datetime | None = None) -> date:
    """The app's 'today': the demo data's fixed last day, else the wall clock (UTC date)."""
    fixed = get_meta(conn, "today")
    return date.fromisoformat(fixed) if fixed else (now or datetime.now(UTC)).date()


def members(conn: sqlite3.Connection) -> tuple[Member, ...]:
    """The family roster, in joining order: public, the group keys of every family query."""
    rows = conn.execute("SELECT id, name FROM members ORDER BY id").fetchall()
    return tuple(Member(id=r[0], name=r[1]) for r in rows)


def member_by_name(conn: sqlite3.Connection, name: str) -> Member | None:
    """Look a member up by display name (names are unique within a family)."""
    row = conn.execute("SELECT id, name FROM members WHERE name = ?", (name,)).fetchone()
    return Member(id=row[0], name=row[1]) if row else None


def add_member(conn: sqlite3.Connection, name: str) -> Member:
    """Add a member (or return the existing one of that name)."""
    with transaction(conn):
        return _ensure_member(conn, name)


def ingest(
    conn: sqlite3.Connection,
    member_name: str,
    parsed: ParsedImport,
    file_name: str,
    sha256: str,
    *,
    today: date | None = None,
) -> ImportOutcome:
    """Store one parsed file for one member, all or nothing; the same file twice changes nothing.

    `today` is the import day in the family's zone: coverage runs through the export's own date minus
    one, else through `today` minus one (None: the UTC date, for callers that predate coverage).
    Real data is refused by a demo or synthetic store, whose true values may be shown (`WrongStore`).
    """
    covered = covered_through(parsed, today or datetime.now(UTC).date())
    with transaction(conn):
        if parsed.format not in MADE_UP and store_kind(conn) != "real":
            raise WrongStore(f"this is a {store_kind(conn)} store; import real files into a separate store")
        member = _ensure_member(conn, member_name)
        seen = conn.execute(
            "SELECT id FROM import_batches WHERE member_id = ? AND sha256 = ?", (member.id, sha256)
        ).fetchone()
        if seen:
            return ImportOutcome(member, None, parsed.rows_read, 0, parsed.duplicates_dropped)
        batch_id = _insert_batch(conn, member, parsed, file_name, sha256, covered)
        _upsert_samples(conn, member.id, batch_id, parsed.samples)
        _refresh_rollups(conn, member.id, {s.start.date() for s in parsed.samples})
        _put_meta(conn, "data_version", str(data_version(conn) + 1))
    stored = len(parsed.samples)
    return ImportOutcome(member, batch_id, parsed.rows_read, stored, parsed.duplicates_dropped, covered)


def covered_through(parsed: ParsedImport, today: date) -> date:
    """The export's creation day minus one where the format dates itself, else the import day minus one.

    >>> covered_through(ParsedImport("csv-daily", (), 0), date(2026, 3, 2))
    datetime.date(2026, 3, 1)
    """
    return (parsed.exported_on or today) - timedelta(days=1)


def coverage(conn: sqlite3.Connection) -> dict[int, date]:
    """Member id -> the last day through which their data are complete (members never imported: absent)."""
    rows = conn.execute("SELECT member_id, max(covered_through) FROM import_batches GROUP BY member_id")
    return {member_id: day_from_number(day) for member_id, day in rows.fetchall()}


def daily_frame(conn: sqlite3.Connection, first: date, last: date) -> pl.DataFrame:
    """Member-day totals in [first, last]: columns member_id, day (date), steps; absent days absent."""
    rows = conn.execute(
        "SELECT member_id, day, steps FROM daily WHERE day BETWEEN ? AND ?",
        (day_number(first), day_number(last)),
    ).fetchall()
    frame = pl.DataFrame(
        rows, schema={"member_id": pl.Int64, "day": pl.Int32, "steps": pl.Int64}, orient="row"
    )
    return frame.with_columns(pl.col("day").cast(pl.Date))


def hourly_frame(conn: sqlite3.Connection, first: date, last: date) -> pl.DataFrame:
    """Member-hour totals in [first, last] from sub-daily sources: member_id, day, hour, steps."""
    rows = conn.execute(
        "SELECT member_id, day, hour, steps FROM hourly WHERE day BETWEEN ? AND ?",
        (day_number(first), day_number(last)),
    ).fetchall()
    schema = {"member_id": pl.Int64, "day": pl.Int32, "hour": pl.Int8, "steps": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.col("day").cast(pl.Date))


def data_range(conn: sqlite3.Connection) -> tuple[date, date] | None:
    """First and last day holding any data: the demo's 'today' and the importer's checks use it."""
    lo, hi = conn.execute("SELECT min(day), max(day) FROM daily").fetchone()
    return None if lo is None else (day_from_number(lo), day_from_number(hi))


def _put_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _ensure_member(conn: sqlite3.Connection, name: str) -> Member:
    conn.execute(
        "INSERT OR IGNORE INTO members(name, created_at) VALUES (?, ?)",
        (name, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    row = conn.execute("SELECT id, name FROM members WHERE name = ?", (name,)).fetchone()
    return Member(id=row[0], name=row[1])


def _insert_batch(
    conn: sqlite3.Connection, member: Member, parsed: ParsedImport, file_name: str, sha256: str, covered: date
) -> int:
    cursor = conn.execute(
        "INSERT INTO import_batches(member_id, file_name, format, sha256, rows_read,"
        " buckets_stored, duplicates_dropped, imported_at, covered_through)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            member.id,
            file_name[:255],
            parsed.format,
            sha256,
            parsed.rows_read,
            len(parsed.samples),
            parsed.duplicates_dropped,
            datetime.now(UTC).isoformat(timespec="seconds"),
            day_number(covered),
        ),
    )
    return int(cursor.lastrowid or 0)


def _upsert_samples(
    conn: sqlite3.Connection, member_id: int, batch_id: int, samples: Iterable[StepSample]
) -> None:
    conn.executemany(
        "INSERT INTO samples(member_id, start, end, source, steps, batch_id)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(member_id, start, end, source)"
        " DO UPDATE SET steps = excluded.steps, batch_id = excluded.batch_id",
        (
            (
                member_id,
                s.start.isoformat(timespec="minutes"),
                s.end.isoformat(timespec="minutes"),
                s.source,
                s.steps,
                batch_id,
            )
            for s in samples
        ),
    )


def _refresh_rollups(conn: sqlite3.Connection, member_id: int, days: set[date]) -> None:
    """Recompute the member-day and member-hour rollups for the touched days.

    Overlap rule across imports: sources never add up. A day's total is the largest total of any
    one stream that day, a stream being one source's buckets of one length (so a source's daily
    bucket and its hourly buckets of the same day are alternatives, not addends); an hour's total is
    the largest of any one source's hourly bucket.
    """
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched (day TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM touched")
    conn.executemany("INSERT INTO touched VALUES (?)", ((d.isoformat(),) for d in days))
    nums = [(member_id, day_number(d)) for d in days]
    conn.executemany("DELETE FROM daily WHERE member_id = ? AND day = ?", nums)
    conn.executemany("DELETE FROM hourly WHERE member_id = ? AND day = ?", nums)
    day_of = "CAST(julianday(substr(start, 1, 10)) - 2440587.5 AS INTEGER)"
    conn.execute(
        f"INSERT INTO daily(member_id, day, steps) SELECT member_id, d, max(total) FROM ("  # noqa: S608
        f" SELECT member_id, {day_of} AS d, sum(steps) AS total FROM samples"
        " WHERE member_id = ? AND substr(start, 1, 10) IN (SELECT day FROM touched)"
        " GROUP BY member_id, d, source, round((julianday(end) - julianday(start)) * 24))"
        " GROUP BY member_id, d",
        (member_id,),
    )
    conn.execute(
        "INSERT INTO hourly(member_id, day, hour, steps)"  # noqa: S608
        f" SELECT member_id, {day_of}, CAST(substr(start, 12, 2) AS INTEGER), max(steps)"
        " FROM samples WHERE member_id = ? AND substr(start, 1, 10) IN (SELECT day FROM touched)"
        " AND (julianday(end) - julianday(start)) * 24 BETWEEN 0.99 AND 1.01"
        " GROUP BY member_id, substr(start, 1, 13)",
        (member_id,),
    )
