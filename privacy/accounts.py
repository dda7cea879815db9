"""Family accounts: who may sign in, as which member, and how a session starts and ends."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from data.store import member_by_name, members, store_kind, transaction
from privacy import sessions, throttle
from privacy.identity import Viewer
from privacy.passwords import PRODUCTION, InvalidPassword, Passwords, checked_new
from privacy.release import NotAllowed
from privacy.sessions import issue, resume, revoke_all, sign_out, sign_out_everywhere, stamp
from privacy.throttle import DEFAULT_POLICY, Throttled, ThrottlePolicy

__all__ = [
    "SIGN_IN_ERRORS",
    "AccountExists",
    "AccountInfo",
    "InvalidName",
    "InvalidPassword",
    "NoAccount",
    "SignInFailed",
    "Throttled",
    "accounts",
    "change_password",
    "create_account",
    "demo_sign_in",
    "ensure_schema",
    "is_admin",
    "operator_session",
    "reset_password",
    "resume",
    "sign_in",
    "sign_out",
    "sign_out_everywhere",
]

MAX_NAME_CHARS = 64
"""The store's own limit on a member name (a display label, never a key)."""

SIGN_IN_FAILED = "Name or password is incorrect."
"""The one message for every failed sign-in: it must not tell an unknown name from a wrong password."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS accounts (
        member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
        password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
        is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
        changed_at TEXT NOT NULL
    )""",
    *sessions.SCHEMA,
    *throttle.SCHEMA,
)
"""Accounts, sessions and sign-in attempts live in the family store, beside the members they refer to."""


class SignInFailed(Exception):
    """A refused password; the message is safe to show and the same for every cause."""


class InvalidName(ValueError):
    """A name refused for an account: empty, too long, padded, or holding invisible characters."""


class AccountExists(ValueError):
    """That member already has an account; change its password instead."""


class NoAccount(LookupError):
    """No account has that name (said only to the operator at the command line)."""


SIGN_IN_ERRORS = (SignInFailed, Throttled)
"""What a sign-in form catches and shows; both messages are safe and reveal no name."""


