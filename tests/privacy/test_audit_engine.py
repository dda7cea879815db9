"""End-to-end epsilon audits through the engine's own path: `plan` once, `execute` thousands of times.

The mechanism audits check OpenDP's parts one by one; these check that the engine wires them so that
one member-day, moved from missing to past the clamp bound, shifts no release by more than the charge.
At 3,000 releases per side (~1.3 ms each for the average) the audit resolves a 2x break with
overwhelming probability; the 1.5x break is left to the 20k-draw mechanism audits.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np
import polars as pl
import pytest
from _audit import Event, epsilon_lower_bound, matches_discrete_laplace, threshold_events

from privacy.constraints import DAILY_STEPS_BOUNDS
from privacy.engine import Plan, exact, execute, grid_for, plan
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QuerySpec

DRAWS = 3_000
"""Releases per side through `execute`."""
CHARGED = Epsilon.request(1.0)
"""The epsilon the audited plan charges."""
BROKEN = Epsilon.request(2.0)
"""A plan at this epsilon stands in for an engine whose noise is half what it charges for."""
TODAY = date(2026, 3, 31)
MEMBERS = (11, 12, 13, 14, 15)
NAMES = {m: f"Member {m}" for m in MEMBERS}
WINDOW = 30
CHANGED = (11, TODAY - timedelta(days=3))
"""The member-day the neighbours differ in: missing on one side, 40,000 raw steps on the other."""
HOURLY = pl.DataFrame(schema={"member_id": pl.Int64, "day": pl.Date, "hour": pl.Int8, "steps": pl.Int64})


def daily(steps_per_member: dict[int, int], changed: int | None) -> pl.DataFrame:
    """Each member's steps on every day of the window, the changed member-day missing or at `changed`."""
    days = [TODAY - timedelta(days=d) for d in range(WINDOW)]
    rows = [(m, d, s) for m, s in steps_per_member.items() for d in days if (m, d) != CHANGED]
    if changed is not None:
        rows.append((*CHANGED, changed))
    schema = {"member_id": pl.Int64, "day": pl.Date, "steps": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


VARIED = {m: 3_000 + 2_500 * i for i, m in enumerate(MEMBERS)}
"""Ordinary families for the average: the truth sits well inside the clamp range."""
TIED = {11: 24_000, 12: 23_200, 13: 5_000, 14: 5_000, 15: 5_000}
"""For the champion: 11 (29 days x 24,000) ties 12 (30 x 23,200) at 696,000; the rest 22 scales behind."""
SIDES = {
    "family_average": (daily(VARIED, None), daily(VARIED, 40_000)),
    "champion": (daily(TIED, None), daily(TIED, 40_000)),
}


def audited_plan(query: str, epsilon: Epsilon) -> Plan:
    spec = QuerySpec(query, WINDOW)
    return plan(spec, epsilon, PrivacyUnit.MEMBER_DAY, grid_for(spec, MEMBERS, TODAY))


def exact_values(query: str, side: int) -> tuple[float, ...]:
    p = audited_plan(query, CHARGED)
    return exact(p.spec, p.grid, SIDES[query][side], HOURLY, NAMES)[1]


@cache
def releases(query: str, epsilon: Epsilon, side: int) -> np.ndarray:
    """`DRAWS` releases of one side: the average's value, or the index of the chosen member."""
    p, frame = audited_plan(query, epsilon), SIDES[query][side]
    values = np.asarray([execute(p, frame, HOURLY, NAMES)[1] for _ in range(DRAWS)])
    return values[:, 0] if query == "family_average" else values.argmax(axis=1)


def events(query: str) -> list[Event]:
    if query == "champion":
        return [Event(f"member {m} chosen", lambda x, i=i: x == i) for i, m in enumerate(MEMBERS)]
    p = audited_plan(query, CHARGED)
    truth_a, truth_b = exact_values(query, 0)[0], exact_values(query, 1)[0]
    return threshold_events(truth_a, truth_b, p.scale / p.grid.cells)


def test_neighbours_move_the_average_by_the_whole_clamp_range() -> None:
    """The audit is only as sharp as the change: one member-day must move the mean by 25,000 / cells."""
    p = audited_plan("family_average", CHARGED)
    moved = exact_values("family_average", 1)[0] - exact_values("family_average", 0)[0]
    assert moved == pytest.approx(DAILY_STEPS_BOUNDS[1] / p.grid.cells)


def test_neighbours_put_the_champion_race_at_its_tightest() -> None:
    """Two members tied for first, one member-day lifting one of them by d_in, at the engine's scale."""
    for side, lead in enumerate((0, DAILY_STEPS_BOUNDS[1])):
        totals = (
            SIDES["champion"][side].group_by("member_id").agg(pl.col("steps").clip(*DAILY_STEPS_BOUNDS).sum())
        )
        by_member = dict(totals.iter_rows())
        assert by_member[11] - by_member[12] == lead
    p = audited_plan("champion", CHARGED)
    assert p.d_in == DAILY_STEPS_BOUNDS[1]
    assert p.scale == pytest.approx(p.d_in / CHARGED.value)


@pytest.mark.slow
@pytest.mark.parametrize("query", ["family_average", "champion"])
def test_engine_release_leaks_no_more_than_its_charge(query: str) -> None:
    """Through plan + execute, no event separates the neighbours by more than `plan.charge`."""
    charge = audited_plan(query, CHARGED).charge.value
    audit = epsilon_lower_bound(releases(query, CHARGED, 0), releases(query, CHARGED, 1), events(query))
    assert audit.epsilon <= charge, str(audit)


@pytest.mark.slow
@pytest.mark.parametrize("query", ["family_average", "champion"])
def test_engine_audit_catches_twice_the_loss_it_charges(query: str) -> None:
    """Releases made at epsilon 2 while charging 1 must fail the same audit: it can fail."""
    charge = audited_plan(query, CHARGED).charge.value
    audit = epsilon_lower_bound(releases(query, BROKEN, 0), releases(query, BROKEN, 1), events(query))
    assert audit.epsilon > charge, str(audit)


@pytest.mark.slow
def test_engine_average_noise_follows_the_plan_scale() -> None:
    """The interval shown is computed from `plan.scale`, so the noise actually added must have that scale."""
    p = audited_plan("family_average", CHARGED)
    residuals = (releases("family_average", CHARGED, 0) - exact_values("family_average", 0)[0]) * p.grid.cells
    assert matches_discrete_laplace(residuals, p.scale)
