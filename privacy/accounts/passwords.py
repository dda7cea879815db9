"""Password hashing: Argon2id, and a dummy hash so that unknown names cost as much to refuse as known ones."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_CHARS = 8
"""NIST SP 800-63B's floor for a memorised secret; length is asked for, composition rules are not."""

MAX_PASSWORD_CHARS = 1024
"""Room for any passphrase while bounding the work one sign-in request can ask of the server."""


class InvalidPassword(ValueError):
    """A new password Hearth will not store; the message is safe to show and never holds the password."""


@dataclass(frozen=True)
class Passwords:
    """One Argon2id configuration: hashes new passwords; verifies at one cost whether or not one exists."""

    hasher: PasswordHasher
    """Its parameters set the cost of new hashes and of the dummy; old hashes verify at their own cost."""

    def hash(self, password: str) -> str:
        """The PHC string (`$argon2id$...`) for a new password, after checking its length."""
        return self.hasher.hash(checked_new(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """True only if `password` matches `stored`; `None` still costs one full verification."""
        secret = _secret(password)
        target = stored if stored is not None and secret is not None else self._dummy
        try:
            matched = self.hasher.verify(target, secret if secret is not None else b"")
        except (VerificationError, InvalidHashError):
            return False
        return matched and target is stored

    def needs_rehash(self, stored: str) -> bool:
        """True when `stored` was made with weaker or other parameters: rehash at the next sign-in."""
        return self.hasher.check_needs_rehash(stored)

    @cached_property
    def _dummy(self) -> str:
        """A hash of a random secret nobody knows, made lazily: import time stays free of argon2 work."""
        return self.hasher.hash(secrets.token_bytes(32))


PRODUCTION = Passwords(PasswordHasher(time_cost=1, memory_cost=47_104, parallelism=1))
"""OWASP's first Argon2id choice (46 MiB, 1 pass, 1 lane): about 35 ms per check on the dev box."""


def checked_new(password: str) -> bytes:
    """The bytes to hash for a new password, or `InvalidPassword` saying what is wrong with it."""
    secret = _secret(password)
    if secret is None:
        raise InvalidPassword(
            f"A password may have at most {MAX_PASSWORD_CHARS} characters of ordinary text."
        )
    if len(secret.decode("utf-8")) < MIN_PASSWORD_CHARS:
        raise InvalidPassword(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")
    return secret


def _secret(password: object) -> bytes | None:
    """NFKC-normalised UTF-8 (NIST's advice, so a phone and a laptop agree), or None if it cannot be one.

    >>> _secret("ﬁne")
    b'fine'
    >>> _secret("x" * 1025) is None
    True
    """
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return None
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) > MAX_PASSWORD_CHARS:
        return None
    try:
        return normalised.encode("utf-8")
    except UnicodeEncodeError:
        return None
