"""Derived figures are honest: their 95% intervals cover the truth, and they leak no more than was charged.

Coverage: thousands of weekly releases (OpenDP's discrete Laplace at the weekly plan's own scale, around
known true sums) feed `privacy.derived` exactly as the dashboard does: a 4-week pooled mean (one week
with a member left out), a 13-week slope, the difference of two weeks and a sharpened pair. A correct
95% interval covers in a binomial count that the bounds below reject with probability under 1e-8 each
side; the same intervals with their scales halved (a mis-stated interval) must be rejected.

Audit: two neighbouring stores differing in one member-day (missing vs. past the clamp) feed the weekly
product's own plan (store -> grid cells -> OpenDP measurement); the weekly figure and the difference of
two weeks must leak no more than the charge, and a plan three times as loose as its charge is caught.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from _audit import epsilon_lower_bound, laplace_draws, threshold_events
from family_support import build_family
from hearth_support import copy_store, open_hearth
from scipy.stats import binom

from data import store
from privacy import derived, engine
from privacy.budget.plan import PRODUCTS, Product
from privacy.constraints import DAILY_STEPS_BOUNDS
from privacy.engine.grid import daily_cells
from privacy.engine.periods import Period
from privacy.epsilon import Epsilon
from privacy.noticeboard import estimates
from privacy.queries import PrivacyUnit

RELEASES = 5_000
"""Derived figures per coverage check."""
FALSE_FAILURE = 1e-8
"""Each side of each binomial bound rejects a correct 95% interval with at most this probability."""
LOW, HIGH = (int(binom.ppf(FALSE_FAILURE, RELEASES, 0.95)), int(binom.isf(FALSE_FAILURE, RELEASES, 0.95)))
WEEKLY = PRODUCTS[Product.WEEKLY].spec
PLAN_EPSILON = Epsilon.request(1.0)
SHARPEN_EPSILON = Epsilon.request(0.2)
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
MONDAYS = [date(2025, 11, 24) + timedelta(weeks=n) for n in range(13)]
"""Thirteen weeks of the small family (Ada, Ben and Cy: 21 member-days a week), the last one ending 02-22."""


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_family(tmp_path_factory.mktemp("derived") / "family.sqlite")


def week_grid(monday: date, members: tuple[int, ...] = (1, 2, 3)) -> engine.Grid:
    return engine.Grid(members, monday, monday + timedelta(days=6))


def weekly_plan(grid: engine.Grid, epsilon: Epsilon = PLAN_EPSILON) -> engine.Plan:
    return engine.plan(WEEKLY, epsilon, PrivacyUnit.MEMBER_DAY, grid)


def true_sum(path: Path, grid: engine.Grid) -> int:
    with closing(store.connect(path)) as conn:
        return int(daily_cells(grid, store.daily_frame(conn, grid.first, grid.last)).sum())


def draws(truth: int, scale: float, n: int = RELEASES) -> np.ndarray:
    """`n` releases of a weekly sum: OpenDP's discrete Laplace at the plan's scale."""
    return laplace_draws(int(truth), scale, n).astype(np.float64)


def coverage(figure: Callable[[float], derived.Estimate], truth: float) -> int:
    """How many of the releases' derived intervals cover `truth`; `figure(k)` builds the k-th."""
    hits = 0
    for k in range(RELEASES):
        lo, hi = figure(k).interval
        hits += lo <= truth <= hi
    return hits


class Weeks:
    """The 13 weeks' truths, sizes, scales and `RELEASES` noisy releases of each (Cy left out of the last)."""

    def __init__(self, path: Path) -> None:
        self.grids = [week_grid(m) for m in MONDAYS[:-1]] + [week_grid(MONDAYS[-1], (1, 2))]
        self.plans = [weekly_plan(g) for g in self.grids]
        self.sizes = [g.cells for g in self.grids]
        self.sums = [true_sum(path, g) for g in self.grids]
        self.means = [s / n for s, n in zip(self.sums, self.sizes, strict=True)]
        self.noisy = [
            draws(s, p.scale) / n for s, p, n in zip(self.sums, self.plans, self.sizes, strict=True)
        ]

    def estimates(self, k: int, weeks: Sequence[int], shrink: float = 1.0) -> list[derived.Estimate]:
        return [
            derived.Estimate(float(self.noisy[w][k]), (shrink * self.plans[w].scale / self.sizes[w],))
            for w in weeks
        ]


