"""What else moves the needle: the family average's 95% error as one setting changes at a time.

Each comparison holds everything else at the page's choices. The errors are expected 95% half-widths
from OpenDP's accuracy utilities (through `engine.preview` where the engine offers the setting), in
steps per member-day, so the panels can be read side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from privacy import engine
from privacy.constraints import ALPHA, DAILY_STEPS_BOUNDS
from privacy.engine import dp, plans
from privacy.engine.calendar import window
from privacy.epsilon import Epsilon
from privacy.lab.family import Family
from privacy.lab.runs import enable_contrib
from privacy.queries import PrivacyUnit, QueryId, QuerySpec

CLAMPS = (2_500, 5_000, 10_000, 15_000, 20_000, 25_000, 40_000)
"""Upper clamp bounds compared; 25,000 is Hearth's own (`DAILY_STEPS_BOUNDS`)."""
BUCKETS = (("daily", 1), ("weekly", 7), ("monthly", 30))
"""Bucket lengths in days for the per-bucket average."""
FAMILY_SIZES = tuple(range(1, 13))
"""Family sizes compared: one to twelve members."""
VIEWS = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20)
"""How many views share one budget."""
GAUSSIAN_DELTA = 1e-6
"""Gaussian noise needs a failure probability delta: one in a million, far below one over family size."""
STEPS = "95% error, steps per member-day"


@dataclass(frozen=True)
class Comparison:
    """One setting varied: its values, and the error under each, in plain words."""

    key: str
    """Stable id (chart keys, tests)."""
    title: str
    why: str
    """One sentence for the presenter: why the error moves this way."""
    x_title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    """(name, one error per label) pairs."""
    y_title: str = STEPS
    marked: str = ""
    """The label of Hearth's own setting, highlighted in the chart."""


def _average(window_days: int) -> QuerySpec:
    return QuerySpec(QueryId.FAMILY_AVERAGE, window_days=window_days)


def by_unit(family: Family, epsilon: Epsilon, unit: PrivacyUnit, window_days: int) -> Comparison:
    """The engine's margin under each privacy unit."""
    spec = _average(window_days)
    grid = engine.grid_for(spec, family.member_ids, family.today)
    units = tuple(PrivacyUnit)
    margins = tuple(engine.preview(spec, epsilon, u, grid).margin for u in units)
    return Comparison(
        key="unit",
        title="Privacy unit",
        why="Protecting a whole week or a whole member hides up to 7 or all days of steps at once,"
        " so the noise must grow with what it hides.",
        x_title="who is protected",
        labels=tuple(u.value for u in units),
        series=(("95% error", margins),),
        marked=PrivacyUnit(unit).value,
    )


def by_clamp(family: Family, epsilon: Epsilon, unit: PrivacyUnit, window_days: int) -> Comparison:
    """Noise shrinks with a lower clamp, but days above it are cut down: bias grows."""
    first, last = window(family.today, window_days)
    cells = len(family.member_ids) * window_days
    steps = family.daily.filter(pl.col("day").is_between(first, last))["steps"].to_numpy()
    d_in = plans.unit_days(unit, window_days)
    noise = tuple(_laplace_accuracy(d_in * c / epsilon.value) / cells for c in CLAMPS)
    bias = tuple(float(np.sum(steps) - np.sum(np.minimum(steps, c))) / cells for c in CLAMPS)
    total = tuple(n + b for n, b in zip(noise, bias, strict=True))
    return Comparison(
        key="clamp",
        title="Clamp bound",
        why="A lower cap on one day's steps means one day moves the total less, so less noise is"
        " needed; but days above the cap count as the cap, which pulls the average down.",
        x_title="upper clamp, steps per member-day",
        labels=tuple(f"{c:,}" for c in CLAMPS),
        series=(("noise (95%)", noise), ("clamp bias", bias), ("both", total)),
        marked=f"{DAILY_STEPS_BOUNDS[1]:,}",
    )


