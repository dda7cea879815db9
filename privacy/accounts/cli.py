"""`python -m privacy account add|list|passwd|unlock`: the operator's tools, on the store at HEARTH_DB."""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
import unicodedata
from contextlib import closing
from datetime import UTC, datetime

from data.store import connect, default_path, member_by_name
from privacy.accounts import (
    MAX_NAME_CHARS,
    accounts,
    create_account,
    ensure_schema,
    reset_password,
    unlock,
)
from privacy.accounts.passwords import MAX_PASSWORD_CHARS
from privacy.accounts.registry import stored_hash

FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `account` command to the lead's parser; `run` is also set as the `func` default."""
    parser = subparsers.add_parser("account", help="add, list or re-password family accounts")
    actions = parser.add_subparsers(dest="account_command", required=True)
    add = actions.add_parser("add", help="create an account (password from stdin, or asked twice)")
    add.add_argument("name", help="the member's display name; added to the family if new")
    add.add_argument("--admin", action="store_true", help="may import for anyone (sees no more data)")
    actions.add_parser("list", help="list accounts: member id, admin flag, name")
    passwd = actions.add_parser("passwd", help="set a new password and end all that member's sessions")
    passwd.add_argument("name")
    unlock = actions.add_parser("unlock", help="clear every browser's failed sign-ins at that member's name")
    unlock.add_argument("name")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out one `account` action; a refusal prints its (safe) reason and exits 1."""
    try:
        with closing(connect(default_path())) as conn:
            ensure_schema(conn)
            if args.account_command == "add":
                member_id = create_account(conn, args.name, _new_password(), admin=args.admin)
                print(f"Created an account for {shown(args.name)} (member {member_id}).")
            elif args.account_command == "passwd":
                member = member_by_name(conn, args.name)
                if member is None:
                    raise LookupError("No account has that name.")
                reset_password(conn, member.id, _new_password(), datetime.now(UTC))
                print(f"Password changed for {shown(member.name)}; all their sessions have ended.")
            elif args.account_command == "unlock":
                _unlock(conn, args.name)
            else:
                _list(conn)
    except (ValueError, LookupError) as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return FAILED
    return 0


def shown(name: str) -> str:
    r"""A name safe for a terminal: control, bidi and invisible characters escaped, length capped.

    >>> shown("Eve\u202egnp.exe")
    'Eve\\u202egnp.exe'
    >>> len(shown("x" * 1000))
    65
    """
    capped = name[:MAX_NAME_CHARS] + ("…" if len(name) > MAX_NAME_CHARS else "")
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c).startswith("C") else c for c in capped)


def _unlock(conn: sqlite3.Connection, name: str) -> None:
    member = member_by_name(conn, name)
    if member is None or stored_hash(conn, member.id) is None:
        raise LookupError("No account has that name.")
    cleared = unlock(conn, member.id)
    print(f"Cleared {cleared} recent failed sign-in(s) at {shown(member.name)}'s name.")


def _list(conn: sqlite3.Connection) -> None:
    rows = accounts(conn)
    if not rows:
        print("No accounts yet.")
    for row in rows:
        role = "admin" if row.is_admin else "     "
        print(f"{row.member_id:>6}  {role}  {shown(row.name)}  (password set {row.changed_at[:10]})")


def _new_password() -> str:
    """Asked twice at a terminal; otherwise the first line of stdin, so scripts can pipe one in."""
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise ValueError("The two passwords differ; nothing was changed.")
        return first
    line = sys.stdin.readline(MAX_PASSWORD_CHARS + 2)
    return line.removesuffix("\n").removesuffix("\r")
