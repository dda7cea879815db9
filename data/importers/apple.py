"""Apple Health `export.xml`: stream the step records into compact arrays, then de-duplicate.

Real exports reach 1-3 GB, so the parse never builds a tree. An export in Apple's own shape takes the
fast road (`_apple_fast`: whole chunks through a regex and numpy while a second process checks the XML
is well formed); anything else, or anything the fast road is unsure of, is read here, carefully: expat
calls one start-element callback per element, which returns at once unless the element is a top-level
step Record, and appends five numbers per record to typed arrays. Dates are parsed through small caches
keyed by slices of the text (date and hour, minutes and seconds, offset), so a record costs a few
dictionary lookups, not a `strptime`; the slow path that fills the caches is also the one that
validates. Impossible records (dated after the export, spanning over a day, implausibly many steps) are
skipped and counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import BinaryIO
from xml.parsers import expat

from data.importers import _apple_fast
from data.importers._apple_format import CHUNK, CLOCKS, COMPACT, MAX_TOKEN, STEP_TYPE, exported, moment
from data.importers._apple_source import SourceKeys
from data.importers._buckets import DAY
from data.importers._checks import MAX_STEPS_PER_HOUR, BadValue
from data.importers._overlap import resolve
from data.importers._prologue import PROLOGUE_LIMIT, clean_prologue
from data.importers._raw import EARLIEST, RawSteps, latest_moment
from data.importers._source import Context, located, reader
from data.model import ParsedImport

CACHE_LIMIT = 100_000
"""Entries per parsing cache: real exports need a few thousand; a hostile file cannot grow them further."""
_REQUIRED = ("startDate", "endDate", "value")


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """The fast road when the stream can be read again should it turn out irregular, else the careful one."""
    if stream.seekable():
        try:
            return _apple_fast.parse(stream, ctx)
        except _apple_fast.Irregular:
            stream.seek(0)
    return parse_carefully(stream, ctx)


def parse_carefully(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Read every top-level step record, then resolve overlapping sources into hourly buckets."""
    source = reader(stream, ctx)
    collector = _Collector(ctx)
    try:
        collector.feed(clean_prologue(source.read(PROLOGUE_LIMIT), ctx))
        while chunk := source.read(CHUNK):
            collector.feed(chunk)
        collector.parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ctx.bad(f"line {error.lineno}", f"malformed XML ({expat.ErrorString(error.code)})") from None
    return resolve(collector.raw, ctx, exported_on=collector.exported_on)


class _Collector:
    """Expat callbacks and the caches behind them; everything else about Apple lives in `_overlap`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.raw = RawSteps.empty()
        self.keys = SourceKeys(self.raw.sources)
        self.hours: dict[str, int] = {}
        self.offsets: dict[str, int] = {}
        self.values: dict[str, float] = {}
        self.latest = [latest_moment(ctx.today)]
        self.exported_on: date | None = None
        self.in_correlation = False
        self.fed = 0
        parser = self.parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start_handler()
        parser.EntityDeclHandler = self._refuse_entities
        parser.ExternalEntityRefHandler = self._refuse_entities
        parser.StartDoctypeDeclHandler = self._refuse_entities

    def feed(self, chunk: bytes) -> None:
        """Parse a chunk; a token left open past MAX_TOKEN is refused before it costs quadratic time."""
        self.parser.Parse(chunk, False)
        self.fed += len(chunk)
        if self.fed - max(self.parser.CurrentByteIndex, 0) > MAX_TOKEN:
            where = f"line {self.parser.CurrentLineNumber}"
            raise self.ctx.bad(where, f"refused: an XML tag or comment longer than {MAX_TOKEN >> 20} MiB")

    def _start_handler(self) -> Callable[[str, dict[str, str]], None]:
        """The start-element callback; locals are bound once, since it runs for every element."""
        hours, offsets, values, clocks = self.hours, self.offsets, self.values, CLOCKS
        sources, latest, raw = self.keys.cache, self.latest, self.raw
        add_start, add_end, add_offset = raw.start.append, raw.end.append, raw.offset.append
        add_steps, add_source = raw.steps.append, raw.source.append
        limit = MAX_STEPS_PER_HOUR  # more may still be possible over a long record: `RawSteps.add` decides

        def start(name: str, attrs: dict[str, str]) -> None:
            if attrs.get("type") != STEP_TYPE or name != "Record" or self.in_correlation:
                if name == "Correlation":
                    self._enter_correlation()
                elif name == "ExportDate":
                    self._export_date(attrs.get("value"))
                return
            try:
                first, last = attrs["startDate"], attrs["endDate"]
                offset = offsets[first[19:]]
                begin = hours[first[:13]] + clocks[first[13:19]] - offset
                end = hours[last[:13]] + clocks[last[13:19]] - offsets[last[19:]]
                steps = values[attrs["value"]]
                device = attrs.get("device")
                key = sources[attrs["sourceName"], device and device[device.find(">") + 1 :]]
            except KeyError:
                begin, end, offset, steps, key = self._checked(attrs)
            if begin <= end <= begin + DAY and EARLIEST <= begin <= latest[0] and steps <= limit:
                add_start(begin)
                add_end(end)
                add_offset(offset)
                add_steps(steps)
                add_source(key)
            else:
                raw.add(begin, end, offset, steps, key, latest[0])

        return start

    def _checked(self, attrs: dict[str, str]) -> tuple[int, int, int, float, int]:
        """The slow path: validate a record whose parts are not cached yet, and cache them."""
        line = f"line {self.parser.CurrentLineNumber}"
        name = attrs.get("sourceName", attrs.get("source"))  # iOS 8 wrote `source`
        if name is None:
            raise self.ctx.bad(f"{line}, field 'sourceName'", "the attribute is missing")
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
            key = self.keys.index(name, attrs.get("device"), cache="sourceName" in attrs)
        return local - offset, end_local - end_offset, offset, steps, key

    def _moment(self, text: str) -> tuple[int, int]:
        """`moment`, caching the hour and offset of a date in today's form for the cached lookups."""
        local, offset = moment(text)
        if COMPACT.fullmatch(text) is None and len(self.hours) < CACHE_LIMIT:
            self.hours[text[:13]] = local - CLOCKS[text[13:19]]
            self.offsets[text[19:]] = offset
        return local, offset

    def _value(self, text: str) -> float:
        """A count as written; NaN, negative or non-numeric refuse the file, a huge one is skipped later."""
        if not text.strip():
            raise BadValue("the step count is missing")
        try:
            steps = float(text)
        except ValueError:
            raise BadValue("the step count is not a number") from None
        if not math.isfinite(steps) or steps < 0:
            raise BadValue("the step count is negative or not a finite number")
        if len(self.values) < CACHE_LIMIT:
            self.values[text] = steps
        return steps

    def _export_date(self, value: str | None) -> None:
        """`<ExportDate>` dates the export: later records are clock glitches, coverage ends the day before."""
        if (when := exported(value)) is not None:
            self.latest[0] = min(self.latest[0], when[0])
            self.exported_on = when[1]

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
