"""OpenDP measurements over the public grid: built once with an explicit scale, then verified.

The input metric is always `ChangeOneDistance` (OpenDP's `unit_of(changes=k)`): the grid has a
public number of rows, one per member-day, and a privacy unit changes the values of at most `k`
of them, so `d_in = k`. Clamping, the bounded sum or count and the discrete Laplace noise all
happen inside OpenDP:

- the family average is a core chain (bounded-to-unbounded metric, clamp, sized sum, Laplace) on
  the grid as a numpy vector: one pass in Rust, fast even for 10,000 members;
- every series query is one `make_private_lazyframe` plan whose group keys are public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import polars as pl

from privacy.constraints import ALPHA, HISTOGRAM_EDGES
from privacy.engine import dp
from privacy.engine.catalog import Counted, Groups, statistic
from privacy.engine.grid import HOURS, Layout
from privacy.epsilon import Epsilon
from privacy.queries import PrivacyUnit, QuerySpec

MECHANISM_NAMES = {"Integer Laplace": "discrete Laplace"}
"""OpenDP's summary names, as the release states them."""

_CALIBRATION_STEPS = 50
"""Nudges of the scale allowed when float rounding leaves the map a hair above the request."""


@cache
def enable_opendp() -> None:
    """Switch on OpenDP's `contrib` constructors, once, where Hearth builds its measurements.

    The polars plugin and report-noisy-max are `contrib` in OpenDP 0.16, so the engine cannot be
    built without it. The weakening flags (`floating-point`, `honest-but-curious`,
    `idealized-numerics`) are switched on nowhere: `tests/test_layers.py` fails on any such call in the
    product, and the tests' own audits need only `contrib` too.
    """
    dp.enable_features("contrib")


def unit_days(unit: PrivacyUnit, window_days: int) -> int:
    """Member-days one privacy unit can change: 1, one calendar week (7), or the whole window.

    >>> unit_days(PrivacyUnit.MEMBER_WEEK, 30), unit_days(PrivacyUnit.MEMBER, 90)
    (7, 90)
    """
    unit = PrivacyUnit(unit)
    if unit is PrivacyUnit.MEMBER_DAY:
        return 1
    if unit is PrivacyUnit.MEMBER_WEEK:
        return min(7, window_days)
    return window_days


def hour_columns() -> list[str]:
    """Column names of the hourly grid, one per hour.

    >>> hour_columns()[:2], len(hour_columns())
    (['h00', 'h01'], 24)
    """
    return [f"h{hour:02d}" for hour in range(HOURS)]


@dataclass(frozen=True, eq=False)
class Calibrated:
    """A measurement built for one request, with what OpenDP says about it."""

    measurement: dp.Measurement
    """The measurement that will run."""
    d_in: int
    """The input distance its privacy map was evaluated at."""
    loss: float
    """OpenDP's privacy map at `d_in`: what the ledger is charged (rounded up to micro-units)."""
    scale: float
    """Noise scale on each noisy sum or count."""
    accuracy: float
    """95% half-width of each noisy sum or count, from OpenDP's accuracy summary."""
    mechanism: str
    """The noise distribution in words."""


def calibrate(
    build: Callable[[float], dp.Measurement], d_in: int, epsilon: Epsilon
) -> tuple[dp.Measurement, float]:
    """The measurement `build(knob)`, and its knob, whose loss at `d_in` is closest to `epsilon`.

    `knob` scales the noise, so the loss is inversely proportional to it: build at 1, read the map,
    rescale analytically, then verify; float rounding may leave the map a hair high, and each nudge
    raises the noise until the rounded-up charge is within the request.
    """
    knob = build(1.0).map(d_in) / epsilon.value
    for _ in range(_CALIBRATION_STEPS):
        measurement = build(knob)
        if Epsilon.charge(measurement.map(d_in)) <= epsilon:
            return measurement, knob
        knob *= 1 + 1e-9
    raise RuntimeError(f"could not calibrate a measurement to epsilon {epsilon}")


def vector_measurement(
    spec: QuerySpec, layout: Layout, unit: PrivacyUnit, epsilon: Epsilon, days: int
) -> Calibrated:
    """The family average's noisy clamped sum: a core OpenDP chain on the grid as an int64 vector."""
    return _core_sum(layout.denominators[0], layout.bounds, unit_days(unit, days), epsilon)


@lru_cache(maxsize=256)
def _core_sum(cells: int, bounds: tuple[int, int], d_in: int, epsilon: Epsilon) -> Calibrated:
    """Cached by what the measurement depends on: every week of a family shares one measurement."""
    enable_opendp()
    domain = dp.vector_domain(dp.atom_domain(T=dp.i64), size=cells)

    def build(scale: float) -> dp.Measurement:
        # A sized vector under change-one is symmetric distance 2k once unbounded; the sized bounded sum
        # then moves by at most k * (upper - lower). Integer input makes `laplace` the discrete Laplace.
        return (
            (domain, dp.change_one_distance())
            >> dp.t.then_metric_unbounded()
            >> dp.t.then_clamp(bounds)
            >> dp.t.then_sum()
            >> dp.m.then_laplace(scale)
        )

    measurement, scale = calibrate(build, d_in, epsilon)
    loss = measurement.map(d_in)
    return Calibrated(measurement, d_in, loss, scale, accuracy(scale), "discrete Laplace")


