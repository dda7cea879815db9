"""The lifetime ledger: per-block charges and the family's noticeboard of shared releases, in the store.

A release is a claim on every block its window covers, all or nothing, decided in one `BEGIN IMMEDIATE`
transaction that also stores the release: nothing is shown that is not stored, and nothing stored was
not paid for. Nothing ever renews. Any SQLite failure becomes a generic `LedgerUnavailable`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from privacy import audit_log
from privacy.audit_log import Outcome
from privacy.budget import plan
from privacy.epsilon import Epsilon
from privacy.release import BudgetExhausted, LedgerUnavailable

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS budget_blocks (
        block TEXT PRIMARY KEY,
        spent_micro INTEGER NOT NULL CHECK (spent_micro >= 0),
        reserve_micro INTEGER NOT NULL CHECK (reserve_micro >= 0 AND reserve_micro <= spent_micro)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS budget_shares (
        viewer_id INTEGER NOT NULL REFERENCES members (id),
        block TEXT NOT NULL REFERENCES budget_blocks (block),
        spent_micro INTEGER NOT NULL CHECK (spent_micro >= 0),
        PRIMARY KEY (viewer_id, block)
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS board_releases (
        id INTEGER PRIMARY KEY,
        question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
        seq INTEGER NOT NULL CHECK (seq >= 0),
        generation INTEGER NOT NULL CHECK (generation >= 0),
        kind TEXT NOT NULL CHECK (kind IN ('plan', 'asked', 'sharpen', 'refresh', 'legacy')),
        product TEXT,
        query_key TEXT NOT NULL,
        first_day TEXT NOT NULL,
        last_day TEXT NOT NULL,
        unit TEXT NOT NULL,
        charge_micro INTEGER NOT NULL CHECK (charge_micro > 0),
        requested_by INTEGER REFERENCES members (id),
        release_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (question, seq)
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS board_by_product ON board_releases (product, unit, first_day, last_day)",
    """CREATE TABLE IF NOT EXISTS budget_charges (
        release_id INTEGER NOT NULL REFERENCES board_releases (id),
        block TEXT NOT NULL REFERENCES budget_blocks (block),
        charge_micro INTEGER NOT NULL CHECK (charge_micro > 0),
        PRIMARY KEY (release_id, block)
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS charges_by_block ON budget_charges (block)",
    *plan.SCHEMA,
    *audit_log.SCHEMA,
)
"""Created together in one transaction: a ledger missing some of its tables is damaged, not new."""

TABLES = frozenset(
    {"budget_blocks", "budget_shares", "board_releases", "budget_charges", "family_plan", "family_plan_log"}
    | {"audit_log"}
)

UNAVAILABLE = "The privacy budget ledger is unavailable, so nothing was released. Please try again later."
"""The only text a ledger failure shows: no path, no SQL, no value."""

BLOCKS_JSON = "SELECT value FROM json_each(:blocks)"
"""A claim's blocks arrive as one JSON array, so a year-long window is one statement, not 365."""


class Kind(StrEnum):
    """Where a release's charge comes from: the plan's share of each block, or its reserve."""

    PLAN = "plan"
    ASKED = "asked"
    SHARPEN = "sharpen"
    REFRESH = "refresh"
    LEGACY = "legacy"

    @property
    def from_reserve(self) -> bool:
        """Ad hoc questions, sharpening and refreshes are paid from the reserve, under each viewer's quota."""
        return self in (Kind.ASKED, Kind.SHARPEN, Kind.REFRESH)


class LedgerCorrupt(LedgerUnavailable):
    """The file is damaged, a ledger table is missing, or a block's total is not the sum of its charges."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(UNAVAILABLE)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Limits:
    """The rules a claim is checked against, in micro-epsilon per block; built from the family plan."""

    lifetime_micro: int
    reserve_micro: int
    quota_micro: int

    @classmethod
    def of(cls, family_plan: plan.FamilyPlan) -> Limits:
        """The lifetime budget, the reserve the plan leaves, and each viewer's half of it."""
        return cls(family_plan.lifetime.micro, family_plan.reserve_micro, family_plan.quota_micro)


