"""The debit is OpenDP's privacy map of the measurement that ran; bounds and d_in are configuration.

`test_engine.py` pins `plan.charge == Epsilon.charge(plan.measurement.map(plan.d_in))` per query at
the member-day unit, and `test_service.py` pins the service's debit for the family average. Here:

- every catalog query under every privacy unit, through the service: the charge on every block of the
  window (and on no other), the release's epsilon, the board row and the audit row all equal OpenDP's
  map of the plan the service ran, at the unit's d_in, rounded up; never the slider value;
- the plan (measurement, scale, d_in, clamp bounds) is the same object whatever the data: `plan` takes no
  data, and datasets from empty to absurd get the identical cached plan and layout;
- contributions are truncated by the grid: repeated rows for one member-day (or member-hour) fill one
  cell, and values past the configured clamp bound land on it, so a unit never owns more than d_in rows.
"""

from __future__ import annotations

import inspect
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from engine_fixtures import NAMES, ROSTER, TODAY, daily, hourly
from hearth_support import block_totals, copy_store, open_hearth

from privacy import engine
from privacy.budget.blocks import blocks_between
from privacy.constraints import DAILY_STEPS_BOUNDS, HOURLY_STEPS_BOUNDS
from privacy.engine.grid import daily_cells, hourly_cells, layout
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QueryId, QuerySpec
from privacy.service import Hearth

SLIDER = 0.2500007
"""What the slider sent: more digits than a micro-epsilon holds, so a debit equal to it is impossible.
Seven questions at it fit in one viewer's quota (2.0 of a lifetime 10) under every unit."""
WINDOW = 30


@pytest.fixture(scope="module", params=list(PrivacyUnit), ids=lambda u: u.value)
def service(
    request: pytest.FixtureRequest, demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Hearth, Path]:
    """One demo store per privacy unit, with room in one viewer's share for every catalog query."""
    copy = copy_store(demo_template, tmp_path_factory.mktemp("unit") / "demo.sqlite")
    hearth = open_hearth(copy, unit=request.param, lifetime_epsilon=10.0)
    yield hearth, copy
    hearth.close()


def expected_d_in(query: QueryId, unit: PrivacyUnit) -> int:
    """Rows a unit changes; for the champion, the L-inf change of a member total those rows can make."""
    rows = {PrivacyUnit.MEMBER_DAY: 1, PrivacyUnit.MEMBER_WEEK: 7, PrivacyUnit.MEMBER: WINDOW}[unit]
    return rows * DAILY_STEPS_BOUNDS[1] if query is QueryId.CHAMPION else rows


@pytest.mark.parametrize("query", list(QueryId))
def test_debit_is_the_opendp_map_of_the_plan_that_ran(service: tuple[Hearth, Path], query: QueryId) -> None:
    service, path = service
    spec = QuerySpec(query, window_days=WINDOW)
    viewer = service.demo_sign_in(service.roster()[0].id)
    before = block_totals(path)
    release = service.release(viewer, spec, SLIDER)
    after = block_totals(path)

    unit = service.settings.unit
    requested = Epsilon.request(SLIDER)
    first, last = date.fromisoformat(release.first), date.fromisoformat(release.last)
    assert (last - first).days + 1 == WINDOW
    grid = engine.Grid(tuple(m.id for m in service.roster()), first, last)
    plan = engine.plan(QuerySpec(query, window_days=None), requested, unit, grid)
    assert plan.unit is unit
    assert plan.d_in == expected_d_in(query, unit)
    opendp_map = Epsilon.charge(plan.measurement.map(plan.d_in))
    # Every block the window touches took exactly the map; no other block moved.
    blocks = blocks_between(first, last, unit)
    assert {b: after[b] - before.get(b, 0) for b in after if after[b] != before.get(b, 0)} == dict.fromkeys(
        blocks, opendp_map.micro
    )
    assert opendp_map == plan.charge
    assert release.epsilon == opendp_map and release.scale == plan.scale
    assert opendp_map.micro <= requested.micro < SLIDER * 1e6  # never the slider value, never above it
    assert service.board()[0].charge_micro == opendp_map.micro
    conn = sqlite3.connect(path)
    try:
        audited = conn.execute(
            "SELECT epsilon_micro, outcome FROM audit_log WHERE viewer_id = ? ORDER BY id DESC LIMIT 1",
            (viewer.member_id,),
        ).fetchone()
    finally:
        conn.close()
    assert audited == (opendp_map.micro, "released")


