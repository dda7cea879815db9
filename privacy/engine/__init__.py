"""The release engine: data-free plans (cached OpenDP measurements) and their execution on the grid.

`plan` builds and verifies the measurement once per (spec, epsilon, unit, grid); `execute` completes
the public grid from the store's frames and runs it. Nothing here touches the budget: the service
charges `Plan.charge` in the ledger before it calls `execute`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import polars as pl

from privacy.constraints import HISTOGRAM_EDGES
from privacy.engine import champion, plans
from privacy.engine.catalog import Counted, Groups, Noise, statistic
from privacy.engine.grid import (
    Grid,
    Layout,
    daily_cells,
    grid_for,
    hourly_cells,
    layout,
)
from privacy.epsilon import Epsilon
from privacy.queries import InvalidQuery, PrivacyUnit, QuerySpec
from privacy.release import Preview

__all__ = [
    "Grid",
    "Plan",
    "daily_cells",
    "epsilon_for_margin",
    "exact",
    "execute",
    "execute_cells",
    "grid_for",
    "hourly_cells",
    "plan",
    "preview",
    "value_range",
    "value_unit",
]

Labels = tuple[str, ...]
Values = tuple[float, ...]

_REFERENCE = Epsilon.request(1.0)
"""The epsilon at which `epsilon_for_margin` reads the scale before rescaling it."""


@dataclass(frozen=True)
class Plan:
    """A release ready to run: its measurement, its charge and its interval half-widths; no data."""

    spec: QuerySpec
    grid: Grid
    unit: PrivacyUnit
    charge: Epsilon
    """OpenDP's privacy map of `measurement` at the unit's `d_in`, rounded up; never above the request."""
    mechanism: str
    scale: float
    """Noise scale on each noisy sum or count (for the champion, on each total), before any division."""
    margin: float
    """The widest 95% half-width among the values, in value units (the champion: 0.5)."""
    margins: tuple[float, ...] = field(compare=False)
    """Each value's 95% half-width (buckets of unequal length have unequal denominators)."""
    d_in: int = field(compare=False)
    """Input distance the charge was evaluated at: rows changed, or for the champion the L-inf change."""
    measurement: object = field(default=None, compare=False, repr=False)
    """The OpenDP measurement, built once; running it is the only source of noise."""


def value_unit(spec: QuerySpec) -> str:
    """The units of a query's values, for axis labels."""
    return statistic(spec).value_unit


def value_range(spec: QuerySpec) -> tuple[float, float]:
    """Where every true value of `spec` lies: clipping a value or interval to it never uncovers the truth."""
    return statistic(spec).value_range


@lru_cache(maxsize=1024)
def plan(spec: QuerySpec, epsilon: Epsilon, unit: PrivacyUnit, grid: Grid) -> Plan:
    """Build, verify and cache the measurement for `spec` at `epsilon`; data-free."""
    if not isinstance(epsilon, Epsilon):
        raise TypeError("epsilon must be an Epsilon")
    unit = PrivacyUnit(unit)
    shape = layout(spec, grid)
    if 0 in shape.denominators:  # e.g. a weekday profile of three days: some groups hold no day at all
        raise InvalidQuery(f"{spec.query.value} needs a period holding every one of its groups")
    noise = statistic(spec).noise
    if noise is Noise.NOISY_MAX:
        built = champion.champion_measurement(grid, unit, epsilon)
        margins = (0.5,) * len(grid.member_ids)
    else:
        build = plans.vector_measurement if noise is Noise.CORE_SUM else plans.frame_measurement
        built = build(spec, shape, unit, epsilon, grid.n_days)
        margins = tuple(built.accuracy / d for d in shape.denominators)
    charge = Epsilon.charge(built.loss)
    if charge > epsilon:
        raise RuntimeError(f"measurement costs {charge}, more than the {epsilon} requested")
    return Plan(
        spec=spec,
        grid=grid,
        unit=unit,
        charge=charge,
        mechanism=built.mechanism,
        scale=built.scale,
        margin=max(margins),
        margins=margins,
        d_in=built.d_in,
        measurement=built.measurement,
    )


def execute(
    plan: Plan, daily: pl.DataFrame, hourly: pl.DataFrame, names: Mapping[int, str]
) -> tuple[Labels, Values, Values, Values]:
    """Run the plan's measurement once on the grid completed from the data: labels, values, lower, upper."""
    return execute_cells(plan, _cells(plan.spec, plan.grid, daily, hourly), names)


