"""Calendar periods of the family plan: weeks, 4-week runs, quarters and years. Public and data-free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from privacy.engine.calendar import week_start

FOUR_WEEK_EPOCH = date(2024, 1, 1)
"""A Monday: 4-week periods count from it, so every family cuts the calendar the same way."""


class Cadence(StrEnum):
    """How often a product of the family plan is released: one release per complete period."""

    WEEK = "week"
    FOUR_WEEKS = "4 weeks"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A run of whole days, both ends inclusive: what a shared release is about."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period ends on or after its first day, got {self.first}..{self.last}")

    @property
    def days(self) -> int:
        """Whole days in the period."""
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def period_of(day: date, cadence: Cadence) -> Period:
    """The period of `cadence` holding `day`.

    >>> str(period_of(date(2026, 11, 4), Cadence.WEEK))
    '2026-11-02 to 2026-11-08'
    >>> str(period_of(date(2026, 11, 4), Cadence.QUARTER))
    '2026-10-01 to 2026-12-31'
    >>> str(period_of(date(2024, 1, 29), Cadence.FOUR_WEEKS))
    '2024-01-29 to 2024-02-25'
    """
    if cadence is Cadence.WEEK:
        first = week_start(day)
        return Period(first, first + timedelta(days=6))
    if cadence is Cadence.FOUR_WEEKS:
        first = FOUR_WEEK_EPOCH + timedelta(days=(day - FOUR_WEEK_EPOCH).days // 28 * 28)
        return Period(first, first + timedelta(days=27))
    if cadence is Cadence.QUARTER:
        month = (day.month - 1) // 3 * 3 + 1
        following = date(day.year + 1, 1, 1) if month == 10 else date(day.year, month + 3, 1)
        return Period(date(day.year, month, 1), following - timedelta(days=1))
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def previous(period: Period, cadence: Cadence) -> Period:
    """The period of the same cadence just before `period`.

    >>> str(previous(period_of(date(2026, 1, 5), Cadence.QUARTER), Cadence.QUARTER))
    '2025-10-01 to 2025-12-31'
    """
    return period_of(period.first - timedelta(days=1), cadence)


def latest_ended(today: date, cadence: Cadence) -> Period:
    """The newest period of `cadence` that ended before `today`: today itself is never complete.

    >>> str(latest_ended(date(2026, 11, 9), Cadence.WEEK))
    '2026-11-02 to 2026-11-08'
    """
    return previous(period_of(today, cadence), cadence)


def recent(today: date, cadence: Cadence, count: int) -> tuple[Period, ...]:
    """The `count` newest ended periods, oldest first.

    >>> [str(p.first) for p in recent(date(2026, 11, 9), Cadence.WEEK, 2)]
    ['2026-10-26', '2026-11-02']
    """
    periods = [latest_ended(today, cadence)]
    while len(periods) < count:
        periods.append(previous(periods[-1], cadence))
    return tuple(reversed(periods))