@dataclass(frozen=True)
class Claim:
    """One release's claim on the ledger: the question, its period and the blocks it charges."""

    question: str
    seq: int
    generation: int
    kind: Kind
    product: str | None
    query_key: str
    first_day: str
    last_day: str
    unit: str
    charge: Epsilon
    """OpenDP's privacy map at the unit's d_in, rounded up: charged to each block."""
    blocks: tuple[str, ...]
    viewer_id: int | None
    """Whose visit or question made it (None for a migration)."""


@dataclass(frozen=True)
class Stored:
    """A release on the noticeboard, as stored."""

    id: int
    question: str
    seq: int
    generation: int
    kind: Kind
    product: str | None
    query_key: str
    first_day: str
    last_day: str
    unit: str
    charge_micro: int
    requested_by: int | None
    release_json: str
    created_at: str


@dataclass(frozen=True)
class BlockState:
    """One block's lifetime account, and what the asking viewer took of its reserve."""

    block: str
    spent_micro: int
    reserve_spent_micro: int
    viewer_micro: int


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the ledger tables on first use; if only some exist, raise rather than start from zero."""
    with _guarded(conn):
        if _tables(conn) == TABLES:
            return
        with immediate(conn):
            present = _tables(conn)
            if present == TABLES:  # another process created them while this one queued for the lock
                return
            if present:
                raise LedgerCorrupt([f"missing tables: {', '.join(sorted(TABLES - present))}"])
            for statement in SCHEMA:
                conn.execute(statement)


def latest(conn: sqlite3.Connection, question: str) -> tuple[Stored, ...]:
    """The releases of a question's newest generation, oldest first (a sharpened figure has several)."""
    with _guarded(conn):
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM board_releases WHERE question = ? AND generation ="  # noqa: S608
            " (SELECT max(generation) FROM board_releases WHERE question = ?) ORDER BY seq",
            (question, question),
        ).fetchall()
    return tuple(_stored(r) for r in rows)


def product_question(conn: sqlite3.Connection, product: str, unit: str, first: str, last: str) -> str | None:
    """The question a product's period was released under, whatever the plan's epsilon is now."""
    with _guarded(conn):
        row = conn.execute(
            "SELECT question FROM board_releases WHERE product = ? AND unit = ? AND first_day = ?"
            " AND last_day = ? ORDER BY id LIMIT 1",
            (product, unit, first, last),
        ).fetchone()
    return None if row is None else row[0]


def states(conn: sqlite3.Connection, blocks: Sequence[str], viewer_id: int | None) -> list[BlockState]:
    """Each block's account (unspent blocks read as zero), in the order asked."""
    with _guarded(conn):
        return _states(conn, blocks, viewer_id)


def shortfall(claim: Claim, found: Sequence[BlockState], limits: Limits) -> str:
    """Why the claim does not fit (empty when it does): the ledger decides, before anything runs."""
    c = claim.charge.micro
    for state in found:
        if state.spent_micro + c > limits.lifetime_micro:
            return f"lifetime budget of {state.block}"
        if claim.kind.from_reserve:
            if state.reserve_spent_micro + c > limits.reserve_micro:
                return f"reserve of {state.block}"
            if state.viewer_micro + c > limits.quota_micro:
                return f"your share of {state.block}"
        elif claim.kind is Kind.PLAN:
            planned = state.spent_micro - state.reserve_spent_micro
            if planned + c > limits.lifetime_micro - limits.reserve_micro:
                return f"the plan's share of {state.block}"
    return ""


def precheck(conn: sqlite3.Connection, claim: Claim, limits: Limits, now: datetime) -> None:
    """Refuse before the measurement runs if the claim does not fit; `commit` still decides atomically."""
    found = states(conn, claim.blocks, claim.viewer_id)
    if reason := shortfall(claim, found, limits):
        log(conn, claim.viewer_id or 0, claim.query_key, claim.charge.micro, Outcome.REFUSED, reason, now)
        raise _refusal(claim, found, limits, reason)


