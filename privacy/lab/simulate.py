"""Release beside truth, and error against epsilon: OpenDP's accuracy curve with simulated releases.

The expected error is the engine's own 95% half-width (`engine.preview`, from OpenDP's accuracy
utility). The empirical points re-run the engine's mechanism many times: the exact sums plus OpenDP's
vector discrete Laplace at the engine's calibrated scale, divided and clipped as `engine.execute` does,
in one OpenDP call per epsilon; the draws are stored, so a second render reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from privacy import engine
from privacy.engine.grid import layout
from privacy.epsilon import Epsilon
from privacy.lab.family import Family, Lab
from privacy.lab.runs import discrete_laplace, settings_key, stored_draws
from privacy.queries import PrivacyUnit, QueryId, QuerySpec

NUMERIC_QUERIES = tuple(q for q in QueryId if q is not QueryId.CHAMPION)
"""Statistics with an error to measure: the champion is a choice, not an estimate."""
SIMULATED_EPSILONS = (0.05, 0.2, 1.0)
"""Where the empirical points sit: one in the noisy range, one in the middle, one in the useful range."""
DRAWS = 200
"""Simulated releases per point: the 95th percentile of 200 draws sits within about 15% of its target."""
CURVE_EPSILONS = tuple(float(e) for e in np.geomspace(0.01, 2.0, 13))
"""The curve's epsilons, evenly spaced on the log axis from 0.01 to 2 (the error is a straight line there)."""


@dataclass(frozen=True)
class Shown:
    """One release on made-up data beside its true values: what no real viewer ever sees."""

    spec: QuerySpec
    labels: tuple[str, ...]
    true: tuple[float, ...]
    """The same statistic without noise, with the same clamp (`engine.exact`)."""
    noisy: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    unit: str
    """Units of the values."""
    mechanism: str
    scale: float
    margin: float
    """The widest 95% half-width."""


@dataclass(frozen=True)
class ErrorCurve:
    """Expected and observed 95% error of one statistic across epsilon."""

    spec: QuerySpec
    unit: str
    epsilons: tuple[float, ...]
    margins: tuple[float, ...]
    """Expected 95% half-width of the widest value at each epsilon (OpenDP's accuracy utility)."""
    simulated_epsilons: tuple[float, ...]
    observed: tuple[float, ...]
    """95th percentile of |noisy - true| over the simulated releases, same value."""
    draws: int
    largest: float
    """The top of the values' possible range: a release is clipped there, so no error exceeds it."""


def grid_of(family: Family, spec: QuerySpec) -> engine.Grid:
    """The public grid of `spec` over the made-up family."""
    return engine.grid_for(spec, family.member_ids, family.today)


def truth(family: Family, spec: QuerySpec) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Labels and exact values: allowed here because the family is made up."""
    return engine.exact(spec, grid_of(family, spec), family.daily, family.hourly, family.names)


def release(lab: Lab, family: Family, spec: QuerySpec, epsilon: Epsilon, unit: PrivacyUnit) -> Shown:
    """One real `engine.execute` run at `epsilon`, made once and stored, beside the truth."""
    plan = engine.plan(spec, epsilon, unit, grid_of(family, spec))
    labels, true = truth(family, spec)
    key = settings_key(what="release", family=family.version, spec=spec.key, eps=epsilon.micro, unit=unit)

    def run() -> list[float]:
        _, values, lower, upper = engine.execute(plan, family.daily, family.hourly, family.names)
        return [*values, *lower, *upper]

    with lab.lock:
        flat = stored_draws(lab.conn, key, run)
    n = len(labels)
    return Shown(
        spec, labels, true, flat[:n], flat[n : 2 * n], flat[2 * n :], engine.value_unit(spec),
        plan.mechanism, plan.scale, plan.margin,
    )  # fmt: skip


def simulated(
    lab: Lab, family: Family, spec: QuerySpec, epsilon: Epsilon, unit: PrivacyUnit, draws: int = DRAWS
) -> np.ndarray:
    """`draws` simulated releases (rows) of the engine's mechanism at `epsilon`, stored after the first."""
    grid = grid_of(family, spec)
    plan = engine.plan(spec, epsilon, unit, grid)
    if plan.mechanism != "discrete Laplace":
        raise ValueError(f"the lab simulates discrete Laplace releases, not {plan.mechanism}")
    shape = layout(spec, grid)
    denominators = np.asarray(shape.denominators, dtype=np.float64)
    sums = np.rint(np.asarray(truth(family, spec)[1]) * denominators).astype(np.int64)
    key = settings_key(
        what="simulated", family=family.version, spec=spec.key, eps=epsilon.micro, unit=unit, draws=draws
    )
    tiled = np.tile(sums, draws).tolist()
    with lab.lock:
        flat = stored_draws(lab.conn, key, lambda: discrete_laplace(tiled, plan.scale))
    values = np.asarray(flat, dtype=np.float64).reshape(draws, len(sums)) / denominators
    return np.clip(values, *shape.value_range)


def observed_error(
    lab: Lab, family: Family, spec: QuerySpec, epsilon: Epsilon, unit: PrivacyUnit, draws: int = DRAWS
) -> float:
    """95th percentile of |noisy - true| of the value the curve describes (see `described_value`)."""
    grid = grid_of(family, spec)
    true = np.asarray(truth(family, spec)[1])
    margins = engine.plan(spec, epsilon, unit, grid).margins
    index = described_value(margins, true, layout(spec, grid).value_range)
    errors = np.abs(simulated(lab, family, spec, epsilon, unit, draws)[:, index] - true[index])
    return float(np.percentile(errors, 95))


def described_value(margins: tuple[float, ...], true: np.ndarray, value_range: tuple[float, float]) -> int:
    """Among the widest-margin values, the one farthest from the range's ends.

    Releases are clipped to the possible range (a share is never below 0), which can only shrink an
    error; the value least affected by that clipping is the fairest check of the curve.

    >>> described_value((2.0, 2.0, 1.0), np.asarray([0.1, 0.5, 0.5]), (0.0, 1.0))
    1
    """
    widest = np.asarray(margins) >= max(margins) * (1 - 1e-9)
    room = np.minimum(true - value_range[0], value_range[1] - true)
    return int(np.argmax(np.where(widest, room, -np.inf)))


def error_curve(
    lab: Lab, family: Family, spec: QuerySpec, unit: PrivacyUnit, draws: int = DRAWS
) -> ErrorCurve:
    """The expected-error curve over `CURVE_EPSILONS` and the observed points at `SIMULATED_EPSILONS`."""
    grid = grid_of(family, spec)
    margins = tuple(engine.preview(spec, Epsilon.request(e), unit, grid).margin for e in CURVE_EPSILONS)
    observed = tuple(
        observed_error(lab, family, spec, Epsilon.request(e), unit, draws) for e in SIMULATED_EPSILONS
    )
    top = layout(spec, grid).value_range[1]
    return ErrorCurve(
        spec, engine.value_unit(spec), CURVE_EPSILONS, margins, SIMULATED_EPSILONS, observed, draws, top
    )
