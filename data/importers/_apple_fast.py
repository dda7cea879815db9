"""The fast road for an export in Apple's own shape: whole chunks through one regex and numpy.

Apple writes every step record in one form, on a line of its own (`<Record type="HKQuantityType
IdentifierStepCount" sourceName=... startDate="2024-01-15 08:00:00 +0100" endDate=... value="12"/>`),
so a chunk's records are found by one `re.findall` and their dates read as digits by numpy, with no
callback per element. Meanwhile a second process runs expat over the same bytes (`_wellformed`), since
pyexpat holds the GIL, and the import stands only if that parse succeeds. Whatever this road cannot
vouch for (a comment or CDATA in the body, a step record in another form, a character reference in a
type, an impossible date, XML that is not well formed) raises `Irregular`, and the careful parser in
`apple` reads the file instead: both roads give the same answer, and the tests hold them to it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import BinaryIO
from xml.parsers import expat

import numpy as np

from data.importers._apple_format import CHUNK, MAX_OFFSET, MAX_TOKEN, exported
from data.importers._apple_source import CACHE_LIMIT, SourceKeys
from data.importers._buckets import DAY, HOUR
from data.importers._checks import MAX_STEPS_PER_HOUR, BadValue
from data.importers._overlap import resolve
from data.importers._prologue import PROLOGUE_LIMIT, clean_prologue
from data.importers._raw import EARLIEST, RawSteps, impossible, latest_moment
from data.importers._source import Context, reader
from data.importers._wellformed import checker
from data.model import ParsedImport

STEP_OPEN = b'<Record type="HKQuantityTypeIdentifierStepCount"'
_VALUE = rb'="[^"]*"'
"""Any attribute value: the second process refuses a `<` in one, so `[^"]` (sre's quickest loop) suffices."""
_RECORD = re.compile(
    STEP_OPEN
    + rb' sourceName="([^"]*)"(?: sourceVersion'
    + _VALUE
    + rb')?(?: device="&lt;&lt;HKDevice: 0x[0-9A-Fa-f]+(&gt;[^"]*)")?(?: sourceVersion'
    + _VALUE
    + rb")?(?: unit"
    + _VALUE
    + rb")?(?: creationDate"
    + _VALUE
    + rb')? startDate="([^"]{25})" endDate="([^"]{25})" value="([0-9]+(?:\.[0-9]+)?)"/?>'
)
"""A step record as Apple writes it: (sourceName, device after its address or b'', start, end, value)."""
_DATE_FORM = np.frombuffer(b"0000-00-00 00:00:00 +0000", np.uint8)
"""Where a date has digits (0) and which separator it has elsewhere; the offset's sign is checked apart."""
_DIGITS = ord("0") == _DATE_FORM
_MARKS = ~_DIGITS & (np.arange(25) != 20)
_PROLOGUE = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml([^<>?]*)\?>)?\s*(?=<HealthData[\s/>])")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_SPLIT = re.compile(rb"<(/?)(Correlation|ExportDate)(?=[\s/>])")
"""Tags that change how the records after them are read: inside a correlation, or before the export's date."""
_TAG_REST = re.compile(rb"""(?:\s+[^\s=/>"'<]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(/?)>""")
_CLOSE_REST = re.compile(rb"\s*>")
_TYPE_REFERENCE = re.compile(rb'<Record type="[^"]*&#')
EPOCH_ORDINAL = 719_163
"""date(1970, 1, 1).toordinal(): numpy counts days from 1970, the parsers from year 1."""


class Irregular(Exception):
    """The file leaves Apple's own shape here: the careful parser must read it."""