def commit(
    conn: sqlite3.Connection, claim: Claim, release_json: str, limits: Limits, now: datetime
) -> tuple[str, bool]:
    """Charge every block and store the release in one transaction; returns (json, raced).

    A racing request that stored the same question and sequence first wins: its release is returned
    and this one is discarded unseen, spending nothing.
    """
    at = _utc(now)
    viewer = claim.viewer_id or 0
    with immediate(conn):
        row = conn.execute(
            "SELECT release_json FROM board_releases WHERE question = ? AND seq = ?",
            (claim.question, claim.seq),
        ).fetchone()
        if row is not None:
            audit_log.record(conn, at, viewer, claim.query_key, 0, Outcome.REPLAYED)
            return row[0], True
        found = _states(conn, claim.blocks, claim.viewer_id)
        if reason := shortfall(claim, found, limits):
            audit_log.record(conn, at, viewer, claim.query_key, claim.charge.micro, Outcome.REFUSED, reason)
            refusal = _refusal(claim, found, limits, reason)
        else:
            _charge(conn, claim, release_json, at)
            audit_log.record(conn, at, viewer, claim.query_key, claim.charge.micro, Outcome.RELEASED)
            return release_json, False
    raise refusal


def commit_all(
    conn: sqlite3.Connection, made: Sequence[tuple[Claim, str]], limits: Limits, now: datetime
) -> None:
    """Plan releases of many periods in one transaction (one disk sync); each claim is checked on its own.

    A claim a racing request already stored is skipped; one that no longer fits is refused and audited,
    and the rest still commit: each period is its own question.
    """
    at = _utc(now)
    with immediate(conn):
        for claim, release_json in made:
            viewer = claim.viewer_id or 0
            if conn.execute(
                "SELECT 1 FROM board_releases WHERE question = ? AND seq = ?", (claim.question, claim.seq)
            ).fetchone():
                continue
            if reason := shortfall(claim, _states(conn, claim.blocks, claim.viewer_id), limits):
                audit_log.record(
                    conn, at, viewer, claim.query_key, claim.charge.micro, Outcome.REFUSED, reason
                )
                continue
            _charge(conn, claim, release_json, at)
            audit_log.record(conn, at, viewer, claim.query_key, claim.charge.micro, Outcome.RELEASED)


def charge_legacy(conn: sqlite3.Connection, claim: Claim, release_json: str, at: datetime) -> None:
    """Record what an old release actually charged, even past the lifetime budget: the migration's debit."""
    _charge(conn, claim, release_json, _utc(at))


def log(
    conn: sqlite3.Connection,
    viewer_id: int,
    query_key: str,
    epsilon_micro: int,
    outcome: Outcome,
    reason: str,
    now: datetime,
) -> None:
    """Audit a request decided outside `commit`: a replay, or a refusal before any claim."""
    with immediate(conn):
        audit_log.record(conn, _utc(now), viewer_id, query_key, epsilon_micro, outcome, reason)


def board(conn: sqlite3.Connection, limit: int = 500) -> list[Stored]:
    """The family's noticeboard, newest first."""
    with _guarded(conn):
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM board_releases ORDER BY id DESC LIMIT ?",  # noqa: S608
            (limit,),
        ).fetchall()
    return [_stored(r) for r in rows]


def verify(conn: sqlite3.Connection) -> None:
    """Raise `LedgerCorrupt` unless the file is sound and every block's total is the sum of its charges."""
    with _guarded(conn):
        problems = [f"integrity: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        mismatched = conn.execute(
            "SELECT b.block FROM budget_blocks b LEFT JOIN (SELECT block, sum(charge_micro) AS total"
            " FROM budget_charges GROUP BY block) c USING (block) WHERE b.spent_micro != coalesce(c.total, 0)"
        ).fetchall()
        problems += [f"block {b}: spent is not the sum of its charges" for (b,) in mismatched]
    if problems:
        raise LedgerCorrupt(problems)


