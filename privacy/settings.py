"""Privacy settings: one frozen value built at start-up from the environment and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass

from privacy.constraints import (
    DEFAULT_BUDGET_PER_PERIOD,
    DEFAULT_MAX_EPSILON_PER_VIEW,
    DEFAULT_MEMBER_CAP,
    DEFAULT_PERIOD_DAYS,
    HARD_MAX_EPSILON_PER_VIEW,
)
from privacy.queries import PrivacyUnit


@dataclass(frozen=True)
class PrivacySettings:
    """The knobs a family may set; every one is checked against the hard limits here."""

    unit: PrivacyUnit = PrivacyUnit.MEMBER_DAY
    """Who is protected (member-day by default, as in a classic family step dashboard)."""
    max_epsilon_per_view: float = DEFAULT_MAX_EPSILON_PER_VIEW
    """Safe maximum for one view; never above the hard maximum of 2.0."""
    budget_per_period: float = DEFAULT_BUDGET_PER_PERIOD
    """Each viewer's total epsilon per period."""
    period_days: int = DEFAULT_PERIOD_DAYS
    """Length of a budget period; periods start on the store's first day of use."""
    member_cap: float | None = DEFAULT_MEMBER_CAP
    """Total epsilon spent about the family across all viewers per period; None switches it off."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", PrivacyUnit(self.unit))
        if not 0 < self.max_epsilon_per_view <= HARD_MAX_EPSILON_PER_VIEW:
            raise ValueError(
                f"max epsilon per view must be in (0, {HARD_MAX_EPSILON_PER_VIEW}],"
                f" got {self.max_epsilon_per_view}"
            )
        if not 0 < self.budget_per_period < 1_000:
            raise ValueError(f"budget per period must be in (0, 1000), got {self.budget_per_period}")
        if not 1 <= self.period_days <= 366:
            raise ValueError(f"period must be 1..366 days, got {self.period_days}")
        if self.member_cap is not None and not 0 < self.member_cap < 10_000:
            raise ValueError(f"member cap must be positive, got {self.member_cap}")

    @classmethod
    def from_env(cls) -> PrivacySettings:
        """Read HEARTH_UNIT, HEARTH_MAX_EPSILON, HEARTH_BUDGET, HEARTH_PERIOD_DAYS, HEARTH_MEMBER_CAP."""
        env = os.environ
        cap = env.get("HEARTH_MEMBER_CAP", str(DEFAULT_MEMBER_CAP))
        return cls(
            unit=PrivacyUnit(env.get("HEARTH_UNIT", PrivacyUnit.MEMBER_DAY.value)),
            max_epsilon_per_view=float(env.get("HEARTH_MAX_EPSILON", DEFAULT_MAX_EPSILON_PER_VIEW)),
            budget_per_period=float(env.get("HEARTH_BUDGET", DEFAULT_BUDGET_PER_PERIOD)),
            period_days=int(env.get("HEARTH_PERIOD_DAYS", DEFAULT_PERIOD_DAYS)),
            member_cap=None if cap.lower() == "off" else float(cap),
        )
