"""The ledger's arithmetic, refusals, replays, periods and constraints, one viewer at a time."""

import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from ledger_worker import NOW, add_viewers, open_store

from privacy import audit_log, ledger
from privacy.audit_log import Outcome
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.release import BudgetExhausted, LedgerUnavailable
from privacy.settings import PrivacySettings

LIMITS = ledger.Limits(total_micro=1_000_000, member_cap_micro=None, period_days=30)
HALF = Epsilon.charge(0.5)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_store(tmp_path / "hearth.sqlite")
    yield conn
    conn.close()


@pytest.fixture
def viewers(conn: sqlite3.Connection) -> list[int]:
    return add_viewers(conn, 3)


def spend(conn, viewer, key, charge=HALF, limits=LIMITS, now=NOW, body=None):
    return ledger.commit(
        conn, viewer, key, "family_average/30/week/8000", charge, 1, body or f'"{key}"', limits, now
    )


def spent(conn, viewer, limits=LIMITS, now=NOW):
    return ledger.budget(conn, viewer, limits, now).spent_micro


def outcomes(conn, viewer):
    return [(e.outcome, e.reason) for e in audit_log.entries(conn, viewer)]


def test_commit_debits_and_stores_the_release(conn, viewers):
    assert spend(conn, viewers[0], "a", body='{"v": 1}') == ('{"v": 1}', False)
    budget = ledger.budget(conn, viewers[0], LIMITS, NOW)
    assert (budget.spent_micro, budget.remaining_micro, budget.available_micro) == (500_000, 500_000, 500_000)
    assert ledger.find(conn, viewers[0], "a") == '{"v": 1}'
    assert outcomes(conn, viewers[0]) == [(Outcome.RELEASED, "")]
    ledger.verify(conn)


def test_refusal_at_the_cap_spends_nothing_and_is_audited(conn, viewers):
    spend(conn, viewers[0], "a")
    spend(conn, viewers[0], "b")
    with pytest.raises(BudgetExhausted) as refused:
        spend(conn, viewers[0], "c")
    assert (refused.value.requested, refused.value.remaining_micro) == (HALF, 0)
    assert refused.value.renews_on == "2026-04-01"
    assert spent(conn, viewers[0]) == 1_000_000
    assert ledger.find(conn, viewers[0], "c") is None
    assert outcomes(conn, viewers[0])[0] == (Outcome.REFUSED, "viewer budget")
    ledger.verify(conn)


def test_a_charge_that_exactly_fills_the_budget_is_granted(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(999_999))
    spend(conn, viewers[0], "b", Epsilon(1))
    with pytest.raises(BudgetExhausted):
        spend(conn, viewers[0], "c", Epsilon(1))
    assert spent(conn, viewers[0]) == 1_000_000


def test_replay_spends_nothing_and_returns_the_first_value(conn, viewers):
    spend(conn, viewers[0], "a", body='"first"')
    assert spend(conn, viewers[0], "a", body='"second"') == ('"first"', True)
    assert spent(conn, viewers[0]) == 500_000
    assert [o for o, _ in outcomes(conn, viewers[0])] == [Outcome.REPLAYED, Outcome.RELEASED]


def test_replay_of_a_stored_key_works_with_the_budget_exhausted(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(1_000_000))
    assert spend(conn, viewers[0], "a") == ('"a"', True)


def test_find_is_read_only_and_never_spends(conn, viewers):
    assert ledger.find(conn, viewers[0], "a") is None
    assert spent(conn, viewers[0]) == 0
    assert audit_log.entries(conn, viewers[0]) == []


def test_precheck_refuses_what_does_not_fit_and_spends_nothing(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(750_000))
    with pytest.raises(BudgetExhausted) as refused:
        ledger.precheck(conn, viewers[0], HALF, LIMITS, NOW)
    assert refused.value.remaining_micro == 250_000
    ledger.precheck(conn, viewers[0], Epsilon(250_000), LIMITS, NOW)
    assert spent(conn, viewers[0]) == 750_000


def test_budget_is_keyed_by_viewer(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(1_000_000))
    spend(conn, viewers[1], "a")
    assert [spent(conn, v) for v in viewers] == [1_000_000, 500_000, 0]
    assert ledger.find(conn, viewers[2], "a") is None


def test_budget_and_replays_survive_reopening_the_store(tmp_path):
    path = tmp_path / "hearth.sqlite"
    first = open_store(path)
    viewer = add_viewers(first, 1)[0]
    spend(first, viewer, "a", body='"kept"')
    first.close()
    second = open_store(path)
    try:
        assert spent(second, viewer) == 500_000
        assert spend(second, viewer, "a") == ('"kept"', True)
        assert spent(second, viewer) == 500_000
    finally:
        second.close()


