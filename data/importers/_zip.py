"""Open `apple_health_export/export.xml` inside an export.zip as a stream, refusing zip bombs and tricks.

Nothing is extracted to disk. The checks run on the archive's directory before a byte is inflated:
entry count (read from the end record, before `zipfile` builds one object per entry), path tricks,
nested archives, the member's declared size and compression ratio. `zipfile` then stops at the
declared size and checks the CRC, so a member that lies about its size fails instead of flooding.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from data.importers._source import Context

EXPORT_MEMBER = "apple_health_export/export.xml"
MAX_ENTRIES = 5000
"""Real exports hold export.xml, export_cda.xml and one GPX file per outdoor workout: a few thousand."""
MAX_RATIO = 200
"""Health XML compresses 10-30x; deflate bombs reach ~1000x per layer."""
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"


def open_export(raw: BinaryIO, size: int, size_limit: int, ctx: Context) -> tuple[BinaryIO, int]:
    """(stream of export.xml, its declared size) after every check that needs no inflating."""
    _check_entry_count(raw, size, ctx)
    try:
        archive = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ctx.bad("whole file", "the zip archive is damaged or truncated") from None
    infos = archive.infolist()
    for info in infos:
        _check_name(info.filename, ctx)
    member = next((info for info in infos if info.filename == EXPORT_MEMBER), None)
    if member is None:
        raise ctx.bad("whole file", f"a zip must be an Apple Health export holding {EXPORT_MEMBER}")
    _check_member(member, size_limit, ctx)
    stream = archive.open(member)
    if stream.peek(4)[:4].startswith(b"PK"):
        raise ctx.bad(EXPORT_MEMBER, "refused: a zip inside the zip")
    return stream, member.file_size


def _check_entry_count(raw: BinaryIO, size: int, ctx: Context) -> None:
    """Read the entry count from the end-of-central-directory record (zip64 aware)."""
    tail_start = max(0, size - (1 << 16) - 22)
    raw.seek(tail_start)
    tail = raw.read()
    raw.seek(0)
    end = tail.rfind(_END)
    if end < 0 or len(tail) - end < 22:
        raise ctx.bad("whole file", "the zip archive is damaged or truncated")
    (entries,) = struct.unpack_from("<H", tail, end + 10)
    locator = end - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == _END64_LOCATOR:
        (where,) = struct.unpack_from("<Q", tail, locator + 8)
        raw.seek(where)
        record = raw.read(56)
        raw.seek(0)
        if len(record) < 56 or record[:4] != _END64:
            raise ctx.bad("whole file", "the zip archive is damaged or truncated")
        (entries,) = struct.unpack_from("<Q", record, 32)
    if entries > MAX_ENTRIES:
        raise ctx.bad("whole file", f"refused: the zip holds more than {MAX_ENTRIES:,} entries")


def _check_name(name: str, ctx: Context) -> None:
    """No absolute paths, no `..`, no nested archives: an export has none, an attack might."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise ctx.bad("whole file", "refused: the zip holds an entry with an unsafe path")
    if name.lower().endswith((".zip", ".gz", ".bz2", ".xz", ".7z")):
        raise ctx.bad("whole file", "refused: an archive inside the zip")


def _check_member(member: zipfile.ZipInfo, size_limit: int, ctx: Context) -> None:
    if member.flag_bits & 0x1:
        raise ctx.bad(EXPORT_MEMBER, "refused: the file is encrypted")
    if member.file_size > size_limit:
        raise ctx.bad(EXPORT_MEMBER, f"the file is larger than the {size_limit:,}-byte limit")
    if member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise ctx.bad(EXPORT_MEMBER, f"refused: compressed more than {MAX_RATIO}x (a zip bomb)")