def parse(stream: BinaryIO, ctx: Context) -> ParsedImport:
    """Extract while a second process checks the XML; raises `Irregular` rather than guess."""
    source = reader(stream, ctx)
    head = clean_prologue(source.read(PROLOGUE_LIMIT), ctx)
    pending = head[_body(head) :]
    records = _Records(ctx)
    try:
        with checker(MAX_TOKEN) as check:
            check.feed(head)
            while chunk := source.read(CHUNK):
                if not check.feed(chunk):
                    raise Irregular
                first = chunk.find(b"\n") + 1
                if not first:
                    if len(pending) + len(chunk) > MAX_TOKEN:
                        raise Irregular
                    pending += chunk
                    continue
                line = pending + chunk[:first]
                records.feed(line, 0, len(line))
                cut = chunk.rfind(b"\n") + 1
                records.feed(chunk, first, cut)
                pending = chunk[cut:]
            records.feed(pending, 0, len(pending))
            if not check.well_formed():
                raise Irregular
    except OSError as error:  # no second process, or no pipe to it
        raise Irregular from error
    return resolve(records.raw, ctx, exported_on=records.exported_on)


def _body(head: bytes) -> int:
    """Where the root element starts, after nothing but an XML declaration saying UTF-8."""
    match = _PROLOGUE.match(head)
    if match is None:
        raise Irregular
    encoding = _ENCODING.search(match.group(1) or b"")
    if encoding is not None and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Irregular
    return match.end()


class _Records:
    """The step records found so far, and what the tags between them said."""

    def __init__(self, ctx: Context) -> None:
        self.raw = RawSteps.empty()
        self.keys = SourceKeys(self.raw.sources)
        self.source_of: dict[tuple[bytes, bytes], int] = {}
        self.latest = latest_moment(ctx.today)
        self.exported_on: date | None = None
        self.in_correlation = False

    def feed(self, segment: bytes, start: int, end: int) -> None:
        """Take a run of whole lines, region by region between the tags that change how records read."""
        find = segment.find
        if (find(b"!", start, end) >= 0 and find(b"<!", start, end) >= 0) or (
            find(b"?", start, end) >= 0 and find(b"<?", start, end) >= 0
        ):
            raise Irregular  # a comment, CDATA or processing instruction: only expat can tell what is inside
        if find(b"Correlation", start, end) >= 0 or find(b"ExportDate", start, end) >= 0:
            for tag in _SPLIT.finditer(segment, start, end):
                self._region(segment, start, tag.start())
                start = self._split(segment, tag, end)
        self._region(segment, start, end)

    def _split(self, segment: bytes, tag: re.Match[bytes], end: int) -> int:
        """Apply a correlation or export-date tag as the careful parser would; returns where it ends."""
        closing, name = tag.groups()
        rest = (_CLOSE_REST if closing else _TAG_REST).match(segment, tag.end(), end)
        if rest is None:
            raise Irregular
        if name == b"Correlation":
            self.in_correlation = not closing and not rest.group(1)
        elif not closing and (when := exported(_attributes(segment[tag.start() : rest.end()]).get("value"))):
            self.latest = min(self.latest, when[0])
            self.exported_on = when[1]
        return rest.end()

    def _region(self, segment: bytes, start: int, end: int) -> None:
        """The step records between `start` and `end`, all in Apple's form, or `Irregular`.

        A step record in any other form still spells `StepCount` (unless a character reference spells
        it), so when every mention opens a record in Apple's form, there is no other: the dearer check,
        that each Record names its type first and plainly, runs only where the mentions differ.
        """
        mentions = segment.count(b"StepCount", start, end)
        references = segment.find(b"#", start, end) >= 0 and segment.find(b"&#", start, end) >= 0
        if not mentions and not references:
            return
        steps = segment.count(STEP_OPEN, start, end)
        if mentions != steps or references:
            records = segment.count(b"<Record", start, end)
            if records != segment.count(b'<Record type="', start, end):
                raise Irregular
            if references and _TYPE_REFERENCE.search(segment, start, end):
                raise Irregular
        if not steps or self.in_correlation:
            return
        rows = _RECORD.findall(segment, start, end)
        if len(rows) != steps:
            raise Irregular
        self._add(rows)

    def _add(self, rows: list[tuple[bytes, ...]]) -> None:
        """Append the records the careful parser would keep, and count the ones it would skip."""
        names, devices, starts, ends, values = zip(*rows, strict=True)
        source = self._sources(names, devices)
        begin, offset = _moments(starts)
        end = _moments(ends)[0]
        steps = np.array(values).astype(np.float64)
        kept = (begin <= end) & (end <= begin + DAY) & (begin >= EARLIEST) & (begin <= self.latest)
        kept &= steps <= MAX_STEPS_PER_HOUR
        for row in np.flatnonzero(~kept):
            reason = impossible(int(begin[row]), int(end[row]), float(steps[row]), self.latest)
            if reason:
                self.raw.skipped[reason] += 1
            else:
                kept[row] = True
        raw = self.raw
        raw.start.frombytes(begin[kept].tobytes())
        raw.end.frombytes(end[kept].tobytes())
        raw.offset.frombytes(offset[kept].astype(np.int32).tobytes())
        raw.steps.frombytes(steps[kept].astype(np.float32).tobytes())
        raw.source.frombytes(source[kept].tobytes())

    def _sources(self, names: tuple[bytes, ...], devices: tuple[bytes, ...]) -> np.ndarray:
        """Each record's source index, numbered in order of first appearance as the careful parser does."""
        pairs = list(zip(names, devices, strict=True))
        known = self.source_of
        try:
            return np.fromiter(map(known.__getitem__, pairs), np.int32, len(pairs))
        except KeyError:
            pass
        for name, device in dict.fromkeys(pairs):
            if (name, device) not in known:
                if len(known) >= CACHE_LIMIT:
                    raise Irregular
                try:
                    known[name, device] = self.keys.index(
                        _text(name), _text(device) if device else None, cache=False
                    )
                except BadValue:
                    raise Irregular from None
        return np.fromiter(map(known.__getitem__, pairs), np.int32, len(pairs))


