"""Value checks shared by every importer: bad values are refused, never clamped or repaired.

Messages never quote the offending text: an error may be shown or logged beyond its owner, and a
value planted in a file must not travel with it.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date


class BadValue(ValueError):
    """A value Hearth's own checks refuse; its message never quotes the offending text."""


MAX_STEPS_PER_HOUR = 30_000
"""Well above an elite runner's cadence (~11,000 an hour): more is a broken file, not a walk."""
MAX_STEPS_PER_DAY = 100_000
"""A marathon is ~50,000 steps; a day total above this is refused."""
MAX_SOURCE_CHARS = 64
"""Source names are shown in the UI: long enough for a device name, too short for a payload."""
EARLIEST_DAY = date(2000, 1, 1)
"""No step-count export reaches back this far; it also bounds how many buckets a file can make."""
UNKNOWN_SOURCE = "unknown source"


def parse_steps(text: str | None) -> float:
    """A step count as written in a file; refuses blanks, NaN, infinities, negatives and absurd values.

    >>> parse_steps(" 12 ")
    12.0
    """
    if text is None or not text.strip():
        raise BadValue("the step count is missing")
    try:
        value = float(text)
    except ValueError:
        raise BadValue("the step count is not a number") from None
    return check_steps(value)


def check_steps(value: float) -> float:
    """Range check of a numeric step count (JSON may carry numbers, not text)."""
    if not math.isfinite(value):
        raise BadValue("the step count is not a finite number")
    if value < 0:
        raise BadValue("the step count is negative")
    if value > MAX_STEPS_PER_DAY:
        raise BadValue(f"the step count is implausibly large (over {MAX_STEPS_PER_DAY:,} in one record)")
    return value


def parse_day(text: str, today: date) -> date:
    """A `YYYY-MM-DD` day within range; the message names the problem, never the text.

    >>> parse_day("2024-02-30", date(2026, 1, 1))
    Traceback (most recent call last):
    ...
    data.importers._checks.BadValue: the date is not a real calendar day in the form YYYY-MM-DD
    """
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadValue("the date is not a real calendar day in the form YYYY-MM-DD") from None
    return check_day(day, today)


def check_day(day: date, today: date) -> date:
    """Refuse dates after `today` (a clock or file error, never data) or before 2000."""
    if day < EARLIEST_DAY:
        raise BadValue(f"the date is before {EARLIEST_DAY.year}: no step-count export goes back that far")
    if day > today:
        raise BadValue(f"the date is in the future (after {today.isoformat()})")
    return day


def clean_label(text: str, limit: int = MAX_SOURCE_CHARS) -> str:
    r"""Drop control, format (bidi overrides, zero-width) and unassigned characters, then cap the length.

    Angle brackets stay: escaping is the display's job, and mangling here would hide what the file said.

    >>> clean_label("Anna\u202e's Watch\n")
    "Anna's Watch"
    """
    head = text[: limit * 16]
    kept = "".join(" " if ch.isspace() else ch for ch in head if not unicodedata.category(ch).startswith("C"))
    cleaned = " ".join(kept.split())[:limit].strip()
    return cleaned or UNKNOWN_SOURCE
