"""privacy.imports: who may import for whom, one-line refusals naming the file, coverage recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from data import store
from privacy.imports import ImportRefused, import_file
from privacy.release import NotAllowed

GOOD = "member,date,steps\nRuth,2026-10-01,5000\nRuth,2026-10-02,6000\n"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = store.connect(tmp_path / "store.sqlite")
    yield connection
    connection.close()


def test_an_import_summarises_days_sources_and_coverage(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_text(GOOD)
    summary = import_file(conn, "Ruth", False, "Ruth", path, "steps.csv", date(2026, 10, 5))
    assert (summary.days_imported, summary.sources_kept, summary.skipped) == (2, ("csv",), ())
    assert summary.covered_through == date(2026, 10, 4)
    again = import_file(conn, "Ruth", False, "Ruth", path, "steps.csv", date(2026, 10, 9))
    assert again.already_imported and again.covered_through is None
    assert list(store.coverage(conn).values()) == [date(2026, 10, 4)]


def test_only_an_admin_imports_for_someone_else(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_text(GOOD)
    with pytest.raises(NotAllowed):
        import_file(conn, "Ruth", False, "Maya", path, "steps.csv", date(2026, 10, 5))
    assert import_file(conn, "Sam", True, "Maya", path, "steps.csv", date(2026, 10, 5)).member == "Maya"


def test_an_unreadable_file_is_refused_naming_it(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match=r"^steps.csv: the file could not be read"):
        import_file(conn, "Ruth", False, "Ruth", tmp_path / "gone", "steps.csv", date(2026, 10, 5))


def test_a_store_failure_is_refused_naming_the_file(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_text(GOOD)

    def full(_: object) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(ImportRefused, match=r"^steps.csv: the store could not take the import \(database or"):
        import_file(conn, "Ruth", False, "Ruth", path, "steps.csv", date(2026, 10, 5), guard=full)
