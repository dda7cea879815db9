"""Read one step-count export into hourly or daily buckets, or refuse it whole with a `BadInput`.

The format is told from the content, never the name. Nothing here touches the store: the caller
stores the returned `ParsedImport` (all or nothing) for the member it chose.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import BinaryIO

from data.importers import apple, fitbit, generic_csv, google_fit, samsung
from data.importers._checks import clean_label
from data.importers._source import Context, HashingReader
from data.importers.archive import parse_zip
from data.importers.detect import HEAD_BYTES, detect
from data.model import BadInput, ParsedImport
from data.zone import system_zone

__all__ = ["DEFAULT_SIZE_LIMIT", "BadInput", "ParsedImport", "parse_file"]

DEFAULT_SIZE_LIMIT = 4 << 30
"""4 GiB: real Apple exports reach 3 GB; anything larger is refused before reading."""

PARSERS: dict[str, Callable[[BinaryIO, Context], ParsedImport]] = {
    "apple-health": apple.parse,
    "csv-daily": generic_csv.parse_daily,
    "csv-timestamp": generic_csv.parse_timestamps,
    "google-fit-daily": google_fit.parse_daily,
    "google-fit-hourly": google_fit.parse_day_file,
    "fitbit": fitbit.parse,
    "fitbit-csv": fitbit.parse_csv,
    "samsung": samsung.parse,
}


def parse_file(
    path: Path,
    *,
    display_name: str | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    zone: tzinfo | None = None,
) -> ParsedImport:
    """Parse one export file, reading it once; its sha256 comes back in `ParsedImport.sha256`.

    `today` is the last date accepted (default: UTC date + 1 day of slack); `zone` is the member's
    time zone for formats that write UTC (default: the system's zone). Raises `OSError` when the file
    cannot be read, `BadInput` when it is refused.
    """
    name = clean_label(display_name or path.name, 255)
    limit_day = today or datetime.now(UTC).date() + timedelta(days=1)
    with path.open("rb") as raw:
        size = _size(raw)
        if size > size_limit:
            raise BadInput(name, "whole file", f"the file is larger than the {size_limit:,}-byte limit")
        ctx = Context(name, limit_day, size, progress, zone or system_zone())
        kind = detect(raw.read(HEAD_BYTES), name)
        raw.seek(0)
        if kind == "zip":
            return _parse_zip(raw, size, size_limit, ctx)
        hashing = HashingReader(raw)
        parsed = PARSERS[kind](hashing, ctx)
        return replace(parsed, sha256=hashing.hexdigest())


def _size(raw: BinaryIO) -> int:
    """Size of the open file (checked before a byte is read or hashed)."""
    return raw.seek(0, 2) - raw.seek(0)


def _parse_zip(raw: BinaryIO, size: int, size_limit: int, ctx: Context) -> ParsedImport:
    """A zip reads only some entries, so its digest is a separate pass over the (compressed) file."""
    try:
        parsed = parse_zip(raw, size, size_limit, ctx)
    except BadInput:
        raise
    except NotImplementedError:  # zipfile's answer to deflate64 and other rare methods
        raise BadInput(ctx.file, "whole file", "the zip uses a compression Hearth cannot read") from None
    except (zipfile.BadZipFile, EOFError, zlib.error, struct.error, ValueError):
        raise BadInput(ctx.file, "whole file", "the zip archive is damaged or truncated") from None
    raw.seek(0)
    return replace(parsed, sha256=hashlib.file_digest(raw, "sha256").hexdigest())
