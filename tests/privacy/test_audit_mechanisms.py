"""Empirical epsilon audits of each release type: OpenDP's clamp, sum, count, bins and discrete Laplace.

The engine runs these steps inside OpenDP's polars plan; here they are OpenDP's vector transformations,
so each release type is audited on its own, with draws cheap enough to catch a 1.5x break.

A public grid of 5 members x 30 days (missing days are 0), steps clamped to 0..25,000, epsilon 1 debited.
The exact answer comes from the OpenDP transformation, the debit from the chained measurement's privacy
map at the distance one member-day implies, and 20,000 releases per side from OpenDP's vector Laplace at
the chain's scale (one call per side instead of 20,000).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import opendp.prelude as dp
import pytest
from _audit import (
    Event,
    above,
    below,
    both,
    column,
    epsilon_lower_bound,
    laplace_draws,
    matches_discrete_laplace,
    threshold_events,
)

from privacy.constraints import DAILY_STEPS_BOUNDS, HISTOGRAM_EDGES

EPSILON = 1.0
"""Debited per release: large enough that scale / 1.5 is caught by a wide margin at 20k draws."""
DRAWS = 20_000
"""Releases per side: ~0.1 s per side for a scalar with OpenDP's vector Laplace."""
BROKEN = 1.5
"""The broken variant divides the scale by this, so its true epsilon is 1.5 x the debit."""
UPPER = DAILY_STEPS_BOUNDS[1]
CHANGE_ONE = 2
"""One member-day changed is one removal plus one addition under OpenDP's symmetric distance."""
REMOVE_ONE = 1
"""One member-day removed."""

CHANGED = 17
"""The member-day the neighbours differ in: missing (0 steps) here, so a change can span the clamp range."""
GRID = [0 if k == CHANGED else (k * 7_919) % 18_000 for k in range(5 * 30)]
"""5 members x 30 days of plausible steps, deterministic so the true answers are known."""
NEIGHBOUR = [*GRID[:CHANGED], 40_000, *GRID[CHANGED + 1 :]]
"""That member-day changed to a raw 40,000: clamped to 25,000, the largest change one unit can make."""
REMOVED = GRID[:CHANGED] + GRID[CHANGED + 1 :]
"""That member-day removed (the count's neighbour)."""


@dataclass(frozen=True)
class Case:
    """One release type: its exact answer on each side, its debit at a given scale, and its events."""

    exact: dp.Transformation
    """The statistic without noise, clamped and bounded as the release computes it."""
    d_in: int
    """OpenDP's input distance for the neighbouring pair."""
    sides: tuple[list[int], list[int]]
    """The neighbouring datasets."""
    divide: int = 1
    """Public post-processing divisor (the mean's public count of member-days); 1 for none."""

    def debit(self, scale: float) -> float:
        return (self.exact >> dp.m.then_laplace(scale)).map(self.d_in)

    def truths(self) -> tuple[object, object]:
        return self.exact(self.sides[0]), self.exact(self.sides[1])

    def draws(self, scale: float) -> tuple[np.ndarray, np.ndarray]:
        return tuple(laplace_draws(t, scale, DRAWS) / self.divide for t in self.truths())

    def events(self, scale: float) -> list[Event]:
        a, b = self.truths()
        if isinstance(a, list):
            return histogram_events(a, b)
        return threshold_events(a / self.divide, b / self.divide, scale / self.divide)


def sized_space(n: int) -> tuple[dp.Domain, dp.Metric]:
    """The public grid: its size is known, so a changed member-day moves the sum by at most 25,000."""
    return dp.vector_domain(dp.atom_domain(T=int), size=n), dp.symmetric_distance()


def clamped_sum() -> dp.Transformation:
    return sized_space(len(GRID)) >> dp.t.then_clamp(DAILY_STEPS_BOUNDS) >> dp.t.then_sum()


def record_count() -> dp.Transformation:
    return (dp.vector_domain(dp.atom_domain(T=int)), dp.symmetric_distance()) >> dp.t.then_count()


def histogram() -> dp.Transformation:
    """Counts per fixed public bin; the clamp puts 25,000+ into the last bin."""
    return (
        sized_space(len(GRID))
        >> dp.t.then_clamp(DAILY_STEPS_BOUNDS)
        >> dp.t.then_find_bin(edges=list(HISTOGRAM_EDGES[1:-1]))
        >> dp.t.then_count_by_categories(
            categories=list(range(len(HISTOGRAM_EDGES) - 1)), null_category=False
        )
    )


