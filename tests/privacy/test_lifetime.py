"""Nothing renews: a block's lifetime budget, once spent, stays spent whatever the calendar says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from family_support import build_family
from hearth_support import block_totals, open_hearth

from privacy.budget.plan import Product
from privacy.engine.periods import Period
from privacy.queries import QueryId, QuerySpec
from privacy.release import BudgetExhausted

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
DAY = date(2026, 2, 10)
"""A day every member has imported, and whose block the test spends to the last micro-epsilon."""
ASKED = (QueryId.FAMILY_AVERAGE, QueryId.TREND, QueryId.GOAL_ATTAINMENT)


@pytest.fixture
def exhausted(tmp_path: Path) -> Path:
    """The plan switched off, so the whole lifetime (3) is reserve; Ada, Ben and Cy each spend 1.0 of it."""
    path = build_family(tmp_path / "family.sqlite")
    hearth = open_hearth(path, NOW)
    try:
        hearth.set_plan(hearth.operator_session("Ada"), dict.fromkeys(Product))
        for name, query in zip(("Ada", "Ben", "Cy"), ASKED, strict=True):
            hearth.ask(hearth.operator_session(name), QuerySpec(query, None), 1.0, Period(DAY, DAY))
    finally:
        hearth.close()
    assert block_totals(path) == {DAY.isoformat(): 3_000_000}
    return path


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=365), timedelta(days=3 * 365 + 1)])
def test_an_exhausted_day_stays_exhausted_however_far_the_clock_moves(
    exhausted: Path, later: timedelta
) -> None:
    hearth = open_hearth(exhausted, NOW + later)
    try:
        ada = hearth.operator_session("Ada")
        with pytest.raises(BudgetExhausted, match="lifetime budget"):
            hearth.ask(ada, QuerySpec(QueryId.DISTRIBUTION, None), 0.01, Period(DAY, DAY))
        (entry,) = hearth.budget(ada, DAY, DAY).days
        assert (entry.spent_micro, entry.remaining_micro, entry.share_left_micro) == (3_000_000, 0, 0)
    finally:
        hearth.close()
    assert block_totals(exhausted) == {DAY.isoformat(): 3_000_000}


def test_the_next_day_has_its_own_fresh_budget(exhausted: Path) -> None:
    hearth = open_hearth(exhausted, NOW + timedelta(days=365))
    try:
        following = DAY + timedelta(days=1)
        made = hearth.ask(
            hearth.operator_session("Ada"),
            QuerySpec(QueryId.DISTRIBUTION, None),
            0.5,
            Period(following, following),
        )
    finally:
        hearth.close()
    assert not made.replayed
    assert block_totals(exhausted) == {DAY.isoformat(): 3_000_000, following.isoformat(): 500_000}
