"""Android Health Connect's export: a zip holding a SQLite database; steps are in `steps_record_table`.

Each row is an interval (`start_time`, `end_time` in epoch milliseconds, `start_zone_offset` in
seconds, `count`) written by one app (`app_info_id`). The database is copied to a private temp folder
(SQLite cannot read from a stream) and opened read-only; the time is the wall clock the offset gives.
Apps count the same walk independently, so, as with Apple, the best-covering app wins each moment.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from data.importers._buckets import DAY
from data.importers._overlap import resolve
from data.importers._raw import RawSteps, latest_moment
from data.importers._source import Context
from data.importers._zip import open_entry
from data.model import ParsedImport

TABLE = "steps_record_table"
QUERY = (
    "SELECT s.start_time, s.end_time, coalesce(s.start_zone_offset, 0), s.count,"
    " coalesce(a.package_name, 'app ' || s.app_info_id)"
    " FROM steps_record_table s LEFT JOIN application_info_table a ON a.row_id = s.app_info_id"
)
QUERY_WITHOUT_APPS = (
    "SELECT start_time, end_time, coalesce(start_zone_offset, 0), count, 'app' FROM steps_record_table"
)
EPOCH_SECONDS = date(1970, 1, 1).toordinal() * DAY


def parse_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, size_limit: int, ctx: Context
) -> ParsedImport:
    """Copy the database out of the zip (bounded like any entry), then read its step rows."""
    with tempfile.TemporaryDirectory(prefix="hearth-hc-") as folder:
        path = Path(folder) / "export.db"
        with open_entry(archive, info, size_limit, ctx) as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        parsed = _read(path, ctx)
    return parsed


def _read(path: Path, ctx: Context) -> ParsedImport:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")  # a planted schema runs no functions of ours
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if TABLE not in tables:
            raise ctx.bad("whole file", f"a Health Connect export without {TABLE}")
        query = QUERY if "application_info_table" in tables else QUERY_WITHOUT_APPS
        raw = _collect(conn.execute(query), ctx)
    except sqlite3.DatabaseError:
        raise ctx.bad("whole file", "the Health Connect database is damaged or not a database") from None
    finally:
        conn.close()
    return resolve(raw, ctx, "health-connect")


def _collect(rows: sqlite3.Cursor, ctx: Context) -> RawSteps:
    """The rows as Apple-style raw arrays: absolute seconds on the day count, offset, steps, source."""
    raw, latest = RawSteps.empty(), latest_moment(ctx.today)
    for start, end, offset, count, app in rows:
        index = raw.sources.setdefault((str(app), None), len(raw.sources))
        begin = int(start) // 1000 + EPOCH_SECONDS
        raw.add(begin, int(end) // 1000 + EPOCH_SECONDS, int(offset), _count(count), index, latest)
    return raw


def _count(value: object) -> float:
    """A step count as stored; anything not a number becomes NaN, which `RawSteps.add` skips."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
