"""Samsung Health `com.samsung.shealth.tracker.pedometer_step_count.*.csv`: step intervals per device.

`start_time`/`end_time` are UTC (`2024-01-02 07:00:00.000`); `time_offset` (`UTC+0100`) gives the wall
clock. Each device is its own stream (the store keeps the largest, never a sum); a row repeated with
a later `update_time` replaces the earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from data.importers._buckets import HourlyTotals, hourly_samples, local_seconds
from data.importers._checks import BadValue, check_day, parse_steps
from data.importers._merge import merge_streams
from data.importers._source import NO_RECORDS, Context, field, located
from data.model import ParsedImport

SOURCE = "samsung-health"
_OFFSET = re.compile(r"UTC([+-])([0-9]{2}):?([0-9]{2})")
Row = tuple[datetime, datetime, float]


def parse_pedometer(rows: Iterator[tuple[int, list[str]]], names: list[str], ctx: Context) -> ParsedImport:
    """Intervals into local hours, one stream per device."""
    for needed in ("start_time", "end_time", "count"):
        if needed not in names:
            raise ctx.bad("line 2", f"missing column '{needed}'")
    latest: dict[tuple[str, datetime], tuple[str, Row]] = {}
    read = 0
    for line, row in rows:
        if not "".join(row).strip():
            continue
        device = _optional(row, names, "deviceuuid")
        record = _record(row, line, names, ctx)
        stamp = _optional(row, names, "update_time")
        if (device, record[0]) not in latest or stamp >= latest[device, record[0]][0]:
            latest[device, record[0]] = (stamp, record)
        read += 1
    if not read:
        raise ctx.bad("whole file", NO_RECORDS)
    devices = sorted({device for device, _ in latest})
    streams = {device: HourlyTotals() for device in devices}
    for (device, _), (_, (start, end, steps)) in latest.items():
        with located(ctx, f"hour {start:%Y-%m-%d %H}:00"):
            streams[device].add(local_seconds(start), local_seconds(end), steps)
    parts = [
        _stream(ctx, totals, f"{SOURCE} {n + 1}" if len(devices) > 1 else SOURCE)
        for n, totals in enumerate(streams.values())
    ]
    merged = merge_streams(parts)
    return ParsedImport("samsung", merged.samples, read, read - len(latest), sources=merged.sources)


def _stream(ctx: Context, totals: HourlyTotals, source: str) -> ParsedImport:
    return ParsedImport(
        "samsung", hourly_samples(ctx.file, totals.steps.items(), source), 0, sources=(source,)
    )


def _record(row: list[str], line: int, names: list[str], ctx: Context) -> Row:
    """(local start, local end, steps) of one row."""
    with located(ctx, f"line {line}, field 'time_offset'"):
        shift = _offset(_optional(row, names, "time_offset"))
    moments = []
    for name in ("start_time", "end_time"):
        with located(ctx, f"line {line}, field '{name}'"):
            moment = datetime.fromisoformat(field(row, names.index(name), name, line, ctx).strip()) + shift
            check_day(moment.date(), ctx.today)
            moments.append(moment.replace(tzinfo=None))
    with located(ctx, f"line {line}, field 'count'"):
        steps = parse_steps(field(row, names.index("count"), "count", line, ctx))
    return moments[0], moments[1], steps


def _offset(text: str) -> timedelta:
    """`UTC+0100` as a timedelta; blank means UTC."""
    if not text:
        return timedelta()
    match = _OFFSET.fullmatch(text)
    if match is None:
        raise BadValue("the time_offset is not in the form UTC+HHMM")
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))


def _optional(row: list[str], names: list[str], name: str) -> str:
    """A column the file may lack (older exports): blank when absent."""
    at = names.index(name) if name in names else len(row)
    return row[at].strip() if at < len(row) else ""
