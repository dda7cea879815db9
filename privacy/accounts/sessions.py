"""Server-side sessions: the browser holds a random token, the store holds only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from data.store import store_kind, transaction
from privacy.identity import Viewer

SESSION_LIFETIME = timedelta(hours=12)
"""A stolen token is worth half a day at most; family members sign in again each morning."""

OPERATOR_LIFETIME = timedelta(minutes=15)
"""Command-line sessions live for one command, with room for a slow one."""

LIFETIMES = {"password": SESSION_LIFETIME, "demo": SESSION_LIFETIME, "operator": OPERATOR_LIFETIME}
"""How a session was opened decides how long it lasts and what `resume` re-checks."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('password', 'demo', 'operator')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS sessions_by_member ON sessions(member_id)",
)

MAX_TOKEN_CHARS = 128
"""`token_urlsafe(32)` is 43 characters; anything far longer is not ours and is not even hashed."""


def stamp(now: datetime) -> str:
    """Fixed-width UTC text, so SQLite compares times as strings; a naive time is refused, not guessed.

    >>> stamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05.000000Z'
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> datetime:
    """Inverse of `stamp`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def digest(token: str) -> str:
    """What the store keeps of a token: a leaked database file opens no session."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(conn: sqlite3.Connection, member_id: int, now: datetime, kind: str) -> str:
    """Inside the caller's transaction: a new session's token (shown once, never stored)."""
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (stamp(now),))
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO sessions(token_sha256, member_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        (digest(token), member_id, kind, stamp(now), stamp(now + LIFETIMES[kind])),
    )
    return token


def resume(conn: sqlite3.Connection, token: str, now: datetime) -> Viewer | None:
    """The viewer behind a live session, else None: unknown, expired, revoked, or no longer entitled."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not token.isascii():
        return None
    row = conn.execute(
        "SELECT s.member_id, m.name, a.is_admin, s.kind FROM sessions s"
        " JOIN members m ON m.id = s.member_id LEFT JOIN accounts a ON a.member_id = s.member_id"
        " WHERE s.token_sha256 = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
        (digest(token), stamp(now)),
    ).fetchone()
    if row is None or not _still_entitled(conn, row[3], has_account=row[2] is not None):
        return None
    return Viewer(member_id=row[0], name=row[1], is_admin=bool(row[2]), session_token=token)


def sign_out(conn: sqlite3.Connection, token: str, now: datetime) -> None:
    """Revoke one session server side; an unknown or already revoked token is a no-op."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not token.isascii():
        return
    with transaction(conn):
        conn.execute(
            "UPDATE sessions SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL",
            (stamp(now), digest(token)),
        )


def sign_out_everywhere(conn: sqlite3.Connection, member_id: int, now: datetime) -> None:
    """Revoke every session of one member: the 'I lost my phone' button."""
    with transaction(conn):
        revoke_all(conn, member_id, now)


def revoke_all(conn: sqlite3.Connection, member_id: int, now: datetime) -> None:
    """Inside the caller's transaction: revoke every live session of `member_id`."""
    conn.execute(
        "UPDATE sessions SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL",
        (stamp(now), member_id),
    )


def _still_entitled(conn: sqlite3.Connection, kind: str, *, has_account: bool) -> bool:
    """A demo session dies if the store stops being the demo; a password session with its account."""
    if kind == "demo":
        return store_kind(conn) == "demo"
    if kind == "password":
        return has_account
    return kind == "operator"
