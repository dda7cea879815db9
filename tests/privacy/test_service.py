"""The service is the only door: it checks identity, caps and budget before any value leaves."""

from __future__ import annotations

import math
import threading
from datetime import date
from pathlib import Path

import pytest
from hearth_support import NOW, charged, copy_store, open_hearth, spent_on, viewer

from privacy import engine
from privacy.constraints import MIN_EPSILON_PER_VIEW
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import InvalidQuery, QueryId, QuerySpec
from privacy.release import BudgetExhausted, NotAllowed, OverCap
from privacy.service import Hearth

AVERAGE = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=30)
WINDOW = Period(date(2026, 10, 1), date(2026, 10, 30))
"""Where a 30-day question lands in the demo: ending the day before its fixed 'today'."""
INSIDE = date(2026, 10, 15)


@pytest.fixture
def hearth(demo_template: Path, tmp_path: Path) -> Hearth:
    """The demo family with a lifetime of 10 per day: a reserve of 4 and a quota of 2 per viewer."""
    service = open_hearth(copy_store(demo_template, tmp_path / "demo.sqlite"), lifetime_epsilon=10.0)
    yield service
    service.close()


def _viewer(hearth: Hearth, index: int = 0) -> Viewer:
    return viewer(hearth, index)


def test_release_charges_every_day_of_its_window_and_replays_free(hearth: Hearth, tmp_path: Path) -> None:
    maya = _viewer(hearth)
    first = hearth.release(maya, AVERAGE, 0.5)
    assert (first.first, first.last) == (WINDOW.first.isoformat(), WINDOW.last.isoformat())
    days = hearth.budget(maya, WINDOW.first, WINDOW.last).days
    assert [d.spent_micro for d in days] == [first.epsilon.micro] * WINDOW.days
    assert charged(tmp_path / "demo.sqlite") == WINDOW.days * first.epsilon.micro
    again = hearth.release(maya, AVERAGE, 0.5)
    assert not first.replayed and again.replayed
    assert again.values == first.values
    assert charged(tmp_path / "demo.sqlite") == WINDOW.days * first.epsilon.micro


def test_days_outside_the_window_are_not_charged(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    hearth.release(maya, AVERAGE, 0.5)
    assert spent_on(hearth, maya, WINDOW.first) == 500_000
    assert spent_on(hearth, maya, date(2026, 9, 30)) == 0
    assert spent_on(hearth, maya, date(2026, 10, 31)) == 0


def test_stored_never_spends(hearth: Hearth, tmp_path: Path) -> None:
    maya = _viewer(hearth)
    assert hearth.stored(maya, AVERAGE, 0.5) is None
    assert charged(tmp_path / "demo.sqlite") == 0
    made = hearth.release(maya, AVERAGE, 0.5)
    assert hearth.stored(maya, AVERAGE, 0.5).values == made.values
    assert hearth.stored(_viewer(hearth, 3), AVERAGE, 0.5).values == made.values


def test_near_duplicate_epsilon_is_the_same_request(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    hearth.release(maya, AVERAGE, 0.5)
    assert hearth.release(maya, AVERAGE, 0.5000001).replayed


def test_the_same_question_by_another_member_is_the_same_answer_at_no_cost(
    hearth: Hearth, tmp_path: Path
) -> None:
    made = hearth.release(_viewer(hearth, 0), AVERAGE, 0.5)
    spent = charged(tmp_path / "demo.sqlite")
    other = hearth.release(_viewer(hearth, 4), AVERAGE, 0.5)
    assert other.replayed and other.values == made.values and other.lower == made.lower
    assert charged(tmp_path / "demo.sqlite") == spent


@pytest.mark.parametrize("forged", [1e9, 2.5, 1.000001])
def test_epsilon_over_the_cap_is_refused_and_spends_nothing(
    hearth: Hearth, tmp_path: Path, forged: float
) -> None:
    with pytest.raises(OverCap):
        hearth.release(_viewer(hearth), AVERAGE, forged)
    assert charged(tmp_path / "demo.sqlite") == 0


@pytest.mark.parametrize("tiny", [1e-6, 0.0099999, MIN_EPSILON_PER_VIEW / 2])
def test_epsilon_below_the_floor_is_refused_and_spends_nothing(
    hearth: Hearth, tmp_path: Path, tiny: float
) -> None:
    with pytest.raises(OverCap, match="below the useful minimum"):
        hearth.release(_viewer(hearth), AVERAGE, tiny)
    assert charged(tmp_path / "demo.sqlite") == 0
    assert not hearth.release(_viewer(hearth), AVERAGE, MIN_EPSILON_PER_VIEW).replayed


@pytest.mark.parametrize("forged", [-1, 0, math.nan, math.inf, "1", None, True])
def test_malformed_epsilon_is_refused_and_spends_nothing(
    hearth: Hearth, tmp_path: Path, forged: object
) -> None:
    with pytest.raises(InvalidEpsilon):
        hearth.release(_viewer(hearth), AVERAGE, forged)
    assert charged(tmp_path / "demo.sqlite") == 0


def test_a_viewer_past_their_share_is_refused_without_spending(hearth: Hearth, tmp_path: Path) -> None:
    maya = _viewer(hearth)
    for window in (7, 30):
        hearth.release(maya, QuerySpec(QueryId.FAMILY_AVERAGE, window_days=window), 1.0)
    before = (charged(tmp_path / "demo.sqlite"), hearth.budget(maya))
    with pytest.raises(BudgetExhausted, match="never renew"):
        hearth.release(maya, QuerySpec(QueryId.WEEKDAY, window_days=30), 0.5)
    assert (charged(tmp_path / "demo.sqlite"), hearth.budget(maya)) == before
    # The quota is per viewer: another member still has their own share of the same days' reserve.
    assert not hearth.release(_viewer(hearth, 1), QuerySpec(QueryId.WEEKDAY, window_days=30), 0.5).replayed


def test_budget_survives_a_restart(hearth: Hearth, tmp_path: Path) -> None:
    maya = _viewer(hearth)
    hearth.release(maya, AVERAGE, 0.5)
    before = hearth.budget(maya)
    reopened = Hearth.open(hearth.settings, clock=lambda: NOW)
    try:
        assert reopened.budget(reopened.demo_sign_in(maya.member_id)) == before
    finally:
        reopened.close()


def test_charge_is_the_plan_privacy_map_not_the_request(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    release = hearth.release(maya, AVERAGE, 0.3333337)
    grid = engine.Grid(tuple(m.id for m in hearth.roster()), WINDOW.first, WINDOW.last)
    plan = engine.plan(
        QuerySpec(QueryId.FAMILY_AVERAGE, None), Epsilon.request(0.3333337), hearth.settings.unit, grid
    )
    assert release.epsilon == plan.charge == Epsilon.charge(plan.measurement.map(plan.d_in))
    assert spent_on(hearth, maya, INSIDE) == plan.charge.micro


def test_forged_viewer_gets_nothing(hearth: Hearth, tmp_path: Path) -> None:
    real = _viewer(hearth)
    forged = Viewer(
        member_id=real.member_id + 1, name="someone", is_admin=True, session_token=real.session_token
    )
    with pytest.raises(NotAllowed):
        hearth.release(forged, AVERAGE, 0.5)
    with pytest.raises(NotAllowed):
        hearth.release(Viewer(real.member_id, real.name, False, "not-a-token"), AVERAGE, 0.5)
    assert charged(tmp_path / "demo.sqlite") == 0


def test_signed_out_viewer_gets_nothing(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    hearth.sign_out(maya)
    with pytest.raises(NotAllowed):
        hearth.budget(maya)


def test_sign_out_everywhere_ends_every_session_of_that_member_only(hearth: Hearth) -> None:
    first, second, other = _viewer(hearth, 0), _viewer(hearth, 0), _viewer(hearth, 1)
    hearth.sign_out_everywhere(second)
    assert hearth.resume(first.session_token) is None
    assert hearth.resume(second.session_token) is None
    assert hearth.resume(other.session_token) is not None
    with pytest.raises(NotAllowed):
        hearth.sign_out_everywhere(second)  # an ended session cannot ask again


def test_sign_out_everywhere_refuses_a_forged_viewer(hearth: Hearth) -> None:
    real, victim = _viewer(hearth, 0), _viewer(hearth, 1)
    forged = Viewer(victim.member_id, victim.name, False, real.session_token)
    with pytest.raises(NotAllowed):
        hearth.sign_out_everywhere(forged)
    assert hearth.resume(victim.session_token) is not None
    assert hearth.resume(real.session_token) is not None


def test_own_data_is_identity_checked(hearth: Hearth) -> None:
    maya = _viewer(hearth, 0)
    other = hearth.roster()[1]
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    own = hearth.own_daily(maya, maya.member_id, first, last)
    assert own.columns == ["day", "steps"] and own.height > 0
    with pytest.raises(NotAllowed):
        hearth.own_daily(maya, other.id, first, last)
    with pytest.raises(NotAllowed):
        hearth.own_hourly(maya, other.id, first, last)


def test_every_catalog_query_releases_through_the_service(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    for query in QueryId:
        release = hearth.release(maya, QuerySpec(query, window_days=30), 0.1)
        assert len(release.values) == len(release.labels) == len(release.lower) == len(release.upper)
        assert all(lo <= hi for lo, hi in zip(release.lower, release.upper, strict=True))
    assert spent_on(hearth, maya, INSIDE) == sum(
        s.charge_micro for s in hearth.board() if s.first_day <= INSIDE.isoformat() <= s.last_day
    )


def test_racing_tabs_of_one_viewer_cannot_pass_their_share(hearth: Hearth, tmp_path: Path) -> None:
    maya = _viewer(hearth)
    specs = [QuerySpec(query, window_days=30) for query in QueryId]
    barrier = threading.Barrier(len(specs))
    outcomes: list[str] = []

    def tab(spec: QuerySpec) -> None:
        barrier.wait()
        try:
            hearth.release(maya, spec, 0.6)
            outcomes.append("released")
        except BudgetExhausted:
            outcomes.append("refused")

    threads = [threading.Thread(target=tab, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    quota = hearth.budget(maya).quota_micro
    assert quota == 2_000_000
    assert sorted(outcomes) == ["refused"] * 4 + ["released"] * 3
    assert spent_on(hearth, maya, INSIDE) == 3 * 600_000 == sum(s.charge_micro for s in hearth.board())
    assert charged(tmp_path / "demo.sqlite") == 3 * 600_000 * WINDOW.days


def test_a_weekday_profile_of_fewer_than_seven_days_is_refused_and_spends_nothing(
    hearth: Hearth, tmp_path: Path
) -> None:
    short = Period(date(2026, 10, 13), date(2026, 10, 15))
    with pytest.raises(InvalidQuery, match="weekday"):
        hearth.ask(_viewer(hearth), QuerySpec(QueryId.WEEKDAY, None), 0.1, short)
    assert charged(tmp_path / "demo.sqlite") == 0
    week = Period(date(2026, 10, 13), date(2026, 10, 19))
    assert len(hearth.ask(_viewer(hearth), QuerySpec(QueryId.WEEKDAY, None), 0.1, week).values) == 7


def test_a_relative_window_and_the_same_named_dates_are_one_question(hearth: Hearth, tmp_path: Path) -> None:
    made = hearth.release(_viewer(hearth), AVERAGE, 0.5)
    named = hearth.ask(_viewer(hearth, 2), QuerySpec(QueryId.FAMILY_AVERAGE, None), 0.5, WINDOW)
    assert named.replayed and named.values == made.values
    assert charged(tmp_path / "demo.sqlite") == WINDOW.days * made.epsilon.micro


def test_signing_out_and_in_again_leaves_the_budget_as_it_was(hearth: Hearth) -> None:
    maya = _viewer(hearth)
    hearth.release(maya, AVERAGE, 0.5)
    before = hearth.budget(maya)
    hearth.sign_out(maya)
    again = _viewer(hearth)
    assert hearth.budget(again) == before
    assert hearth.release(again, AVERAGE, 0.5).replayed
