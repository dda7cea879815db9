"""Open a zip upload without trusting it: entries counted as the directory is walked, bombs judged by bytes.

Nothing is extracted except a Health Connect database (to a private temp folder). The checks run on
the archive's directory before a byte is inflated: the entry count (walking the central directory
itself, never the archive's own claim, before `zipfile` builds one object per entry), path tricks,
nested archives, and for every entry that is read its declared size, the running total and the
compression ratio. `zipfile` then stops at the declared size and checks the CRC, so an entry that lies
about its size fails instead of flooding.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from data.importers._source import Context

MAX_ENTRIES = 100_000
"""Takeouts hold tens of thousands of small files; each costs zipfile ~500 bytes, so 100,000 stay ~50 MB."""
MAX_DIRECTORY_BYTES = 32 << 20
"""A central directory of 100,000 entries with long names fits in a few MB."""
MAX_RATIO = 200
"""Health XML and CSV compress 10-30x; deflate bombs reach ~1000x per layer."""
SMALL_ENTRY = 1 << 20
"""Entries up to this size may compress better than MAX_RATIO; the total read is bounded by the ratio."""
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_ENTRY = b"PK\x01\x02"
_ARCHIVES = (".zip", ".gz", ".bz2", ".xz", ".7z")


def open_archive(raw: BinaryIO, size: int, ctx: Context) -> zipfile.ZipFile:
    """The archive, after counting its entries and refusing unsafe paths and archives inside it."""
    _count_entries(raw, size, ctx)
    try:
        archive = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ctx.bad("whole file", "the zip archive is damaged or truncated") from None
    for info in archive.infolist():
        _check_name(info.filename, ctx)
    return archive


def open_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size_limit: int, ctx: Context) -> BinaryIO:
    """A stream of one entry, after the checks that need no inflating (a tiny entry may compress well)."""
    if info.flag_bits & 0x1:
        raise ctx.bad(info.filename, "refused: the file is encrypted")
    if info.file_size > size_limit:
        raise ctx.bad(info.filename, f"the file is larger than the {size_limit:,}-byte limit")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > SMALL_ENTRY:
        raise ctx.bad(info.filename, f"refused: compressed more than {MAX_RATIO}x (a zip bomb)")
    stream = archive.open(info)
    if stream.peek(4)[:4].startswith(b"PK"):
        raise ctx.bad(info.filename, "refused: a zip inside the zip")
    return stream


def head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, count: int, size_limit: int, ctx: Context) -> bytes:
    """The first `count` bytes of an entry (to tell its format), under the same checks."""
    with open_entry(archive, info, size_limit, ctx) as stream:
        return stream.read(count)


def sniff(archive: zipfile.ZipFile, info: zipfile.ZipInfo, count: int) -> bytes:
    """The first `count` bytes of an entry that may be ignored: a few KB inflated, nothing checked yet."""
    if info.flag_bits & 0x1:
        return b""
    with archive.open(info) as stream:
        return stream.read(count)


def _count_entries(raw: BinaryIO, size: int, ctx: Context) -> None:
    """Walk the central directory record by record; refuse past MAX_ENTRIES whatever the end record says."""
    start, length = _directory(raw, size, ctx)
    if length > MAX_DIRECTORY_BYTES or start < 0:
        raise ctx.bad("whole file", "refused: the zip's directory is too large or misplaced")
    raw.seek(start)
    directory = raw.read(length)
    raw.seek(0)
    pos = count = 0
    while pos + 46 <= len(directory):
        if directory[pos : pos + 4] != _ENTRY:
            raise ctx.bad("whole file", "the zip archive is damaged or truncated")
        count += 1
        if count > MAX_ENTRIES:
            raise ctx.bad("whole file", f"refused: the zip holds more than {MAX_ENTRIES:,} entries")
        name, extra, comment = struct.unpack_from("<HHH", directory, pos + 28)
        pos += 46 + name + extra + comment


def _directory(raw: BinaryIO, size: int, ctx: Context) -> tuple[int, int]:
    """(start, length) of the central directory, placed as zipfile places it: just before the end records."""
    tail_start = max(0, size - (1 << 16) - 22)
    raw.seek(tail_start)
    tail = raw.read()
    end = tail.rfind(_END)
    if end < 0 or len(tail) - end < 22:
        raise ctx.bad("whole file", "the zip archive is damaged or truncated")
    (length,) = struct.unpack_from("<I", tail, end + 12)
    locator = end - 20
    if locator >= 0 and tail[locator : locator + 4] == _END64_LOCATOR:
        raw.seek(tail_start + locator - 56)
        record = raw.read(56)
        if len(record) < 56 or record[:4] != _END64:
            raise ctx.bad("whole file", "the zip archive is damaged or truncated")
        (length,) = struct.unpack_from("<Q", record, 40)
        return tail_start + locator - 56 - length, length
    return tail_start + end - length, length


def _check_name(name: str, ctx: Context) -> None:
    """No absolute paths, no `..`, no nested archives: an export has none, an attack might."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise ctx.bad("whole file", "refused: the zip holds an entry with an unsafe path")
    if name.lower().endswith(_ARCHIVES):
        raise ctx.bad("whole file", "refused: an archive inside the zip")
