"""Deterministic facts about the release engine: shapes, charges, caching, previews, exact values."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from engine_fixtures import NAMES, ROSTER, TODAY, daily, hourly

from privacy import engine
from privacy.constraints import DAILY_STEPS_BOUNDS, HISTOGRAM_EDGES, HOURLY_STEPS_BOUNDS
from privacy.engine import plans
from privacy.engine.grid import daily_cells, layout
from privacy.epsilon import Epsilon
from privacy.queries import Bucket, InvalidQuery, PrivacyUnit, QueryId, QuerySpec

ALL = tuple(QueryId)
SERIES = tuple(q for q in QueryId if q is not QueryId.CHAMPION)
EPS = Epsilon.request(0.5)
DAY, WEEK, MEMBER = PrivacyUnit.MEMBER_DAY, PrivacyUnit.MEMBER_WEEK, PrivacyUnit.MEMBER


def _plan(
    query: QueryId, epsilon: Epsilon = EPS, unit: PrivacyUnit = DAY, window: int = 30, **kw
) -> engine.Plan:
    spec = QuerySpec(query, window, **kw)
    return engine.plan(spec, epsilon, unit, engine.grid_for(spec, ROSTER, TODAY))


@pytest.mark.parametrize("query", ALL)
def test_member_without_data_gives_the_same_shape(query: QueryId) -> None:
    p = _plan(query)
    with_all = engine.execute(p, daily(ROSTER), hourly(ROSTER), NAMES)
    missing_one = tuple(m for m in ROSTER if m != 13)
    without = engine.execute(p, daily(missing_one), hourly(missing_one), NAMES)
    assert with_all[0] == without[0]
    assert {len(part) for part in with_all + without} == {len(with_all[0])}
    assert all(np.isfinite(v) for v in without[1] + without[2] + without[3])


@pytest.mark.parametrize("query", ALL)
def test_release_has_an_interval_around_each_value(query: QueryId) -> None:
    labels, values, lower, upper = engine.execute(_plan(query), daily(ROSTER), hourly(ROSTER), NAMES)
    assert all(lo <= v <= hi for lo, v, hi in zip(lower, values, upper, strict=True))
    assert len(labels) == len(set(labels))


def test_labels_come_from_roster_and_calendar() -> None:
    empty = daily(()).clear()
    labels = {q: engine.execute(_plan(q), empty, hourly(()).clear(), NAMES)[0] for q in ALL}
    assert labels[QueryId.CHAMPION] == ("Ann", "Bo", "Cy", "Di", "Ed")
    assert labels[QueryId.WEEKDAY] == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert labels[QueryId.HOUR_OF_DAY] == tuple(f"{h:02d}:00" for h in range(24))
    assert labels[QueryId.DISTRIBUTION][0] == "0–2,499"
    assert len(labels[QueryId.DISTRIBUTION]) == len(HISTOGRAM_EDGES) - 1
    # 30 days ending Tue 2026-03-10 start on Mon 2026-02-09: four full weeks and a two-day one.
    assert labels[QueryId.TREND] == ("2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09")


def test_month_buckets_start_on_the_first() -> None:
    spec = QuerySpec(QueryId.TREND, 90, bucket=Bucket.MONTH)
    shape = layout(spec, engine.grid_for(spec, ROSTER, TODAY))
    assert shape.labels == ("2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01")
    # 2025-12-11..31, all of January and February, 2026-03-01..10; five members each day.
    assert shape.denominators == (21 * 5, 31 * 5, 28 * 5, 10 * 5)


def test_grid_drops_rows_off_the_roster_and_outside_the_window() -> None:
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 7)
    grid = engine.grid_for(spec, (11, 12), TODAY)
    assert (grid.first, grid.last) == (TODAY - timedelta(days=6), TODAY)
    frame = pl.DataFrame(
        {
            "member_id": [11, 12, 99, 11, 12],
            "day": [TODAY, grid.first, TODAY, grid.first - timedelta(1), TODAY],
        }
    ).with_columns(pl.col("day").cast(pl.Date), steps=pl.Series([1_000, 40_000, 5_000, 7_000, 3]))
    cells = daily_cells(grid, frame)
    assert cells.shape == (14,)
    assert cells[6] == 1_000  # member 11, last day
    assert cells[7] == DAILY_STEPS_BOUNDS[1]  # member 12, first day, clamped
    assert cells[13] == 3
    assert int(cells.sum()) == 1_000 + 25_000 + 3


def test_exact_is_the_clamped_mean_over_the_public_grid() -> None:
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 7)
    grid = engine.grid_for(spec, (11, 12), TODAY)
    frame = pl.DataFrame({"member_id": [11, 12], "day": [TODAY, TODAY], "steps": [30_000, 7_000]})
    frame = frame.with_columns(pl.col("day").cast(pl.Date))
    labels, values = engine.exact(spec, grid, frame, hourly(()).clear(), NAMES)
    assert labels == ("last 7 days",)
    assert values == pytest.approx(((25_000 + 7_000) / 14,))


def test_exact_histogram_bins_are_left_closed() -> None:
    spec = QuerySpec(QueryId.DISTRIBUTION, 7)
    grid = engine.grid_for(spec, (11,), TODAY)
    days = [TODAY - timedelta(days=i) for i in range(4)]
    frame = pl.DataFrame({"member_id": [11] * 4, "day": days, "steps": [2_499, 2_500, 25_000, 90_000]})
    _, shares = engine.exact(spec, grid, frame.with_columns(pl.col("day").cast(pl.Date)), hourly(()), NAMES)
    assert shares[0] == pytest.approx(4 / 7)  # 2,499 and three days without data
    assert shares[1] == pytest.approx(1 / 7)
    assert shares[-1] == pytest.approx(2 / 7)  # 25,000 and 90,000 clamped into the last bin


@pytest.mark.parametrize("query", ALL)
@pytest.mark.parametrize("requested", [0.05, 0.333333, 1.0, 2.0])
def test_charge_is_the_opendp_map_rounded_up_and_within_the_request(query: QueryId, requested: float) -> None:
    epsilon = Epsilon.request(requested)
    p = _plan(query, epsilon)
    assert p.charge == Epsilon.charge(p.measurement.map(p.d_in))
    assert p.charge <= epsilon
    assert p.charge.micro >= epsilon.micro - 1  # calibrated to the request, not far below it


@pytest.mark.parametrize("query", SERIES)
def test_noise_grows_with_the_rows_a_unit_changes(query: QueryId) -> None:
    day, week = _plan(query, unit=DAY), _plan(query, unit=WEEK)
    assert week.d_in == 7 * day.d_in
    assert week.charge == day.charge
    assert week.scale == pytest.approx(7 * day.scale, rel=1e-6)
    # The member-day measurement, asked about a member-week, costs seven times as much.
    assert day.measurement.map(week.d_in) == pytest.approx(7 * day.measurement.map(day.d_in), rel=1e-9)


def test_member_unit_over_90_days_is_charged_for_every_day() -> None:
    day, member = (
        _plan(QueryId.FAMILY_AVERAGE, window=90),
        _plan(QueryId.FAMILY_AVERAGE, unit=MEMBER, window=90),
    )
    assert member.d_in == 90
    assert member.scale == pytest.approx(90 * day.scale, rel=1e-6)
    assert day.measurement.map(90) == pytest.approx(90 * day.measurement.map(1), rel=1e-9)


def test_an_hourly_member_day_is_one_row_of_24_sums() -> None:
    day, week = _plan(QueryId.HOUR_OF_DAY), _plan(QueryId.HOUR_OF_DAY, unit=WEEK)
    assert (day.d_in, week.d_in) == (1, 7)
    # One changed member-day moves each of the 24 hourly sums by up to 3,000: an L1 change of 72,000.
    assert day.scale == pytest.approx(24 * HOURLY_STEPS_BOUNDS[1] / day.charge.value, rel=1e-6)


@pytest.mark.parametrize(("unit", "days"), [(DAY, 1), (WEEK, 7), (MEMBER, 90)])
def test_champion_d_in_is_the_linf_change_a_unit_can_make(unit: PrivacyUnit, days: int) -> None:
    p = _plan(QueryId.CHAMPION, unit=unit, window=90)
    assert p.d_in == days * DAILY_STEPS_BOUNDS[1]
    base = daily(ROSTER, seed=1)
    pushed = base.with_columns(
        steps=pl.when((pl.col("member_id") == 12) & (pl.col("day") > TODAY - timedelta(days=days)))
        .then(10**9)
        .otherwise(0)
        .cast(pl.Int64)
    )
    floor = base.with_columns(steps=pl.lit(0, dtype=pl.Int64))
    gap = daily_cells(p.grid, pushed).astype(np.int64) - daily_cells(p.grid, floor)
    totals_gap = gap.reshape(len(ROSTER), 90).sum(axis=1)
    assert int(np.abs(totals_gap).max()) == p.d_in


def test_plan_cache_returns_the_identical_measurement() -> None:
    first, again = _plan(QueryId.TREND), _plan(QueryId.TREND)
    assert first is again
    assert first.measurement is again.measurement
    assert _plan(QueryId.TREND, Epsilon.request(0.6)).measurement is not first.measurement


@pytest.mark.parametrize("query", SERIES)
def test_preview_margin_shrinks_as_epsilon_grows(query: QueryId) -> None:
    spec = QuerySpec(query, 30)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    margins = [engine.preview(spec, Epsilon.request(e), DAY, grid).margin for e in (0.1, 0.25, 0.5, 1.0, 2.0)]
    assert margins == sorted(margins, reverse=True)
    assert len(set(margins)) == len(margins)


@pytest.mark.parametrize("query", SERIES)
def test_plan_margin_is_opendp_accuracy_over_the_public_denominator(query: QueryId) -> None:
    p = _plan(query)
    denominators = layout(p.spec, p.grid).denominators
    assert p.margins == pytest.approx(tuple(plans.accuracy(p.scale) / d for d in denominators))
    assert p.margin == max(p.margins)


@pytest.mark.parametrize("query", SERIES)
@pytest.mark.parametrize("unit", [DAY, WEEK])
def test_epsilon_for_margin_round_trips_with_preview(query: QueryId, unit: PrivacyUnit) -> None:
    spec = QuerySpec(query, 90)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    target = engine.preview(spec, Epsilon.request(0.7), unit, grid).margin
    epsilon = engine.epsilon_for_margin(spec, target, unit, grid)
    assert engine.preview(spec, epsilon, unit, grid).margin <= target
    assert epsilon.value == pytest.approx(0.7, rel=0.02)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_epsilon_for_margin_refuses_nonsense(bad: object) -> None:
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 30)
    with pytest.raises(InvalidQuery):
        engine.epsilon_for_margin(spec, bad, DAY, engine.grid_for(spec, ROSTER, TODAY))  # type: ignore[arg-type]


def test_champion_has_no_margin_to_aim_for() -> None:
    spec = QuerySpec(QueryId.CHAMPION, 30)
    with pytest.raises(InvalidQuery):
        engine.epsilon_for_margin(spec, 0.1, DAY, engine.grid_for(spec, ROSTER, TODAY))


def test_champion_release_is_one_hot_in_roster_order() -> None:
    p = _plan(QueryId.CHAMPION, Epsilon.request(2.0))
    labels, values, lower, upper = engine.execute(p, daily(ROSTER), hourly(ROSTER), NAMES)
    assert labels == tuple(NAMES[m] for m in ROSTER)
    assert sorted(values) == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert (lower, upper) == ((0.0,) * 5, (1.0,) * 5)
    assert p.margin == 0.5


def test_empty_roster_is_refused() -> None:
    with pytest.raises(InvalidQuery):
        engine.grid_for(QuerySpec(QueryId.FAMILY_AVERAGE), (), date(2026, 1, 1))


def test_value_units_name_what_is_plotted() -> None:
    assert engine.value_unit(QuerySpec(QueryId.TREND)) == "steps per member-day"
    assert engine.value_unit(QuerySpec(QueryId.GOAL_ATTAINMENT)) == "share of member-days"
    assert engine.value_unit(QuerySpec(QueryId.CHAMPION)) == "chosen (1) or not (0)"
