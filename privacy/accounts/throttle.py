"""Brute-force brakes on sign-in, per name and per address, in sliding windows that always run out."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.store import transaction
from privacy.accounts.sessions import parse_stamp, stamp

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sign_in_attempts (
        id INTEGER PRIMARY KEY,
        name_sha256 TEXT NOT NULL,
        address_sha256 TEXT,
        at TEXT NOT NULL,
        name_cleared INTEGER NOT NULL DEFAULT 0 CHECK (name_cleared IN (0, 1))
    )""",
    "CREATE INDEX IF NOT EXISTS attempts_by_name ON sign_in_attempts(name_sha256, at)",
    "CREATE INDEX IF NOT EXISTS attempts_by_address ON sign_in_attempts(address_sha256, at)",
)
"""Each row a failed (or still running) attempt; rows older than the window are deleted."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures a window tolerates before further attempts are refused unheard."""

    name_limit: int = 5
    """Failures per sign-in name: a guessed password gets five tries per window, not thousands."""
    address_limit: int = 20
    """Failures per address (IPv6 per /64): one machine spraying many names is slowed as well."""
    window: timedelta = timedelta(minutes=15)
    """Failures older than this are forgotten, so no lock outlives it once the attempts stop."""

    def __post_init__(self) -> None:
        if self.name_limit < 1 or self.address_limit < 1 or self.window <= timedelta(0):
            raise ValueError("throttle limits and window must be positive")


DEFAULT_POLICY = ThrottlePolicy()


class Throttled(Exception):
    """Too many recent failures; the message says neither which limit nor whether the name exists."""

    def __init__(self, wait: timedelta) -> None:
        self.minutes = max(1, math.ceil(wait.total_seconds() / 60))
        unit = "minute" if self.minutes == 1 else "minutes"
        super().__init__(f"Too many sign-in attempts. Try again in {self.minutes} {unit}.")


@dataclass(frozen=True)
class AttemptKeys:
    """What failures are counted against: SHA-256 digests, so no typed name or address is stored."""

    name: str
    address: str | None
    """None for attempts with no address, such as re-entering a password while signed in."""


def keys_for(name: str, address: str | None) -> AttemptKeys:
    """Digest the name exactly as typed and the address by network (see `address_group`)."""
    return AttemptKeys(
        name=_digest("name", name),
        address=None if address is None else _digest("address", address_group(address)),
    )


def address_group(address: str) -> str:
    """The unit an address is counted in: an IPv6 host owns a whole /64, so that is one address.

    >>> address_group("2001:db8::1")
    '2001:db8::/64'
    >>> address_group("::ffff:192.0.2.7")
    '192.0.2.7'
    >>> address_group("not an address")
    'not an address'
    """
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def admit(
    conn: sqlite3.Connection, keys: AttemptKeys, now: datetime, policy: ThrottlePolicy = DEFAULT_POLICY
) -> int:
    """Refuse (`Throttled`) or count this attempt as a failure in advance, so parallel guesses cannot race.

    Refused attempts are not counted: a lock ends one window after the failures that caused it.
    Returns the attempt's id, which `succeeded` uncounts.
    """
    cutoff = stamp(now - policy.window)
    with transaction(conn):
        conn.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (cutoff,))
        pivots = [_name_pivot(conn, keys, cutoff, policy), _address_pivot(conn, keys, cutoff, policy)]
        until = max((p + policy.window for p in pivots if p is not None), default=now)
        if until > now:
            raise Throttled(until - now)
        cursor = conn.execute(
            "INSERT INTO sign_in_attempts(name_sha256, address_sha256, at) VALUES (?, ?, ?)",
            (keys.name, keys.address, stamp(now)),
        )
    return int(cursor.lastrowid or 0)


def succeeded(conn: sqlite3.Connection, keys: AttemptKeys, attempt: int) -> None:
    """Inside the caller's transaction: drop this attempt and clear the name's count, not the address's."""
    conn.execute("DELETE FROM sign_in_attempts WHERE id = ?", (attempt,))
    conn.execute("UPDATE sign_in_attempts SET name_cleared = 1 WHERE name_sha256 = ?", (keys.name,))


def _name_pivot(
    conn: sqlite3.Connection, keys: AttemptKeys, cutoff: str, policy: ThrottlePolicy
) -> datetime | None:
    """Time of the failure whose expiry brings the name back under its limit, if it is at it."""
    row = conn.execute(
        "SELECT at FROM sign_in_attempts WHERE name_sha256 = ? AND name_cleared = 0 AND at > ?"
        " ORDER BY at DESC LIMIT 1 OFFSET ?",
        (keys.name, cutoff, policy.name_limit - 1),
    ).fetchone()
    return parse_stamp(row[0]) if row else None


def _address_pivot(
    conn: sqlite3.Connection, keys: AttemptKeys, cutoff: str, policy: ThrottlePolicy
) -> datetime | None:
    """As `_name_pivot`, for the address; success does not clear it, or an own account would reset it."""
    if keys.address is None:
        return None
    row = conn.execute(
        "SELECT at FROM sign_in_attempts WHERE address_sha256 = ? AND at > ?"
        " ORDER BY at DESC LIMIT 1 OFFSET ?",
        (keys.address, cutoff, policy.address_limit - 1),
    ).fetchone()
    return parse_stamp(row[0]) if row else None


def _digest(kind: str, text: str) -> str:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