@pytest.fixture(scope="module")
def weeks(family: Path) -> Weeks:
    return Weeks(family)


FIGURES: dict[str, tuple[Callable[[Weeks, int, float], derived.Estimate], Callable[[Weeks], float]]] = {
    "4-week pooled mean": (
        lambda w, k, s: derived.pooled_mean(w.estimates(k, range(9, 13), s), w.sizes[9:13]),
        lambda w: sum(w.sums[9:13]) / sum(w.sizes[9:13]),
    ),
    "13-week slope": (
        lambda w, k, s: derived.slope(w.estimates(k, range(13), s)),
        lambda w: float(np.polyfit(np.arange(13), w.means, 1)[0]),
    ),
    "difference of two weeks": (
        lambda w, k, s: derived.difference(*w.estimates(k, (12, 11), s)),
        lambda w: w.means[12] - w.means[11],
    ),
}


def test_the_pass_bounds_sit_inside_93_to_97_percent() -> None:
    assert 0.93 * RELEASES <= LOW < 0.95 * RELEASES < HIGH <= 0.97 * RELEASES


def test_the_simulated_weeks_are_what_the_noticeboard_releases(
    family: Path, weeks: Weeks, tmp_path: Path
) -> None:
    """Same grid, scale and interval as the service's own weekly figure, so the simulation is no stand-in."""
    hearth = open_hearth(copy_store(family, tmp_path / "family.sqlite"), WEDNESDAY)
    try:
        week = Period(MONDAYS[-1], MONDAYS[-1] + timedelta(days=6))
        release = hearth.figure(hearth.operator_session("Ada"), Product.WEEKLY, week)
    finally:
        hearth.close()
    assert release.left_out == ("Cy",) and release.denominators == (weeks.sizes[-1],) == (14,)
    assert release.scale == weeks.plans[-1].scale == DAILY_STEPS_BOUNDS[1] / PLAN_EPSILON.value
    (estimate,) = estimates(release)
    assert estimate.scales == (weeks.plans[-1].scale / 14,)
    assert weeks.plans[-1].margin == pytest.approx(estimate.half_width, rel=1e-3)
    assert len({round(m) for m in weeks.means}) == 13  # the truths move, so the slope is not trivial


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_derived_95_percent_interval_covers_the_truth_93_to_97_percent_of_the_time(
    weeks: Weeks, name: str
) -> None:
    figure, truth = FIGURES[name]
    covered = coverage(lambda k: figure(weeks, k, 1.0), truth(weeks))
    assert LOW <= covered <= HIGH, f"{name}: {covered / RELEASES:.2%} covered"


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_coverage_check_rejects_intervals_stated_from_halved_scales(weeks: Weeks, name: str) -> None:
    figure, truth = FIGURES[name]
    covered = coverage(lambda k: figure(weeks, k, 0.5), truth(weeks))
    assert not LOW <= covered <= HIGH, f"{name}: {covered / RELEASES:.2%} covered with halved scales"


def sharpened(weeks: Weeks, shrink: float) -> tuple[Callable[[int], derived.Estimate], float]:
    """The last week released at the plan's 1.0 and sharpened at 0.2, combined by inverse variance."""
    grid, truth = weeks.grids[-1], weeks.sums[-1]
    extra = weekly_plan(grid, SHARPEN_EPSILON)
    second = draws(truth, extra.scale) / grid.cells

    def figure(k: int) -> derived.Estimate:
        first = weeks.estimates(k, (12,), shrink)[0]
        return derived.inverse_variance(
            [first, derived.Estimate(float(second[k]), (shrink * extra.scale / grid.cells,))]
        )

    return figure, truth / grid.cells


def test_a_sharpened_pair_covers_the_truth_93_to_97_percent_of_the_time(weeks: Weeks) -> None:
    figure, truth = sharpened(weeks, 1.0)
    covered = coverage(figure, truth)
    assert LOW <= covered <= HIGH, f"{covered / RELEASES:.2%} covered"
    assert not LOW <= coverage(*sharpened(weeks, 0.5)) <= HIGH


