"""Accounts and password sign-in: one generic failure, Argon2id at rest, hostile input refused cleanly."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from accounts_support import FAST, HOME, NOW, PASSWORD, CountingHasher, open_store
from argon2 import PasswordHasher

from data import store
from privacy import accounts
from privacy.accounts import AccountExists, Client, InvalidName, SignInFailed
from privacy.accounts.passwords import InvalidPassword, Passwords
from privacy.accounts.throttle import ThrottlePolicy


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hearth.sqlite"


@pytest.fixture
def conn(path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_store(path)
    yield connection
    connection.close()


def _sign_in(conn, name: str, password: str, client: Client = HOME, now: datetime = NOW, **kw):
    return accounts.sign_in(conn, name, password, client, now, passwords=kw.pop("passwords", FAST), **kw)


def _failure(conn, name: str, password: str, **kw) -> SignInFailed:
    with pytest.raises(SignInFailed) as caught:
        _sign_in(conn, name, password, **kw)
    return caught.value


def test_correct_password_signs_in(conn) -> None:
    member_id = accounts.create_account(conn, "Ann", PASSWORD, admin=True, now=NOW, passwords=FAST)
    viewer = _sign_in(conn, "Ann", PASSWORD)
    assert (viewer.member_id, viewer.name, viewer.is_admin) == (member_id, "Ann", True)
    assert len(viewer.session_token) >= 43


def test_surrounding_spaces_in_the_typed_name_are_ignored(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    assert _sign_in(conn, "  Ann ", PASSWORD).name == "Ann"


def test_wrong_password_unknown_name_and_no_account_fail_identically(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    store.add_member(conn, "Bob")  # a member without an account
    failures = [
        _failure(conn, "Ann", "wrong password"),
        _failure(conn, "Nobody", PASSWORD, client=Client.address("192.0.2.2")),
        _failure(conn, "Bob", PASSWORD, client=Client.address("192.0.2.3")),
        _failure(conn, "x" * 10_000, PASSWORD, client=Client.address("192.0.2.4")),
        _failure(conn, "Ann\ud800", "pass\udfffword", client=Client.address("192.0.2.5")),
    ]
    assert {type(f) for f in failures} == {SignInFailed}
    assert {str(f) for f in failures} == {"Name or password is incorrect."}


def test_unknown_name_still_costs_one_argon2_verification(conn) -> None:
    counting = Passwords(CountingHasher())
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=counting)
    _failure(conn, "Nobody", PASSWORD, passwords=counting)
    _failure(conn, "Ann", "wrong password", passwords=counting)
    assert counting.hasher.verifies == 2


def test_unknown_and_known_names_take_comparable_time_to_fail(conn) -> None:
    timed = Passwords(PasswordHasher(time_cost=1, memory_cost=16_384, parallelism=1))
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=timed)
    lenient = ThrottlePolicy(free_failures=100)
    known, unknown = [], []
    for _ in range(10):  # interleaved, so drift in machine load hits both alike
        for name, samples in (("Ann", known), ("Nobody", unknown)):
            start = time.perf_counter()
            _failure(conn, name, "wrong password", passwords=timed, policy=lenient)
            samples.append(time.perf_counter() - start)
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.5 < ratio < 2.0


def test_password_hashes_are_argon2id(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW)  # production parameters
    (stored,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
    assert stored.startswith("$argon2id$v=19$m=47104,t=1,p=1$")


def test_no_plaintext_password_or_name_guess_in_the_db_file(conn, path: Path) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    _sign_in(conn, "Ann", PASSWORD)
    _failure(conn, "Ann-typo-name", "another secret guess")
    conn.close()
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in (PASSWORD, "another secret guess", "Ann-typo-name"):
        assert secret.encode() not in raw


@pytest.mark.parametrize("password", ["1234567", "", "x" * 1025, "y" * 1_000_000, "eight\ud800ch"])
def test_unacceptable_new_passwords_are_refused_cleanly(conn, password: str) -> None:
    with pytest.raises(InvalidPassword) as caught:
        accounts.create_account(conn, "Ann", password, now=NOW, passwords=FAST)
    assert password not in str(caught.value) or not password
    assert store.member_by_name(conn, "Ann") is None


@pytest.mark.parametrize("password", ["12345678", "é" * 1000, "🔑" * 1024])
def test_long_multibyte_passwords_work_end_to_end(conn, password: str) -> None:
    assert len(password.encode()) > 72 or len(password) == 8
    accounts.create_account(conn, "Ann", password, now=NOW, passwords=FAST)
    assert _sign_in(conn, "Ann", password).name == "Ann"
    _failure(conn, "Ann", password[:-1])


def test_over_long_password_at_sign_in_is_an_ordinary_failure(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    assert str(_failure(conn, "Ann", PASSWORD + "x" * 2000)) == "Name or password is incorrect."


def test_passwords_are_compared_after_nfkc_normalisation(conn) -> None:
    accounts.create_account(conn, "Ann", "ﬁne ﬁsh and chips", now=NOW, passwords=FAST)
    assert _sign_in(conn, "Ann", "fine fish and chips").name == "Ann"


def test_duplicate_account_is_refused_with_a_clear_error(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    with pytest.raises(AccountExists, match="already has an account"):
        accounts.create_account(conn, "Ann", "another password", now=NOW, passwords=FAST)
    assert _sign_in(conn, "Ann", PASSWORD).name == "Ann"


def test_account_joins_an_existing_member_or_adds_one(conn) -> None:
    existing = store.add_member(conn, "Bob")
    assert accounts.create_account(conn, "Bob", PASSWORD, now=NOW, passwords=FAST) == existing.id
    new_id = accounts.create_account(conn, "Cy", PASSWORD, now=NOW, passwords=FAST)
    assert store.member_by_name(conn, "Cy") == store.Member(new_id, "Cy")


@pytest.mark.parametrize(
    "name", ["", " Ann", "Ann ", "A" * 65, "Eve\u202egnp.exe", "Ann\x00", "An\u200bn", "<b>\nhi</b>"]
)
def test_hostile_or_malformed_names_are_refused(conn, name: str) -> None:
    with pytest.raises(InvalidName) as caught:
        accounts.create_account(conn, name, PASSWORD, now=NOW, passwords=FAST)
    assert not name or name not in str(caught.value)
    assert store.members(conn) == ()


def test_only_admin_accounts_are_admins(conn) -> None:
    ann = accounts.create_account(conn, "Ann", PASSWORD, admin=True, now=NOW, passwords=FAST)
    bob = accounts.create_account(conn, "Bob", PASSWORD, now=NOW, passwords=FAST)
    assert accounts.is_admin(conn, ann) and not accounts.is_admin(conn, bob)
    assert not accounts.is_admin(conn, 999)
    assert [a.name for a in accounts.accounts(conn)] == ["Ann", "Bob"]


def test_weaker_old_hashes_are_upgraded_at_the_next_sign_in(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    _sign_in(conn, "Ann", PASSWORD, passwords=stronger)
    (stored,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
    assert "$m=2048,t=2,p=1$" in stored
    assert _sign_in(conn, "Ann", PASSWORD, now=NOW + timedelta(seconds=1)).name == "Ann"


def test_naive_times_are_refused(conn) -> None:
    accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
    with pytest.raises(ValueError, match="timezone-aware"):
        _sign_in(conn, "Ann", PASSWORD, now=datetime(2026, 11, 24, 10, 0))
