"""A store that cannot be read or written releases nothing, says nothing specific, and resets nothing.

Each case starts from a family whose ledger already holds one release, so "reset" would be visible:
the blocks that release charged must keep their totals, and no new release may appear.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from family_support import build_family
from hearth_support import block_totals, open_hearth

from privacy.budget import ledger
from privacy.engine.periods import Period
from privacy.queries import QueryId, QuerySpec
from privacy.release import LedgerUnavailable
from privacy.service import Hearth

AVERAGE = QuerySpec(QueryId.FAMILY_AVERAGE, None)
SPENT = Period(date(2026, 1, 5), date(2026, 1, 11))
"""The week the family already paid for: its seven blocks hold 0.1 each."""
NEXT = Period(date(2026, 1, 12), date(2026, 1, 18))
YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A family store that has paid for one release, closed (its WAL checkpointed into the file)."""
    path = build_family(tmp_path / "family.sqlite")
    hearth = open_hearth(path)
    try:
        hearth.ask(hearth.operator_session("Ada"), AVERAGE, 0.1, SPENT)
    finally:
        hearth.close()
    return path


@pytest.fixture
def hearth(path: Path) -> Iterator[Hearth]:
    service = open_hearth(path)
    yield service
    service.close()


def assert_unavailable(call) -> LedgerUnavailable:
    with pytest.raises(LedgerUnavailable) as failure:
        call()
    assert str(failure.value) in (
        ledger.UNAVAILABLE,
        "The privacy ledger is unavailable; nothing was released.",
    )
    assert "sqlite" not in str(failure.value).lower()
    return failure.value


def assert_budget_untouched(path: Path) -> None:
    """The first release's charge is still there, nothing else was charged, and the ledger verifies."""
    assert block_totals(path) == {d.isoformat(): 100_000 for d in _days(SPENT)}
    with closing(sqlite3.connect(path)) as conn:
        ledger.verify(conn)
        assert conn.execute("SELECT count(*) FROM board_releases").fetchone() == (1,)


def _days(period: Period) -> list[date]:
    return [date.fromordinal(period.first.toordinal() + n) for n in range(period.days)]


def test_a_store_put_in_read_only_mode_releases_nothing(hearth: Hearth, path: Path) -> None:
    # What a read-only mount or file does to writes; as root, file permissions would not stop them.
    hearth._conn.execute("PRAGMA query_only = ON")
    assert_unavailable(lambda: hearth.ask(hearth.operator_session("Ada"), AVERAGE, 0.1, NEXT))
    hearth._conn.execute("PRAGMA query_only = OFF")
    assert_budget_untouched(path)


def test_a_store_locked_past_the_busy_timeout_releases_nothing_then_recovers(
    hearth: Hearth, path: Path
) -> None:
    ada = hearth.operator_session("Ada")
    hearth._conn.execute("PRAGMA busy_timeout = 50")  # production waits 30 s; the outcome is the same
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        assert_unavailable(lambda: hearth.ask(ada, AVERAGE, 0.1, NEXT))
        holder.execute("ROLLBACK")
    assert_budget_untouched(path)
    assert not hearth.ask(ada, AVERAGE, 0.1, NEXT).replayed  # the connection was left usable


def test_a_full_disk_releases_nothing_and_leaves_the_connection_usable(hearth: Hearth, path: Path) -> None:
    ada = hearth.operator_session("Ada")
    pages = hearth._conn.execute("PRAGMA page_count").fetchone()[0]
    hearth._conn.execute(f"PRAGMA max_page_count = {pages}")  # a year's charges need new pages
    assert_unavailable(lambda: hearth.ask(ada, AVERAGE, 0.1, YEAR))
    assert_budget_untouched(path)
    hearth._conn.execute("PRAGMA max_page_count = 1073741823")
    assert not hearth.ask(ada, AVERAGE, 0.1, YEAR).replayed


def test_corrupt_ledger_pages_are_unavailable_never_an_empty_budget(path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'budget_blocks'").fetchone()[0]
    shutil.copyfile(path, broken)
    with broken.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(random.Random(7).randbytes(page_size))
    assert_unavailable(lambda: open_hearth(broken))
    assert_budget_untouched(path)


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(random.Random(7).randbytes(64 * 1024))
    assert_unavailable(lambda: open_hearth(garbage))


@pytest.mark.parametrize("table", ["budget_blocks", "budget_charges", "board_releases", "budget_shares"])
def test_a_missing_ledger_table_is_unavailable_never_a_fresh_budget(path: Path, table: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP TABLE {table}")
    assert_unavailable(lambda: open_hearth(path))
    with closing(sqlite3.connect(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert table not in tables  # refused, not quietly recreated empty


def test_a_block_total_that_is_not_the_sum_of_its_charges_is_unavailable(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(
            "UPDATE budget_blocks SET spent_micro = spent_micro + 1 WHERE block = ?",
            (SPENT.first.isoformat(),),
        )
    assert_unavailable(lambda: open_hearth(path))