def execute_cells(
    plan: Plan, cells: np.ndarray, names: Mapping[int, str]
) -> tuple[Labels, Values, Values, Values]:
    """Run the plan on its grid's cells, already completed and clamped (see `daily_cells`)."""
    shape = layout(plan.spec, plan.grid)
    if statistic(plan.spec).choice:
        chosen = plan.measurement(champion.totals(plan.grid, cells))
        values = champion.one_hot(int(chosen), len(plan.grid.member_ids))
        n = len(values)
        return _member_labels(plan.grid, names), values, (0.0,) * n, (1.0,) * n
    noisy = _noisy_totals(plan, shape, cells)
    values = noisy / np.asarray(shape.denominators, dtype=np.float64)
    lo, hi = shape.value_range
    # Post-processing: a true mean or share lies in the public value range, so clipping the value and
    # its interval to that range keeps every interval that covered the truth covering it.
    margins = np.asarray(plan.margins)
    lower = np.clip(values - margins, lo, hi)
    upper = np.clip(values + margins, lo, hi)
    return shape.labels, _floats(np.clip(values, lo, hi)), _floats(lower), _floats(upper)


def preview(spec: QuerySpec, epsilon: Epsilon, unit: PrivacyUnit, grid: Grid) -> Preview:
    """What a release would cost and how wide its 95% interval would be; no data, no budget."""
    p = plan(spec, epsilon, unit, grid)
    return Preview(spec=spec, epsilon=p.charge, margin=p.margin, mechanism=p.mechanism, scale=p.scale)


def epsilon_for_margin(spec: QuerySpec, margin: float, unit: PrivacyUnit, grid: Grid) -> Epsilon:
    """The smallest epsilon (rounded up to micro-units) whose widest 95% half-width is at most `margin`.

    The noise scale is inversely proportional to epsilon, so the scale at a reference epsilon fixes it.
    """
    if statistic(spec).choice:
        raise InvalidQuery("the champion is a choice, not an estimate: it has no margin to aim for")
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not math.isfinite(margin):
        raise InvalidQuery(f"margin must be a finite number, got {margin!r}")
    if margin <= 0:
        raise InvalidQuery(f"margin must be positive, got {margin!r}")
    reference = plan(spec, _REFERENCE, unit, grid)
    denominator = min(layout(spec, grid).denominators)
    needed = plans.scale_for_accuracy(margin * denominator)
    return Epsilon.charge(reference.charge.value * reference.scale / needed)


def exact(
    spec: QuerySpec, grid: Grid, daily: pl.DataFrame, hourly: pl.DataFrame, names: Mapping[int, str]
) -> tuple[Labels, Values]:
    """The same statistic without noise, clamped identically.

    ONLY for tests, the trade-off demo on synthetic data and the benchmark's non-private baseline:
    its output is not differentially private and must never reach a real viewer.
    """
    shape, stat = layout(spec, grid), statistic(spec)
    cells = _cells(spec, grid, daily, hourly)
    if stat.choice:
        chosen = int(np.argmax(champion.totals(grid, cells)))
        return _member_labels(grid, names), champion.one_hot(chosen, len(grid.member_ids))
    if stat.counted is Counted.GOAL_DAYS:
        sums = np.bincount(shape.keys, weights=cells >= spec.goal, minlength=len(shape.labels))
    elif stat.counted is Counted.CELLS:
        bins = np.searchsorted(np.asarray(HISTOGRAM_EDGES[1:-1]), cells, side="right")
        sums = np.bincount(bins, minlength=len(shape.labels))
    elif shape.hours > 1:
        sums = cells.sum(axis=0, dtype=np.int64)
    elif shape.keys is None:
        sums = np.asarray([cells.sum(dtype=np.int64)])
    else:
        sums = np.bincount(shape.keys, weights=cells, minlength=len(shape.labels))
    return shape.labels, _floats(sums / np.asarray(shape.denominators, dtype=np.float64))


def _cells(spec: QuerySpec, grid: Grid, daily: pl.DataFrame, hourly: pl.DataFrame) -> np.ndarray:
    return hourly_cells(grid, hourly) if statistic(spec).hourly else daily_cells(grid, daily)


def _noisy_totals(plan: Plan, shape: Layout, cells: np.ndarray) -> np.ndarray:
    """The measurement's noisy sums or counts, in the layout's label order."""
    groups = statistic(plan.spec).groups
    if groups is Groups.WINDOW:
        return np.asarray([plan.measurement(cells)], dtype=np.float64)
    released = plan.measurement(plans.grid_frame(shape, cells)).collect()
    if shape.hours > 1:
        return np.asarray(released.select(plans.hour_columns()).row(0), dtype=np.float64)
    key = "bin" if groups is Groups.BIN else "key"
    position = {label: i for i, label in enumerate(shape.labels)}
    index = [position[k] for k in released[key].cast(pl.String)] if key == "bin" else released[key]
    out = np.full(len(shape.labels), np.nan)
    out[np.asarray(index)] = released["steps"].cast(pl.Float64).to_numpy()
    if np.isnan(out).any():
        raise RuntimeError("the measurement did not release every public group")
    return out


def _member_labels(grid: Grid, names: Mapping[int, str]) -> Labels:
    return tuple(names.get(m, f"member {i + 1}") for i, m in enumerate(grid.member_ids))


def _floats(values: np.ndarray) -> Values:
    return tuple(float(v) for v in values)
