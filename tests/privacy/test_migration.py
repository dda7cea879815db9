"""Migrating a store of the old period ledger: never in the store's favour, in place, once.

`fixtures/legacy_ledger.sql` is a dump made by the period-ledger code (members and its ledger tables).
Each old release charged its epsilon to every day of its window, which ended on the replay key's `end=`
and was as long as the query key's window: the test recomputes that from the rows themselves.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from family_support import import_days
from hearth_support import block_totals, open_hearth

from data import store
from privacy.budget import migration
from privacy.budget.blocks import block_of
from privacy.engine.periods import Period
from privacy.queries import PrivacyUnit, QueryId, QuerySpec
from privacy.release import BudgetExhausted

DUMP = Path(__file__).with_name("fixtures") / "legacy_ledger.sql"
AVERAGE = QuerySpec(QueryId.FAMILY_AVERAGE, None)


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A store as the old code left it: the dump loaded, then the store's own tables around it."""
    path = tmp_path / "legacy.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    store.connect(path).close()
    return path


def old_charges(path: Path) -> Counter[str]:
    """What each day actually received under the old ledger, from each old row's own window."""
    received: Counter[str] = Counter()
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT replay_key, query_key, epsilon_micro FROM ledger_releases").fetchall()
    assert len(rows) == 8
    for replay_key, query_key, micro in rows:
        parts = dict(p.split("=", 1) for p in replay_key.split("|")[1:])
        last = date.fromisoformat(parts["end"])
        window = int(query_key.split("/")[1])
        for n in range(window):
            received[block_of(last - timedelta(days=n), PrivacyUnit(parts["unit"]))] += micro
    return received


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}


def test_every_block_keeps_at_least_what_old_releases_charged_it(legacy: Path) -> None:
    received = old_charges(legacy)
    hearth = open_hearth(legacy)  # opening migrates
    hearth.close()
    totals = block_totals(legacy)
    assert set(totals) == set(received)
    assert all(totals[block] >= micro for block, micro in received.items())
    # All eight old windows ended on 2026-10-31; only the two 365-day ones reach back a year.
    assert totals["2026-10-31"] == 4_000_000 == received["2026-10-31"]
    assert totals[(date(2026, 10, 31) - timedelta(days=364)).isoformat()] == 1_000_000


def test_old_period_tables_are_gone_and_old_releases_are_on_the_board(legacy: Path) -> None:
    hearth = open_hearth(legacy)
    try:
        board = hearth.board()
    finally:
        hearth.close()
    assert not tables(legacy) & set(migration.OLD_TABLES)
    assert {"budget_blocks", "budget_charges", "board_releases"} <= tables(legacy)
    assert len(board) == 8 and {s.kind.value for s in board} == {"legacy"}
    assert sorted(s.requested_by for s in board) == [1, 1, 1, 1, 2, 2, 2, 2]
    assert {s.charge_micro for s in board} == {500_000}
    assert {(s.query_key.split("/")[0], s.last_day) for s in board} == {
        (q, "2026-10-31") for q in ("family_average", "trend", "weekday", "champion")
    }


def test_a_second_migration_changes_nothing(legacy: Path) -> None:
    open_hearth(legacy).close()
    with closing(sqlite3.connect(legacy)) as conn:
        before = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in sorted(tables(legacy))]
        assert migration.migrate(conn) == 0
        after = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in sorted(tables(legacy))]
    assert after == before
    open_hearth(legacy).close()
    assert block_totals(legacy)["2026-10-31"] == 4_000_000


def test_a_block_migrated_past_its_lifetime_takes_no_further_charge(legacy: Path) -> None:
    """The old ledger's last day got 8 x 0.5 = 4.0: past a lifetime of 3, so that day is closed for good."""
    with closing(store.connect(legacy)) as conn:
        for name in ("Maya", "Sam", "Leo", "Ivy", "Nana"):
            import_days(conn, name, date(2026, 10, 1), date(2026, 11, 1))
    hearth = open_hearth(legacy)
    try:
        before = block_totals(legacy)
        maya = hearth.operator_session("Maya")
        for day in (date(2026, 10, 31), date(2026, 10, 25)):
            with pytest.raises(BudgetExhausted, match="lifetime budget"):
                hearth.ask(maya, AVERAGE, 0.01, Period(day, day))
        assert block_totals(legacy) == before
        # A day the old ledger never charged is open as ever.
        assert not hearth.ask(maya, AVERAGE, 0.01, Period(date(2026, 11, 1), date(2026, 11, 1))).replayed
    finally:
        hearth.close()
