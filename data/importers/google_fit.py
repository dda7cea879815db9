"""Google Fit Takeout CSVs: `Daily activity metrics.csv` (daily), per-day `YYYY-MM-DD.csv` (15-min rows).

Headers are localised in non-English accounts; only the English names are known, and a missing one
is named in the error. Google leaves the step cell blank when nothing was counted: a blank is no data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

from data.importers._buckets import DAY, HourlyTotals, daily_samples, hourly_samples
from data.importers._checks import BadValue, parse_day, parse_steps
from data.importers._source import NO_RECORDS, Context, column_index, csv_rows, field, located
from data.model import ParsedImport

SOURCE = "google-fit"
STEPS = "Step count"
_DAY_FILE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.csv", re.IGNORECASE)
_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?")


def parse_daily(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """One row per day: `Date` and `Step count`; a day given twice is refused."""
    days: dict[date, float] = {}
    seen: dict[date, int] = {}
    for line, cells in _rows(stream, ctx, ("Date", STEPS)):
        when, steps = cells
        with located(ctx, f"line {line}, field 'Date'"):
            day = parse_day(when.strip(), ctx.today)
            if day in seen:
                raise BadValue(f"the same date is already on line {seen[day]}")
        seen[day], days[day] = line, steps
    return ParsedImport("google-fit", daily_samples(days, SOURCE), len(days))


def parse_day_file(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """A day's 15-minute rows; the day itself is only in the file name, so the name must be kept."""
    named = _DAY_FILE.search(ctx.file)
    if named is None:
        raise ctx.bad("file name", "a Google Fit per-day file must keep its name YYYY-MM-DD.csv (the date)")
    with located(ctx, "file name"):
        midnight = parse_day(named.group(1), ctx.today).toordinal() * DAY
    totals = HourlyTotals()
    count = 0
    for line, (begin, end, steps) in _rows(stream, ctx, ("Start time", "End time", STEPS)):
        first = midnight + _clock(begin, f"line {line}, field 'Start time'", ctx)
        last = midnight + _clock(end, f"line {line}, field 'End time'", ctx)
        with located(ctx, f"line {line}, field '{STEPS}'"):
            totals.add(first, last if last > first else last + DAY, steps)
        count += 1
    return ParsedImport("google-fit", hourly_samples(ctx.file, totals.steps.items(), SOURCE), count)


def _rows(stream: BinaryIO, ctx: Context, columns: tuple[str, ...]) -> Iterator[tuple[int, list]]:
    """(line, [cells..., checked steps]) for rows whose step cell is not blank."""
    rows = csv_rows(stream, ctx)
    _, header = next(rows)
    where = [column_index(header, name, ctx) for name in columns]
    found = False
    for line, row in rows:
        cells = [field(row, at, name, line, ctx) for at, name in zip(where, columns, strict=True)]
        if not cells[-1].strip():
            continue
        with located(ctx, f"line {line}, field '{STEPS}'"):
            cells[-1] = parse_steps(cells[-1])
        found = True
        yield line, cells
    if not found:
        raise ctx.bad("whole file", NO_RECORDS)


def _clock(text: str, where: str, ctx: Context) -> int:
    """Seconds after midnight of `HH:MM:SS[.fff][±HH:MM]`; the offset is dropped (wall clock kept)."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59 or int(match.group(3)) > 59:
        raise ctx.bad(where, "the time is not in the form HH:MM:SS")
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60 + int(match.group(3))
