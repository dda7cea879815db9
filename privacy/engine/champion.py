"""The champion: which member has the highest clamped window total, chosen by report-noisy-max.

Each member's total is computed by one OpenDP transformation (clamp, then sized sum) over that
member's row of the daily grid. A privacy unit's cells all belong to one member, so it moves
exactly one total, by at most `k * 25,000` for `k` changed member-days: that transformation's
stability map states the bound, and it is the noisy max's `d_in` under the L-infinity metric.
Only one coordinate moves, so the change is monotonic, which OpenDP's map rewards with half the
loss of an arbitrary change.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from privacy.constraints import DAILY_STEPS_BOUNDS
from privacy.engine import dp
from privacy.engine.grid import Grid
from privacy.engine.plans import Calibrated, calibrate, enable_opendp, unit_days
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit

MECHANISM = "report noisy max (exponential noise)"
"""OpenDP's `make_noisy_max` under pure DP adds exponential noise to each score."""


@lru_cache(maxsize=16)
def member_total(window_days: int) -> dp.Transformation:
    """One member's clamped window total: OpenDP's clamp and sized sum over their row of the grid."""
    enable_opendp()
    cells = dp.vector_domain(dp.atom_domain(T=dp.i64), size=window_days)
    return (cells, dp.symmetric_distance()) >> dp.t.then_clamp(DAILY_STEPS_BOUNDS) >> dp.t.then_sum()


def totals_sensitivity(unit: PrivacyUnit, window_days: int) -> int:
    """The L-infinity change one unit makes on the per-member totals, from OpenDP's stability map.

    Changing `k` of a member's cells is a symmetric distance of `2k` on their row.
    """
    return int(member_total(window_days).map(2 * unit_days(unit, window_days)))


def champion_measurement(grid: Grid, unit: PrivacyUnit, epsilon: Epsilon) -> Calibrated:
    """Report-noisy-max over the roster's totals, calibrated to `epsilon`."""
    d_in = totals_sensitivity(unit, grid.n_days)
    scores = dp.vector_domain(dp.atom_domain(T=dp.i64), size=len(grid.member_ids))
    metric = dp.linf_distance(T=dp.i64, monotonic=True)

    def build(scale: float) -> dp.Measurement:
        return dp.m.make_noisy_max(scores, metric, dp.max_divergence(), scale=scale)

    measurement, scale = calibrate(build, d_in, epsilon)
    return Calibrated(measurement, d_in, measurement.map(d_in), scale, float("nan"), MECHANISM)


def totals(grid: Grid, cells: np.ndarray) -> list[int]:
    """Each member's clamped window total, in roster order (the grid is member-major)."""
    total = member_total(grid.n_days)
    rows = cells.reshape(len(grid.member_ids), grid.n_days)
    return [int(total(row)) for row in rows]


def one_hot(chosen: int, members: int) -> tuple[float, ...]:
    """1.0 for the chosen member's position, 0.0 elsewhere.

    >>> one_hot(1, 3)
    (0.0, 1.0, 0.0)
    """
    return tuple(1.0 if i == chosen else 0.0 for i in range(members))
