"""Every privacy constant in one place, each with the reason it has the value it has."""

from __future__ import annotations

MICRO = 1_000_000
"""Epsilon is stored as integer micro-units: exact sums in the ledger, no float drift."""

HARD_MAX_EPSILON_PER_VIEW = 2.0
"""No setting may let one view spend more: above 2 a single release says little that is private."""

DEFAULT_MAX_EPSILON_PER_VIEW = 1.0
"""The slider's default cap: one view leaks at most e^1 ~ 2.7x in likelihood about any unit."""

MIN_EPSILON_PER_VIEW = 0.01
"""Below this the noise swamps any family figure; refusing saves the viewer a useless spend."""

DEFAULT_BUDGET_PER_PERIOD = 10.0
"""A viewer's total per period: about twenty views at 0.5, renewed each period."""

DEFAULT_PERIOD_DAYS = 30
"""The budget renews monthly: long enough to bound what one viewer learns, short enough to be useful."""

DEFAULT_MEMBER_CAP = 30.0
"""Total spent about any one member across all viewers per period: family members pool notes."""

DAILY_STEPS_BOUNDS = (0, 25_000)
"""Per member-day clamp: covers all but marathon days; the upper bound is the sum's sensitivity."""

HOURLY_STEPS_BOUNDS = (0, 3_000)
"""Per member-hour clamp for hour-of-day queries: a typical busy hour stays under 3,000."""

DEFAULT_STEP_GOAL = 8_000
"""Goal attainment's default threshold: a common public-health target."""

HISTOGRAM_EDGES = (0, 2_500, 5_000, 7_500, 10_000, 12_500, 15_000, 20_000, 25_000)
"""Fixed, public bin edges for the distribution (steps per day; the last bin holds 20k-25k after clamping)."""

ALPHA = 0.05
"""Intervals are 95%: the stated chance that the true value lies outside is 5%."""

WINDOWS_DAYS = (7, 30, 90, 365)
"""Windows the catalog offers; a window is public, so fixed choices reveal nothing."""