def test_period_renews_on_the_right_day(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(1_000_000))
    last_moment = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
    assert ledger.budget(conn, viewers[0], LIMITS, last_moment).remaining_micro == 0
    with pytest.raises(BudgetExhausted):
        spend(conn, viewers[0], "b", now=last_moment)
    renewed = ledger.budget(conn, viewers[0], LIMITS, datetime(2026, 4, 1, tzinfo=UTC))
    assert (renewed.remaining_micro, renewed.renews_on) == (1_000_000, date(2026, 5, 1))
    assert spend(conn, viewers[0], "b", now=datetime(2026, 4, 1, tzinfo=UTC)) == ('"b"', False)


def test_period_day_is_the_utc_day(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(1_000_000))
    evening_in_new_york = datetime(2026, 3, 31, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    night_in_athens = datetime(2026, 4, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert ledger.budget(conn, viewers[0], LIMITS, evening_in_new_york).remaining_micro == 1_000_000
    assert ledger.budget(conn, viewers[0], LIMITS, night_in_athens).remaining_micro == 0


def test_epoch_is_fixed_by_first_use(conn, viewers):
    ledger.budget(conn, viewers[0], LIMITS, datetime(2026, 3, 10, tzinfo=UTC))
    later = ledger.budget(conn, viewers[1], LIMITS, datetime(2026, 3, 20, tzinfo=UTC))
    assert later.renews_on == date(2026, 4, 9)


def test_clock_set_back_before_the_epoch_gets_no_fresh_budget(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(1_000_000))
    with pytest.raises(BudgetExhausted):
        spend(conn, viewers[0], "b", now=NOW - timedelta(days=400))


def test_naive_time_is_refused(conn, viewers):
    with pytest.raises(ValueError, match="timezone"):
        spend(conn, viewers[0], "a", now=datetime(2026, 3, 2, 12))


def test_member_cap_counts_every_viewer(conn, viewers):
    capped = ledger.Limits(total_micro=1_000_000, member_cap_micro=1_000_000, period_days=30)
    spend(conn, viewers[0], "a", limits=capped)
    spend(conn, viewers[1], "a", limits=capped)
    with pytest.raises(BudgetExhausted) as refused:
        spend(conn, viewers[2], "a", limits=capped)
    assert refused.value.remaining_micro == 0
    assert outcomes(conn, viewers[2]) == [(Outcome.REFUSED, "member cap")]
    budget = ledger.budget(conn, viewers[2], capped, NOW)
    assert (budget.remaining_micro, budget.family_spent_micro, budget.available_micro) == (
        1_000_000,
        1_000_000,
        0,
    )
    ledger.verify(conn)


def test_member_cap_off_leaves_each_viewer_their_own_total(conn, viewers):
    for viewer in viewers:
        spend(conn, viewer, "a", Epsilon(1_000_000))
    budget = ledger.budget(conn, viewers[0], LIMITS, NOW)
    assert (budget.family_spent_micro, budget.family_cap_micro, budget.family_remaining_micro) == (
        3_000_000,
        None,
        None,
    )


def test_switching_the_member_cap_on_counts_what_was_spent_while_off(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(800_000))
    capped = ledger.Limits(total_micro=1_000_000, member_cap_micro=1_000_000, period_days=30)
    with pytest.raises(BudgetExhausted):
        spend(conn, viewers[1], "a", limits=capped)
    spend(conn, viewers[1], "b", Epsilon(200_000), limits=capped)


def test_charges_are_debited_in_micro_units_rounded_up(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon.charge(0.1000001))
    assert spent(conn, viewers[0]) == 100_001
    assert ledger.history(conn, viewers[0])[0].epsilon_micro == 100_001


def test_three_thirds_do_not_fit_in_one_because_charges_round_up(conn, viewers):
    third = Epsilon.charge(1 / 3)
    spend(conn, viewers[0], "a", third)
    spend(conn, viewers[0], "b", third)
    with pytest.raises(BudgetExhausted):
        spend(conn, viewers[0], "c", third)
    assert spent(conn, viewers[0]) == 666_668


@pytest.mark.parametrize("value", [0, 0.0, -0.5, math.nan, math.inf, -math.inf, "1", True])
def test_zero_negative_nan_and_infinite_charges_never_reach_the_ledger(value):
    with pytest.raises(InvalidEpsilon):
        Epsilon.charge(value)


def test_a_forged_negative_charge_cannot_refund(conn, viewers):
    spend(conn, viewers[0], "a")
    forged = object.__new__(Epsilon)
    object.__setattr__(forged, "micro", -500_000)
    with pytest.raises(LedgerUnavailable):
        spend(conn, viewers[0], "b", forged)
    assert spent(conn, viewers[0]) == 500_000
    ledger.verify(conn)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_spent SET spent_micro = total_micro + 1",
        "UPDATE ledger_spent SET spent_micro = -1",
        "UPDATE ledger_spent SET spent_micro = 'plenty'",
        "UPDATE ledger_spent SET spent_micro = 0.5",
        "UPDATE ledger_family SET spent_micro = cap_micro + 1",
        "UPDATE ledger_releases SET epsilon_micro = 0",
        "INSERT INTO ledger_epoch (id, first_day) VALUES (2, '2020-01-01')",
    ],
)
def test_check_constraints_hold_against_raw_sql(conn, viewers, sql):
    capped = ledger.Limits(total_micro=1_000_000, member_cap_micro=2_000_000, period_days=30)
    spend(conn, viewers[0], "a", limits=capped)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql)
    assert spent(conn, viewers[0]) == 500_000


