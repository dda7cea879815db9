"""Samsung Health `com.samsung.shealth.step_daily_trend.*.csv`: one row per day and device stream.

The first line is metadata, the second the header (column names may carry a `com.samsung...` prefix).
`day_time` is epoch milliseconds at UTC midnight of the day. Rows with `source_type == -2` are Samsung's
own all-devices total: when present only they are kept, since adding device rows would double count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import BinaryIO

from data.importers._buckets import daily_samples
from data.importers._checks import BadValue, check_day, parse_steps
from data.importers._source import NO_RECORDS, Context, csv_rows, field, located
from data.model import ParsedImport

SOURCE = "samsung-health"
ALL_DEVICES = "-2"
COLUMNS = ("day_time", "count", "source_type")
MAX_MILLIS = 253_402_300_800_000
"""Year 10000 in epoch milliseconds: anything later cannot be a date."""


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Daily totals: the all-devices rows if any, else the largest device total of each day."""
    rows = csv_rows(stream, ctx)
    next(rows)
    columns = _columns(*next(rows, (2, [])), ctx)
    read = [_record(row, line, columns, ctx) for line, row in rows if "".join(row).strip()]
    if not read:
        raise ctx.bad("whole file", NO_RECORDS)
    totals = [(day, steps) for kind, day, steps in read if kind == ALL_DEVICES]
    notes: tuple[str, ...] = ()
    if not totals:
        totals = [(day, steps) for _, day, steps in read]
        notes = ("No all-devices rows: each day's largest single-device total was kept.",)
    days: dict[date, float] = {}
    for day, steps in totals:
        days[day] = max(steps, days.get(day, 0.0))
    return ParsedImport("samsung", daily_samples(days, SOURCE), len(read), len(read) - len(days), notes)


def _columns(line: int, header: list[str], ctx: Context) -> tuple[int, int, int]:
    """Positions of day_time, count and source_type, matched without any `com.samsung...` prefix."""
    names = [name.strip().rsplit(".", 1)[-1].lower() for name in header]
    for name in COLUMNS:
        if name not in names:
            raise ctx.bad(f"line {line}", f"missing column '{name}'")
    day_at, count_at, kind_at = (names.index(name) for name in COLUMNS)
    return day_at, count_at, kind_at


def _record(row: list[str], line: int, at: tuple[int, int, int], ctx: Context) -> tuple[str, date, float]:
    """(source_type, UTC day, steps) of one row."""
    day_at, count_at, kind_at = at
    with located(ctx, f"line {line}, field 'day_time'"):
        millis = int(field(row, day_at, "day_time", line, ctx).strip())
        if not 0 <= millis < MAX_MILLIS:
            raise BadValue("the day_time is out of range")
        day = check_day(datetime.fromtimestamp(millis // 1000, UTC).date(), ctx.today)
    with located(ctx, f"line {line}, field 'count'"):
        steps = parse_steps(field(row, count_at, "count", line, ctx))
    return field(row, kind_at, "source_type", line, ctx).strip(), day, steps
