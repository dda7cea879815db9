"""The accounts table: which member has a password, who is an admin, and how names are checked."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from data.store import transaction
from privacy.accounts.passwords import PRODUCTION, Passwords
from privacy.accounts.sessions import revoke_all, stamp

MAX_NAME_CHARS = 64
"""The store's own limit on a member name (a display label, never a key)."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS accounts (
        member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
        password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
        is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
        changed_at TEXT NOT NULL
    )""",
)


class InvalidName(ValueError):
    """A name refused for an account: empty, too long, padded, or holding invisible characters."""


class AccountExists(ValueError):
    """That member already has an account; change its password instead."""


class NoAccount(LookupError):
    """No account has that name (said only to the operator at the command line)."""


@dataclass(frozen=True)
class AccountInfo:
    """One account as the operator's listing shows it; no hash."""

    member_id: int
    name: str
    is_admin: bool
    changed_at: str


def create_account(
    conn: sqlite3.Connection,
    name: str,
    password: str,
    *,
    admin: bool = False,
    now: datetime | None = None,
    passwords: Passwords = PRODUCTION,
) -> int:
    """Give a member (added if new) a password; returns the member id. One account per member."""
    check_name(name)
    if account_named(conn, name) is not None:
        raise AccountExists("That member already has an account; use passwd to change its password.")
    password_hash = passwords.hash(password)
    when = now or datetime.now(UTC)
    with transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO members(name, created_at) VALUES (?, ?)",
            (name, when.astimezone(UTC).isoformat(timespec="seconds")),
        )
        member_id = int(conn.execute("SELECT id FROM members WHERE name = ?", (name,)).fetchone()[0])
        try:
            conn.execute(
                "INSERT INTO accounts(member_id, password_hash, is_admin, changed_at) VALUES (?, ?, ?, ?)",
                (member_id, password_hash, int(admin), stamp(when)),
            )
        except sqlite3.IntegrityError:
            raise AccountExists("That member already has an account.") from None
    return member_id


def reset_password(
    conn: sqlite3.Connection, member_id: int, new: str, now: datetime, *, passwords: Passwords = PRODUCTION
) -> None:
    """The operator's reset (no old password): the new hash is stored and every session of the member ends."""
    fresh = passwords.hash(new)
    with transaction(conn):
        if stored_hash(conn, member_id) is None:
            raise NoAccount("No account has that name.")
        store_hash(conn, member_id, fresh, now)
        revoke_all(conn, member_id, now)


def is_admin(conn: sqlite3.Connection, member_id: int) -> bool:
    """Admins may import for anyone; it grants no extra view of anyone's data."""
    row = conn.execute("SELECT is_admin FROM accounts WHERE member_id = ?", (member_id,)).fetchone()
    return bool(row and row[0])


def accounts(conn: sqlite3.Connection) -> tuple[AccountInfo, ...]:
    """Every account in member order, for the operator's `account list`."""
    rows = conn.execute(
        "SELECT a.member_id, m.name, a.is_admin, a.changed_at FROM accounts a"
        " JOIN members m ON m.id = a.member_id ORDER BY a.member_id"
    ).fetchall()
    return tuple(AccountInfo(r[0], r[1], bool(r[2]), r[3]) for r in rows)


def check_name(name: str) -> None:
    r"""Refuse names that could spoof or break a page: invisible, control or bidi characters, padding.

    >>> check_name("Zoë")
    >>> check_name("Eve\u202egnp.exe")
    Traceback (most recent call last):
    ...
    privacy.accounts.registry.InvalidName: A name may not hold control, formatting or invisible characters.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise InvalidName("A name may not be empty or start or end with spaces.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidName(f"A name may have at most {MAX_NAME_CHARS} characters.")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InvalidName("A name may not hold control, formatting or invisible characters.")


@dataclass(frozen=True)
class Account:
    """One account with its hash, for the sign-in checks only: never shown."""

    member_id: int
    name: str
    password_hash: str
    is_admin: bool


def account_named(conn: sqlite3.Connection, name: str) -> Account | None:
    """The account for an exact member name; one indexed query whether or not it exists."""
    if not plausible_name(name):
        return None
    row = conn.execute(
        "SELECT a.member_id, m.name, a.password_hash, a.is_admin FROM members m"
        " JOIN accounts a ON a.member_id = m.id WHERE m.name = ?",
        (name,),
    ).fetchone()
    return Account(row[0], row[1], row[2], bool(row[3])) if row else None


def plausible_name(name: object) -> bool:
    """Could this be a stored name at all? Too long or unencodable text never reaches SQLite."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stored_hash(conn: sqlite3.Connection, member_id: int) -> str | None:
    """The member's current hash, or None without an account: re-read to catch a concurrent change."""
    row = conn.execute("SELECT password_hash FROM accounts WHERE member_id = ?", (member_id,)).fetchone()
    return row[0] if row else None


def store_hash(conn: sqlite3.Connection, member_id: int, password_hash: str, now: datetime) -> None:
    """Inside the caller's transaction: replace the member's hash and stamp the change."""
    conn.execute(
        "UPDATE accounts SET password_hash = ?, changed_at = ? WHERE member_id = ?",
        (password_hash, stamp(now), member_id),
    )
