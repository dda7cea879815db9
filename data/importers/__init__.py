"""Read one step-count export into hourly or daily buckets, or refuse it whole with a `BadInput`.

The format is told from the content, never the name. Nothing here touches the store: the caller
stores the returned `ParsedImport` (all or nothing) for the member it chose.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from data.importers import apple, fitbit, generic_csv, google_fit, samsung
from data.importers._checks import clean_label
from data.importers._source import Context
from data.importers._zip import open_export
from data.importers.detect import HEAD_BYTES, detect
from data.model import BadInput, ParsedImport

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
    "samsung": samsung.parse,
}


def parse_file(
    path: Path,
    *,
    display_name: str | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedImport:
    """Parse one export file; `today` is the last date accepted (default: UTC date + 1 day of slack)."""
    name = clean_label(display_name or path.name, 255)
    limit_day = today or datetime.now(UTC).date() + timedelta(days=1)
    size = path.stat().st_size
    if size > size_limit:
        raise BadInput(name, "whole file", f"the file is larger than the {size_limit:,}-byte limit")
    with path.open("rb") as raw:
        head = raw.read(HEAD_BYTES)
        raw.seek(0)
        kind = detect(head, name)
        if kind != "zip":
            return PARSERS[kind](raw, Context(name, limit_day, size, progress))
        try:
            stream, total = open_export(raw, size, size_limit, Context(name, limit_day, size))
            with stream:
                return apple.parse(stream, Context(name, limit_day, total, progress))
        except (zipfile.BadZipFile, EOFError, zlib.error):
            raise BadInput(name, "whole file", "the zip archive is damaged or truncated") from None
