"""A ledger that cannot be read or written releases nothing, says nothing specific, and resets nothing."""

import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from ledger_worker import NOW, add_viewers, open_store

from privacy import ledger
from privacy.epsilon import Epsilon
from privacy.release import LedgerUnavailable

LIMITS = ledger.Limits(total_micro=1_000_000, member_cap_micro=2_000_000, period_days=30)
HALF = Epsilon(500_000)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A store whose first viewer (id 1) has spent half its budget on key 'a'."""
    path = tmp_path / "hearth.sqlite"
    with closing(open_store(path)) as conn:
        add_viewers(conn, 1)
        spend(conn, "a")
    return path


@pytest.fixture
def conn(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(open_store(path)) as conn:
        yield conn


def spend(conn, key, body="{}"):
    return ledger.commit(conn, 1, key, "q", HALF, 1, body, LIMITS, NOW)


def assert_unavailable(call):
    with pytest.raises(LedgerUnavailable) as failure:
        call()
    assert str(failure.value) == ledger.UNAVAILABLE
    return failure.value


def assert_budget_untouched(path):
    with closing(open_store(path)) as conn:
        assert ledger.budget(conn, 1, LIMITS, NOW).spent_micro == 500_000
        assert ledger.find(conn, 1, "b") is None
        ledger.verify(conn)


def test_read_only_ledger_releases_nothing(conn, path):
    conn.execute("PRAGMA query_only = ON")
    assert_unavailable(lambda: spend(conn, "b"))
    assert not conn.in_transaction
    assert_budget_untouched(path)


def test_ledger_opened_read_only_releases_nothing(path):
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)) as conn:
        assert_unavailable(lambda: spend(conn, "b"))
    assert_budget_untouched(path)


def test_ledger_locked_past_the_busy_timeout_releases_nothing(conn, path):
    with closing(open_store(path)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA busy_timeout = 50")
        assert_unavailable(lambda: spend(conn, "b"))
        holder.execute("ROLLBACK")
    assert not conn.in_transaction
    assert spend(conn, "b") == ("{}", False)


def test_full_disk_releases_nothing_and_leaves_the_connection_usable(conn, path):
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    failure = assert_unavailable(lambda: spend(conn, "b", body='"' + "x" * 200_000 + '"'))
    assert "full" in str(failure.__cause__)
    assert not conn.in_transaction
    assert_budget_untouched(path)


def test_corrupt_ledger_pages_are_unavailable_never_an_empty_budget(path, tmp_path):
    broken = tmp_path / "broken.sqlite"
    with closing(open_store(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'ledger_spent'").fetchone()[0]
    shutil.copyfile(path, broken)
    with broken.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(random.Random(7).randbytes(page_size))
    with closing(open_store(broken)) as conn:
        assert_unavailable(lambda: spend(conn, "b"))
        assert_unavailable(lambda: ledger.budget(conn, 1, LIMITS, NOW))
        assert_unavailable(lambda: ledger.verify(conn))
    assert_budget_untouched(path)


def test_garbage_file_is_unavailable(tmp_path):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(random.Random(7).randbytes(64 * 1024))
    with closing(sqlite3.connect(garbage, isolation_level=None)) as conn:
        assert_unavailable(lambda: ledger.ensure_schema(conn))
        assert_unavailable(lambda: spend(conn, "b"))
        assert_unavailable(lambda: ledger.find(conn, 1, "a"))


def test_a_missing_ledger_table_is_unavailable_never_a_fresh_budget(conn):
    conn.execute("DROP TABLE ledger_spent")
    assert_unavailable(lambda: ledger.ensure_schema(conn))
    assert_unavailable(lambda: spend(conn, "b"))
    assert_unavailable(lambda: ledger.budget(conn, 1, LIMITS, NOW))
    assert_unavailable(lambda: ledger.verify(conn))


def test_failure_keeps_its_cause_for_operators_not_for_the_page(conn):
    conn.execute("PRAGMA query_only = ON")
    failure = assert_unavailable(lambda: spend(conn, "b"))
    assert isinstance(failure.__cause__, sqlite3.Error)
