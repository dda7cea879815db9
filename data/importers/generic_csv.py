"""Hearth's own CSV: `member,date,steps` (daily totals) or `member,timestamp,steps` (counts at moments).

The caller chooses the member; the `member` column is only checked to hold one name throughout, so a
file mixing two people is refused instead of merged into one person's data.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import date, datetime
from typing import BinaryIO

import numpy as np

from data.importers._buckets import HourlyTotals, daily_samples, hourly_samples, local_seconds
from data.importers._checks import BadValue, check_day, parse_day, parse_steps
from data.importers._source import NO_RECORDS, Context, column_index, csv_rows, field, located
from data.model import ParsedImport

SOURCE = "csv"
MAX_TIMESTAMP_BYTES = 128 << 20
"""Ten years of per-minute counts fit in ~120 MB; the repeat check keeps 28 bytes a row at its peak."""
NOTE = "The file's member column was checked, not used: the steps belong to the member chosen at import."


def parse_daily(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Daily totals; a day given twice is refused (which one would be right?)."""
    days: dict[date, float] = {}
    seen: dict[date, int] = {}
    for line, when, steps in _records(stream, ctx, "date"):
        with located(ctx, f"line {line}, field 'date'"):
            day = parse_day(when.strip(), ctx.today)
            if day in seen:
                raise BadValue(f"the same date is already on line {seen[day]}")
        seen[day], days[day] = line, steps
    return ParsedImport("csv-daily", daily_samples(days, SOURCE), len(days), notes=(NOTE,), sources=(SOURCE,))


def parse_timestamps(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Counts at ISO timestamps, bucketed by the local hour as written (any offset is dropped).

    A timestamp given twice is refused, as a date given twice is in the daily CSV: a repeated row
    would otherwise count twice. Timestamps are kept as 12 bytes a row to find repeats at the end.
    """
    if ctx.total > MAX_TIMESTAMP_BYTES:
        raise ctx.bad("whole file", f"a timestamp CSV over {MAX_TIMESTAMP_BYTES >> 20} MB: split it by year")
    totals, stamps, lines = HourlyTotals(), array("q"), array("i")
    for line, when, steps in _records(stream, ctx, "timestamp"):
        with located(ctx, f"line {line}, field 'timestamp'"):
            moment = datetime.fromisoformat(when.strip()).replace(tzinfo=None)
            check_day(moment.date(), ctx.today)
        with located(ctx, f"line {line}, field 'steps'"):
            totals.add(local_seconds(moment), local_seconds(moment), steps)
        stamps.append(local_seconds(moment) * 1_000_000 + moment.microsecond)
        lines.append(line)
    _refuse_repeats(stamps, lines, ctx)
    samples = hourly_samples(ctx.file, totals.steps.items(), SOURCE)
    return ParsedImport("csv-timestamp", samples, len(stamps), notes=(NOTE,), sources=(SOURCE,))


def _refuse_repeats(stamps: array[int], lines: array[int], ctx: Context) -> None:
    """Refuse the first timestamp given twice, naming both lines."""
    values = np.frombuffer(stamps, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    repeats = np.flatnonzero(np.diff(values[order]) == 0)
    if len(repeats):
        first, second = sorted((lines[order[repeats[0]]], lines[order[repeats[0] + 1]]))
        raise ctx.bad(f"line {second}, field 'timestamp'", f"the same timestamp is already on line {first}")


def _records(stream: BinaryIO, ctx: Context, when_column: str) -> Iterator[tuple[int, str, float]]:
    """(line, date or timestamp text, checked steps) per non-blank row; one member throughout."""
    rows = csv_rows(stream, ctx)
    _, header = next(rows)
    member_at, when_at, steps_at = (column_index(header, c, ctx) for c in ("member", when_column, "steps"))
    member = None
    found = False
    for line, row in rows:
        if not "".join(row).strip():
            continue
        name = field(row, member_at, "member", line, ctx).strip()
        if member is not None and name != member:
            raise ctx.bad(f"line {line}, field 'member'", "a file holds one member; this row names another")
        member = name
        with located(ctx, f"line {line}, field 'steps'"):
            steps = parse_steps(field(row, steps_at, "steps", line, ctx))
        found = True
        yield line, field(row, when_at, when_column, line, ctx), steps
    if not found:
        raise ctx.bad("whole file", NO_RECORDS)
