"""The catalog: one entry per statistic, holding every fact about it that is not data.

The grid it reads, how it groups the grid's cells, what it counts in each group, the noise it gets,
the units and range of its values: the engine, the layout and the measurements dispatch on these facts
instead of on the statistic's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from privacy.constraints import DAILY_STEPS_BOUNDS, HOURLY_STEPS_BOUNDS
from privacy.queries import QueryId, QuerySpec


class Groups(StrEnum):
    """How a statistic groups the grid: every key is public (roster, calendar or constants)."""

    WINDOW = "the whole window"
    BUCKET = "week or month"
    WEEKDAY = "day of the week"
    HOUR = "hour of the day"
    BIN = "fixed step bins"
    MEMBER = "member"


class Counted(StrEnum):
    """What a group's noisy total adds up."""

    STEPS = "clamped steps"
    GOAL_DAYS = "member-days at or above the goal"
    CELLS = "member-days in the bin"


class Noise(StrEnum):
    """Which OpenDP measurement makes the release."""

    CORE_SUM = "core chain: clamp, sum, discrete Laplace"
    FRAME = "polars plan: grouped sums or counts, discrete Laplace"
    NOISY_MAX = "report noisy max"


@dataclass(frozen=True)
class Statistic:
    """One statistic of the catalog."""

    query: QueryId
    groups: Groups
    counted: Counted
    noise: Noise
    value_unit: str
    """The units of its values, for axis labels."""
    hourly: bool = False
    """Reads the hourly grid (one row per member-day, a column per hour) instead of the daily one."""

    @property
    def choice(self) -> bool:
        """A choice among members, not an estimate: it has no interval to sharpen or aim for."""
        return self.noise is Noise.NOISY_MAX

    @property
    def share(self) -> bool:
        """Its values are shares of member-days, in [0, 1]."""
        return self.counted is not Counted.STEPS

    @property
    def bounds(self) -> tuple[int, int]:
        """Clamp bounds of one grid cell."""
        return HOURLY_STEPS_BOUNDS if self.hourly else DAILY_STEPS_BOUNDS

    @property
    def value_range(self) -> tuple[float, float]:
        """Where every true value lies: clipping a value or an interval to it never uncovers the truth."""
        if self.share or self.choice:
            return 0.0, 1.0
        return float(self.bounds[0]), float(self.bounds[1])


PER_DAY = "steps per member-day"

CATALOG: Mapping[QueryId, Statistic] = {
    QueryId.FAMILY_AVERAGE: Statistic(
        QueryId.FAMILY_AVERAGE, Groups.WINDOW, Counted.STEPS, Noise.CORE_SUM, PER_DAY
    ),
    QueryId.TREND: Statistic(QueryId.TREND, Groups.BUCKET, Counted.STEPS, Noise.FRAME, PER_DAY),
    QueryId.GOAL_ATTAINMENT: Statistic(
        QueryId.GOAL_ATTAINMENT, Groups.BUCKET, Counted.GOAL_DAYS, Noise.FRAME, "share of member-days"
    ),
    QueryId.DISTRIBUTION: Statistic(
        QueryId.DISTRIBUTION, Groups.BIN, Counted.CELLS, Noise.FRAME, "share of member-days"
    ),
    QueryId.WEEKDAY: Statistic(QueryId.WEEKDAY, Groups.WEEKDAY, Counted.STEPS, Noise.FRAME, PER_DAY),
    QueryId.HOUR_OF_DAY: Statistic(
        QueryId.HOUR_OF_DAY,
        Groups.HOUR,
        Counted.STEPS,
        Noise.FRAME,
        "steps in the hour per member-day",
        hourly=True,
    ),
    QueryId.CHAMPION: Statistic(
        QueryId.CHAMPION,
        Groups.MEMBER,
        Counted.STEPS,
        Noise.NOISY_MAX,
        "chosen (1) or not (0)",
    ),
}


def statistic(spec: QuerySpec) -> Statistic:
    """The catalog entry of `spec`.

    >>> statistic(QuerySpec("hour_of_day")).hourly, statistic(QuerySpec("champion")).choice
    (True, True)
    """
    return CATALOG[spec.query]
