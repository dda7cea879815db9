"""Interval step records before de-duplication (Apple, Health Connect), and the records skipped as impossible.

A genuine export holds the odd impossible record (a clock glitch dated years ahead, a sample spanning
a month): it is skipped and counted by reason, and the rest imports. Only a file that is not an
export at all is refused whole.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from data.importers._buckets import DAY, HOUR
from data.importers._checks import EARLIEST_DAY, MAX_STEPS_PER_DAY, MAX_STEPS_PER_HOUR

FUTURE = "dated after the export was made"
ANCIENT = f"dated before {EARLIEST_DAY.year}"
BACKWARDS = "ending before they start"
TOO_LONG = "spanning more than a day"
TOO_MANY = "more steps than a person takes in that time"
NOT_A_COUNT = "without a valid step count"
EARLIEST = EARLIEST_DAY.toordinal() * DAY
LATEST_OFFSET = 14 * HOUR
"""The furthest any zone is ahead of UTC: a moment on 'today' anywhere is before this past midnight UTC."""


def latest_moment(today: date) -> int:
    """The last absolute second of `today` in any time zone."""
    return (today.toordinal() + 1) * DAY + LATEST_OFFSET


@dataclass(frozen=True)
class RawSteps:
    """Step records as parallel typed arrays (28 bytes a record; objects would cost ~200)."""

    start: array[int]
    """Absolute start, in seconds on the day count (local wall clock minus its offset)."""
    end: array[int]
    offset: array[int]
    """Offset of the start's wall clock from UTC, in seconds: local start = start + offset."""
    steps: array[float]
    """float32: exact for whole counts, ample for the rare fractional one."""
    source: array[int]
    """Index into `sources` (in insertion order)."""
    sources: dict[tuple[str, str | None], int]
    """(source name, stable device description or None) -> index."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Records skipped as impossible, by reason."""

    @classmethod
    def empty(cls) -> RawSteps:
        return cls(array("q"), array("q"), array("i"), array("f"), array("i"), {})

    def add(self, start: int, end: int, offset: int, steps: float, source: int, latest: int) -> None:
        """Keep a record, or count it as skipped when it is impossible (see `impossible`)."""
        reason = impossible(start, end, steps, latest)
        if reason:
            self.skipped[reason] += 1
            return
        self.start.append(start)
        self.end.append(end)
        self.offset.append(offset)
        self.steps.append(steps)
        self.source.append(source)


def impossible(start: int, end: int, steps: float, latest: int) -> str | None:
    """Why a record cannot be true, or None; `latest` is the export's own moment (absolute seconds).

    >>> impossible(0, DAY + 1, 5.0, 10**12)
    'spanning more than a day'
    """
    if not (math.isfinite(steps) and steps >= 0):
        return NOT_A_COUNT
    if end < start:
        return BACKWARDS
    if end - start > DAY:
        return TOO_LONG
    if start > latest:
        return FUTURE
    if start < EARLIEST:
        return ANCIENT
    # More than an hour's limit in one record is fine only if it lasts long enough to stay under it.
    if steps > MAX_STEPS_PER_DAY or (
        steps > MAX_STEPS_PER_HOUR and steps * HOUR > MAX_STEPS_PER_HOUR * (end - start)
    ):
        return TOO_MANY
    return None


def skipped_note(skipped: Counter[str]) -> tuple[str, ...]:
    """The summary's words for skipped records, or nothing."""
    if not skipped:
        return ()
    return (f"Skipped {skipped.total():,} impossible records (the rest was imported): {reasons(skipped)}.",)


def reasons(skipped: Counter[str]) -> str:
    """`3 dated after the export was made; 1 spanning more than a day`, most frequent first."""
    return "; ".join(f"{count:,} {reason}" for reason, count in skipped.most_common())
