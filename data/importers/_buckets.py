"""Hourly and daily buckets: where every importer's records end up before they become StepSamples.

Local wall-clock time is handled as integer seconds on the proleptic day count (`date.toordinal`):
no zone applies to it, and integer arithmetic keeps the hot paths cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from data.importers._checks import MAX_STEPS_PER_DAY, MAX_STEPS_PER_HOUR, BadValue
from data.model import BadInput, StepSample

HOUR = 3600
DAY = 86_400
ONE_HOUR = timedelta(hours=1)
ONE_DAY = timedelta(days=1)


def local_seconds(moment: datetime) -> int:
    """Wall-clock seconds of a naive (or offset-dropped) datetime on the day count.

    >>> local_seconds(datetime(1, 1, 1, 0, 1)) - DAY
    60
    """
    return moment.toordinal() * DAY + moment.hour * HOUR + moment.minute * 60 + moment.second


def hour_start(hour: int) -> datetime:
    """Naive start of an hour number (local seconds // HOUR).

    >>> hour_start(local_seconds(datetime(2024, 3, 31, 2, 30)) // HOUR)
    datetime.datetime(2024, 3, 31, 2, 0)
    """
    return datetime.fromordinal(hour // 24) + timedelta(hours=hour % 24)


class HourlyTotals:
    """Steps per local hour of one stream; a record spanning hours is split in proportion to time."""

    def __init__(self) -> None:
        self.steps: defaultdict[int, float] = defaultdict(float)

    def add(self, start: int, end: int, steps: float) -> None:
        """Add a record over [start, end) local seconds; an instant (end <= start) lands in its hour."""
        if end <= start:
            self._put(start // HOUR, steps)
            return
        for hour in range(start // HOUR, (end - 1) // HOUR + 1):
            overlap = min(end, (hour + 1) * HOUR) - max(start, hour * HOUR)
            self._put(hour, steps * overlap / (end - start))

    def _put(self, hour: int, steps: float) -> None:
        total = self.steps[hour] + steps
        if total > MAX_STEPS_PER_HOUR + 0.5:
            raise BadValue(f"more than {MAX_STEPS_PER_HOUR:,} steps in the hour from {hour_start(hour)}")
        self.steps[hour] = total


def hourly_samples(file: str, hours: Iterable[tuple[int, float]], source: str) -> tuple[StepSample, ...]:
    """Hour buckets as StepSamples, rounded so the file's total survives; empty hours are left out.

    Rounding is cumulative in time order (each bucket gets round(running total) minus what earlier
    buckets got), so fractions from split records never add up to a drift in the day total.
    """
    samples: list[StepSample] = []
    per_day: defaultdict[int, int] = defaultdict(int)
    running, shown = 0.0, 0
    for hour, steps in sorted(hours):
        running += steps
        count = round(running) - shown
        shown += count
        if count > MAX_STEPS_PER_HOUR:
            raise BadInput(file, f"hour {hour_start(hour)}", f"more than {MAX_STEPS_PER_HOUR:,} steps")
        if count:
            start = hour_start(hour)
            samples.append(StepSample(start, start + ONE_HOUR, count, source))
            per_day[hour // 24] += count
    for day, total in per_day.items():
        if total > MAX_STEPS_PER_DAY:
            where = f"day {date.fromordinal(day).isoformat()}"
            raise BadInput(file, where, f"more than {MAX_STEPS_PER_DAY:,} steps in one day")
    return tuple(samples)


def daily_samples(days: Mapping[date, float], source: str) -> tuple[StepSample, ...]:
    """Day buckets as StepSamples (midnight to midnight); a day written as 0 steps stays 0."""
    samples = []
    for day in sorted(days):
        start = datetime(day.year, day.month, day.day)
        samples.append(StepSample(start, start + ONE_DAY, round(days[day]), source))
    return tuple(samples)
