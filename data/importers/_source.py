"""What every parser is handed: the file's display name, 'today', and a stream that reports progress."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import BinaryIO

from data.importers._checks import BadValue
from data.model import BadInput

Progress = Callable[[int, int], None]
PROGRESS_STEP = 4 << 20
"""Report every 4 MiB: a few hundred calls for a gigabyte, invisible next to the parsing."""
MAX_LINE = 1 << 20
"""Characters in one CSV line: real rows are under 200; a line without end is refused, not held."""
NO_RECORDS = "no step records found"
"""The refusal of a file without steps; a Takeout skips such an entry instead of refusing the zip."""


@dataclass(frozen=True)
class Context:
    """The facts a parser needs besides the bytes: names for errors, the date limit, the progress hook."""

    file: str
    """Display name used in every error (uploads live in temp files with other names)."""
    today: date
    """Latest date accepted; later dates are refused as future dates."""
    total: int
    """Bytes the stream will yield (the uncompressed size for a zip member), for progress."""
    progress: Progress | None = None
    zone: tzinfo = UTC
    """The member's time zone, for formats that write UTC (Fitbit's archive)."""

    def bad(self, where: str, problem: str) -> BadInput:
        """The error to raise, naming this file."""
        return BadInput(self.file, where, problem)


class ProgressReader(io.RawIOBase):
    """A read-only stream that calls `progress(done, total)` every PROGRESS_STEP bytes, then at the end."""

    def __init__(self, inner: BinaryIO, total: int, progress: Progress | None) -> None:
        super().__init__()
        self._inner, self._total, self._progress = inner, total, progress
        self.done = 0
        self._next_report = PROGRESS_STEP

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """Read straight from the wrapped stream (no copy through a buffer), counting bytes."""
        data = self._inner.read(size)
        self.done += len(data)
        if self._progress and (self.done >= self._next_report or not data):
            self._next_report = self.done + PROGRESS_STEP
            self._progress(self.done, max(self._total, self.done))
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:
        """For buffered text readers: the same, into their buffer."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def reader(stream: BinaryIO, ctx: Context) -> ProgressReader:
    """Wrap a stream so reading it reports progress."""
    return ProgressReader(stream, ctx.total, ctx.progress)


def csv_rows(stream: BinaryIO, ctx: Context) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of a UTF-8 CSV, header included; undecodable or broken text is refused."""
    text = io.TextIOWrapper(io.BufferedReader(reader(stream, ctx)), encoding="utf-8-sig", newline="")
    rows = csv.reader(_lines(text, ctx))
    line = 0
    try:
        for row in rows:
            line = rows.line_num
            yield line, row
    except (UnicodeDecodeError, csv.Error) as error:
        problem = "the text is not valid UTF-8" if isinstance(error, UnicodeDecodeError) else "broken CSV"
        raise ctx.bad(f"line {line + 1}", problem) from None


def _lines(text: io.TextIOWrapper, ctx: Context) -> Iterator[str]:
    """The text's lines, refusing one over MAX_LINE as soon as it is seen (a 1 GB line would be 1 GB held)."""
    number = 0
    while line := text.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise ctx.bad(f"line {number}", f"a line longer than {MAX_LINE >> 10:,} KB is not step data")
        yield line


def column_index(header: list[str], wanted: str, ctx: Context) -> int:
    """Position of a named column (trimmed, case-insensitive), or an error naming the missing column."""
    names = [name.strip().lower() for name in header]
    if wanted.lower() not in names:
        raise ctx.bad("line 1", f"missing column '{wanted}'")
    return names.index(wanted.lower())


def field(row: list[str], index: int, name: str, line: int, ctx: Context) -> str:
    """One field of a row, or an error naming the line and field when the row is too short."""
    if index >= len(row):
        raise ctx.bad(f"line {line}, field '{name}'", "the field is missing (too few columns)")
    return row[index]


@contextmanager
def located(ctx: Context, where: str) -> Iterator[None]:
    """Turn a failed check into a BadInput naming this file and `where`, never quoting the file's text.

    Only Hearth's own `BadValue` messages are kept; Python's parsing errors (`fromisoformat`, `int()`,
    `strptime`) quote the input, so they become a generic message.
    """
    try:
        yield
    except BadInput:
        raise
    except BadValue as error:
        raise ctx.bad(where, str(error)) from None
    except ValueError:
        raise ctx.bad(where, "the value is not in the expected format") from None


class HashingReader(io.RawIOBase):
    """A read-only stream hashing every byte it passes on: the file is read once, for parse and digest."""

    def __init__(self, inner: BinaryIO) -> None:
        super().__init__()
        self._inner = inner
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """Pass bytes on, hashing them."""
        data = self._inner.read(size)
        self._hash.update(data)
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:
        """For buffered readers: the same, into their buffer."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return self._inner.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Only back to the start, for a parser that must read the file again: the digest starts over."""
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("a hashing reader only goes back to the start")
        self._hash = hashlib.sha256()
        return self._inner.seek(0)

    def hexdigest(self) -> str:
        """The whole file's sha256: whatever the parser left unread is hashed now."""
        while self.read(1 << 20):
            pass
        return self._hash.hexdigest()
