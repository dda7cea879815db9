"""Figures derived from stored releases at no privacy cost: means, differences, slopes, smoothing, sharpening.

Each derived value is a fixed linear combination of released values, so its noise is the same
combination of independent Laplace draws whose scales are public. Its 95% interval comes from the exact
distribution of that sum, computed on a grid (deterministic, no sampling): post-processing spends nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from privacy.constraints import ALPHA

GRID_POINTS = 1 << 14
"""Grid resolution of the exact noise distribution: the half-width is good to about 0.1% of its size."""
TAIL_WIDTHS = 16.0
"""The grid spans this many widths of the widest noise term: the mass beyond it is below 1e-7."""


@dataclass(frozen=True)
class Estimate:
    """A noisy value and the public Laplace scales (in the value's units) of its independent noise terms."""

    value: float
    scales: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.scales or any(not s >= 0 for s in self.scales):
            raise ValueError("an estimate needs non-negative noise scales")

    @property
    def variance(self) -> float:
        """Laplace of scale b has variance 2b^2; independent terms add."""
        return float(2 * sum(s * s for s in self.scales))

    @property
    def half_width(self) -> float:
        """The 95% half-width of the noise: exact for one term, a grid convolution for several."""
        return laplace_sum_half_width(self.scales)

    @property
    def interval(self) -> tuple[float, float]:
        """The value plus or minus its half-width."""
        hw = self.half_width
        return self.value - hw, self.value + hw


def laplace_sum_half_width(scales: Sequence[float], alpha: float = ALPHA) -> float:
    """The half-width h with P(|sum of independent Laplace(b_i)| <= h) = 1 - alpha.

    >>> round(laplace_sum_half_width([1000.0]))
    2996
    >>> round(laplace_sum_half_width([1000.0, 1000.0]))  # exact: u with exp(-u)(2 + u) = 0.1, u = 4.113
    4113
    """
    live = [float(s) for s in scales if s > 0]
    if not live:
        return 0.0
    if len(live) == 1:
        return live[0] * float(np.log(1 / alpha))
    return _grid_half_width(tuple(sorted(live)), alpha)


@lru_cache(maxsize=256)
def _grid_half_width(scales: tuple[float, ...], alpha: float) -> float:
    """Convolve the terms on a circular grid (positions wrap, mass beyond the reach is negligible)."""
    reach = TAIL_WIDTHS * max(scales[-1], float(np.sqrt(2 * sum(s * s for s in scales))))
    step = 2 * reach / GRID_POINTS
    positions = np.fft.fftfreq(GRID_POINTS) * GRID_POINTS * step
    spectrum = np.ones(GRID_POINTS, dtype=np.complex128)
    for scale, count in Counter(scales).items():
        mass = _laplace_cdf(positions + step / 2, scale) - _laplace_cdf(positions - step / 2, scale)
        spectrum *= np.fft.fft(mass) ** count
    density = np.fft.ifft(spectrum).real
    order = np.argsort(np.abs(positions), kind="stable")
    inside = np.cumsum(density[order])
    return float(np.abs(positions[order])[min(np.searchsorted(inside, 1 - alpha), GRID_POINTS - 1)])


def combine(estimates: Sequence[Estimate], weights: Sequence[float]) -> Estimate:
    """The linear combination sum(w_i * e_i); its noise terms are the scaled terms of each part."""
    value = float(sum(w * e.value for w, e in zip(weights, estimates, strict=True)))
    scales = tuple(abs(w) * s for w, e in zip(weights, estimates, strict=True) for s in e.scales if w)
    return Estimate(value, scales or (0.0,))


def pooled_mean(estimates: Sequence[Estimate], sizes: Sequence[int]) -> Estimate:
    """The mean over several periods, each weighted by its public number of member-days."""
    total = sum(sizes)
    return combine(estimates, [n / total for n in sizes])


def difference(later: Estimate, earlier: Estimate) -> Estimate:
    """Later minus earlier, e.g. this week against the week before."""
    return combine([later, earlier], [1.0, -1.0])


def inverse_variance(estimates: Sequence[Estimate]) -> Estimate:
    """Several releases of one figure combined: the narrowest unbiased combination (sharpening)."""
    precision = [1 / e.variance for e in estimates]
    total = sum(precision)
    return combine(estimates, [p / total for p in precision])


def slope(estimates: Sequence[Estimate]) -> Estimate:
    """Least-squares change per step of an evenly spaced series (per week for a weekly series)."""
    x = np.arange(len(estimates), dtype=np.float64)
    centred = x - x.mean()
    return combine(estimates, list(centred / float((centred**2).sum())))


def moving_average(estimates: Sequence[Estimate], width: int = 3) -> tuple[Estimate, ...]:
    """Centred moving average (shorter at the ends), each point with its own interval."""
    half = width // 2
    out = []
    for i in range(len(estimates)):
        part = estimates[max(0, i - half) : i + half + 1]
        out.append(combine(part, [1 / len(part)] * len(part)))
    return tuple(out)


def verdict(change: Estimate) -> str:
    """'higher', 'lower' or "can't tell yet": only an interval that excludes zero says which way."""
    lo, hi = change.interval
    if lo > 0:
        return "higher"
    if hi < 0:
        return "lower"
    return "can't tell yet"


def _laplace_cdf(x: np.ndarray, scale: float) -> np.ndarray:
    return np.where(
        x < 0, 0.5 * np.exp(np.minimum(x, 0) / scale), 1 - 0.5 * np.exp(-np.maximum(x, 0) / scale)
    )
