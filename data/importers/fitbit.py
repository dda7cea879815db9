"""Fitbit `steps-YYYY-MM-DD.json`: `[{"dateTime": "01/25/23 13:00:07", "value": "12"}, ...]`, local times."""

from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO

from data.importers._buckets import HourlyTotals, hourly_samples, local_seconds
from data.importers._checks import BadValue, check_day, check_steps, parse_steps
from data.importers._source import Context, located, reader
from data.model import ParsedImport

SOURCE = "fitbit"
MAX_JSON_BYTES = 64 << 20
"""A month of minute-level steps is a few MB; a JSON file is read whole, so it is capped."""


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Each entry's steps land in the local hour of its `dateTime`."""
    records = _load(stream, ctx)
    totals = HourlyTotals()
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict) or "dateTime" not in record or "value" not in record:
            raise ctx.bad(where, "expected an object with 'dateTime' and 'value'")
        with located(ctx, f"{where}, field 'dateTime'"):
            moment = datetime.strptime(str(record["dateTime"]), "%m/%d/%y %H:%M:%S")
            check_day(moment.date(), ctx.today)
        with located(ctx, f"{where}, field 'value'"):
            totals.add(local_seconds(moment), local_seconds(moment), _steps(record["value"]))
    if not records:
        raise ctx.bad("whole file", "no step records found")
    return ParsedImport("fitbit", hourly_samples(ctx.file, totals.steps.items(), SOURCE), len(records))


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