def test_plan_takes_no_data() -> None:
    """Bounds and d_in cannot be computed from the data: the data never reaches `plan`."""
    assert list(inspect.signature(engine.plan).parameters) == ["spec", "epsilon", "unit", "grid"]
    assert list(inspect.signature(engine.preview).parameters) == ["spec", "epsilon", "unit", "grid"]


EXTREMES = {
    "ordinary": (daily(ROSTER), hourly(ROSTER)),
    "empty": (daily(()).clear(), hourly(()).clear()),
    "absurd": (
        daily(ROSTER).with_columns(steps=pl.lit(10**9, dtype=pl.Int64)),
        hourly(ROSTER).with_columns(steps=pl.lit(10**9, dtype=pl.Int64)),
    ),
    "one member": (daily((13,)), hourly((13,))),
}
"""Datasets on one grid, from nothing to a billion steps a day: none may move a bound or a d_in."""


@pytest.mark.parametrize("query", list(QueryId))
@pytest.mark.parametrize("unit", list(PrivacyUnit), ids=lambda u: u.value)
def test_plan_bounds_and_d_in_do_not_change_with_the_data(query: QueryId, unit: PrivacyUnit) -> None:
    spec = QuerySpec(query, WINDOW)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    epsilon = Epsilon.request(0.5)
    first = engine.plan(spec, epsilon, unit, grid)
    bounds = HOURLY_STEPS_BOUNDS if query is QueryId.HOUR_OF_DAY else DAILY_STEPS_BOUNDS
    for name, (days, hours) in EXTREMES.items():
        labels, values, _, _ = engine.execute(first, days, hours, NAMES)
        again = engine.plan(spec, epsilon, unit, grid)
        assert again is first, name
        assert (again.measurement, again.d_in, again.scale, again.charge) == (
            first.measurement,
            first.d_in,
            first.scale,
            first.charge,
        )
        assert layout(spec, grid).bounds == bounds, name
        assert labels == layout(spec, grid).labels or query is QueryId.CHAMPION, name
        low, high = layout(spec, grid).value_range
        assert all(low <= v <= high for v in values), name


def test_absurd_values_are_clamped_to_the_configured_bound_not_the_data() -> None:
    """A billion steps a day count as 25,000 (3,000 an hour): the bound is fixed, the data clipped."""
    absurd_days, absurd_hours = EXTREMES["absurd"]
    for query, bound in (
        (QueryId.FAMILY_AVERAGE, DAILY_STEPS_BOUNDS[1]),
        (QueryId.HOUR_OF_DAY, HOURLY_STEPS_BOUNDS[1]),
    ):
        spec = QuerySpec(query, WINDOW)
        grid = engine.grid_for(spec, ROSTER, TODAY)
        _, values = engine.exact(spec, grid, absurd_days, absurd_hours, NAMES)
        assert set(values) == {float(bound)}


def test_repeated_rows_for_one_member_day_fill_one_cell() -> None:
    """Contribution bounding by the grid: 100 copies of a member-day (or member-hour) are one row, not 100."""
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 7)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    one = pl.DataFrame(
        {"member_id": [12], "day": [TODAY - timedelta(days=2)], "steps": [9_000]}
    ).with_columns(pl.col("day").cast(pl.Date))
    many = pl.concat([one] * 100)
    assert np.array_equal(daily_cells(grid, many), daily_cells(grid, one))
    assert int(daily_cells(grid, many).sum()) == 9_000
    hour = pl.DataFrame(
        {"member_id": [12], "day": [TODAY], "hour": [7], "steps": [2_000]},
        schema={"member_id": pl.Int64, "day": pl.Date, "hour": pl.Int8, "steps": pl.Int64},
    )
    cells = hourly_cells(grid, pl.concat([hour] * 100))
    assert cells.shape == (grid.cells, 24)
    assert int(cells.sum()) == 2_000


@pytest.mark.parametrize("query", list(QueryId))
def test_member_unit_over_a_year_is_charged_for_every_day_of_it(query: QueryId) -> None:
    """The member unit is not refused: it is bounded by the grid (365 rows) and charged at d_in = 365."""
    spec = QuerySpec(query, 365)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    member = engine.plan(spec, Epsilon.request(1.0), PrivacyUnit.MEMBER, grid)
    day = engine.plan(spec, Epsilon.request(1.0), PrivacyUnit.MEMBER_DAY, grid)
    assert member.d_in == 365 * day.d_in
    assert member.charge == Epsilon.charge(member.measurement.map(member.d_in)) <= Epsilon.request(1.0)
    # The member-day measurement, asked about a whole member, would cost 365 times its charge.
    assert day.measurement.map(member.d_in) == pytest.approx(365 * day.measurement.map(day.d_in), rel=1e-6)