_COLUMNS = (
    "id, question, seq, generation, kind, product, query_key, first_day, last_day, unit, charge_micro,"
    " requested_by, release_json, created_at"
)


def _stored(row: tuple) -> Stored:
    return Stored(*row[:4], Kind(row[4]), *row[5:])


def _states(conn: sqlite3.Connection, blocks: Sequence[str], viewer_id: int | None) -> list[BlockState]:
    rows = conn.execute(
        "SELECT j.value, coalesce(b.spent_micro, 0), coalesce(b.reserve_micro, 0), coalesce(s.spent_micro, 0)"
        " FROM json_each(:blocks) j LEFT JOIN budget_blocks b ON b.block = j.value"
        " LEFT JOIN budget_shares s ON s.block = j.value AND s.viewer_id = :viewer ORDER BY j.key",
        {"blocks": json.dumps(list(blocks)), "viewer": viewer_id},
    ).fetchall()
    return [BlockState(*r) for r in rows]


def _charge(conn: sqlite3.Connection, claim: Claim, release_json: str, at: datetime) -> None:
    params = {
        "blocks": json.dumps(list(claim.blocks)),
        "c": claim.charge.micro,
        "reserve": claim.charge.micro if claim.kind.from_reserve else 0,
        "viewer": claim.viewer_id,
    }
    conn.execute(
        f"INSERT INTO budget_blocks (block, spent_micro, reserve_micro) SELECT value, :c, :reserve"  # noqa: S608
        f" FROM ({BLOCKS_JSON}) WHERE true ON CONFLICT (block) DO UPDATE SET"
        " spent_micro = spent_micro + :c, reserve_micro = reserve_micro + :reserve",
        params,
    )
    if claim.kind.from_reserve and claim.viewer_id is not None:
        conn.execute(
            f"INSERT INTO budget_shares (viewer_id, block, spent_micro) SELECT :viewer, value, :c"  # noqa: S608
            f" FROM ({BLOCKS_JSON}) WHERE true ON CONFLICT (viewer_id, block) DO UPDATE SET"
            " spent_micro = spent_micro + :c",
            params,
        )
    cursor = conn.execute(
        "INSERT INTO board_releases (question, seq, generation, kind, product, query_key, first_day,"
        " last_day, unit, charge_micro, requested_by, release_json, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            claim.question,
            claim.seq,
            claim.generation,
            claim.kind.value,
            claim.product,
            claim.query_key,
            claim.first_day,
            claim.last_day,
            claim.unit,
            claim.charge.micro,
            claim.viewer_id,
            release_json,
            at.isoformat(timespec="seconds"),
        ),
    )
    conn.execute(
        f"INSERT INTO budget_charges (release_id, block, charge_micro)"  # noqa: S608
        f" SELECT :release, value, :c FROM ({BLOCKS_JSON})",
        params | {"release": cursor.lastrowid},
    )


def _refusal(claim: Claim, found: Sequence[BlockState], limits: Limits, reason: str) -> BudgetExhausted:
    left = min(_room(claim, s, limits) for s in found)
    return BudgetExhausted(claim.charge, max(0, left), reason)


def _room(claim: Claim, state: BlockState, limits: Limits) -> int:
    room = limits.lifetime_micro - state.spent_micro
    if claim.kind.from_reserve:
        room = min(
            room,
            limits.reserve_micro - state.reserve_spent_micro,
            limits.quota_micro - state.viewer_micro,
        )
    return room


def _tables(conn: sqlite3.Connection) -> frozenset[str]:
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall()
    return frozenset(r[0] for r in rows) & TABLES


def _utc(now: datetime) -> datetime:
    """`now` in UTC; a naive time is refused, since its zone, and so its day, would be a guess."""
    if now.utcoffset() is None:
        raise ValueError("the ledger needs a timezone-aware time")
    return now.astimezone(UTC)


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
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
