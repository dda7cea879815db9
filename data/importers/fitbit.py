"""Fitbit steps: the JSON files and the newer CSV; the archive's times are UTC, so they are moved.

`steps-YYYY-MM-DD.json` holds `[{"dateTime": "01/25/23 13:00:07", "value": "12"}, ...]`; the newer
CSV `timestamp,steps,data source`. Each count lands in the local hour of the member's zone, unless
the time itself carries an offset.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import BinaryIO

from data.importers._buckets import HourlyTotals, hourly_samples, local_seconds
from data.importers._checks import BadValue, check_day, check_steps, parse_steps
from data.importers._source import NO_RECORDS, Context, column_index, csv_rows, field, located, reader
from data.model import ParsedImport

SOURCE = "fitbit"
MAX_JSON_BYTES = 16 << 20
"""A month of minute-level steps is ~2 MB; a JSON file is read whole (objects cost ~7x), so it is capped."""
NOTE = "Fitbit writes UTC times; they were moved to the member's time zone."


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Each entry's steps land in the member's local hour of its UTC `dateTime`."""
    records = _load(stream, ctx)
    totals = HourlyTotals()
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict) or "dateTime" not in record or "value" not in record:
            raise ctx.bad(where, "expected an object with 'dateTime' and 'value'")
        with located(ctx, f"{where}, field 'dateTime'"):
            moment = _local(datetime.strptime(str(record["dateTime"]), "%m/%d/%y %H:%M:%S"), ctx)
        with located(ctx, f"{where}, field 'value'"):
            totals.add(local_seconds(moment), local_seconds(moment), _steps(record["value"]))
    if not records:
        raise ctx.bad("whole file", NO_RECORDS)
    samples = hourly_samples(ctx.file, totals.steps.items(), SOURCE)
    return ParsedImport("fitbit", samples, len(records), notes=(NOTE,), sources=(SOURCE,))


def parse_csv(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """`timestamp,steps,data source`: ISO times, UTC unless they carry an offset."""
    rows = csv_rows(stream, ctx)
    _, header = next(rows)
    when_at, steps_at = column_index(header, "timestamp", ctx), column_index(header, "steps", ctx)
    totals, count = HourlyTotals(), 0
    for line, row in rows:
        if not "".join(row).strip():
            continue
        with located(ctx, f"line {line}, field 'timestamp'"):
            moment = _local(datetime.fromisoformat(field(row, when_at, "timestamp", line, ctx).strip()), ctx)
        with located(ctx, f"line {line}, field 'steps'"):
            steps = parse_steps(field(row, steps_at, "steps", line, ctx))
            totals.add(local_seconds(moment), local_seconds(moment), steps)
        count += 1
    if not count:
        raise ctx.bad("whole file", NO_RECORDS)
    samples = hourly_samples(ctx.file, totals.steps.items(), SOURCE)
    return ParsedImport("fitbit", samples, count, notes=(NOTE,), sources=(SOURCE,))


def _local(moment: datetime, ctx: Context) -> datetime:
    """The member's naive wall clock for a UTC (or offset-carrying) time; a date after today is refused."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ctx.zone).replace(tzinfo=None)
    check_day(local.date(), ctx.today)
    return local


def _load(stream: BinaryIO, ctx: Context) -> list:
    """The JSON array, refusing NaN/Infinity literals, deep nesting and oversized files."""
    data = reader(stream, ctx).read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise ctx.bad("whole file", f"a Fitbit JSON file over {MAX_JSON_BYTES >> 20} MB is not a steps file")
    try:
        records = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        line = getattr(error, "lineno", None)
        raise ctx.bad(f"line {line}" if line else "whole file", "malformed JSON") from None
    if not isinstance(records, list):
        raise ctx.bad("whole file", "expected a JSON array of step records")
    return records


def _no_constant(name: str) -> float:
    raise BadValue(f"{name} is not a step count")


def _steps(value: object) -> float:
    """Fitbit writes the count as a string; a bare number is accepted too, a boolean is not."""
    if isinstance(value, str):
        return parse_steps(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return check_steps(float(value))
        except OverflowError:
            raise BadValue("the step count is implausibly large") from None
    raise BadValue("the step count is not a number")
