"""The catalog: each statistic is a frozen, hashable spec that holds no data and checks itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from privacy.constraints import DEFAULT_STEP_GOAL, WINDOWS_DAYS

E = TypeVar("E", bound=StrEnum)


class QueryId(StrEnum):
    """Catalog ids, shared by the CLI and the dashboard."""

    FAMILY_AVERAGE = "family_average"
    TREND = "trend"
    GOAL_ATTAINMENT = "goal_attainment"
    DISTRIBUTION = "distribution"
    WEEKDAY = "weekday"
    HOUR_OF_DAY = "hour_of_day"
    CHAMPION = "champion"


class Bucket(StrEnum):
    """Time bucket of a series query: weekly buckets start on Monday, monthly on the 1st."""

    WEEK = "week"
    MONTH = "month"


class PrivacyUnit(StrEnum):
    """Who is protected: the neighbouring datasets differ in one of these."""

    MEMBER_DAY = "member-day"
    MEMBER_WEEK = "member-week"
    MEMBER = "member"


UNIT_WORDS = {
    PrivacyUnit.MEMBER_DAY: "any one member's steps on any one day",
    PrivacyUnit.MEMBER_WEEK: "any one member's steps over any one calendar week",
    PrivacyUnit.MEMBER: "any one member's whole record in the window",
}
"""The privacy unit in words, stated on every release."""


class InvalidQuery(ValueError):
    """A spec the catalog does not offer: refused before any data or budget is touched."""


@dataclass(frozen=True)
class QuerySpec:
    """One catalog statistic; being hashable and data-free, it is the replay key."""

    query: QueryId
    """Which statistic."""
    window_days: int | None = 30
    """How many days back from the family's covered date (inclusive), one of the catalog's fixed windows;
    None when the question names its dates (a calendar period or a custom range)."""
    bucket: Bucket = Bucket.WEEK
    """Series bucket for trend and goal attainment; ignored (normalised to WEEK) elsewhere."""
    goal: int = DEFAULT_STEP_GOAL
    """Step goal for goal attainment; ignored (normalised to the default) elsewhere."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", _coerce(QueryId, self.query, "query"))
        object.__setattr__(self, "bucket", _coerce(Bucket, self.bucket, "bucket"))
        if self.window_days is not None and self.window_days not in WINDOWS_DAYS:
            raise InvalidQuery(f"window must be one of {WINDOWS_DAYS} days, got {self.window_days!r}")
        if not isinstance(self.goal, int) or not 1_000 <= self.goal <= 25_000:
            raise InvalidQuery(f"goal must be a whole number of steps in 1000..25000, got {self.goal!r}")
        if self.query not in (QueryId.TREND, QueryId.GOAL_ATTAINMENT):
            object.__setattr__(self, "bucket", Bucket.WEEK)
        if self.query is not QueryId.GOAL_ATTAINMENT:
            object.__setattr__(self, "goal", DEFAULT_STEP_GOAL)

    @property
    def key(self) -> str:
        """Canonical text form, stored in the ledger as the replay key.

        >>> QuerySpec("family_average", 7, bucket="month").key, QuerySpec("trend", None).key
        ('family_average/7/week/8000', 'trend/dates/week/8000')
        """
        window = "dates" if self.window_days is None else self.window_days
        return f"{self.query.value}/{window}/{self.bucket.value}/{self.goal}"


def _coerce(kind: type[E], value: object, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InvalidQuery(f"unknown {field} {value!r}") from None
