"""Tell the format from the first bytes: the file name lies (uploads are renamed, users rename files)."""

from __future__ import annotations

import csv

from data.model import BadInput

HEAD_BYTES = 64 << 10
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
BOM = b"\xef\xbb\xbf"
GENERIC_COLUMNS = {"member", "date", "timestamp", "steps"}
FITBIT_CSV = {"timestamp", "steps", "data source"}
KNOWN_FORMATS = (
    "expected member,date,steps or member,timestamp,steps; a Google Fit CSV with English headers"
    " (Date or Start time, Step count); a Fitbit steps JSON or CSV (timestamp,steps,data source);"
    " a Samsung Health step_daily_trend or pedometer_step_count CSV; an Apple Health export;"
    " or a zip: Apple Health, Health Connect, Google or Fitbit Takeout"
)


def detect(head: bytes, file: str) -> str:
    r"""Format id from the file's first bytes: zip, apple-health, fitbit, samsung, csv-*, google-fit-*.

    >>> detect(b"member,date,steps\nAnna,2024-01-02,5\n", "x.json")
    'csv-daily'
    """
    text = head.removeprefix(BOM).lstrip()
    if not text:
        raise BadInput(file, "whole file", "the file is empty")
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if text.startswith(b"<"):
        return "apple-health"
    if text.startswith(b"["):
        return "fitbit"
    first = _first_line(text, file)
    if first.startswith("com.samsung.shealth."):
        return "samsung"
    return _csv_format([name.strip() for name in next(csv.reader([first]))], file)


def _first_line(text: bytes, file: str) -> str:
    """The first line as text; a binary or non-UTF-8 file (or a 64 KB header) is no format we know."""
    line = text.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(file, "line 1", f"not a format Hearth reads ({KNOWN_FORMATS})") from None


def _csv_format(header: list[str], file: str) -> str:
    """Which CSV shape a header row announces; a near miss names the column that is missing."""
    lower = {name.lower() for name in header}
    if lower >= FITBIT_CSV and "member" not in lower:
        return "fitbit-csv"
    if "member" not in lower and header[:1] == ["Date"]:
        return "google-fit-daily"
    if "member" not in lower and "Start time" in header:
        return "google-fit-hourly"
    if lower & GENERIC_COLUMNS:
        for needed in ("member", "steps"):
            if needed not in lower:
                raise BadInput(file, "line 1", f"missing column '{needed}'")
        if "date" in lower:
            return "csv-daily"
        if "timestamp" in lower:
            return "csv-timestamp"
        raise BadInput(file, "line 1", "missing column 'date' (or 'timestamp')")
    raise BadInput(file, "line 1", f"unrecognised columns ({KNOWN_FORMATS})")
