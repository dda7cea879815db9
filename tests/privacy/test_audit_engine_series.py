"""End-to-end epsilon audits of the series queries through the engine's own path: `plan` once, `execute` many.

`test_audit_engine.py` audits the family average and the champion; this file does trend, goal
attainment, distribution, weekday and hour of day. Neighbours differ in one member-day (one member-hour
for hour of day), missing on one side and past the clamp bound on the other, placed so that it moves:

- trend: one full weekly bucket's sum by 25,000;
- goal_attainment: one bucket's count of days at goal by 1 (0 steps -> 25,000 crosses the 8,000 goal);
- distribution: one day from the first bin to the last (two counts move by 1, in opposite directions);
- weekday: one weekday's sum by 25,000;
- hour_of_day: one hour column's sum by 3,000 (the other 23 hours of that member-day unchanged).

Each release is post-processed back to noisy totals (value x public denominator, itself public), and
threshold events fixed from the true totals are counted over 1,000-2,000 releases per side. The
Clopper-Pearson lower bound (Bonferroni, `ALPHA` = 1e-8 per audit) must not exceed the plan's charge.
The same audits must catch plans whose noise is calibrated for a larger epsilon than is charged: trend
and distribution at 2x, hour of day at 24x (a plan that forgot a member-day moves all 24 hourly sums).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl
import pytest
from _audit import Event, both, column, epsilon_lower_bound, threshold_events

from privacy.constraints import DAILY_STEPS_BOUNDS, HOURLY_STEPS_BOUNDS
from privacy.engine import Plan, exact, execute, grid_for, plan
from privacy.engine.grid import layout
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QuerySpec

DRAWS = 2_000
"""Releases per side through `execute` (~1.5 ms each)."""
HOUR_DRAWS = 1_000
"""Hour of day's releases per side (~3.2 ms each: 24 noisy sums). Its one-column bound is 1/24 of the
charge, and a plan at 24x the epsilon leaks 1 per column: 1,000 draws put that ~7 standard errors clear."""
CHARGED = Epsilon.request(1.0)
"""The epsilon the audited plans charge."""
TODAY = date(2026, 3, 31)
"""A Tuesday: the 30-day window starts on Monday 2026-03-02, so weekly buckets are 4 full weeks + 2 days."""
WINDOW = 30
MEMBERS = (11, 12, 13, 14, 15)
NAMES = {m: f"Member {m}" for m in MEMBERS}
CHANGED_DAY = TODAY - timedelta(days=10)
"""Saturday 2026-03-21: in the full week starting 2026-03-16, and one of the window's four Saturdays."""
CHANGED_MEMBER = 11
CHANGED_HOUR = 9
RAW_HIGH = 40_000
"""The changed member-day's raw steps on the 'data' side; the grid clamps it to 25,000."""
RAW_HIGH_HOUR = 5_000
"""The changed member-hour's raw steps on the 'data' side; the hourly grid clamps it to 3,000."""
STEPS = {11: 1_000, 12: 5_500, 13: 8_000, 14: 10_500, 15: 22_000}
"""Every day of each member: 11 sits in the first bin and under the goal, 15 in the last bin."""
HOUR_STEPS = 1_500
"""Every member-hour: each hour's sum sits three noise scales above 0, so clipping rarely bites."""
DAILY_SCHEMA = {"member_id": pl.Int64, "day": pl.Date, "steps": pl.Int64}
HOURLY_SCHEMA = {"member_id": pl.Int64, "day": pl.Date, "hour": pl.Int8, "steps": pl.Int64}
SHARES = ("goal_attainment", "distribution")
"""Queries whose totals are counts: rounded back to whole numbers after the float division."""
DAYS = tuple(TODAY - timedelta(days=d) for d in range(WINDOW))


def daily_side(side: int) -> pl.DataFrame:
    """Side 0: the changed member-day has no row (a 0 in the grid); side 1: it has `RAW_HIGH` steps."""
    rows = [(m, d, s) for m, s in STEPS.items() for d in DAYS if (m, d) != (CHANGED_MEMBER, CHANGED_DAY)]
    if side:
        rows.append((CHANGED_MEMBER, CHANGED_DAY, RAW_HIGH))
    return pl.DataFrame(rows, schema=DAILY_SCHEMA, orient="row")


def hourly_side(side: int) -> pl.DataFrame:
    """Side 0: the changed member-hour has no row; side 1: `RAW_HIGH_HOUR` steps. Other hours identical."""
    changed = (CHANGED_MEMBER, CHANGED_DAY, CHANGED_HOUR)
    rows = [(m, d, h, HOUR_STEPS) for m in MEMBERS for d in DAYS for h in range(24) if (m, d, h) != changed]
    if side:
        rows.append((*changed, RAW_HIGH_HOUR))
    return pl.DataFrame(rows, schema=HOURLY_SCHEMA, orient="row")


