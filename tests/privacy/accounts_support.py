"""What the account tests share: a frozen time, a password, cheap Argon2 hashers, a store opener."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from data import store
from privacy import accounts
from privacy.accounts import Client
from privacy.accounts.passwords import Passwords
from privacy.budget import ledger

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HOME = Client.address("192.0.2.1")
"""A client a trusted proxy vouched for; most tests need just one."""
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
"""Test-only cost: the production parameters stay strong, the suite stays quick."""


class CountingHasher(PasswordHasher):
    """A cheap hasher that counts verifications, to see which attempts reach Argon2 at all."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifies = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifies += 1
        return super().verify(hash, password)


def open_store(path: Path) -> sqlite3.Connection:
    """A store with the account tables and the ledger's (sign-in refusals go to its audit log)."""
    connection = store.connect(path)
    ledger.ensure_schema(connection)
    accounts.ensure_schema(connection)
    return connection
