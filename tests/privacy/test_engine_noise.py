"""Statistical checks of the engine's noise: scale and 95% interval coverage, over fixed draws.

Fixed sample sizes; every pass bound is set so a correct engine fails with probability < 1e-6, and
the same statistic is shown to fail against a noise scale of 0.7x and 1.3x the stated one.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_fixtures import NAMES, ROSTER, TODAY, daily, hourly
from scipy import stats

from privacy import engine
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QueryId, QuerySpec

DRAWS = 4_000
FALSE_FAILURE = 1e-7
"""Per-bound false-failure probability; a handful of bounds stay far below one in a million."""


@pytest.fixture(scope="module")
def average_draws() -> tuple[engine.Plan, float, np.ndarray, np.ndarray, np.ndarray]:
    spec = QuerySpec(QueryId.FAMILY_AVERAGE, 30)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    plan = engine.plan(spec, Epsilon.request(1.0), PrivacyUnit.MEMBER_DAY, grid)
    frame, hours = daily(ROSTER), hourly(())
    truth = engine.exact(spec, grid, frame, hours, NAMES)[1][0]
    runs = [engine.execute(plan, frame, hours, NAMES) for _ in range(DRAWS)]
    values, lower, upper = (np.array([run[i][0] for run in runs]) for i in (1, 2, 3))
    return plan, truth, values, lower, upper


def _mean_abs_bounds(n: int) -> tuple[float, float]:
    """Bounds on mean(|noise|) / scale for n Laplace draws: |noise| / scale is Exp(1), the sum Gamma(n)."""
    return stats.gamma.ppf(FALSE_FAILURE, n) / n, stats.gamma.isf(FALSE_FAILURE, n) / n


def test_noise_has_the_stated_scale(average_draws) -> None:
    plan, truth, values, _, _ = average_draws
    stated = plan.scale / plan.grid.cells  # the sum's scale, divided by the public denominator
    assert 8_000 < truth < 17_000  # far from the clamp bounds, so clipping never touches a draw
    mean_abs = float(np.mean(np.abs(values - truth)))
    low, high = _mean_abs_bounds(DRAWS)
    assert low <= mean_abs / stated <= high
    # The same statistic rejects a scale 0.7x or 1.3x the stated one: the test can fail.
    assert not low <= mean_abs / (0.7 * stated) <= high
    assert not low <= mean_abs / (1.3 * stated) <= high


def test_noise_is_laplace_shaped(average_draws) -> None:
    plan, truth, values, _, _ = average_draws
    stated = plan.scale / plan.grid.cells
    # Kolmogorov-Smirnov against Laplace at the stated scale (the scale itself is pinned above).
    assert stats.kstest(values - truth, "laplace", args=(0.0, stated)).pvalue > FALSE_FAILURE


def test_stated_95_percent_intervals_cover_the_truth(average_draws) -> None:
    _, truth, _, lower, upper = average_draws
    covered = int(np.sum((lower <= truth) & (truth <= upper)))
    # Binomial(4000, 0.95) leaves 93-97% with probability below 1e-8.
    assert 0.93 * DRAWS <= covered <= 0.97 * DRAWS


def test_trend_intervals_cover_every_bucket() -> None:
    """1,000 weekly trends x 5 buckets (one a two-day bucket with a wider interval): 5,000 intervals."""
    spec = QuerySpec(QueryId.TREND, 30)
    grid = engine.grid_for(spec, ROSTER, TODAY)
    plan = engine.plan(spec, Epsilon.request(1.0), PrivacyUnit.MEMBER_DAY, grid)
    frame, hours = daily(ROSTER), hourly(())
    truth = np.array(engine.exact(spec, grid, frame, hours, NAMES)[1])
    runs = [engine.execute(plan, frame, hours, NAMES) for _ in range(1_000)]
    lower, upper = (np.array([run[i] for run in runs]) for i in (2, 3))
    covered = int(np.sum((lower <= truth) & (truth <= upper)))
    assert lower.size == 5_000
    assert 0.93 * lower.size <= covered <= 0.97 * lower.size
