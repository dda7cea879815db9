"""Brute-force throttling: growing waits per (name, client), a per-name slow-down that never refuses a
clean client's correct password, expiry, an admin's unlock, and refusals in the audit log."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from accounts_support import FAST, HOME, NOW, PASSWORD, CountingHasher, open_store
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy import accounts, audit_log
from privacy.accounts import Client, SignInFailed, Throttled
from privacy.accounts.passwords import Passwords
from privacy.accounts.throttle import DEFAULT_POLICY, ThrottlePolicy, wait

AWAY = Client.address("198.51.100.9")
GUESSER = Client("browser", "guesser")


@pytest.fixture
def counting() -> Passwords:
    return Passwords(CountingHasher())


@pytest.fixture
def conn(tmp_path: Path, counting: Passwords) -> Iterator[sqlite3.Connection]:
    connection = open_store(tmp_path / "hearth.sqlite")
    accounts.create_account(connection, "Ann", PASSWORD, now=NOW, passwords=counting)
    yield connection
    connection.close()


def _attempt(conn, passwords: Passwords, name: str, password: str, at: datetime, client: Client = HOME):
    return accounts.sign_in(conn, name, password, client, at, passwords=passwords)


def _fail(conn, passwords: Passwords, name: str, times: int, at: datetime, client: Client = HOME) -> None:
    for _ in range(times):
        with pytest.raises(SignInFailed):
            _attempt(conn, passwords, name, "wrong guess!", at, client)


def _wait(conn, passwords: Passwords, at: datetime, client: Client = HOME, name: str = "Ann") -> timedelta:
    with pytest.raises(Throttled) as caught:
        _attempt(conn, passwords, name, PASSWORD, at, client)
    return caught.value.wait


def test_three_failures_are_free_then_each_wait_doubles(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW)
    waits = [_wait(conn, counting, NOW)]
    at = NOW
    for _ in range(3):
        at += waits[-1]
        _fail(conn, counting, "Ann", 1, at)
        waits.append(_wait(conn, counting, at))
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240)]


def test_waits_stop_growing_at_an_hour(conn, counting: Passwords) -> None:
    at = NOW
    for _ in range(12):
        _fail(conn, counting, "Ann", 1, at)
        at += DEFAULT_POLICY.max_delay
    assert _wait(conn, counting, at - DEFAULT_POLICY.max_delay) == timedelta(hours=1)
    assert _attempt(conn, counting, "Ann", PASSWORD, at).name == "Ann"


def test_the_message_gives_the_wait_in_seconds_then_minutes(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW)
    with pytest.raises(Throttled, match=r"^Too many sign-in attempts\. Try again in 30 seconds\.$"):
        _attempt(conn, counting, "Ann", PASSWORD, NOW)
    _fail(conn, counting, "Ann", 1, NOW + timedelta(seconds=30))
    with pytest.raises(Throttled, match=r"Try again in 1 minute\.$"):
        _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(seconds=30))


def test_throttled_attempts_neither_verify_nor_extend_the_wait(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW)
    for second in range(0, 30, 3):
        _wait(conn, counting, NOW + timedelta(seconds=second))
    assert counting.hasher.verifies == 3
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW + timedelta(seconds=30)).name == "Ann"


def test_one_clients_failures_never_refuse_another_clients_correct_password(conn, counting) -> None:
    _fail(conn, counting, "Ann", 3, NOW, GUESSER)
    for _ in range(20):
        with pytest.raises(Throttled):
            _attempt(conn, counting, "Ann", "wrong guess!", NOW, GUESSER)
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, AWAY).name == "Ann"


def test_a_hot_name_makes_a_failing_client_wait_after_one_failure(conn, counting: Passwords) -> None:
    for index in range(DEFAULT_POLICY.hot_name):
        _fail(conn, counting, "Ann", 1, NOW, Client("browser", f"fresh-{index}"))
    _fail(conn, counting, "Ann", 1, NOW, HOME)  # a member's own typo, on a name under attack
    assert _wait(conn, counting, NOW, HOME) == timedelta(seconds=60)  # 11 failures: one step past hot
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, AWAY).name == "Ann"  # a clean client is heard


def test_a_hot_names_wait_grows_with_everyones_failures_there(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 1, NOW, GUESSER)
    for index in range(14):
        _fail(conn, counting, "Ann", 1, NOW, Client("browser", f"fresh-{index}"))
    assert _wait(conn, counting, NOW, GUESSER) == timedelta(seconds=30 * 2**5)


def test_failures_at_other_names_never_slow_anyone_at_this_one(conn, counting: Passwords) -> None:
    for index in range(40):
        _fail(conn, counting, f"guess{index}", 1, NOW, GUESSER)
    _fail(conn, counting, "Nobody", 3, NOW, GUESSER)
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, GUESSER).name == "Ann"
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, HOME).name == "Ann"


def test_failures_are_forgotten_after_a_day(conn, counting: Passwords) -> None:
    for index in range(DEFAULT_POLICY.hot_name):
        _fail(conn, counting, "Ann", 1, NOW, Client("browser", f"fresh-{index}"))
    _fail(conn, counting, "Ann", 1, NOW, HOME)
    assert _wait(conn, counting, NOW, HOME) == timedelta(seconds=60)
    later = NOW + DEFAULT_POLICY.window + timedelta(seconds=1)
    _fail(conn, counting, "Ann", 1, later, HOME)  # one failure, on a name no longer hot: free
    assert _attempt(conn, counting, "Ann", PASSWORD, later, HOME).name == "Ann"
    assert conn.execute("SELECT count(*) FROM sign_in_failures").fetchone() == (0,)


def test_success_forgets_only_that_clients_failures(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW, GUESSER)
    _fail(conn, counting, "Ann", 2, NOW, HOME)
    _attempt(conn, counting, "Ann", PASSWORD, NOW, HOME)
    _fail(conn, counting, "Ann", 3, NOW, HOME)  # three more free: the two before were forgotten
    assert _wait(conn, counting, NOW, GUESSER) == timedelta(seconds=30)


def test_unlock_forgets_every_clients_failures_at_that_name_only(conn, counting: Passwords) -> None:
    member = conn.execute("SELECT id FROM members WHERE name = 'Ann'").fetchone()[0]
    _fail(conn, counting, "Ann", 3, NOW, GUESSER)
    _fail(conn, counting, "Ann", 3, NOW, HOME)
    _fail(conn, counting, "Bob", 3, NOW, HOME)
    assert accounts.unlock(conn, member) == 6
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, HOME).name == "Ann"
    _fail(conn, counting, "Ann", 3, NOW, GUESSER)  # the guesser starts from nothing too
    _wait(conn, counting, NOW, HOME, name="Bob")


def test_unknown_names_are_throttled_exactly_like_known_ones(conn, counting: Passwords) -> None:
    messages = set()
    for name in ("Ann", "Nobody"):
        _fail(conn, counting, name, 3, NOW, GUESSER)
        with pytest.raises(Throttled) as caught:
            _attempt(conn, counting, name, PASSWORD, NOW, GUESSER)
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_guessing_the_old_password_in_a_session_slows_that_session_only(conn, counting: Passwords) -> None:
    viewer = _attempt(conn, counting, "Ann", PASSWORD, NOW)
    for _ in range(3):
        with pytest.raises(SignInFailed, match="current password is incorrect"):
            accounts.change_password(conn, viewer, "guess guess", "new password!", NOW, passwords=counting)
    with pytest.raises(Throttled):
        accounts.change_password(conn, viewer, PASSWORD, "new password!", NOW, passwords=counting)
    assert _attempt(conn, counting, "Ann", PASSWORD, NOW, HOME).name == "Ann"


def test_refusals_are_audited_with_a_reason_and_no_name_or_password(conn, counting: Passwords) -> None:
    member = conn.execute("SELECT id FROM members WHERE name = 'Ann'").fetchone()[0]
    _fail(conn, counting, "Ann", 3, NOW, GUESSER)
    _wait(conn, counting, NOW, GUESSER)
    _fail(conn, counting, "Nobody at all", 1, NOW, GUESSER)
    ann = audit_log.entries(conn, member)
    assert [(e.outcome, e.reason, e.query_key, e.epsilon_micro) for e in ann] == [
        ("refused", "sign-in throttled", "sign_in", 0),
        *[("refused", "sign-in failed", "sign_in", 0)] * 3,
    ]
    assert [e.reason for e in audit_log.entries(conn, 0)] == ["sign-in failed"]
    dump = "\n".join(conn.iterdump())
    assert "Nobody at all" not in dump and "wrong guess!" not in dump and "guesser" not in dump


def test_old_failures_are_pruned_from_the_store(conn, counting: Passwords) -> None:
    _fail(conn, counting, "Ann", 3, NOW)
    _fail(conn, counting, "Bob", 1, NOW + DEFAULT_POLICY.window + timedelta(seconds=1))
    assert conn.execute("SELECT count(*) FROM sign_in_failures").fetchone() == (1,)


def test_the_policy_refuses_delays_that_outgrow_its_window() -> None:
    with pytest.raises(ValueError, match="ceiling"):
        ThrottlePolicy(max_delay=timedelta(days=2))
    with pytest.raises(ValueError, match="positive"):
        ThrottlePolicy(free_failures=0)


class SlowHasher(CountingHasher):
    """Holds every verification open a while, so that guesses which all got past the check overlap."""

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        time.sleep(0.1)
        return super().verify(hash, password)


def test_parallel_guesses_from_one_client_cannot_race_past_its_free_failures(tmp_path: Path, conn) -> None:
    barrier, slow = threading.Barrier(12), Passwords(SlowHasher())

    def guess(_: int) -> str:
        own = open_store(tmp_path / "hearth.sqlite")
        try:
            barrier.wait()
            _attempt(own, slow, "Ann", "wrong guess!", NOW, GUESSER)
        except (SignInFailed, Throttled) as refusal:
            return type(refusal).__name__
        finally:
            own.close()
        return "signed in"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = sorted(pool.map(guess, range(12)))
    assert outcomes == ["SignInFailed"] * 3 + ["Throttled"] * 9


OTHERS_FAILURES = st.lists(
    st.tuples(
        st.sampled_from(["Ann", "ann", " Ann", "Bob", "Nobody"]),
        st.integers(0, 5),  # which of six other clients
        st.integers(0, 2 * 86_400),  # seconds after NOW
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, database=None)
@given(failures=OTHERS_FAILURES, gap=st.integers(0, 86_400))
def test_no_sequence_of_others_failures_refuses_a_clean_clients_correct_password(failures, gap) -> None:
    with tempfile.TemporaryDirectory() as folder:
        conn = open_store(Path(folder) / "hearth.sqlite")
        try:
            accounts.create_account(conn, "Ann", PASSWORD, now=NOW, passwords=FAST)
            at = NOW
            for name, other, offset in sorted(failures, key=lambda failure: failure[2]):
                at = NOW + timedelta(seconds=offset)
                with contextlib.suppress(SignInFailed, Throttled):
                    accounts.sign_in(
                        conn, name, "wrong guess!", Client("browser", f"other-{other}"), at, passwords=FAST
                    )
            clean = Client("browser", "clean")
            signed_in = accounts.sign_in(
                conn, "Ann", PASSWORD, clean, at + timedelta(seconds=gap), passwords=FAST
            )
            assert signed_in.name == "Ann"
        finally:
            conn.close()


@settings(max_examples=200, deadline=None, database=None)
@given(own=st.integers(0, 200), others=st.integers(0, 100_000), since=st.integers(0, 7_200))
def test_no_wait_outlasts_an_hour_after_the_clients_own_last_failure(own, others, since) -> None:
    left = wait(DEFAULT_POLICY, [NOW] * own, own + others, NOW + timedelta(seconds=since))
    assert left <= max(timedelta(0), DEFAULT_POLICY.max_delay - timedelta(seconds=since))
    assert (left > timedelta(0)) <= (own > 0)
