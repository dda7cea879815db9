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

DEFAULT_LIFETIME_EPSILON = 3.0
"""Each block's budget for life, never renewed: within the 1.7-2.6 per user-day of deployed systems
plus a reserve for questions; the default plan spends 2.5 of it on shared figures."""

LIFETIME_EPSILON_RANGE = (0.1, 10.0)
"""Below 0.1 no figure is readable; above 10 a day's guarantee (e^10) says almost nothing."""

DEFAULT_SETTLE_DAYS = 7
"""A period ended this many days ago is released without the members who have not imported it yet."""

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