def test_verify_catches_a_spent_total_that_is_not_the_sum_of_its_releases(conn, viewers):
    spend(conn, viewers[0], "a")
    conn.execute("UPDATE ledger_spent SET spent_micro = 100")
    with pytest.raises(ledger.LedgerCorrupt) as corrupt:
        ledger.verify(conn)
    assert corrupt.value.problems == (f"viewer {viewers[0]} period 0: spent is not the sum of its releases",)
    assert str(corrupt.value) == ledger.UNAVAILABLE


def test_verify_catches_a_family_total_that_lost_its_debits(conn, viewers):
    spend(conn, viewers[0], "a")
    conn.execute("DELETE FROM ledger_family")
    with pytest.raises(ledger.LedgerCorrupt) as corrupt:
        ledger.verify(conn)
    assert corrupt.value.problems == ("family period 0: spent is not the sum of its releases",)


def test_a_viewer_who_is_not_a_member_gets_nothing(conn):
    with pytest.raises(LedgerUnavailable):
        spend(conn, 999, "a")
    assert ledger.find(conn, 999, "a") is None
    ledger.verify(conn)


def test_history_is_the_viewers_own_newest_first(conn, viewers):
    spend(conn, viewers[0], "a", Epsilon(100_000))
    spend(conn, viewers[1], "b", Epsilon(200_000))
    spend(conn, viewers[0], "c", Epsilon(300_000), now=NOW + timedelta(hours=1))
    entries = ledger.history(conn, viewers[0])
    assert [(e.epsilon_micro, e.created_at, e.data_version) for e in entries] == [
        (300_000, NOW + timedelta(hours=1), 1),
        (100_000, NOW, 1),
    ]
    assert len(ledger.history(conn, viewers[0], limit=1)) == 1


def test_audit_rows_never_hold_the_released_value(conn, viewers):
    spend(conn, viewers[0], "a", body='{"values": ["MARKER-7731"]}')
    spend(conn, viewers[0], "a", body='{"values": ["MARKER-7731"]}')
    rows = conn.execute("SELECT * FROM audit_log").fetchall()
    assert len(rows) == 2
    assert "MARKER" not in repr(rows)


def test_log_audits_replays_and_refusals_made_elsewhere(conn, viewers):
    ledger.log(conn, viewers[0], "trend/90/week/8000", 0, "replayed", "", NOW)
    ledger.log(conn, viewers[0], "trend/90/week/8000", 500_000, Outcome.REFUSED, "over cap" * 100, NOW)
    entries = audit_log.entries(conn, viewers[0])
    assert [(e.outcome, len(e.reason), e.at) for e in entries] == [
        (Outcome.REFUSED, audit_log.REASON_CHARS, NOW),
        (Outcome.REPLAYED, 0, NOW),
    ]
    with pytest.raises(ValueError):
        ledger.log(conn, viewers[0], "q", 1, "shown", "", NOW)


def test_limits_from_settings_round_down_and_carry_the_cap_switch():
    on = ledger.Limits.from_settings(PrivacySettings(budget_per_period=10.0000009, member_cap=30.0))
    off = ledger.Limits.from_settings(PrivacySettings(member_cap=None, period_days=7))
    assert on == ledger.Limits(total_micro=10_000_000, member_cap_micro=30_000_000, period_days=30)
    assert (off.member_cap_micro, off.period_days) == (None, 7)


@pytest.mark.parametrize(("total", "cap", "days"), [(0, None, 30), (1, 0, 30), (1, None, 0), (1, None, 367)])
def test_limits_refuse_nonsense(total, cap, days):
    with pytest.raises(ValueError):
        ledger.Limits(total_micro=total, member_cap_micro=cap, period_days=days)