@cache
def frames(query: str, side: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(daily, hourly) for one side: the query's own kind of data differs, the other kind is empty."""
    if query == "hour_of_day":
        return pl.DataFrame(schema=DAILY_SCHEMA), hourly_side(side)
    return daily_side(side), pl.DataFrame(schema=HOURLY_SCHEMA)


def audited_plan(query: str, epsilon: Epsilon = CHARGED) -> Plan:
    spec = QuerySpec(query, WINDOW)
    return plan(spec, epsilon, PrivacyUnit.MEMBER_DAY, grid_for(spec, MEMBERS, TODAY))


def denominators(query: str) -> np.ndarray:
    p = audited_plan(query)
    return np.asarray(layout(p.spec, p.grid).denominators, dtype=np.float64)


def to_totals(query: str, values: np.ndarray) -> np.ndarray:
    """Post-processing: a value times its public denominator is the noisy sum or count behind it."""
    totals = values * denominators(query)
    return np.rint(totals) if query in SHARES else totals


@cache
def true_totals(query: str, side: int) -> np.ndarray:
    p = audited_plan(query)
    return to_totals(query, np.asarray(exact(p.spec, p.grid, *frames(query, side), NAMES)[1]))


def draws(query: str) -> int:
    return HOUR_DRAWS if query == "hour_of_day" else DRAWS


@cache
def releases(query: str, epsilon: Epsilon, side: int) -> np.ndarray:
    """Releases of one side as noisy totals, one row per release (cached: audits share them)."""
    p = audited_plan(query, epsilon)
    daily, hourly = frames(query, side)
    values = np.asarray([execute(p, daily, hourly, NAMES)[1] for _ in range(draws(query))])
    return to_totals(query, values)


def moved_columns(query: str) -> list[int]:
    """The columns whose true total differs between the sides (computed, then pinned by a test)."""
    return [int(j) for j in np.flatnonzero(true_totals(query, 0) != true_totals(query, 1))]


def events(query: str) -> list[Event]:
    """Threshold events on each moved column; for the histogram also both moved bins jointly."""
    scale = audited_plan(query).scale
    a, b = true_totals(query, 0), true_totals(query, 1)
    found = [
        column(j, e) for j in moved_columns(query) for e in threshold_events(float(a[j]), float(b[j]), scale)
    ]
    if query == "distribution":
        # Side 1 moves a day from the first bin (j0) to the last (j1): the loss of the pair is the sum
        # of the two bins' losses, seen only by events on both at once.
        j0, j1 = moved_columns(query)
        for k in (0, 1, 2):
            shift = k * scale
            found.append(
                both(column(j0, _below(b[j0] + 0.5 - shift)), column(j1, _above(b[j1] - 0.5 + shift)))
            )
            found.append(
                both(column(j0, _above(a[j0] - 0.5 + shift)), column(j1, _below(a[j1] + 0.5 - shift)))
            )
    return found


def _above(t: float) -> Event:
    return Event(f"> {t:g}", lambda x: x > t)


def _below(t: float) -> Event:
    return Event(f"< {t:g}", lambda x: x < t)


SERIES = ("trend", "goal_attainment", "distribution", "weekday", "hour_of_day")
EXPECTED_MOVE = {
    "trend": {2: DAILY_STEPS_BOUNDS[1]},  # the week of 2026-03-16
    "goal_attainment": {2: 1},
    "distribution": {0: -1, 7: 1},  # from '0–2,499' to '20,000–25,000'
    "weekday": {5: DAILY_STEPS_BOUNDS[1]},  # Saturday
    "hour_of_day": {CHANGED_HOUR: HOURLY_STEPS_BOUNDS[1]},
}
"""Column -> how far side 1's true total sits from side 0's: the whole clamp range, or one count."""


@pytest.mark.parametrize("query", SERIES)
def test_neighbours_move_one_group_by_the_whole_clamp_range(query: str) -> None:
    """The audit is only as sharp as the change: exactly the expected columns move, as far as one unit can."""
    moved = true_totals(query, 1) - true_totals(query, 0)
    assert {j: round(float(moved[j])) for j in np.flatnonzero(moved)} == EXPECTED_MOVE[query]
    p = audited_plan(query)
    assert p.d_in == 1 and p.charge == CHARGED


@pytest.mark.slow
@pytest.mark.parametrize("query", SERIES)
def test_series_release_leaks_no_more_than_its_charge(query: str) -> None:
    """Through plan + execute, no event separates the neighbours by more than `plan.charge`."""
    p = audited_plan(query)
    audit = epsilon_lower_bound(releases(query, CHARGED, 0), releases(query, CHARGED, 1), events(query))
    assert audit.draws == (draws(query),) * 2
    assert audit.epsilon <= p.charge.value, str(audit)
    if query == "hour_of_day":
        # One member-hour moves one of the 24 sums by 3,000 at most: at the stated scale that column
        # alone may leak only 3,000 / scale (1/24 of the charge), a tighter bound the audit must respect.
        assert audit.epsilon <= HOURLY_STEPS_BOUNDS[1] / p.scale, str(audit)


BROKEN = {
    "trend": (Epsilon.request(2.0), lambda p: p.charge.value),
    "distribution": (Epsilon.request(2.0), lambda p: p.charge.value),
    "hour_of_day": (Epsilon.request(24.0), lambda p: HOURLY_STEPS_BOUNDS[1] / p.scale),
}
"""Query -> (epsilon the noise is really calibrated for, the bound the correct plan must keep)."""


@pytest.mark.slow
@pytest.mark.parametrize("query", sorted(BROKEN))
def test_series_audit_catches_a_plan_noisier_in_name_than_in_fact(query: str) -> None:
    """Releases made by a plan for a larger epsilon, while the correct plan is what is charged, must fail."""
    real, bound = BROKEN[query]
    claimed = bound(audited_plan(query))
    audit = epsilon_lower_bound(releases(query, real, 0), releases(query, real, 1), events(query))
    assert audit.epsilon > claimed, str(audit)
