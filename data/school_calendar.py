"""A fixed, rule-based English-style school and work calendar: the demo family's weeks follow it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Western Easter (anonymous Gregorian rule): the spring holidays move with it, so it is computed.

    >>> easter_sunday(2025), easter_sunday(2026)
    (datetime.date(2025, 4, 20), datetime.date(2026, 4, 5))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _last_monday(year: int, month: int) -> date:
    """Last Monday of a month: English half-terms and bank holidays hang on it.

    >>> _last_monday(2025, 5)
    datetime.date(2025, 5, 26)
    """
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _span(first: date, days: int) -> set[date]:
    return {first + timedelta(days=n) for n in range(days)}


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """Public holidays off work and school (England's list, with weekend ones not moved)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            _first_monday(year, 5),
            _last_monday(year, 5),
            _last_monday(year, 8),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


@cache
def school_holidays(year: int) -> frozenset[date]:
    """Three terms with half-terms: Christmas, Feb half-term, Easter fortnight, May half-term, summer, Oct."""
    easter = easter_sunday(year)
    feb_half_term = _first_monday(year, 2) + timedelta(days=14)
    days = (
        _span(date(year, 1, 1), 4)
        | _span(feb_half_term, 5)
        | _span(easter - timedelta(days=6), 14)
        | _span(_last_monday(year, 5), 5)
        | _span(date(year, 7, 22), 43)
        | _span(_last_monday(year, 10), 5)
        | _span(date(year, 12, 20), 12)
    )
    return frozenset(days)


@cache
def annual_leave(year: int) -> frozenset[date]:
    """The working parent's leave: Easter week, a fortnight from the first Monday of August, Christmas."""
    easter = easter_sunday(year)
    days = (
        _span(easter - timedelta(days=6), 5)
        | _span(_first_monday(year, 8), 12)
        | _span(date(year, 12, 24), 8)
        | _span(date(year, 1, 1), 2)
    )
    return frozenset(days)


def is_school_day(day: date) -> bool:
    """A weekday in term time that is not a bank holiday.

    >>> is_school_day(date(2026, 10, 28)), is_school_day(date(2026, 10, 21))
    (False, True)
    """
    return day.weekday() < 5 and day not in school_holidays(day.year) and day not in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A weekday the commuting parent goes to the office: not a bank holiday, not annual leave."""
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in annual_leave(day.year)