@dataclass(frozen=True)
class AccountInfo:
    """One account as the operator's listing shows it; no hash."""

    member_id: int
    name: str
    is_admin: bool
    changed_at: str


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the account tables if missing; statement by statement, so no open transaction is committed."""
    for statement in SCHEMA:
        conn.execute(statement)


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
    if _account_named(conn, name) is not None:
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


def sign_in(
    conn: sqlite3.Connection,
    name: str,
    password: str,
    address: str | None,
    now: datetime,
    *,
    passwords: Passwords = PRODUCTION,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> Viewer:
    """A session for a correct name and password; every failure reads, and costs, the same."""
    name = name.strip() if isinstance(name, str) else ""
    # An unknown address is one shared bucket, never a free pass past the per-address limit.
    keys = throttle.keys_for(name, address or "")
    attempt = throttle.admit(conn, keys, now, policy)
    account = _account_named(conn, name)
    matched = passwords.verify(account.password_hash if account else None, password)
    if account is None or not matched:
        raise SignInFailed(SIGN_IN_FAILED)
    fresh = passwords.hash(password) if passwords.needs_rehash(account.password_hash) else None
    with transaction(conn):
        if _stored_hash(conn, account.member_id) != account.password_hash:
            raise SignInFailed(SIGN_IN_FAILED)
        throttle.succeeded(conn, keys, attempt)
        if fresh is not None:
            _store_hash(conn, account.member_id, fresh, now)
        token = issue(conn, account.member_id, now, "password")
    return Viewer(account.member_id, account.name, account.is_admin, token)


def demo_sign_in(conn: sqlite3.Connection, member_id: int, now: datetime) -> Viewer:
    """A passwordless but real server-side session, only while the store is the demo family."""
    if store_kind(conn) != "demo":
        raise NotAllowed("Demo sign-in is only available on the demo store.")
    member = next((m for m in members(conn) if m.id == member_id), None)
    if member is None:
        raise NotAllowed("No such member.")
    with transaction(conn):
        token = issue(conn, member.id, now, "demo")
    return Viewer(member.id, member.name, is_admin(conn, member.id), token)


def operator_session(conn: sqlite3.Connection, name: str, now: datetime) -> Viewer:
    """A short session for the local command line: whoever can run it can read the store file anyway."""
    member = member_by_name(conn, name) if _plausible_name(name) else None
    if member is None:
        raise NotAllowed("No member has that name.")
    with transaction(conn):
        token = issue(conn, member.id, now, "operator")
    return Viewer(member.id, member.name, is_admin(conn, member.id), token)


def change_password(
    conn: sqlite3.Connection,
    viewer: Viewer,
    old: str,
    new: str,
    now: datetime,
    *,
    passwords: Passwords = PRODUCTION,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> Viewer:
    """Replace a password after proving the old one; every session ends and a fresh one is returned."""
    current = resume(conn, viewer.session_token, now)
    if current is None or current.member_id != viewer.member_id:
        raise NotAllowed("Please sign in again.")
    checked_new(new)
    # Counted against the name (no address): a stolen session must not become a guessing oracle.
    keys = throttle.keys_for(current.name, None)
    attempt = throttle.admit(conn, keys, now, policy)
    stored = _stored_hash(conn, current.member_id)
    if not passwords.verify(stored, old):
        raise SignInFailed("The current password is incorrect.")
    fresh = passwords.hash(new)
    with transaction(conn):
        if _stored_hash(conn, current.member_id) != stored:
            raise SignInFailed("The password was changed meanwhile; please sign in again.")
        throttle.succeeded(conn, keys, attempt)
        _store_hash(conn, current.member_id, fresh, now)
        revoke_all(conn, current.member_id, now)
        token = issue(conn, current.member_id, now, "password")
    return Viewer(current.member_id, current.name, current.is_admin, token)


def reset_password(
    conn: sqlite3.Connection, member_id: int, new: str, now: datetime, *, passwords: Passwords = PRODUCTION
) -> None:
    """The operator's reset (no old password): the new hash is stored and every session of the member ends."""
    fresh = passwords.hash(new)
    with transaction(conn):
        if _stored_hash(conn, member_id) is None:
            raise NoAccount("No account has that name.")
        _store_hash(conn, member_id, fresh, now)
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
    privacy.accounts.InvalidName: A name may not hold control, formatting or invisible characters.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise InvalidName("A name may not be empty or start or end with spaces.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidName(f"A name may have at most {MAX_NAME_CHARS} characters.")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InvalidName("A name may not hold control, formatting or invisible characters.")


@dataclass(frozen=True)
class _Account:
    member_id: int
    name: str
    password_hash: str
    is_admin: bool


def _account_named(conn: sqlite3.Connection, name: str) -> _Account | None:
    """The account for an exact member name; one indexed query whether or not it exists."""
    if not _plausible_name(name):
        return None
    row = conn.execute(
        "SELECT a.member_id, m.name, a.password_hash, a.is_admin FROM members m"
        " JOIN accounts a ON a.member_id = m.id WHERE m.name = ?",
        (name,),
    ).fetchone()
    return _Account(row[0], row[1], row[2], bool(row[3])) if row else None


def _plausible_name(name: object) -> bool:
    """Could this be a stored name at all? Too long or unencodable text never reaches SQLite."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _stored_hash(conn: sqlite3.Connection, member_id: int) -> str | None:
    row = conn.execute("SELECT password_hash FROM accounts WHERE member_id = ?", (member_id,)).fetchone()
    return row[0] if row else None


def _store_hash(conn: sqlite3.Connection, member_id: int, password_hash: str, now: datetime) -> None:
    conn.execute(
        "UPDATE accounts SET password_hash = ?, changed_at = ? WHERE member_id = ?",
        (password_hash, stamp(now), member_id),
    )
