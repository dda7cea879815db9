"""Starting a session: by password (throttled), on the demo store, or for the operator's command line."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from data.store import member_by_name, members, store_kind, transaction
from privacy import audit_log
from privacy.accounts import throttle
from privacy.accounts.clients import Client
from privacy.accounts.passwords import PRODUCTION, Passwords, checked_new
from privacy.accounts.registry import (
    Account,
    account_named,
    is_admin,
    plausible_name,
    store_hash,
    stored_hash,
)
from privacy.accounts.sessions import digest, issue, resume, revoke_all
from privacy.accounts.throttle import DEFAULT_POLICY, Throttled, ThrottlePolicy
from privacy.audit_log import Outcome
from privacy.identity import Viewer
from privacy.release import NotAllowed

SIGN_IN_FAILED = "Name or password is incorrect."
"""The one message for every failed sign-in: it must not tell an unknown name from a wrong password."""


SIGN_IN_QUERY = "sign_in"
"""The audit log's query key for sign-in refusals: they spend nothing, so their epsilon is 0."""

NO_MEMBER = 0
"""The audit log's member for a refusal at a name with no account (member ids start at 1)."""


class SignInFailed(Exception):
    """A refused password; the message is safe to show and the same for every cause."""


SIGN_IN_ERRORS = (SignInFailed, Throttled)
"""What a sign-in form catches and shows; both messages are safe and reveal no name."""


def sign_in(
    conn: sqlite3.Connection,
    name: str,
    password: str,
    client: Client,
    now: datetime,
    *,
    passwords: Passwords = PRODUCTION,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> Viewer:
    """A session for a correct name and password; every failure reads, and costs, the same."""
    name = name.strip() if isinstance(name, str) else ""
    keys = throttle.keys_for(name, client)
    account = account_named(conn, name)
    try:
        throttle.admit(conn, keys, now, policy)
    except Throttled:
        _refused(conn, account, "sign-in throttled", now)
        raise
    matched = passwords.verify(account.password_hash if account else None, password)
    if account is None or not matched:
        _refused(conn, account, "sign-in failed", now)
        raise SignInFailed(SIGN_IN_FAILED)
    fresh = passwords.hash(password) if passwords.needs_rehash(account.password_hash) else None
    with transaction(conn):
        if stored_hash(conn, account.member_id) != account.password_hash:
            raise SignInFailed(SIGN_IN_FAILED)
        throttle.succeeded(conn, keys)
        if fresh is not None:
            store_hash(conn, account.member_id, fresh, now)
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
    member = member_by_name(conn, name) if plausible_name(name) else None
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
    # The session is the client: a stolen one must not become a guessing oracle, nor slow the member.
    keys = throttle.keys_for(current.name, Client("session", digest(current.session_token)))
    throttle.admit(conn, keys, now, policy)
    stored = stored_hash(conn, current.member_id)
    if not passwords.verify(stored, old):
        _refused(conn, account_named(conn, current.name), "password change: old password failed", now)
        raise SignInFailed("The current password is incorrect.")
    fresh = passwords.hash(new)
    with transaction(conn):
        if stored_hash(conn, current.member_id) != stored:
            raise SignInFailed("The password was changed meanwhile; please sign in again.")
        throttle.succeeded(conn, keys)
        store_hash(conn, current.member_id, fresh, now)
        revoke_all(conn, current.member_id, now)
        token = issue(conn, current.member_id, now, "password")
    return Viewer(current.member_id, current.name, current.is_admin, token)


def unlock(conn: sqlite3.Connection, member_id: int) -> int:
    """An admin's reset of a member's throttle: every client's failures at the member's name are forgotten."""
    member = next((m for m in members(conn) if m.id == member_id), None)
    if member is None:
        raise NotAllowed("No such member.")
    with transaction(conn):
        return throttle.unlock(conn, member.name)


def _refused(conn: sqlite3.Connection, account: Account | None, reason: str, now: datetime) -> None:
    """Audit a refusal under the member it aimed at (0 for no account): never the typed name or password."""
    with transaction(conn):
        audit_log.record(
            conn, now, account.member_id if account else NO_MEMBER, SIGN_IN_QUERY, 0, Outcome.REFUSED, reason
        )
