"""Samsung Health `com.samsung.shealth.tracker.pedometer_step_count.*.csv`: step intervals per device.

`start_time`/`end_time` are UTC (`2024-01-02 07:00:00.000`); `time_offset` (`UTC+0100`) gives the wall
clock. Each device is its own stream (the store keeps the largest, never a sum); a row repeated with
a later `update_time` replaces the earlier one.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from data.importers._buckets import HOUR, HourlyTotals, hour_start, hourly_samples, local_seconds
from data.importers._checks import BadValue, check_day, parse_steps
from data.importers._merge import merge_streams
from data.importers._source import NO_RECORDS, Context, field, located
from data.model import ParsedImport

SOURCE = "samsung-health"
_OFFSET = re.compile(r"UTC([+-])([0-9]{2}):?([0-9]{2})")
Row = tuple[datetime, datetime, float]
BLOCK = 1 << 16


def parse_pedometer(rows: Iterator[tuple[int, list[str]]], names: list[str], ctx: Context) -> ParsedImport:
    """Intervals into local hours, one stream per device; kept as arrays (36 bytes a row) until resolved."""
    for needed in ("start_time", "end_time", "count"):
        if needed not in names:
            raise ctx.bad("line 2", f"missing column '{needed}'")
    devices: dict[str, int] = {}
    table = _Table(array("i"), array("q"), array("q"), array("d"), array("q"))
    for line, row in rows:
        if not "".join(row).strip():
            continue
        start, end, steps = _record(row, line, names, ctx)
        device = devices.setdefault(_optional(row, names, "deviceuuid"), len(devices))
        table.add(
            device,
            local_seconds(start),
            local_seconds(end),
            steps,
            _stamp(_optional(row, names, "update_time")),
        )
    if not table.device:
        raise ctx.bad("whole file", NO_RECORDS)
    current = 0
    streams = [HourlyTotals() for _ in devices]
    for device, start, end, steps in table.latest():
        with located(ctx, f"hour {hour_start(start // HOUR):%Y-%m-%d %H}:00"):
            streams[device].add(start, end, steps)
        current += 1
    labels = [f"{SOURCE} {n + 1}" if len(devices) > 1 else SOURCE for n in range(len(devices))]
    merged = merge_streams(
        [_stream(ctx, totals, label) for totals, label in zip(streams, labels, strict=True)]
    )
    read = len(table.device)
    return ParsedImport("samsung", merged.samples, read, read - current, sources=merged.sources)


@dataclass(frozen=True)
class _Table:
    """Rows as parallel arrays: a dict of tuples would cost ~300 bytes a row."""

    device: array[int]
    start: array[int]
    end: array[int]
    steps: array[float]
    stamp: array[int]

    def add(self, device: int, start: int, end: int, steps: float, stamp: int) -> None:
        self.device.append(device)
        self.start.append(start)
        self.end.append(end)
        self.steps.append(steps)
        self.stamp.append(stamp)

    def latest(self) -> Iterator[tuple[int, int, int, float]]:
        """(device, start, end, steps) of each device's interval, as last updated (file order breaks ties)."""
        device, start = np.frombuffer(self.device, np.int32), np.frombuffer(self.start, np.int64)
        order = np.lexsort((np.arange(len(device)), np.frombuffer(self.stamp, np.int64), start, device))
        last = np.ones(len(order), dtype=bool)
        last[:-1] = (device[order][1:] != device[order][:-1]) | (start[order][1:] != start[order][:-1])
        keep = order[last]
        end, steps = np.frombuffer(self.end, np.int64), np.frombuffer(self.steps, np.float64)
        for lo in range(0, len(keep), BLOCK):  # Python objects for a block at a time, not for every row
            take = keep[lo : lo + BLOCK]
            columns = (device[take], start[take], end[take], steps[take])
            yield from zip(*(column.tolist() for column in columns), strict=True)


def _stream(ctx: Context, totals: HourlyTotals, source: str) -> ParsedImport:
    return ParsedImport(
        "samsung", hourly_samples(ctx.file, totals.steps.items(), source), 0, sources=(source,)
    )


def _stamp(text: str) -> int:
    """`2024-01-02 09:00:00.000` as 20240102090000000: ordered like the time, cheap to compare.

    >>> _stamp("2024-01-02 09:00:00.000")
    20240102090000000
    """
    digits = "".join(ch for ch in text if ch.isdigit())[:17]
    return int(digits.ljust(17, "0")) if digits else 0


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
