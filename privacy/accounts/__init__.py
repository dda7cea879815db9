"""Family accounts: who may sign in, as which member, and how a session starts and ends.

The modules here are one package so that callers say `from privacy import accounts` and find the
whole API on it; see privacy/README.md for what each module owns.
"""

from __future__ import annotations

import sqlite3

from privacy.accounts import registry, sessions, throttle
from privacy.accounts.clients import Client, TrustedProxies
from privacy.accounts.passwords import InvalidPassword
from privacy.accounts.registry import (
    MAX_NAME_CHARS,
    AccountExists,
    AccountInfo,
    InvalidName,
    NoAccount,
    accounts,
    check_name,
    create_account,
    is_admin,
    reset_password,
)
from privacy.accounts.sessions import resume, sign_out, sign_out_everywhere
from privacy.accounts.sign_in import (
    SIGN_IN_ERRORS,
    SIGN_IN_FAILED,
    SignInFailed,
    change_password,
    demo_sign_in,
    operator_session,
    sign_in,
    unlock,
)
from privacy.accounts.throttle import Throttled

__all__ = [
    "MAX_NAME_CHARS",
    "SIGN_IN_ERRORS",
    "SIGN_IN_FAILED",
    "AccountExists",
    "AccountInfo",
    "Client",
    "InvalidName",
    "InvalidPassword",
    "NoAccount",
    "SignInFailed",
    "Throttled",
    "TrustedProxies",
    "accounts",
    "change_password",
    "check_name",
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
    "unlock",
]

SCHEMA = (*registry.SCHEMA, *sessions.SCHEMA, *throttle.SCHEMA)
"""Accounts, sessions and sign-in failures live in the family store, beside the members they refer to.
Sign-in refusals go to the ledger's audit log: `ledger.ensure_schema` must have run too, as `Hearth.open`
does; the ledger refuses to start beside a partial set of its tables, so this module never makes one."""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the account tables if missing; statement by statement, so no open transaction is committed."""
    for statement in SCHEMA:
        conn.execute(statement)
