"""Apple Health `export.xml`: stream the step records with expat into compact arrays, then de-duplicate.

Real exports reach 1-3 GB, so the parse never builds a tree: expat calls one start-element callback
per element, which returns at once unless the element is a top-level step Record, and appends five
numbers per record to typed arrays. Dates are parsed through small caches keyed by slices of the
text (date and hour, minutes and seconds, offset), so a record costs a few dictionary lookups, not a
`strptime`; the slow path that fills the caches is also the one that validates.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from typing import BinaryIO
from xml.parsers import expat

from data.importers._buckets import DAY, HOUR
from data.importers._checks import MAX_STEPS_PER_HOUR, BadValue, parse_day, parse_steps
from data.importers._overlap import RawSteps, resolve
from data.importers._prologue import PROLOGUE_LIMIT, clean_prologue
from data.importers._source import Context, located, reader
from data.model import ParsedImport

STEP_TYPE = "HKQuantityTypeIdentifierStepCount"
CHUNK = 2 << 20
MAX_KEY_CHARS = 1024
"""Source names and device blobs longer than this are told apart by their first 1024 characters."""
MAX_SOURCES = 1000
"""Far above any real export (a dozen apps and devices); also keeps source indexes within 16 bits."""
CLOCKS = {f":{m:02}:{s:02}": m * 60 + s for m in range(60) for s in range(60)}
_MOMENT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):[0-9]{2}:[0-9]{2}(?: ([+-])([0-9]{2})([0-9]{2}))?"
)
_REQUIRED = ("sourceName", "startDate", "endDate", "value")


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Read every top-level step record, then resolve overlapping sources into hourly buckets."""
    source = reader(stream, ctx)
    collector = _Collector(ctx)
    try:
        collector.parser.Parse(clean_prologue(source.read(PROLOGUE_LIMIT), ctx), False)
        while chunk := source.read(CHUNK):
            collector.parser.Parse(chunk, False)
        collector.parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ctx.bad(f"line {error.lineno}", f"malformed XML ({expat.ErrorString(error.code)})") from None
    return resolve(collector.raw, ctx)


