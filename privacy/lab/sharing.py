"""Ask once, share: every member's own fresh answer, pooled, against one answer the family shares.

The statistic is the weekly family average (the last 7 days). Under per-viewer fresh answers each
member gets their own release at epsilon, with their own noise; pooled, the members' average is
steadier, but the family has spent epsilon once per member. One shared release at epsilon is seen by
everyone for epsilon, and one shared release at members x epsilon buys the pooled design's privacy
loss back as accuracy. Every release is the engine's own mechanism, simulated and stored by
`simulate.simulated`; the expected errors come from the noise scale alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from privacy import engine
from privacy.constraints import ALPHA
from privacy.engine.grid import layout
from privacy.epsilon import Epsilon
from privacy.lab import simulate
from privacy.lab.family import Family, Lab
from privacy.queries import PrivacyUnit, QueryId, QuerySpec

WEEK = QuerySpec(QueryId.FAMILY_AVERAGE, window_days=7)
"""The weekly family average: the figure every member looks at."""
SHARE_DRAWS = 1_000
"""Simulated weeks per design: the 95th percentile of 1,000 draws sits within about 8% of its target."""


@dataclass(frozen=True)
class Design:
    """One way for the family to learn the weekly average: what it costs and how far off it is."""

    key: str
    """Stable id: `fresh`, `shared` or `shared-equal`."""
    name: str
    releases: int
    """Releases made: one per member, or one for everyone."""
    epsilon_each: float
    spent: float
    """Privacy loss per protected unit: every release's epsilon adds up, shared or not."""
    expected: float
    """95% half-width of the estimate from the noise scale (before the engine's clipping)."""
    observed: float
    """95th percentile of |estimate - truth| over the simulated weeks."""


@dataclass(frozen=True)
class Sharing:
    """The three designs side by side, for one family, epsilon and privacy unit."""

    viewers: int
    epsilon: float
    unit: str
    truth: float
    """The true weekly average (shown because the family is made up)."""
    draws: int
    designs: tuple[Design, ...]
    largest: float
    """The top of a weekly average's possible range: each release is clipped there, capping its error."""


def compare(
    lab: Lab, family: Family, epsilon: Epsilon, unit: PrivacyUnit, draws: int = SHARE_DRAWS
) -> Sharing:
    """Fresh answers pooled, one shared answer, and one shared answer at the pooled design's loss."""
    viewers = len(family.member_ids)
    equal = Epsilon(epsilon.micro * viewers)
    truth = simulate.truth(family, WEEK)[1][0]
    fresh = pooled(lab, family, epsilon, unit, viewers, draws)
    shared = simulate.simulated(lab, family, WEEK, epsilon, unit, draws)[:, 0]
    shared_equal = simulate.simulated(lab, family, WEEK, equal, unit, draws)[:, 0]
    eps = epsilon.value
    designs = (
        Design(
            "fresh", f"{viewers} fresh answers at ε {eps:g}, pooled", viewers, eps, eps * viewers,
            pooled_half_width(family, epsilon, unit, viewers), _observed(fresh, truth),
        ),
        Design(
            "shared", f"1 shared answer at ε {eps:g}", 1, eps, eps,
            pooled_half_width(family, epsilon, unit, 1), _observed(shared, truth),
        ),
        Design(
            "shared-equal", f"1 shared answer at ε {equal.value:g}", 1, equal.value, equal.value,
            pooled_half_width(family, equal, unit, 1), _observed(shared_equal, truth),
        ),
    )  # fmt: skip
    top = layout(WEEK, simulate.grid_of(family, WEEK)).value_range[1]
    return Sharing(viewers, eps, PrivacyUnit(unit).value, truth, draws, designs, top)


def pooled(
    lab: Lab, family: Family, epsilon: Epsilon, unit: PrivacyUnit, viewers: int, draws: int = SHARE_DRAWS
) -> np.ndarray:
    """`draws` weeks in which each of `viewers` members gets a fresh release and they average them.

    Each member's release is what the engine shows them (clipped to the possible range), so the pool
    is what a family comparing notes would really compute. One viewer's pool is one shared answer.
    """
    answers = simulate.simulated(lab, family, WEEK, epsilon, unit, draws * viewers)[:, 0]
    return answers.reshape(draws, viewers).mean(axis=1)


def pooled_half_width(family: Family, epsilon: Epsilon, unit: PrivacyUnit, releases: int) -> float:
    """95% half-width of the mean of `releases` independent weekly averages at `epsilon`, from the scale.

    The pooled error is the sum of the releases' Laplace noises over (releases x member-days); at
    Hearth's scales (thousands of steps) discrete Laplace noise is continuous Laplace noise to well
    under a step.
    """
    grid = simulate.grid_of(family, WEEK)
    scale = engine.plan(WEEK, epsilon, unit, grid).scale
    member_days = layout(WEEK, grid).denominators[0]
    return scale * laplace_sum_quantile(releases) / (releases * member_days)


def laplace_sum_tail(t: float, n: int) -> float:
    """P(|S| > t) for S the sum of `n` independent unit Laplace variables (exact, a finite sum).

    S's density is exp(-|x|) / (2^(2n-1) (n-1)!) x sum_k (2n-2-k)! (2|x|)^k / (k! (n-1-k)!), and each
    term's tail integral is k! exp(-t) sum_{j<=k} t^j / j!.

    >>> laplace_sum_tail(1.0, 1) == math.exp(-1.0)
    True
    >>> round(laplace_sum_tail(2.0, 2), 6) == round(2.0 * math.exp(-2.0), 6)
    True
    """
    total = math.fsum(
        math.factorial(2 * n - 2 - k) * 2**k / math.factorial(n - 1 - k) * _exp_partial_sum(t, k)
        for k in range(n)
    )
    return 2 * math.exp(-t) * total / (2 ** (2 * n - 1) * math.factorial(n - 1))


def laplace_sum_quantile(n: int, alpha: float = ALPHA) -> float:
    """The t with P(|S| > t) = alpha for the sum of `n` unit Laplace variables, by bisection.

    >>> round(laplace_sum_quantile(1), 6) == round(math.log(20), 6)
    True
    """
    low, high = 0.0, 10.0 * n + 50.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if laplace_sum_tail(middle, n) > alpha else (low, middle)
    return high


def _exp_partial_sum(t: float, k: int) -> float:
    return math.fsum(t**j / math.factorial(j) for j in range(k + 1))


def _observed(estimates: np.ndarray, truth: float) -> float:
    return float(np.percentile(np.abs(estimates - truth), 95))
