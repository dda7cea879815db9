"""Public calendar arithmetic: windows, week and month buckets, weekdays. Pure, data-free."""

from __future__ import annotations

from datetime import date, timedelta

from privacy.queries import Bucket

WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Day-of-week labels in ISO order (Monday first), the weekday query's public group keys."""


def window(last: date, days: int) -> tuple[date, date]:
    """First and last day of a window of `days` days ending on `last`, inclusive at both ends.

    >>> window(date(2026, 3, 7), 7)
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 7))
    """
    if days < 1:
        raise ValueError(f"a window holds at least one day, got {days}")
    return last - timedelta(days=days - 1), last


def days_between(first: date, last: date) -> tuple[date, ...]:
    """Every day from `first` to `last` inclusive; empty when `last` is before `first`.

    >>> len(days_between(date(2024, 2, 1), date(2024, 3, 1)))
    30
    """
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def week_start(day: date) -> date:
    """Monday of the week holding `day`: the trend buckets by it, so a week may begin last year.

    >>> week_start(date(2026, 1, 1))
    datetime.date(2025, 12, 29)
    >>> week_start(date(2025, 12, 29))
    datetime.date(2025, 12, 29)
    """
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """First day of the month holding `day`.

    >>> month_start(date(2024, 2, 29))
    datetime.date(2024, 2, 1)
    """
    return day.replace(day=1)


def bucket_start(day: date, bucket: Bucket) -> date:
    """Start of the week (Monday) or month (the 1st) holding `day`: the bucket's public label.

    >>> bucket_start(date(2026, 3, 1), Bucket.WEEK), bucket_start(date(2026, 3, 1), Bucket.MONTH)
    (datetime.date(2026, 2, 23), datetime.date(2026, 3, 1))
    """
    return week_start(day) if bucket is Bucket.WEEK else month_start(day)


def bucket_index(days: tuple[date, ...], bucket: Bucket) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The distinct bucket starts in calendar order, and each day's position among them.

    A partial first or last bucket keeps its own start as label (a week may start before the window);
    its denominator counts only the window's days, so the value stays a per-member-day mean.

    >>> starts, index = bucket_index(days_between(date(2026, 2, 27), date(2026, 3, 3)), Bucket.WEEK)
    >>> [d.isoformat() for d in starts], index
    (['2026-02-23', '2026-03-02'], (0, 0, 0, 1, 1))
    """
    starts: list[date] = []
    index: list[int] = []
    for day in days:
        start = bucket_start(day, bucket)
        if not starts or starts[-1] != start:
            starts.append(start)
        index.append(len(starts) - 1)
    return tuple(starts), tuple(index)


def weekday_counts(days: tuple[date, ...]) -> tuple[int, ...]:
    """How many of `days` fall on each weekday, Monday first: the weekday query's denominators.

    >>> weekday_counts(days_between(date(2026, 3, 2), date(2026, 3, 10)))
    (2, 2, 1, 1, 1, 1, 1)
    """
    counts = [0] * 7
    for day in days:
        counts[day.weekday()] += 1
    return tuple(counts)
