"""What both Apple parsers agree on: the step type, the date forms, and the limits on what they hold."""

from __future__ import annotations

import re
from datetime import date

from data.importers._buckets import DAY, HOUR
from data.importers._checks import BadValue

STEP_TYPE = "HKQuantityTypeIdentifierStepCount"
CHUNK = 2 << 20
MAX_TOKEN = 1 << 20
"""A tag or comment still open after this many bytes is refused: expat re-scans an open token per chunk."""
CLOCKS = {f":{m:02}:{s:02}": m * 60 + s for m in range(60) for s in range(60)}
MAX_OFFSET = 14 * HOUR
_MOMENT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):[0-9]{2}:[0-9]{2}(?: ([+-])([0-9]{2})([0-9]{2}))?"
)
COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2}) ?([+-][0-9]{4})?")
"""iOS 8-era dates: `20150101123000+0100`."""


def moment(text: str) -> tuple[int, int]:
    """(local seconds, offset seconds) of `YYYY-MM-DD HH:MM:SS ±HHMM` (or iOS 8's compact form)."""
    standard = standard_form(text)
    match = _MOMENT.fullmatch(standard)
    if match is None:
        raise BadValue("the date is not in the form YYYY-MM-DD HH:MM:SS ±HHMM")
    if match.group(3) is None:
        raise BadValue("the date has no timezone offset")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise BadValue("the date is not a real calendar day") from None
    hour, clock = int(match.group(2)), CLOCKS.get(standard[13:19])
    sign, off_h, off_m = match.group(3, 4, 5)
    offset = (int(off_h) * HOUR + int(off_m) * 60) * (-1 if sign == "-" else 1)
    if hour > 23 or clock is None or int(off_m) > 59 or abs(offset) > MAX_OFFSET:
        raise BadValue("the date or its timezone offset is out of range")
    return day.toordinal() * DAY + hour * HOUR + clock, offset


def exported(value: str | None) -> tuple[int, date] | None:
    """`<ExportDate value=...>` as (its absolute second, its local day), or None when it is no date."""
    try:
        local, offset = moment(value or "")
    except BadValue:
        return None
    return local - offset, date.fromordinal(local // DAY)


def standard_form(text: str) -> str:
    """IOS 8's compact `20150101123000+0100` in today's form; any other text unchanged.

    >>> standard_form("20150101123000+0100")
    '2015-01-01 12:30:00 +0100'
    """
    match = COMPACT.fullmatch(text)
    if match is None:
        return text
    year, month, day, hour, minute, second, offset = match.groups()
    return f"{year}-{month}-{day} {hour}:{minute}:{second}" + (f" {offset}" if offset else "")
