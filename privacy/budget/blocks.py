"""Budget blocks: the unit of lifetime accounting follows the privacy unit, and new days bring new blocks.

Every family statistic reads every member on the roster, so a calendar day (or ISO week) holds the same
charge for each member: accounting per calendar block for the whole family equals accounting per
member-day, and is conservative for a release that left a member out.
"""

from __future__ import annotations

from datetime import date

from privacy.engine.calendar import days_between, week_start
from privacy.queries import PrivacyUnit

WHOLE_HISTORY = "member"
"""The one block of the whole-member unit: a member's entire history shares a single lifetime budget."""


def block_of(day: date, unit: PrivacyUnit) -> str:
    """The block a day's data belong to: the day, its ISO week's Monday, or the whole history.

    >>> day = date(2026, 11, 4)
    >>> block_of(day, PrivacyUnit.MEMBER_DAY), block_of(day, PrivacyUnit.MEMBER_WEEK)
    ('2026-11-04', 'week of 2026-11-02')
    """
    unit = PrivacyUnit(unit)
    if unit is PrivacyUnit.MEMBER_DAY:
        return day.isoformat()
    if unit is PrivacyUnit.MEMBER_WEEK:
        return f"week of {week_start(day).isoformat()}"
    return WHOLE_HISTORY


def blocks_between(first: date, last: date, unit: PrivacyUnit) -> tuple[str, ...]:
    """Every block a window touches, oldest first, each once: a release charges all of them.

    >>> blocks_between(date(2026, 11, 1), date(2026, 11, 3), PrivacyUnit.MEMBER_WEEK)
    ('week of 2026-10-26', 'week of 2026-11-02')
    """
    return tuple(dict.fromkeys(block_of(day, unit) for day in days_between(first, last)))


def day_blocks(first: date, last: date, unit: PrivacyUnit) -> tuple[tuple[date, str], ...]:
    """Each day of a range with its block, for the per-day budget calendar.

    >>> day_blocks(date(2026, 11, 1), date(2026, 11, 1), PrivacyUnit.MEMBER_DAY)
    ((datetime.date(2026, 11, 1), '2026-11-01'),)
    """
    return tuple((day, block_of(day, unit)) for day in days_between(first, last))
