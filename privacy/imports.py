"""Importing a member's file: who may import for whom, the parse outside the store lock, one store write.

Plain functions over a `sqlite3.Connection`, so the service only delegates. Every refusal (bad
input, a file that cannot be read, a store that cannot take it, a made-up store) is an
`ImportRefused` whose one-line message names the file and quotes nothing from it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import TypeVar

from data import store
from data.importers import parse_file
from data.model import BadInput, ParsedImport
from data.summary import days_imported
from privacy.release import NotAllowed, Refused

T = TypeVar("T")
Guard = Callable[[Callable[[], T]], T]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, for the Import page's result summary."""

    member: str
    format: str
    rows_read: int
    buckets_stored: int
    duplicates_dropped: int
    """Steps (Apple, Health Connect) or rows (others) dropped because another source counted them."""
    already_imported: bool
    notes: tuple[str, ...]
    days_imported: int = 0
    sources_kept: tuple[str, ...] = ()
    """Labels of the sources whose steps were kept, best first."""
    skipped: tuple[tuple[str, int], ...] = ()
    """(reason, records) skipped as impossible; the rest was imported."""
    covered_through: date | None = None
    """The day through which this member's data are now complete (None when nothing changed)."""


class ImportRefused(Refused):
    """A file Hearth would not store; the message names the file and line, nothing was stored."""


def import_file(
    conn: sqlite3.Connection,
    viewer_name: str,
    viewer_is_admin: bool,
    member_name: str,
    path: Path,
    display_name: str,
    today: date,
    progress: Progress | None = None,
    *,
    zone: tzinfo | None = None,
    guard: Guard | None = None,
) -> ImportSummary:
    """Import a file for oneself (or, as admin, for anyone): all or nothing.

    `guard` runs the store calls (the service's lock); the parse runs outside it, so a long upload
    never blocks other members' pages.
    """
    if member_name != viewer_name and not viewer_is_admin:
        raise NotAllowed("You can import your own data only; an admin can import for others.")
    run = guard or _direct
    parsed = _parse(path, display_name, progress, zone)
    try:
        outcome = run(
            lambda: store.ingest(conn, member_name, parsed, display_name, parsed.sha256, today=today)
        )
    except store.WrongStore as wrong:
        raise ImportRefused(f"{display_name}: {wrong}") from None
    except sqlite3.Error as error:
        raise ImportRefused(f"{display_name}: the store could not take the import ({error})") from None
    return _summary(parsed, outcome)


def _parse(path: Path, display_name: str, progress: Progress | None, zone: tzinfo | None) -> ParsedImport:
    try:
        return parse_file(path, display_name=display_name, progress=progress, zone=zone)
    except BadInput as bad:
        raise ImportRefused(str(bad)) from None
    except OSError as error:
        raise ImportRefused(
            f"{display_name}: the file could not be read ({error.strerror or 'I/O error'})"
        ) from None


def _summary(parsed: ParsedImport, outcome: store.ImportOutcome) -> ImportSummary:
    return ImportSummary(
        member=outcome.member.name,
        format=parsed.format,
        rows_read=outcome.rows_read,
        buckets_stored=outcome.buckets_stored,
        duplicates_dropped=outcome.duplicates_dropped,
        already_imported=outcome.batch_id is None,
        notes=parsed.notes,
        days_imported=days_imported(parsed),
        sources_kept=parsed.sources,
        skipped=parsed.skipped,
        covered_through=outcome.covered_through,
    )


def _direct(call: Callable[[], T]) -> T:
    return call()
