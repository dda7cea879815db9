"""Samsung Health CSVs: `step_daily_trend` (one row per day and device stream) and `pedometer_step_count`.

The first line is metadata, the second the header (column names may carry a `com.samsung...` prefix).
Daily trend: `day_time` is epoch milliseconds at UTC midnight of the day; rows with `source_type ==
-2` are Samsung's own all-devices total and, on a day that has one, only they count (adding device
rows would double count); a day can hold several rows of one stream, and the latest `update_time` is
the current one. Pedometer: `start_time`/`end_time` in UTC with the wall clock's `time_offset`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import BinaryIO

from data.importers._buckets import daily_samples
from data.importers._checks import BadValue, check_day, parse_steps
from data.importers._source import NO_RECORDS, Context, csv_rows, field, located
from data.importers.samsung_pedometer import parse_pedometer
from data.model import ParsedImport

SOURCE = "samsung-health"
ALL_DEVICES = "-2"
COLUMNS = ("day_time", "count", "source_type")
MAX_MILLIS = 253_402_300_800_000
"""Year 10000 in epoch milliseconds: anything later cannot be a date."""
NO_TOTAL_NOTE = "Days without an all-devices row kept their largest single-device total."


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """A Samsung CSV: the header tells the daily trend from the pedometer's intervals."""
    rows = csv_rows(stream, ctx)
    next(rows)
    line, header = next(rows, (2, []))
    names = [name.strip().rsplit(".", 1)[-1].lower() for name in header]
    if "day_time" not in names and "start_time" in names:
        return parse_pedometer(rows, names, ctx)
    return _parse_trend(rows, line, names, ctx)


def _parse_trend(
    rows: Iterator[tuple[int, list[str]]], line: int, names: list[str], ctx: Context
) -> ParsedImport:
    """Daily totals: per day the all-devices rows if any, else the largest device; the latest update wins."""
    for name in COLUMNS:
        if name not in names:
            raise ctx.bad(f"line {line}", f"missing column '{name}'")
    at = [names.index(name) for name in COLUMNS]
    updated_at = names.index("update_time") if "update_time" in names else None
    device_at = names.index("deviceuuid") if "deviceuuid" in names else None
    current: dict[tuple[date, str, str], tuple[str, float]] = {}
    read = 0
    for number, row in rows:
        if not "".join(row).strip():
            continue
        kind, day, steps = _record(row, number, at, ctx)
        device = (
            ""
            if kind == ALL_DEVICES or device_at is None
            else field(row, device_at, "deviceuuid", number, ctx)
        )
        stamp = "" if updated_at is None else field(row, updated_at, "update_time", number, ctx).strip()
        key = (day, kind, device)
        if key not in current or stamp >= current[key][0]:
            current[key] = (stamp, steps)
        read += 1
    if not read:
        raise ctx.bad("whole file", NO_RECORDS)
    days, fallback = _per_day(current)
    notes = (NO_TOTAL_NOTE,) if fallback else ()
    return ParsedImport(
        "samsung", daily_samples(days, SOURCE), read, read - len(days), notes, sources=(SOURCE,)
    )


def _per_day(current: dict[tuple[date, str, str], tuple[str, float]]) -> tuple[dict[date, float], bool]:
    """Each day's all-devices total where it has one, else its largest device total (and whether any did)."""
    totals = {day: steps for (day, kind, _), (_, steps) in current.items() if kind == ALL_DEVICES}
    days, fallback = dict(totals), False
    for (day, kind, _), (_, steps) in current.items():
        if kind != ALL_DEVICES and day not in totals:
            days[day], fallback = max(steps, days.get(day, 0.0)), True
    return days, fallback


def _record(row: list[str], line: int, at: list[int], ctx: Context) -> tuple[str, date, float]:
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
