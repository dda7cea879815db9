"""Empirical audit of the family champion's charge: OpenDP's report-noisy-max over per-member totals.

OpenDP's noisy-max accounting has been wrong before (upstream issue 2911: permute-and-flip charged as the
exponential mechanism under zCDP), so the pure-DP charge is checked against draws, not taken on trust.

Where the loss shows: under pure DP `make_noisy_max` adds exponential noise of scale s to each total and
reports the argmax. With two contenders and the rest far behind, the trailing one wins with probability
1/2 * exp(-gap / s). Raising the leader's total by d_in therefore divides the trailer's chance of winning by
exactly exp(d_in / s), the whole claimed epsilon under the monotone metric; starting from a tie gives that
event its largest probability (1/2), so it is estimated most sharply. The other three members sit 22 scales
behind (a win chance near e^-22), so they never dilute the event. A member-day moves one member's total,
hence one coordinate, hence a monotone change; two totals moving apart is not a member-day neighbour, and
the last test shows the monotone charge would not cover it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import opendp.prelude as dp
from _audit import Event, epsilon_lower_bound

from privacy.constraints import DAILY_STEPS_BOUNDS

EPSILON = 1.0
"""The charge audited: large enough that scale / 1.5 is caught by a wide margin at 10k draws."""
DRAWS = 10_000
"""Selections per side: OpenDP runs one selection per call, about 0.1 ms each, so ~1 s per side."""
MEMBERS = 5
WINDOW_DAYS = 30


def total_sensitivity() -> int:
    """L-infinity change of the totals when one member-day changes, from OpenDP's sized bounded sum."""
    cells = dp.vector_domain(dp.atom_domain(bounds=DAILY_STEPS_BOUNDS), size=WINDOW_DAYS)
    return int(dp.t.make_sum(cells, dp.symmetric_distance()).map(2))


def champion(scale: float, monotonic: bool = True) -> dp.Measurement:
    """Report-noisy-max over the roster's totals, as the engine builds it (i64 scores, max divergence)."""
    scores = dp.vector_domain(dp.atom_domain(T=dp.i64), size=MEMBERS)
    metric = dp.linf_distance(T=dp.i64, monotonic=monotonic)
    return dp.m.make_noisy_max(scores, metric, dp.max_divergence(), scale=scale)


dp.enable_features("contrib")  # make_noisy_max is contrib in OpenDP 0.16; nothing weaker is needed.
D_IN = total_sensitivity()
SCALE = D_IN / EPSILON
"""The engine's calibration: OpenDP's monotone map is d_in / scale."""
TIED = (700_000, 700_000, *(700_000 - 22 * int(SCALE),) * (MEMBERS - 2))
"""Members 0 and 1 tied for first over 30 days; the rest far behind."""
LEADER_UP = (TIED[0] + D_IN, *TIED[1:])
"""One member-day of member 0 moved from 0 to the clamp bound: only member 0's total moves."""
APART = (TIED[0] + D_IN, TIED[1] - D_IN, *TIED[2:])
"""Two totals moving apart by d_in each: L-infinity distance d_in, but not monotone."""
CHOSEN = [Event(f"member {i} chosen", lambda x, i=i: x == i) for i in range(MEMBERS)]


@cache
def selections(totals: tuple[int, ...], scale: float) -> np.ndarray:
    measurement = champion(scale)
    return np.fromiter((measurement(list(totals)) for _ in range(DRAWS)), dtype=np.int64, count=DRAWS)


def test_champion_charge_is_the_monotone_privacy_map() -> None:
    """The audits compare against OpenDP's map at one member-day's d_in (25,000), which must be epsilon."""
    assert DAILY_STEPS_BOUNDS[1] == D_IN
    assert champion(SCALE).map(D_IN) == EPSILON
    assert champion(SCALE, monotonic=False).map(D_IN) == 2 * EPSILON


def test_champion_reports_the_highest_total_not_the_lowest() -> None:
    """OpenDP's deprecated Gumbel variant once returned the min (issue 2912): a 28-scale lead always wins."""
    far_ahead = [0, 0, 0, 28 * int(SCALE), 0]
    assert {champion(SCALE)(far_ahead) for _ in range(50)} == {3}


def test_champion_empirical_epsilon_stays_within_charge() -> None:
    """No member's chance of being chosen moves by more than the charge when one member-day changes."""
    audit = epsilon_lower_bound(selections(TIED, SCALE), selections(LEADER_UP, SCALE), CHOSEN)
    assert audit.epsilon <= champion(SCALE).map(D_IN), str(audit)


def test_champion_audit_catches_scale_divided_by_one_and_a_half() -> None:
    """With 1.5x too little noise the trailing member's chance drops by e^1.5: the audit must see it."""
    broken = SCALE / 1.5
    audit = epsilon_lower_bound(selections(TIED, broken), selections(LEADER_UP, broken), CHOSEN)
    assert audit.epsilon > champion(SCALE).map(D_IN), str(audit)


def test_two_totals_moving_apart_would_break_the_monotone_charge() -> None:
    """The monotone discount is sound only because a member-day moves one total: two moving apart leak 2x."""
    audit = epsilon_lower_bound(selections(TIED, SCALE), selections(APART, SCALE), CHOSEN)
    assert audit.epsilon > champion(SCALE).map(D_IN), str(audit)
    assert audit.epsilon <= champion(SCALE, monotonic=False).map(D_IN), str(audit)
