"""Empirical privacy audits: lower-bound epsilon from samples, and check noise against a stated scale.

The noise always comes from OpenDP measurements; numpy and scipy only count and bound. Every decision
here has a fixed sample size and a bound that a correct mechanism breaks with probability below
`ALPHA`, so a failing test means a broken claim, not bad luck.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import opendp.prelude as dp
from scipy.stats import beta, dlaplace

ALPHA = 1e-8
"""False-failure rate of one audit or one scale check: the suite's ~15 such checks stay under 1e-6."""


@dataclass(frozen=True)
class Event:
    """A yes/no question about one output, fixed from the true answers before any draw is seen."""

    name: str
    """Shown when this event gives the best bound, so a failure says where the leak is."""
    holds: Callable[[np.ndarray], np.ndarray]
    """Maps an array of outputs (one per row) to a boolean array."""


@dataclass(frozen=True)
class Audit:
    """The best epsilon lower bound over all events, with the counts that produced it."""

    epsilon: float
    """Largest ln(lower(P[E|one side]) / upper(P[E|other side])); 0 when nothing separates the sides."""
    event: str
    """The event and direction behind `epsilon`."""
    hits: tuple[int, int]
    """How often that event held on each side (numerator side first)."""
    draws: tuple[int, int]
    """Draws per side."""

    def __str__(self) -> str:
        return f"epsilon >= {self.epsilon:.3f} from {self.event} ({self.hits[0]} vs {self.hits[1]} hits)"


def above(t: float) -> Event:
    """A scalar output strictly above `t`."""
    return Event(f"> {t:g}", lambda x: x > t)


def below(t: float) -> Event:
    """A scalar output strictly below `t`."""
    return Event(f"< {t:g}", lambda x: x < t)


def column(j: int, event: Event) -> Event:
    """`event` asked of column `j` of a vector output (a histogram's bin, a series' point)."""
    return Event(f"[{j}] {event.name}", lambda x: event.holds(x[:, j]))


def both(a: Event, b: Event) -> Event:
    """Both events at once: where two coordinates move in opposite directions, losses multiply."""
    return Event(f"{a.name} and {b.name}", lambda x: a.holds(x) & b.holds(x))


def threshold_events(truth_a: float, truth_b: float, spread: float) -> list[Event]:
    """Output above and below seven thresholds from two spreads under the lower truth to two over the upper.

    Past the upper truth, P[> t] under the two truths differ by exactly the Laplace ratio, so these events
    are tight for an additive mechanism; the rest catch skewed or shifted noise.

    >>> [e.name for e in threshold_events(10, 12, 1)][:4]
    ['> 8', '< 8', '> 9', '< 9']
    """
    lo, hi = sorted((truth_a, truth_b))
    cuts = (lo - 2 * spread, lo - spread, lo, (lo + hi) / 2, hi, hi + spread, hi + 2 * spread)
    return [e for t in cuts for e in (above(t), below(t))]


def epsilon_lower_bound(
    side_a: np.ndarray, side_b: np.ndarray, events: Sequence[Event], alpha: float = ALPHA
) -> Audit:
    """Best ln(lower(p)/upper(q)) over events and both directions, Clopper-Pearson with Bonferroni.

    Each event uses four one-sided bounds (lower and upper, each side), so each is taken at
    alpha / (4 * events): the returned epsilon exceeds the mechanism's true epsilon with probability
    at most `alpha`.
    """
    n_a, n_b = len(side_a), len(side_b)
    level = alpha / (4 * len(events))
    best = Audit(0.0, "no event", (0, 0), (n_a, n_b))
    for event in events:
        k_a, k_b = int(event.holds(side_a).sum()), int(event.holds(side_b).sum())
        for name, (k_p, n_p), (k_q, n_q) in (
            (f"P[{event.name} | A] / P[... | B]", (k_a, n_a), (k_b, n_b)),
            (f"P[{event.name} | B] / P[... | A]", (k_b, n_b), (k_a, n_a)),
        ):
            lower, upper = cp_lower(k_p, n_p, level), cp_upper(k_q, n_q, level)
            if lower > 0 and math.log(lower / upper) > best.epsilon:
                best = Audit(math.log(lower / upper), name, (k_p, k_q), (n_p, n_q))
    return best


def cp_lower(hits: int, draws: int, level: float) -> float:
    """One-sided Clopper-Pearson lower bound on a probability, wrong with probability <= `level`.

    >>> cp_lower(0, 10, 0.05)
    0.0
    """
    return 0.0 if hits == 0 else float(beta.ppf(level, hits, draws - hits + 1))


def cp_upper(hits: int, draws: int, level: float) -> float:
    """One-sided Clopper-Pearson upper bound on a probability, wrong with probability <= `level`.

    >>> cp_upper(10, 10, 0.05)
    1.0
    """
    return 1.0 if hits == draws else float(beta.isf(level, hits + 1, draws - hits))


def laplace_draws(truth: float | Sequence[float], scale: float, n: int) -> np.ndarray:
    """`n` releases of `truth` (a number or a vector) from OpenDP's Laplace at `scale`, in one call.

    Integers get the discrete Laplace the engine uses on step counts, floats OpenDP's float Laplace.
    A vector truth gives an (n, len) array, one release of the whole vector per row.
    """
    dp.enable_features("contrib")
    vector = list(truth) if isinstance(truth, Sequence) else [truth]
    kind = int if all(isinstance(v, int) for v in vector) else float
    atom = dp.atom_domain(T=int) if kind is int else dp.atom_domain(T=float, nan=False)
    noise = dp.m.make_laplace(dp.vector_domain(atom), dp.l1_distance(T=kind), scale)
    out = np.asarray(noise([kind(v) for v in vector] * n)).reshape(n, len(vector))
    return out if isinstance(truth, Sequence) else out[:, 0]


def dkw_bound(draws: int, alpha: float = ALPHA) -> float:
    """Sup-distance between empirical and true CDF exceeded with probability <= alpha (DKW, Massart).

    Holds for any distribution, discrete included, so it is a fixed pass bound.

    >>> round(dkw_bound(20_000), 4)
    0.0219
    """
    return math.sqrt(math.log(2 / alpha) / (2 * draws))


def discrete_laplace_distance(residuals: np.ndarray, scale: float) -> float:
    """Sup |empirical CDF - CDF of discrete Laplace(scale)| over the integers, where both jump.

    Outside the sample's range the empirical CDF is 0 or 1 and the gap only shrinks, so the
    integers from one under the minimum to the maximum cover the supremum.
    """
    ints = np.rint(residuals).astype(np.int64)
    if not np.allclose(ints, residuals, rtol=0, atol=1e-6):
        raise ValueError("residuals of a discrete Laplace release must be whole numbers")
    grid = np.arange(ints.min() - 1, ints.max() + 1)
    empirical = np.searchsorted(np.sort(ints), grid, side="right") / len(ints)
    return float(np.abs(empirical - dlaplace.cdf(grid, 1 / scale)).max())


def matches_discrete_laplace(residuals: np.ndarray, scale: float, alpha: float = ALPHA) -> bool:
    """Whether release - truth is consistent with discrete Laplace noise at the stated scale."""
    return discrete_laplace_distance(residuals, scale) <= dkw_bound(len(residuals), alpha)
