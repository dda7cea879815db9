"""The family noticeboard: one shared answer per question, made once on the calendar, shown to everyone.

A small real family whose imports lag: Ada's reach 2026-02-28, Ben's 02-22, Cy's 02-12. On Wednesday
2026-03-04 the week of 02-23 has ended but is not covered and still settling, so the newest weekly
figure is the week of 02-16, which has settled: it is released without Cy, who is named.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from family_support import build_family, import_days
from hearth_support import charged, open_hearth

from data import store
from privacy.budget.plan import Product
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.release import NotYetReleased
from privacy.service import Hearth

WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
SETTLED = Period(date(2026, 2, 16), date(2026, 2, 22))
WAITING = Period(date(2026, 2, 23), date(2026, 3, 1))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return build_family(tmp_path / "family.sqlite")


@pytest.fixture
def hearth(path: Path) -> Hearth:
    service = open_hearth(path, WEDNESDAY)
    yield service
    service.close()


def test_two_members_see_the_same_weekly_figure_and_only_the_first_pays(hearth: Hearth, path: Path) -> None:
    first = hearth.figure(hearth.operator_session("Ben"), Product.WEEKLY)
    paid = charged(path)
    second = hearth.figure(hearth.operator_session("Cy"), Product.WEEKLY)
    assert (first.first, first.last) == (SETTLED.first.isoformat(), SETTLED.last.isoformat())
    assert not first.replayed and second.replayed
    assert (second.values, second.lower, second.upper, second.released_at) == (
        first.values,
        first.lower,
        first.upper,
        first.released_at,
    )
    assert paid == 7 * first.epsilon.micro == 7 * 1_000_000
    assert charged(path) == paid


def test_a_member_whose_imports_do_not_reach_a_settled_period_is_left_out_and_named(hearth: Hearth) -> None:
    figure = hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY)
    assert figure.included == ("Ada", "Ben") and figure.left_out == ("Cy",)


def test_a_period_waiting_for_imports_is_not_released_and_costs_nothing(hearth: Hearth, path: Path) -> None:
    with pytest.raises(NotYetReleased, match="waiting"):
        hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY, WAITING)
    assert charged(path) == 0
    with closing(store.connect(path)) as conn:
        for name in ("Ada", "Ben", "Cy"):
            import_days(conn, name, date(2026, 2, 1), WAITING.last)
    released = hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY, WAITING)
    assert released.included == ("Ada", "Ben", "Cy") and released.left_out == ()
    assert charged(path) == 7 * released.epsilon.micro


def test_a_late_import_never_recomputes_a_released_figure(hearth: Hearth, path: Path) -> None:
    made = hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY)
    with closing(store.connect(path)) as conn:
        import_days(conn, "Cy", date(2026, 2, 13), SETTLED.last, salt=1)
        import_days(conn, "Ada", SETTLED.first, SETTLED.last, salt=2, covered=date(2026, 2, 28))
    again = hearth.figure(hearth.operator_session("Ben"), Product.WEEKLY, SETTLED)
    assert again.replayed and again.values == made.values and again.left_out == ("Cy",)
    assert charged(path) == 7 * made.epsilon.micro


def test_a_refresh_after_a_late_import_makes_a_new_figure_with_everyone_paid_from_the_reserve(
    hearth: Hearth, path: Path
) -> None:
    ada = hearth.operator_session("Ada")
    made = hearth.figure(ada, Product.WEEKLY)
    assert hearth.newly_covered(made) == ()
    with closing(store.connect(path)) as conn:
        import_days(conn, "Cy", date(2026, 2, 13), SETTLED.last, salt=1)
    assert hearth.newly_covered(made) == ("Cy",)
    fresh = hearth.refresh(ada, made, 0.2)
    assert fresh.included == ("Ada", "Ben", "Cy") and fresh.left_out == () and fresh.combined == 1
    assert fresh.epsilon == Epsilon.request(0.2)
    (day,) = hearth.budget(ada, SETTLED.first, SETTLED.first).days
    assert (day.spent_micro, day.reserve_left_micro) == (1_200_000, 300_000)
    shown_to_ben = hearth.figure(hearth.operator_session("Ben"), Product.WEEKLY, SETTLED)
    assert shown_to_ben.values == fresh.values and shown_to_ben.included == fresh.included
    assert hearth.newly_covered(shown_to_ben) == ()


def test_a_plan_change_keeps_a_released_period_and_prices_the_next(hearth: Hearth, path: Path) -> None:
    made = hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY)
    chosen = dict(hearth.plan().epsilons) | {Product.WEEKLY: Epsilon.request(0.5)}
    hearth.set_plan(hearth.operator_session("Ada"), chosen)
    assert hearth.figure(hearth.operator_session("Ben"), Product.WEEKLY, SETTLED).values == made.values
    older = hearth.figure(
        hearth.operator_session("Ben"), Product.WEEKLY, Period(date(2026, 2, 9), date(2026, 2, 15))
    )
    assert older.epsilon == Epsilon.request(0.5)
    assert charged(path) == 7 * (1_000_000 + 500_000)


def test_sharpening_combines_by_inverse_variance_and_is_paid_from_the_reserve(
    hearth: Hearth, path: Path
) -> None:
    with closing(store.connect(path)) as conn:
        import_days(
            conn, "Cy", date(2026, 2, 13), SETTLED.last
        )  # questions stop at the family's covered date
    ada = hearth.operator_session("Ada")
    figure = hearth.figure(ada, Product.WEEKLY)
    sharper = hearth.sharpen(ada, figure, 0.2)
    assert sharper.combined == 2 and sharper.epsilon == Epsilon.request(1.2)
    assert sharper.upper[0] - sharper.lower[0] < figure.upper[0] - figure.lower[0]
    (day,) = hearth.budget(ada, SETTLED.first, SETTLED.first).days
    assert (day.spent_micro, day.reserve_left_micro) == (1_200_000, 300_000)
    shown_to_ben = hearth.figure(hearth.operator_session("Ben"), Product.WEEKLY)
    assert shown_to_ben.combined == 2 and shown_to_ben.values == sharper.values


def test_sharpening_a_sharpened_figure_combines_all_three(hearth: Hearth, path: Path) -> None:
    with closing(store.connect(path)) as conn:
        import_days(conn, "Cy", date(2026, 2, 13), SETTLED.last)
    ada = hearth.operator_session("Ada")
    twice = hearth.sharpen(ada, hearth.sharpen(ada, hearth.figure(ada, Product.WEEKLY), 0.1), 0.1)
    assert twice.combined == 3 and twice.epsilon == Epsilon.request(1.2)


def test_a_figure_released_without_a_lagging_member_can_be_sharpened(hearth: Hearth) -> None:
    ada = hearth.operator_session("Ada")
    sharper = hearth.sharpen(ada, hearth.figure(ada, Product.WEEKLY), 0.1)
    assert sharper.combined == 2 and sharper.left_out == ("Cy",)
