"""The records that cross from importers into the store, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class StepSample:
    """Steps counted in one local wall-clock interval: the day as the owner lived it decides."""

    start: datetime
    """Naive local start: the offset written in the export is dropped, the wall clock kept."""
    end: datetime
    """Naive local end; an hourly bucket ends on the next hour, a daily one at next midnight."""
    steps: int
    """Non-negative step count; out-of-range values are rejected by the importer, never clamped."""
    source: str
    """Which device or app stream counted it (length-capped, shown escaped)."""


@dataclass(frozen=True)
class ParsedImport:
    """What an importer read from one file, before anything touches the store."""

    format: str
    """Detected format id: csv-daily, csv-timestamp, apple-health, google-fit, fitbit, samsung, ..."""
    samples: tuple[StepSample, ...]
    """Hourly or daily buckets, already de-duplicated across overlapping sources."""
    rows_read: int
    """Records read from the file that were step records."""
    duplicates_dropped: int = 0
    """Records (or step counts) dropped by the overlap rule, reported to the user."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Plain-language remarks for the result summary (e.g. which source won)."""
    exported_on: date | None = None
    """The export's own creation date (local), where the format carries one: coverage ends the day before."""
    skipped: tuple[tuple[str, int], ...] = ()
    """(reason, records) skipped as impossible (a clock glitch, a record over a limit); the rest imports."""
    sources: tuple[str, ...] = ()
    """Labels of the sources whose steps were kept, best first (cleaned, length-capped)."""
    sha256: str = ""
    """Digest of the bytes read while parsing (the file, or the entries read from a zip); "" if unknown."""


class BadInput(ValueError):
    """A file Hearth refuses: it names the file and the line or field so the owner can fix it."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem
