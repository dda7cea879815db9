"""The service is the only door: it checks identity, caps and budget before any value leaves."""

from __future__ import annotations

import math
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacy import engine
from privacy.epsilon import Epsilon, InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import QueryId, QuerySpec
from privacy.release import BudgetExhausted, NotAllowed, OverCap
from privacy.service import Hearth
from privacy.settings import PrivacySettings

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AVERAGE = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=30)


@pytest.fixture
def hearth(demo_template: Path, tmp_path: Path) -> Hearth:
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_template.read_bytes())
    service = Hearth.open(copy, PrivacySettings(budget_per_period=2.0, member_cap=None), clock=lambda: NOW)
    yield service
    service.close()


def _viewer(hearth: Hearth, index: int = 0) -> Viewer:
    return hearth.demo_sign_in(hearth.roster()[index].id)


def test_release_debits_the_charge_and_replays_free(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    first = hearth.release(viewer, AVERAGE, 0.5)
    spent = hearth.budget(viewer).spent_micro
    again = hearth.release(viewer, AVERAGE, 0.5)
    assert not first.replayed and again.replayed
    assert again.values == first.values
    assert spent == first.epsilon.micro
    assert hearth.budget(viewer).spent_micro == spent


def test_stored_never_spends(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    assert hearth.stored(viewer, AVERAGE, 0.5) is None
    assert hearth.budget(viewer).spent_micro == 0
    made = hearth.release(viewer, AVERAGE, 0.5)
    assert hearth.stored(viewer, AVERAGE, 0.5).values == made.values


def test_near_duplicate_epsilon_is_the_same_request(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    hearth.release(viewer, AVERAGE, 0.5)
    assert hearth.release(viewer, AVERAGE, 0.5000001).replayed


@pytest.mark.parametrize("forged", [1e9, 2.5, 1.000001])
def test_epsilon_over_the_cap_is_refused_and_spends_nothing(hearth: Hearth, forged: float) -> None:
    viewer = _viewer(hearth)
    with pytest.raises(OverCap):
        hearth.release(viewer, AVERAGE, forged)
    assert hearth.budget(viewer).spent_micro == 0


@pytest.mark.parametrize("forged", [-1, 0, math.nan, math.inf, "1", None, True])
def test_malformed_epsilon_is_refused_and_spends_nothing(hearth: Hearth, forged: object) -> None:
    viewer = _viewer(hearth)
    with pytest.raises(InvalidEpsilon):
        hearth.release(viewer, AVERAGE, forged)
    assert hearth.budget(viewer).spent_micro == 0


def test_budget_exhausted_refuses_without_spending(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    for window in (7, 30):
        hearth.release(viewer, QuerySpec(QueryId.FAMILY_AVERAGE, window_days=window), 1.0)
    before = hearth.budget(viewer)
    with pytest.raises(BudgetExhausted, match="renews on"):
        hearth.release(viewer, QuerySpec(QueryId.WEEKDAY, window_days=30), 1.0)
    assert hearth.budget(viewer) == before


def test_budget_survives_a_restart(hearth: Hearth, tmp_path: Path) -> None:
    viewer = _viewer(hearth)
    hearth.release(viewer, AVERAGE, 0.5)
    spent = hearth.budget(viewer).spent_micro
    reopened = Hearth.open(tmp_path / "demo.sqlite", hearth.settings, clock=lambda: NOW)
    try:
        assert reopened.budget(reopened.demo_sign_in(viewer.member_id)).spent_micro == spent
    finally:
        reopened.close()


def test_charge_is_the_plan_privacy_map_not_the_request(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    release = hearth.release(viewer, AVERAGE, 0.3)
    grid = engine.grid_for(AVERAGE, tuple(m.id for m in hearth.roster()), hearth.today())
    plan = engine.plan(AVERAGE, Epsilon.request(0.3), hearth.settings.unit, grid)
    assert release.epsilon == plan.charge
    assert hearth.budget(viewer).spent_micro == plan.charge.micro


def test_forged_viewer_gets_nothing(hearth: Hearth) -> None:
    real = _viewer(hearth)
    forged = Viewer(
        member_id=real.member_id + 1, name="someone", is_admin=True, session_token=real.session_token
    )
    with pytest.raises(NotAllowed):
        hearth.release(forged, AVERAGE, 0.5)
    with pytest.raises(NotAllowed):
        hearth.release(Viewer(real.member_id, real.name, False, "not-a-token"), AVERAGE, 0.5)


def test_signed_out_viewer_gets_nothing(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    hearth.sign_out(viewer)
    with pytest.raises(NotAllowed):
        hearth.budget(viewer)


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
    viewer = _viewer(hearth, 0)
    other = hearth.roster()[1]
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    own = hearth.own_daily(viewer, viewer.member_id, first, last)
    assert own.columns == ["day", "steps"] and own.height > 0
    with pytest.raises(NotAllowed):
        hearth.own_daily(viewer, other.id, first, last)
    with pytest.raises(NotAllowed):
        hearth.own_hourly(viewer, other.id, first, last)


def test_every_catalog_query_releases_through_the_service(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    for query in QueryId:
        release = hearth.release(viewer, QuerySpec(query, window_days=30), 0.1)
        assert len(release.values) == len(release.labels) == len(release.lower) == len(release.upper)
        assert all(lo <= hi for lo, hi in zip(release.lower, release.upper, strict=True))


def test_racing_tabs_of_one_viewer_cannot_overspend(hearth: Hearth) -> None:
    viewer = _viewer(hearth)
    specs = [QuerySpec(query, window_days=30) for query in QueryId]
    barrier = threading.Barrier(len(specs))
    outcomes: list[str] = []

    def tab(spec: QuerySpec) -> None:
        barrier.wait()
        try:
            hearth.release(viewer, spec, 0.6)
            outcomes.append("released")
        except BudgetExhausted:
            outcomes.append("refused")

    threads = [threading.Thread(target=tab, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 4 + ["released"] * 3
    assert hearth.budget(viewer).spent_micro == sum(e.epsilon_micro for e in hearth.history(viewer))
    assert hearth.budget(viewer).spent_micro <= 2_000_000