def histogram_events(a: list[int], b: list[int]) -> list[Event]:
    """Threshold events on the two bins that differ, alone and jointly in opposite directions.

    One member-day moves one record from bin i to bin j, so the joint event 'bin i high and bin j low'
    collects both coordinates' Laplace ratios: that is where the full epsilon shows.
    """
    i, j = (k for k in range(len(a)) if a[k] != b[k])
    events = [column(i, e) for e in threshold_events(a[i], b[i], 1)]
    events += [column(j, e) for e in threshold_events(a[j], b[j], 1)]
    for shift in (-1, 0, 1):
        up_i, down_i = max(a[i], b[i]) + shift, min(a[i], b[i]) - shift
        up_j, down_j = max(a[j], b[j]) + shift, min(a[j], b[j]) - shift
        events.append(both(column(i, above(up_i)), column(j, below(down_j))))
        events.append(both(column(i, below(down_i)), column(j, above(up_j))))
    return events


# The cases below build measurements at import; "contrib" is the only feature these audits need.
dp.enable_features("contrib")

CASES = {
    "sum": Case(clamped_sum(), CHANGE_ONE, (GRID, NEIGHBOUR)),
    "count": Case(record_count(), REMOVE_ONE, (GRID, REMOVED)),
    "mean": Case(clamped_sum(), CHANGE_ONE, (GRID, NEIGHBOUR), divide=len(GRID)),
    "histogram": Case(histogram(), CHANGE_ONE, (GRID, NEIGHBOUR)),
}
SCALES = {"sum": UPPER / EPSILON, "count": 1 / EPSILON, "mean": UPPER / EPSILON, "histogram": 2 / EPSILON}
"""The scale that makes OpenDP's privacy map come to exactly EPSILON at the case's input distance."""


@pytest.mark.parametrize("name", CASES)
def test_scale_debits_the_stated_epsilon(name: str) -> None:
    """The audits below compare against this debit, so it must be the privacy map's, not a guess."""
    assert CASES[name].debit(SCALES[name]) == pytest.approx(EPSILON, rel=1e-9)


@pytest.mark.parametrize("name", CASES)
def test_empirical_epsilon_stays_within_debit(name: str) -> None:
    """No event separates the neighbours by more than the epsilon debited (false failure < 1e-8)."""
    case, scale = CASES[name], SCALES[name]
    audit = epsilon_lower_bound(*case.draws(scale), case.events(scale))
    assert audit.epsilon <= case.debit(scale), str(audit)


@pytest.mark.parametrize("name", CASES)
def test_audit_catches_scale_divided_by_one_and_a_half(name: str) -> None:
    """An audit that cannot fail proves nothing: noise 1.5x too small must push the bound past the debit."""
    case, scale = CASES[name], SCALES[name]
    audit = epsilon_lower_bound(*case.draws(scale / BROKEN), case.events(scale))
    assert audit.epsilon > case.debit(scale), str(audit)


def test_audit_catches_a_missing_clamp() -> None:
    """A raw 40,000-step day moves an unclamped sum by 40,000 at a scale priced for 25,000."""
    case, scale = CASES["sum"], SCALES["sum"]
    truths = [sum(side) for side in case.sides]
    draws = [laplace_draws(t, scale, DRAWS) for t in truths]
    audit = epsilon_lower_bound(*draws, threshold_events(*truths, scale))
    assert audit.epsilon > case.debit(scale), str(audit)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("factor", [0.7, 1.0, 1.3])
def test_noise_follows_the_stated_scale(name: str, factor: float) -> None:
    """release - truth is discrete Laplace at the stated scale; noise 0.7x or 1.3x of it is rejected."""
    case, stated = CASES[name], SCALES[name]
    truth = case.truths()[0]
    width = len(truth) if isinstance(truth, list) else 1
    releases = laplace_draws(truth, stated * factor, DRAWS // width)
    residuals = (releases - np.asarray(truth)).ravel()
    if case.divide != 1:
        residuals = (releases / case.divide - truth / case.divide) * case.divide
    assert matches_discrete_laplace(residuals, stated) is (factor == 1.0)
