"""What a zip upload holds, told from its entries' content, never the zip's name.

An Apple export, a Health Connect export, or a Google or Fitbit Takeout (whose step files are read
and everything else ignored).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from typing import BinaryIO

from data.importers import apple, fitbit, google_fit, health_connect
from data.importers._checks import clean_label
from data.importers._fitbit_profile import archive_zone
from data.importers._merge import merge_streams
from data.importers._prologue import PROLOGUE_LIMIT, is_health_data
from data.importers._source import NO_RECORDS, Context
from data.importers._zip import MAX_RATIO, head, open_archive, open_entry, sniff
from data.importers.detect import detect
from data.model import BadInput, ParsedImport

_APPLE = re.compile(r"apple_health_export/[^/]+\.xml", re.IGNORECASE)
_APPLE_CDA = "export_cda.xml"
_DAY_FILE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.csv", re.IGNORECASE)
_FITBIT_JSON = re.compile(r"steps-[0-9]{4}-[0-9]{2}-[0-9]{2}\.json", re.IGNORECASE)
SQLITE_MAGIC = b"SQLite format 3\x00"
SNIFF = 4096
"""Bytes read from a candidate entry to tell its format: a header line fits with room to spare."""
REFUSAL = (
    "a zip must be an Apple Health export (apple_health_export/...xml), a Health Connect export,"
    " or a Google or Fitbit Takeout holding step files"
)


def parse_zip(raw: BinaryIO, size: int, size_limit: int, ctx: Context) -> ParsedImport:
    """Find the export inside the zip and parse it; bytes inflated stay under the limit and the ratio."""
    archive = open_archive(raw, size, ctx)
    infos = [info for info in archive.infolist() if not info.is_dir()]
    export = next((info for info in infos if _is_apple(archive, info, size_limit, ctx)), None)
    if export is not None:
        with open_entry(archive, export, size_limit, ctx) as stream:
            return apple.parse(stream, _entry_ctx(ctx, export, export.file_size, 0))
    database = next((info for info in infos if _is_database(archive, info)), None)
    if database is not None:
        return health_connect.parse_entry(archive, database, size_limit, _entry_ctx(ctx, database, 0, 0))
    return _takeout(archive, infos, min(size_limit, MAX_RATIO * size), ctx)


def _is_apple(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size_limit: int, ctx: Context) -> bool:
    """Any apple_health_export/*.xml rooted in HealthData: the name follows the phone's language."""
    name = info.filename
    if not _APPLE.fullmatch(name) or name.rsplit("/", 1)[-1].lower() == _APPLE_CDA:
        return False
    return is_health_data(head(archive, info, PROLOGUE_LIMIT, size_limit, ctx))


def _is_database(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A SQLite file by its magic bytes (Health Connect names it by version); checked only when read."""
    return info.file_size >= len(SQLITE_MAGIC) and sniff(archive, info, len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _takeout(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: int, ctx: Context
) -> ParsedImport:
    """Fitbit step files and Google Fit's daily metrics, each entry parsed alone, then merged.

    Takeouts hold thousands of small entries, so a bomb is judged by the bytes the chosen entries
    inflate to: their total must stay under both the size limit and MAX_RATIO times the zip's size.
    """
    chosen = [(info, kind) for info in infos if (kind := _takeout_kind(archive, info))]
    if not chosen:
        raise ctx.bad("whole file", REFUSAL)
    total = sum(info.file_size for info, _ in chosen)
    if total > budget:
        raise ctx.bad("whole file", f"refused: the step files inflate to more than {budget:,} bytes")
    stated = archive_zone(archive, infos)
    ctx = ctx if stated is None else replace(ctx, zone=stated)
    parts, done = [], 0
    for info, kind in chosen:
        with open_entry(archive, info, budget, ctx) as stream:
            parsed = _entry_or_none(_PARSERS[kind], stream, _entry_ctx(ctx, info, total, done))
        done += info.file_size
        if parsed is not None:
            parts.append(parsed)
    if not parts:
        raise ctx.bad("whole file", NO_RECORDS)
    return replace(merge_streams(parts), rows_read=sum(p.rows_read for p in parts))


_PARSERS: dict[str, Callable[[BinaryIO, Context], ParsedImport]] = {
    "fitbit": fitbit.parse,
    "fitbit-csv": fitbit.parse_csv,
    "google-fit-daily": google_fit.parse_daily,
}


def _takeout_kind(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """Which step format an entry holds, judged by name and header; anything else is ignored."""
    base = info.filename.rsplit("/", 1)[-1]
    if _FITBIT_JSON.fullmatch(base):
        return "fitbit"
    if not base.lower().endswith(".csv") or _DAY_FILE.fullmatch(base) or info.file_size == 0:
        return None
    try:
        kind = detect(sniff(archive, info, SNIFF), base)
    except BadInput:
        return None
    return kind if kind in ("fitbit-csv", "google-fit-daily") else None


def _entry_or_none(
    parser: Callable[[BinaryIO, Context], ParsedImport], stream: BinaryIO, ctx: Context
) -> ParsedImport | None:
    """An entry's steps; an empty step file in a Takeout is skipped, any other problem refuses the zip."""
    try:
        return parser(stream, ctx)
    except BadInput as error:
        if error.problem == NO_RECORDS:
            return None
        raise


def _entry_ctx(ctx: Context, info: zipfile.ZipInfo, total: int, done: int) -> Context:
    """A context naming `zip/entry` in errors and reporting progress across all entries read."""
    name = f"{ctx.file}/{clean_label(info.filename, 255)}"
    progress = ctx.progress
    whole = total or info.file_size
    report = None if progress is None else (lambda d, _t: progress(done + d, max(whole, done + d)))
    return replace(ctx, file=name, total=info.file_size, progress=report)