def frame_measurement(
    spec: QuerySpec, layout: Layout, unit: PrivacyUnit, epsilon: Epsilon, days: int
) -> Calibrated:
    """The polars-plugin measurement of a series query, calibrated to `epsilon` at the unit's `d_in`."""
    keys = None if layout.keys is None else tuple(int(k) for k in layout.keys)
    # Only the histogram's plan reads its labels (the public bins); elsewhere groups are positions.
    labels = (
        layout.labels if statistic(spec).groups is Groups.BIN else tuple(map(str, range(len(layout.labels))))
    )
    shape = (labels, layout.denominators, keys, layout.bounds, layout.value_range, layout.hours)
    return _frame(spec, shape, unit_days(unit, days), epsilon)


@lru_cache(maxsize=256)
def _frame(spec: QuerySpec, shape: tuple, d_in: int, epsilon: Epsilon) -> Calibrated:
    """Cached by the public shape, not the dates: every 4-week period of a family shares one measurement."""
    enable_opendp()
    labels, denominators, keys, bounds, value_range, hours = shape
    key_array = None if keys is None else np.asarray(keys, dtype=np.int32)
    layout = Layout(labels, denominators, key_array, bounds, value_range, hours)
    domain = _domain(layout)
    plan = _lazyframe_plan(spec, layout)

    def build(global_scale: float) -> dp.Measurement:
        return dp.m.make_private_lazyframe(
            domain, dp.change_one_distance(), dp.max_divergence(), plan, global_scale=global_scale
        )

    measurement, _ = calibrate(build, d_in, epsilon)
    summary = dp.summarize_polars_measurement(measurement, alpha=ALPHA).row(0, named=True)
    mechanism = MECHANISM_NAMES.get(summary["distribution"], summary["distribution"])
    loss = measurement.map(d_in)
    return Calibrated(measurement, d_in, loss, summary["scale"], summary["accuracy"], mechanism)


def grid_frame(layout: Layout, cells: np.ndarray) -> pl.LazyFrame:
    """The grid as the measurement reads it: `steps` (int32) and, when grouped, the public `key`.

    The hourly grid is wide instead: one int32 column per hour, one row per member-day.
    """
    if layout.hours > 1:
        wide = cells.astype(np.int32)
        return pl.DataFrame(wide, schema=dict.fromkeys(hour_columns(), pl.Int32), orient="row").lazy()
    columns = {"steps": pl.Series("steps", cells, dtype=pl.Int32)}
    if layout.keys is not None:
        columns["key"] = pl.Series("key", layout.keys, dtype=pl.Int32)
    return pl.DataFrame(columns).lazy()


def accuracy(scale: float) -> float:
    """95% half-width of discrete Laplace noise at `scale` (OpenDP's accuracy utility).

    >>> round(accuracy(1000.0))
    2996
    """
    return dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA)


def scale_for_accuracy(half_width: float) -> float:
    """Inverse of `accuracy`: the discrete Laplace scale whose 95% half-width is `half_width`.

    >>> round(scale_for_accuracy(accuracy(1000.0)))
    1000
    """
    return dp.accuracy_to_discrete_laplacian_scale(float(half_width), ALPHA)


def _domain(layout: Layout) -> dp.Domain:
    names = hour_columns() if layout.hours > 1 else ["steps", *(["key"] if layout.keys is not None else [])]
    columns = [dp.series_domain(name, dp.atom_domain(T=dp.i32)) for name in names]
    rows = len(layout.keys) if layout.keys is not None else layout.denominators[0]
    # The row count is public (roster x days: one row per member-day), an invariant, not a secret.
    domain = dp.with_margin(
        dp.lazyframe_domain(columns), dp.polars.Margin(invariant="lengths", max_length=rows)
    )
    if layout.keys is None:
        return domain
    # Each group's row count is public too: a bucket or a weekday holds a fixed set of grid rows.
    # Declaring it lets OpenDP see that a changed row stays in its group (sensitivity U, not 2U).
    by_key = dp.polars.Margin(
        by=["key"], invariant="lengths", max_length=max(layout.denominators), max_groups=len(layout.labels)
    )
    return dp.with_margin(domain, by_key)


def _lazyframe_plan(spec: QuerySpec, layout: Layout) -> pl.LazyFrame:
    # Sums run in int64: a large grid overflows an int32 total.
    if layout.hours > 1:
        hours = pl.LazyFrame(schema=dict.fromkeys(hour_columns(), pl.Int32))
        return hours.select(pl.col(c).cast(pl.Int64).dp.sum(layout.bounds) for c in hour_columns())
    schema = {"steps": pl.Int32} | ({"key": pl.Int32} if layout.keys is not None else {})
    grid = pl.LazyFrame(schema=schema)
    steps = pl.col("steps").cast(pl.Int64)
    counted = statistic(spec).counted
    if counted is Counted.GOAL_DAYS:
        reached = (pl.col("steps") >= spec.goal).cast(pl.Int64)
        return grid.group_by("key").agg(reached.dp.sum((0, 1)).alias("steps"))
    if counted is Counted.CELLS:
        return _histogram_plan(grid, layout)
    return grid.group_by("key").agg(steps.dp.sum(layout.bounds))


def _histogram_plan(grid: pl.LazyFrame, layout: Layout) -> pl.LazyFrame:
    # Bin membership is private, so the bins are joined from a public key set (every bin is released,
    # empty or not) and a change may move a row between bins: OpenDP charges 2 per changed row.
    bins = pl.LazyFrame({"bin": pl.Series(layout.labels, dtype=pl.Categorical)})
    binned = (
        pl.col("steps")
        .clip(*layout.bounds)
        .cut(list(HISTOGRAM_EDGES[1:-1]), labels=list(layout.labels), left_closed=True)
    )
    counts = grid.with_columns(bin=binned).group_by("bin").agg(dp.len(signed=True).alias("steps"))
    return bins.join(counts, how="left", on="bin", nulls_equal=True)