def _moments(texts: tuple[bytes, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(absolute seconds, offset seconds) of `YYYY-MM-DD HH:MM:SS ±HHMM` dates, read as digits."""
    codes = np.frombuffer(b"".join(texts), np.uint8).reshape(-1, 25)
    digits = codes.astype(np.int64) - ord("0")
    sign = codes[:, 20]
    form = (digits[:, _DIGITS] >= 0) & (digits[:, _DIGITS] <= 9)
    if not (form.all() and (codes[:, _MARKS] == _DATE_FORM[_MARKS]).all()):
        raise Irregular
    if not ((sign == ord("+")) | (sign == ord("-"))).all():
        raise Irregular

    def number(first: int, width: int) -> np.ndarray:
        value = digits[:, first]
        for column in range(first + 1, first + width):
            value = value * 10 + digits[:, column]
        return value

    year, month, day = number(0, 4), number(5, 2), number(8, 2)
    hour, minute, second = number(11, 2), number(14, 2), number(17, 2)
    off_minutes = number(23, 2)
    offset = np.where(sign == ord("-"), -1, 1) * (number(21, 2) * HOUR + off_minutes * 60)
    months = (year - 1970) * 12 + month - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    length = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - first
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59) & (off_minutes <= 59)
    if not (valid & (np.abs(offset) <= MAX_OFFSET)).all():
        raise Irregular
    local = (first + day - 1 + EPOCH_ORDINAL) * DAY + hour * HOUR + minute * 60 + second
    return local - offset, offset


def _text(raw: bytes) -> str:
    """An attribute's raw bytes as expat reads them: entities replaced, whitespace normalised."""
    return _attributes(b'<a v="' + raw + b'"/>')["v"]


def _attributes(tag: bytes) -> dict[str, str]:
    """A start tag's attributes exactly as expat reads them."""
    found: dict[str, str] = {}
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda _, attributes: found.update(attributes)
    try:
        parser.Parse(tag if tag.endswith(b"/>") else tag[:-1] + b"/>", True)
    except expat.ExpatError:
        raise Irregular from None
    return found