def by_bucket(family: Family, epsilon: Epsilon, unit: PrivacyUnit, window_days: int) -> Comparison:
    """A bucket's average holds more member-days the longer it is; the noise per bucket stays put."""
    members = len(family.member_ids)
    scale = plans.unit_days(unit, window_days) * DAILY_STEPS_BOUNDS[1] / epsilon.value
    margins = tuple(_laplace_accuracy(scale) / (members * days) for _, days in BUCKETS)
    return Comparison(
        key="bucket",
        title="Daily, weekly or monthly points",
        why="The same noise is shared by every member-day in a point, so a monthly point is about 30"
        " times steadier than a daily one, at the cost of detail.",
        x_title="one point per",
        labels=tuple(name for name, _ in BUCKETS),
        series=(("95% error", margins),),
        marked="weekly",
    )


def by_family_size(epsilon: Epsilon, unit: PrivacyUnit, window_days: int, today: object) -> Comparison:
    """The engine's margin for families of 1 to 12 (a preview: it needs no data)."""
    spec = _average(window_days)
    margins = tuple(
        engine.preview(spec, epsilon, unit, engine.grid_for(spec, tuple(range(1, n + 1)), today)).margin
        for n in FAMILY_SIZES
    )
    return Comparison(
        key="size",
        title="Family size",
        why="One person's steps are a smaller share of a bigger family's total, so the same noise"
        " is spread over more member-days and the average is steadier.",
        x_title="members",
        labels=tuple(str(n) for n in FAMILY_SIZES),
        series=(("95% error", margins),),
    )


def by_views(epsilon: Epsilon, unit: PrivacyUnit, window_days: int, members: int) -> Comparison:
    """Views sharing one budget: Laplace at epsilon/k each, or Gaussian with zCDP composition."""
    cells = members * window_days
    sensitivity = plans.unit_days(unit, window_days) * DAILY_STEPS_BOUNDS[1]
    laplace = tuple(_laplace_accuracy(k * sensitivity / epsilon.value) / cells for k in VIEWS)
    # The continuous Gaussian's accuracy: at scales of thousands of steps it equals the discrete one's
    # to well under a step, and OpenDP's discrete version sums the whole support (seconds per call).
    gauss = tuple(
        dp.gaussian_scale_to_accuracy(sensitivity * gaussian_unit_scale(epsilon.micro, k), ALPHA) / cells
        for k in VIEWS
    )
    return Comparison(
        key="views",
        title="Many views, one budget",
        why="Splitting the budget k ways makes Laplace noise k times larger, while Gaussian noise"
        " composed under zCDP grows only like the square root of k, so it wins once several views"
        f" share the budget (delta = {GAUSSIAN_DELTA:g}).",
        x_title="views sharing the budget",
        labels=tuple(str(k) for k in VIEWS),
        series=(("Laplace, epsilon/k each", laplace), ("Gaussian, zCDP", gauss)),
    )


@cache
def gaussian_unit_scale(epsilon_micro: int, views: int) -> float:
    """Per-view Gaussian scale at sensitivity 1 so that `views` of them cost (epsilon, delta) together.

    OpenDP decides: the k-fold composition of the Gaussian measurement, converted from zCDP to
    (epsilon, delta) at `GAUSSIAN_DELTA`, must map sensitivity 1 to at most epsilon. One view's scale
    is found by bisection on a log scale; k views under zCDP need sqrt(k) times it, which OpenDP's
    map then confirms (nudging the scale up if float rounding leaves it a hair over).
    """
    target = epsilon_micro / 1e6
    if views == 1:
        low, high = 1e-3, 1e5
        for _ in range(60):
            middle = math.sqrt(low * high)
            low, high = (low, middle) if _composed_epsilon(middle, 1) <= target else (middle, high)
        return high
    scale = gaussian_unit_scale(epsilon_micro, 1) * math.sqrt(views)
    while _composed_epsilon(scale, views) > target:
        scale *= 1 + 1e-9
    return scale


def _composed_epsilon(scale: float, views: int) -> float:
    enable_contrib()
    space = dp.atom_domain(T=int), dp.absolute_distance(T=int)
    single = dp.m.make_gaussian(*space, scale=scale)
    composed = dp.c.make_composition([single] * views)
    approx = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(composed), GAUSSIAN_DELTA)
    return float(approx.map(1)[0])


def _laplace_accuracy(scale: float) -> float:
    return dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA)