# --- Empirical epsilon of the weekly product and of a derived figure ------------------------------

AUDIT_DRAWS = 4_000
"""Releases per side through the plan's own measurement (about 0.2 ms each)."""
LOOSE = Epsilon.request(3.0)
"""A plan built at this epsilon while charging 1.0 stands in for a mis-calibrated product."""
CHANGED_DAY = MONDAYS[-2] + timedelta(days=3)
"""The member-day (Ada's) the neighbouring stores differ in: missing on one, 40,000 steps on the other."""


@pytest.fixture(scope="module")
def neighbours(family: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("neighbours")
    stores = (folder / "without.sqlite", folder / "with.sqlite")
    for path, steps in zip(stores, (None, 40_000), strict=True):
        path.write_bytes(family.read_bytes())
        with closing(store.connect(path)) as conn, store.transaction(conn):
            conn.execute(
                "DELETE FROM daily WHERE member_id = 1 AND day = ?", (store.day_number(CHANGED_DAY),)
            )
            if steps is not None:
                conn.execute("INSERT INTO daily VALUES (1, ?, ?)", (store.day_number(CHANGED_DAY), steps))
    return stores


@cache
def weekly_releases(path: Path, monday: date, epsilon: Epsilon) -> np.ndarray:
    """`AUDIT_DRAWS` weekly means of one store, each a fresh run of the plan's OpenDP measurement."""
    grid = week_grid(monday)
    plan = weekly_plan(grid, epsilon)
    with closing(store.connect(path)) as conn:
        cells = daily_cells(grid, store.daily_frame(conn, grid.first, grid.last))
    return np.asarray([plan.measurement(cells) for _ in range(AUDIT_DRAWS)], dtype=np.float64) / grid.cells


def test_the_neighbouring_stores_differ_by_the_whole_clamp_range_in_one_week(
    neighbours: tuple[Path, Path],
) -> None:
    grid = week_grid(MONDAYS[-2])
    without, with_ = (true_sum(p, grid) for p in neighbours)
    assert with_ - without == DAILY_STEPS_BOUNDS[1]
    assert true_sum(neighbours[0], week_grid(MONDAYS[-1])) == true_sum(neighbours[1], week_grid(MONDAYS[-1]))


def audit_weekly(neighbours: tuple[Path, Path], epsilon: Epsilon) -> float:
    grid = week_grid(MONDAYS[-2])
    sides = [weekly_releases(p, MONDAYS[-2], epsilon) for p in neighbours]
    truths = [true_sum(p, grid) / grid.cells for p in neighbours]
    spread = weekly_plan(grid).scale / grid.cells
    return epsilon_lower_bound(*sides, threshold_events(*truths, spread))


def audit_difference(neighbours: tuple[Path, Path], epsilon: Epsilon) -> float:
    """The later week minus the one before it, each side from its own store's two weekly releases."""
    sides = [
        weekly_releases(p, MONDAYS[-2], epsilon) - weekly_releases(p, MONDAYS[-3], epsilon)
        for p in neighbours
    ]
    grid = week_grid(MONDAYS[-2])
    truths = [(true_sum(p, grid) - true_sum(p, week_grid(MONDAYS[-3]))) / grid.cells for p in neighbours]
    spread = math.sqrt(2) * weekly_plan(grid).scale / grid.cells
    return epsilon_lower_bound(*sides, threshold_events(*truths, spread))


@pytest.mark.slow
@pytest.mark.parametrize("audit", [audit_weekly, audit_difference], ids=["weekly", "difference"])
def test_the_weekly_product_and_a_derived_figure_leak_no_more_than_the_charge(neighbours, audit) -> None:
    charge = weekly_plan(week_grid(MONDAYS[-2])).charge.value
    result = audit(neighbours, PLAN_EPSILON)
    assert result.epsilon <= charge, str(result)


@pytest.mark.slow
@pytest.mark.parametrize("audit", [audit_weekly, audit_difference], ids=["weekly", "difference"])
def test_a_plan_looser_than_its_charge_is_caught(neighbours, audit) -> None:
    charge = weekly_plan(week_grid(MONDAYS[-2])).charge.value
    result = audit(neighbours, LOOSE)
    assert result.epsilon > charge, str(result)
