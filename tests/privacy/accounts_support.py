"""What the account tests share: a frozen time, a password, and cheap Argon2 hashers."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher

from privacy.accounts.passwords import Passwords

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
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
