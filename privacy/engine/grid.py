"""The public grid: roster x calendar (x hour), completed from the data with missing cells as 0 steps.

Every shape, group key and denominator here comes from the roster, the calendar and the catalog's
constants, never from the data: a member with no data in the window gives the same grid as one with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise

import numpy as np
import polars as pl

from privacy.constraints import DAILY_STEPS_BOUNDS, HISTOGRAM_EDGES, HOURLY_STEPS_BOUNDS
from privacy.engine.calendar import WEEKDAY_LABELS, bucket_index, days_between, weekday_counts, window
from privacy.engine.catalog import Groups, statistic
from privacy.queries import InvalidQuery, QuerySpec

HOURS = 24
"""Cells per member-day in the hourly grid."""


@dataclass(frozen=True)
class Grid:
    """The public shape of a query's input: who (the roster) and when (the window); no data."""

    member_ids: tuple[int, ...]
    """The roster in its public order; champion values follow it."""
    first: date
    """First day of the window."""
    last: date
    """Last day of the window (inclusive)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "member_ids", tuple(int(m) for m in self.member_ids))
        if not self.member_ids:
            raise InvalidQuery("the family has no members yet")
        if len(set(self.member_ids)) != len(self.member_ids):
            raise InvalidQuery("the roster lists a member twice")
        if self.last < self.first:
            raise InvalidQuery("the window ends before it starts")

    @property
    def days(self) -> tuple[date, ...]:
        """Every day of the window, oldest first."""
        return days_between(self.first, self.last)

    @property
    def n_days(self) -> int:
        """Days in the window."""
        return (self.last - self.first).days + 1

    @property
    def cells(self) -> int:
        """Member-days in the grid: the public denominator of a whole-window mean."""
        return len(self.member_ids) * self.n_days


def grid_for(spec: QuerySpec, member_ids: tuple[int, ...], today: date) -> Grid:
    """The grid of `spec`: the roster over the last `spec.window_days` days ending `today` inclusive."""
    if spec.window_days is None:
        raise InvalidQuery("a question with its own dates has no window to count back")
    first, last = window(today, spec.window_days)
    return Grid(tuple(member_ids), first, last)


@dataclass(frozen=True, eq=False)
class Layout:
    """A query's public output shape over a grid: labels, per-value denominators and group keys."""

    labels: tuple[str, ...]
    """One label per released value."""
    denominators: tuple[int, ...]
    """Public grid cells behind each value (member-days): the divisor of a mean or share."""
    keys: np.ndarray | None
    """Group key per grid row (int32), or None when the query is not grouped by a public key."""
    bounds: tuple[int, int]
    """Clamp bounds of one grid cell."""
    value_range: tuple[float, float]
    """Where every true value lies (a mean lies within the clamp bounds, a share in [0, 1])."""
    hours: int = 1
    """Cells per grid row: the hourly grid's row is a member-day with one column per hour."""


def bin_labels() -> tuple[str, ...]:
    """Labels of the fixed histogram bins; the last bin holds the clamp's upper bound itself.

    >>> bin_labels()[0], bin_labels()[-1]
    ('0–2,499', '20,000–25,000')
    """
    edges = HISTOGRAM_EDGES
    inner = [f"{lo:,}–{hi - 1:,}" for lo, hi in pairwise(edges[:-1])]
    return (*inner, f"{edges[-2]:,}–{edges[-1]:,}")


@lru_cache(maxsize=512)
def layout(spec: QuerySpec, grid: Grid) -> Layout:
    """The public layout of `spec` over `grid` (cached: it depends on nothing private)."""
    stat, members = statistic(spec), len(grid.member_ids)
    groups, bounds, value_range = stat.groups, stat.bounds, stat.value_range
    if groups is Groups.BUCKET:
        starts, index = bucket_index(grid.days, spec.bucket)
        sizes = np.bincount(np.asarray(index), minlength=len(starts))
        return _daily(spec, [s.isoformat() for s in starts], sizes * members, _tile(index, members))
    if groups is Groups.WEEKDAY:
        index = [d.weekday() for d in grid.days]
        counts = np.asarray(weekday_counts(grid.days))
        return _daily(spec, list(WEEKDAY_LABELS), counts * members, _tile(index, members))
    if groups is Groups.HOUR:
        labels = tuple(f"{h:02d}:00" for h in range(HOURS))
        return Layout(labels, (grid.cells,) * HOURS, None, bounds, value_range, HOURS)
    if groups is Groups.BIN:
        labels = bin_labels()
        return Layout(labels, (grid.cells,) * len(labels), None, bounds, value_range)
    if groups is Groups.MEMBER:
        labels = tuple(str(m) for m in grid.member_ids)
        return Layout(labels, (grid.n_days,) * members, None, bounds, value_range)
    label = f"last {spec.window_days} days" if spec.window_days else f"{grid.first} to {grid.last}"
    return _daily(spec, [label], np.asarray([grid.cells]), None)


def daily_cells(grid: Grid, daily: pl.DataFrame) -> np.ndarray:
    """The daily grid's values, member-major (row = member * days + day), clamped, missing = 0.

    Rows for members off the roster or days outside the window are dropped; the store holds one row
    per member-day, so each cell takes at most one row.
    """
    return _complete(grid, daily, DAILY_STEPS_BOUNDS, hours=1)


def hourly_cells(grid: Grid, hourly: pl.DataFrame) -> np.ndarray:
    """The hourly grid's values, one row per member-day (member-major) and one column per hour."""
    return _complete(grid, hourly, HOURLY_STEPS_BOUNDS, hours=HOURS).reshape(grid.cells, HOURS)


def _complete(grid: Grid, frame: pl.DataFrame, bounds: tuple[int, int], hours: int) -> np.ndarray:
    ids = list(grid.member_ids)
    # Members off the roster map to null, and so do days outside the window: both are dropped.
    position = pl.col("member_id").replace_strict(ids, range(len(ids)), default=None, return_dtype=pl.Int64)
    row = position * grid.n_days + (pl.col("day").cast(pl.Int32) - pl.lit(grid.first).cast(pl.Int32))
    keep = pl.col("day").is_between(grid.first, grid.last)
    if hours > 1:
        row = row * hours + pl.col("hour").cast(pl.Int64)
        keep = keep & pl.col("hour").is_between(0, hours - 1)
    present = (
        frame.lazy()
        .select(row=pl.when(keep).then(row), steps=pl.col("steps").clip(*bounds).cast(pl.Int64))
        .drop_nulls("row")
        .collect()
    )
    # Clamping here keeps the grid within int32 for the polars plans; OpenDP clamps again (the clamp
    # the proof relies on). The cells stay int64: the family average's core chain reads them as is.
    cells = np.zeros(grid.cells * hours, dtype=np.int64)
    cells[present["row"].to_numpy()] = present["steps"].to_numpy()
    return cells


def _daily(spec: QuerySpec, labels: list[str], denominators: np.ndarray, keys: np.ndarray | None) -> Layout:
    stat = statistic(spec)
    dens = tuple(int(d) for d in denominators)
    return Layout(tuple(labels), dens, keys, stat.bounds, stat.value_range)


def _tile(day_keys: list[int] | tuple[int, ...], members: int) -> np.ndarray:
    return np.tile(np.asarray(day_keys, dtype=np.int32), members)
