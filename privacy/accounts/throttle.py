"""Brute-force brakes on sign-in that slow a guesser down without handing it a way to lock anyone out.

Failures are counted per (name, client) with growing waits, and per name: a name many clients have
failed on makes every client that has itself failed there wait longer. A client with no failures of
its own at a name is always heard, so nobody's guesses can refuse another client's correct password.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.store import transaction
from privacy.accounts.clients import Client
from privacy.accounts.sessions import parse_stamp, stamp

SCHEMA = (
    # The table before per-client counting: its rows were keyed by a client-chosen address. Dropping it
    # forgets at most a quarter of an hour of failures.
    "DROP TABLE IF EXISTS sign_in_attempts",
    """CREATE TABLE IF NOT EXISTS sign_in_failures (
        id INTEGER PRIMARY KEY,
        name_sha256 TEXT NOT NULL CHECK (length(name_sha256) = 64),
        client_sha256 TEXT NOT NULL CHECK (length(client_sha256) = 64),
        at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS failures_by_name ON sign_in_failures(name_sha256, client_sha256, at)",
    "CREATE INDEX IF NOT EXISTS failures_by_time ON sign_in_failures(at)",
)
"""Each row a failed (or still running) attempt; rows older than the window are deleted."""

ZERO = timedelta(0)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How long a client waits before its next attempt at a name is heard (OWASP, NIST SP 800-63B)."""

    free_failures: int = 3
    """Failures one client may make at one name without waiting: typos, a caps-lock key."""
    first_delay: timedelta = timedelta(seconds=30)
    """The wait after the first failure past the free ones; each further failure doubles it."""
    max_delay: timedelta = timedelta(hours=1)
    """The longest wait between one client's attempts at one name (NIST's example: 30 s up to an hour)."""
    hot_name: int = 10
    """Failures at one name from all clients that make it hot: then every client that has failed
    there waits after one failure, the wait growing with the name's total."""
    window: timedelta = timedelta(days=1)
    """Failures older than this are forgotten, so every wait runs out once the guessing stops."""

    def __post_init__(self) -> None:
        if min(self.free_failures, self.hot_name) < 1 or self.first_delay <= ZERO:
            raise ValueError("throttle limits and delays must be positive")
        if not self.first_delay <= self.max_delay < self.window:
            raise ValueError("the delays must grow to a ceiling shorter than the window")


DEFAULT_POLICY = ThrottlePolicy()


class Throttled(Exception):
    """Too many recent failures; the message says neither which limit nor whether the name exists."""

    def __init__(self, wait: timedelta) -> None:
        self.wait = wait
        seconds = max(1, math.ceil(wait.total_seconds()))
        amount, unit = (seconds, "second") if seconds < 60 else (math.ceil(seconds / 60), "minute")
        super().__init__(
            f"Too many sign-in attempts. Try again in {amount} {unit}{'s' if amount > 1 else ''}."
        )


@dataclass(frozen=True)
class AttemptKeys:
    """What failures are counted against: SHA-256 digests, so no typed name or address is stored."""

    name: str
    client: str


def keys_for(name: str, client: Client) -> AttemptKeys:
    """Digest the name exactly as typed and the client's key."""
    return AttemptKeys(name=name_key(name), client=_digest("client", client.key))


def name_key(name: str) -> str:
    """The digest a name's failures are stored under (the admin's unlock finds them by it)."""
    return _digest("name", name)


def wait(policy: ThrottlePolicy, own: Sequence[datetime], name_total: int, now: datetime) -> timedelta:
    """How long a client must wait before its next attempt at a name is heard.

    `own` are the client's own failures at the name within the window, `name_total` everyone's. With
    no failures of its own a client is always heard: others' guesses never refuse it.

    >>> from datetime import UTC
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> [str(wait(DEFAULT_POLICY, [t] * n, n, t)) for n in (2, 3, 4, 5)]
    ['0:00:00', '0:00:30', '0:01:00', '0:02:00']
    >>> str(wait(DEFAULT_POLICY, [], 10_000, t)), str(wait(DEFAULT_POLICY, [t], 12, t))
    ('0:00:00', '0:02:00')
    """
    if not own:
        return ZERO
    steps = len(own) - policy.free_failures
    if name_total >= policy.hot_name:
        steps = max(steps, name_total - policy.hot_name)
    if steps < 0:
        return ZERO
    delay = min(policy.max_delay, policy.first_delay * 2 ** min(steps, 32))
    return max(ZERO, max(own) + delay - now)


def admit(
    conn: sqlite3.Connection, keys: AttemptKeys, now: datetime, policy: ThrottlePolicy = DEFAULT_POLICY
) -> int:
    """Refuse (`Throttled`) or count this attempt as a failure in advance, so parallel guesses cannot race.

    Refused attempts are not counted: a wait ends on time even if the guesses keep coming.
    Returns the attempt's id, which `succeeded` uncounts.
    """
    with transaction(conn):
        conn.execute("DELETE FROM sign_in_failures WHERE at <= ?", (stamp(now - policy.window),))
        own = conn.execute(
            "SELECT at FROM sign_in_failures WHERE name_sha256 = ? AND client_sha256 = ?",
            (keys.name, keys.client),
        ).fetchall()
        (total,) = conn.execute(
            "SELECT count(*) FROM sign_in_failures WHERE name_sha256 = ?", (keys.name,)
        ).fetchone()
        left = wait(policy, [parse_stamp(row[0]) for row in own], int(total), now)
        if left > ZERO:
            raise Throttled(left)
        cursor = conn.execute(
            "INSERT INTO sign_in_failures(name_sha256, client_sha256, at) VALUES (?, ?, ?)",
            (keys.name, keys.client, stamp(now)),
        )
    return int(cursor.lastrowid or 0)


def succeeded(conn: sqlite3.Connection, keys: AttemptKeys) -> None:
    """Inside the caller's transaction: this client proved itself at this name; others' failures stay."""
    conn.execute(
        "DELETE FROM sign_in_failures WHERE name_sha256 = ? AND client_sha256 = ?", (keys.name, keys.client)
    )


def unlock(conn: sqlite3.Connection, name: str) -> int:
    """Inside the caller's transaction: forget every client's failures at `name`; returns how many."""
    return conn.execute("DELETE FROM sign_in_failures WHERE name_sha256 = ?", (name_key(name),)).rowcount


def _digest(kind: str, text: str) -> str:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