class _Collector:
    """Expat callbacks and the caches behind them; everything else about Apple lives in `_overlap`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.raw = RawSteps(array("q"), array("q"), array("i"), array("f"), array("H"), {})
        self.hours: dict[str, int] = {}
        self.offsets: dict[str, int] = {}
        self.values: dict[str, float] = {}
        self.sources: dict[tuple[str, str | None], int] = {}
        self.in_correlation = False
        parser = self.parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._fast_handler()
        parser.EntityDeclHandler = self._refuse_entities
        parser.ExternalEntityRefHandler = self._refuse_entities
        parser.StartDoctypeDeclHandler = self._refuse_entities

    def _fast_handler(self) -> Callable[[str, dict[str, str]], None]:
        """The start-element callback; locals are bound once, since it runs for every element."""
        hours, offsets, values, sources, clocks = self.hours, self.offsets, self.values, self.sources, CLOCKS
        raw = self.raw
        add_start, add_end, add_offset = raw.start.append, raw.end.append, raw.offset.append
        add_steps, add_source = raw.steps.append, raw.source.append
        limit = MAX_STEPS_PER_HOUR

        def start(name: str, attrs: dict[str, str]) -> None:
            if attrs.get("type") != STEP_TYPE or name != "Record" or self.in_correlation:
                if name == "Correlation":
                    self._enter_correlation()
                return
            try:
                first, last = attrs["startDate"], attrs["endDate"]
                offset = offsets[first[19:]]
                begin = hours[first[:13]] + clocks[first[13:19]] - offset
                end = hours[last[:13]] + clocks[last[13:19]] - offsets[last[19:]]
                steps = values[attrs["value"]]
                key = sources[attrs["sourceName"], attrs.get("device")]
            except KeyError:
                begin, end, offset, steps, key = self._checked(attrs)
            # More than an hour's limit in one record is fine only if it lasts long enough to stay under it.
            if end < begin or (steps > limit and steps * HOUR > limit * (end - begin)):
                self._implausible(end < begin)
            add_start(begin)
            add_end(end)
            add_offset(offset)
            add_steps(steps)
            add_source(key)

        return start

    def _checked(self, attrs: dict[str, str]) -> tuple[int, int, int, float, int]:
        """The slow path: validate a record whose parts are not cached yet, and cache them."""
        line = f"line {self.parser.CurrentLineNumber}"
        for field in _REQUIRED:
            if field not in attrs:
                raise self.ctx.bad(f"{line}, field '{field}'", "the attribute is missing")
        with located(self.ctx, f"{line}, field 'startDate'"):
            local, offset = self._moment(attrs["startDate"])
        with located(self.ctx, f"{line}, field 'endDate'"):
            end_local, end_offset = self._moment(attrs["endDate"])
        with located(self.ctx, f"{line}, field 'value'"):
            steps = self._value(attrs["value"])
        with located(self.ctx, f"{line}, field 'sourceName'"):
            key = self._source(attrs["sourceName"], attrs.get("device"))
        return local - offset, end_local - end_offset, offset, steps, key

    def _moment(self, text: str) -> tuple[int, int]:
        """(local seconds, offset seconds) of `YYYY-MM-DD HH:MM:SS ±HHMM`; caches the parts."""
        match = _MOMENT.fullmatch(text)
        if match is None:
            raise BadValue("the date is not in the form YYYY-MM-DD HH:MM:SS ±HHMM")
        if match.group(3) is None:
            raise BadValue("the date has no timezone offset")
        day = parse_day(match.group(1), self.ctx.today)
        hour, clock = int(match.group(2)), CLOCKS.get(text[13:19])
        sign, off_h, off_m = match.group(3, 4, 5)
        offset = (int(off_h) * HOUR + int(off_m) * 60) * (-1 if sign == "-" else 1)
        if hour > 23 or clock is None or int(off_m) > 59 or abs(offset) > 14 * HOUR:
            raise BadValue("the date or its timezone offset is out of range")
        self.hours[text[:13]] = day.toordinal() * DAY + hour * HOUR
        self.offsets[text[19:]] = offset
        return self.hours[text[:13]] + clock, offset

    def _value(self, text: str) -> float:
        steps = parse_steps(text)
        if len(self.values) < 100_000:
            self.values[text] = steps
        return steps

    def _source(self, name: str, device: str | None) -> int:
        """Index of a (sourceName, device) pair; absurdly long ones are keyed by a prefix."""
        known = self.raw.sources
        key = (name[:MAX_KEY_CHARS], None if device is None else device[:MAX_KEY_CHARS])
        if key not in known:
            if len(known) >= MAX_SOURCES:
                raise BadValue(f"more than {MAX_SOURCES} different sources")
            known[key] = len(known)
        if key == (name, device):
            self.sources[key] = known[key]
        return known[key]

    def _implausible(self, backwards: bool) -> None:
        where = f"line {self.parser.CurrentLineNumber}"
        if backwards:
            raise self.ctx.bad(where, "the record ends before it starts")
        raise self.ctx.bad(where, f"more than {MAX_STEPS_PER_HOUR:,} steps an hour")

    def _enter_correlation(self) -> None:
        """Records nested in a Correlation repeat top-level ones: skip them until it closes."""
        self.in_correlation = True
        self.parser.EndElementHandler = self._leave_correlation

    def _leave_correlation(self, name: str) -> None:
        if name == "Correlation":
            self.in_correlation = False
            self.parser.EndElementHandler = None

    def _refuse_entities(self, *_: object) -> None:
        """Entities cannot be declared once the DOCTYPE is gone; if one slips through, stop."""
        raise self.ctx.bad(f"line {self.parser.CurrentLineNumber}", "refused: entity or DTD declaration")
