"""Brute-force throttling: per name and per address, refused attempts never verify, every lock expires."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from accounts_support import NOW, PASSWORD, CountingHasher

from data import store
from privacy import accounts
from privacy.accounts import SignInFailed, Throttled
from privacy.accounts.passwords import Passwords
from privacy.accounts.throttle import ThrottlePolicy

HOME = "192.0.2.1"


@pytest.fixture
def counting() -> Passwords:
    return Passwords(CountingHasher())


@pytest.fixture
def conn(tmp_path: Path, counting: Passwords) -> Iterator[sqlite3.Connection]:
    connection = store.connect(tmp_path / "hearth.sqlite")
    accounts.ensure_schema(connection)
    accounts.create_account(connection, "Ann", PASSWORD, now=NOW, passwords=counting)
    yield connection
    connection.close()


def _attempt(conn, passwords: Passwords, name: str, password: str, at: datetime, address: str = HOME):
    return accounts.sign_in(conn, name, password, address, at, passwords=passwords)


def _fail(conn, passwords: Passwords, name: str, times: int, at: datetime, address: str = HOME) -> None:
    for _ in range(times):
        with pytest.raises(SignInFailed):
            _attempt(conn, passwords, name, "wrong guess!", at, address)


def test_name_is_throttled_after_five_failures(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    with pytest.raises(Throttled, match=r"^Too many sign-in attempts\. Try again in 15 minutes\.$"):
        _attempt(conn, counting, "Ann", "wrong guess!", NOW, address="198.51.100.9")


def test_throttled_attempts_do_not_verify_the_password(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    verified = counting.hasher.verifies
    for minute in range(10):
        with pytest.raises(Throttled):
            _attempt(conn, counting, "Ann", "wrong guess!", NOW + timedelta(minutes=minute))
    assert counting.hasher.verifies == verified == 5


def test_correct_password_is_refused_during_a_lock(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    with pytest.raises(Throttled):
        _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=14, seconds=59))


def test_lock_expires_with_its_window(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    later = NOW + timedelta(minutes=15, seconds=1)
    assert _attempt(conn, counting, "Ann", PASSWORD, later).name == "Ann"


def test_attempts_during_a_lock_do_not_extend_it(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    for minute in (1, 7, 14):
        with pytest.raises(Throttled):
            _attempt(conn, counting, "Ann", "wrong guess!", NOW + timedelta(minutes=minute))
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=15, seconds=1)).name == "Ann"


def test_the_window_slides_rather_than_resetting(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 4, NOW)
    _fail(conn, counting, "Ann", 1, NOW + timedelta(minutes=10))
    with pytest.raises(Throttled, match="Try again in 5 minutes"):
        _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=10))
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=15, seconds=1)).name == "Ann"


def test_wait_is_rounded_up_to_whole_minutes(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    with pytest.raises(Throttled, match=r"Try again in 1 minute\.$"):
        _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=14, seconds=30))


def test_unknown_names_are_throttled_exactly_like_known_ones(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 5, NOW)
    _fail(conn, counting, "Nobody", 5, NOW, address="198.51.100.9")
    messages = set()
    for name, address in (("Ann", "203.0.113.1"), ("Nobody", "203.0.113.2")):
        with pytest.raises(Throttled) as caught:
            _attempt(conn, counting, name, PASSWORD, NOW, address)
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_one_address_spraying_many_names_is_throttled(conn, counting: Passwords) -> None:
    for index in range(20):
        _fail(conn, counting, f"guess{index}", 1, NOW)
    with pytest.raises(Throttled):
        _attempt(conn, counting, "Ann", PASSWORD, NOW)
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, address="198.51.100.9").name == "Ann"
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(minutes=15, seconds=1)).name == "Ann"


def test_attempts_without_an_address_share_one_address_count(conn, counting: Passwords) -> None:
    for index in range(20):
        with pytest.raises(SignInFailed):
            accounts.sign_in(conn, f"guess{index}", "wrong guess!", None, NOW, passwords=counting)
    with pytest.raises(Throttled):
        accounts.sign_in(conn, "Ann", PASSWORD, "", NOW, passwords=counting)


def test_ipv6_addresses_in_one_64_count_as_one(conn, counting: Passwords) -> None:
    for index in range(20):
        _fail(conn, counting, f"guess{index}", 1, NOW, address=f"2001:db8:1:2::{index + 1:x}")
    with pytest.raises(Throttled):
        _attempt(conn, counting, "Ann", PASSWORD, NOW, address="2001:db8:1:2:ffff::1")
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, address="2001:db8:1:3::1").name == "Ann"


def test_success_clears_the_name_count_but_not_the_address_count(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 4, NOW)
    _attempt(conn, counting, "Ann", PASSWORD, NOW)
    _fail(conn, counting, "Ann", 4, NOW)  # would be the 9th name failure without the reset
    for index in range(12):  # 8 + 12 = 20 failures from HOME, the address limit
        _fail(conn, counting, f"guess{index}", 1, NOW)
    with pytest.raises(Throttled):
        _attempt(conn, counting, "Ann", PASSWORD, NOW)


def test_limits_come_from_the_policy(conn, counting: Passwords) -> None:
    strict = ThrottlePolicy(name_limit=2, address_limit=50, window=timedelta(minutes=1))
    for _ in range(2):
        with pytest.raises(SignInFailed):
            accounts.sign_in(conn, "Ann", "nope nope", HOME, NOW, passwords=counting, policy=strict)
    with pytest.raises(Throttled, match="1 minute"):
        accounts.sign_in(conn, "Ann", PASSWORD, HOME, NOW, passwords=counting, policy=strict)
    later = NOW + timedelta(minutes=1, seconds=1)
    assert accounts.sign_in(conn, "Ann", PASSWORD, HOME, later, passwords=counting, policy=strict)


def test_guessing_the_old_password_through_change_password_is_throttled(conn, counting: Passwords) -> None:
    viewer = _attempt(conn, counting, "Ann", PASSWORD, NOW)
    for _ in range(5):
        with pytest.raises(SignInFailed, match="current password is incorrect"):
            accounts.change_password(conn, viewer, "guess guess", "new password!", NOW, passwords=counting)
    with pytest.raises(Throttled):
        accounts.change_password(conn, viewer, PASSWORD, "new password!", NOW, passwords=counting)


def test_old_attempts_are_pruned_from_the_store(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW)
    _fail(conn, counting, "Bob", 1, NOW + timedelta(hours=1))
    assert conn.execute("SELECT count(*) FROM sign_in_attempts").fetchone() == (1,)


class SlowHasher(CountingHasher):
    """Holds every verification open a while, so that guesses which all got past the check overlap."""

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        time.sleep(0.1)
        return super().verify(hash, password)


def test_parallel_guesses_cannot_race_past_the_limit(tmp_path: Path, conn) -> None:
    barrier, slow = threading.Barrier(12), Passwords(SlowHasher())

    def guess(index: int) -> str:
        own = store.connect(tmp_path / "hearth.sqlite")
        try:
            barrier.wait()
            _attempt(own, slow, "Ann", "wrong guess!", NOW, address=f"198.51.100.{index}")
        except (SignInFailed, Throttled) as refusal:
            return type(refusal).__name__
        finally:
            own.close()
        return "signed in"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = sorted(pool.map(guess, range(12)))
    assert outcomes == ["SignInFailed"] * 5 + ["Throttled"] * 7
