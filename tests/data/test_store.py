"""The store keeps imports whole, never double counts overlaps, and keeps real and made-up data apart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from data import store
from data.model import ParsedImport, StepSample

DAY = date(2026, 3, 2)
REPO = Path(__file__).resolve().parents[2]


def hourly(hour: int, steps: int, source: str = "phone", day: date = DAY) -> StepSample:
    start = datetime(day.year, day.month, day.day, hour)
    return StepSample(start, start + timedelta(hours=1), steps, source)


def whole_day(steps: int, source: str = "phone", day: date = DAY) -> StepSample:
    start = datetime(day.year, day.month, day.day)
    return StepSample(start, start + timedelta(days=1), steps, source)


def parsed(*samples: StepSample, fmt: str = "csv-timestamp") -> ParsedImport:
    return ParsedImport(format=fmt, samples=samples, rows_read=len(samples))


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = store.connect(tmp_path / "store.sqlite")
    yield connection
    connection.close()


def daily_steps(conn: sqlite3.Connection, name: str = "Maya") -> dict[date, int]:
    member = store.member_by_name(conn, name)
    assert member is not None
    frame = store.daily_frame(conn, date(1900, 1, 1), date(2100, 1, 1))
    return dict(frame.filter(frame["member_id"] == member.id).select("day", "steps").iter_rows())


def hourly_steps(conn: sqlite3.Connection) -> dict[int, int]:
    frame = store.hourly_frame(conn, DAY, DAY)
    return dict(frame.select("hour", "steps").iter_rows())


def test_round_trip_gives_back_hourly_and_daily_totals(conn: sqlite3.Connection) -> None:
    later = DAY + timedelta(days=1)
    outcome = store.ingest(
        conn, "Maya", parsed(hourly(8, 1200), hourly(9, 300), hourly(7, 50, day=later)), "a.csv", "a"
    )
    assert (outcome.member.name, outcome.buckets_stored, outcome.rows_read) == ("Maya", 3, 3)
    assert daily_steps(conn) == {DAY: 1500, later: 50}
    assert hourly_steps(conn) == {8: 1200, 9: 300}
    assert store.members(conn) == (outcome.member,)
    assert store.data_range(conn) == (DAY, later)
    assert store.data_version(conn) == 1


def test_reimporting_the_same_file_changes_nothing(conn: sqlite3.Connection) -> None:
    first = store.ingest(conn, "Maya", parsed(hourly(8, 1200)), "a.csv", "sha-a")
    again = store.ingest(conn, "Maya", parsed(hourly(8, 1200)), "renamed.csv", "sha-a")
    assert first.batch_id is not None
    assert again.batch_id is None
    assert store.data_version(conn) == 1
    assert conn.execute(
        "SELECT count(*) FROM import_batches WHERE member_id = ?", (first.member.id,)
    ).fetchone() == (1,)
    assert daily_steps(conn) == {DAY: 1200}


def test_overlapping_files_of_one_source_do_not_double_count(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(hourly(8, 100), hourly(9, 200), hourly(10, 300)), "a.csv", "a")
    store.ingest(conn, "Maya", parsed(hourly(9, 200), hourly(10, 350), hourly(11, 400)), "b.csv", "b")
    assert daily_steps(conn) == {DAY: 100 + 200 + 350 + 400}
    assert hourly_steps(conn) == {8: 100, 9: 200, 10: 350, 11: 400}
    assert store.data_version(conn) == 2


def test_different_sources_on_one_day_take_the_larger_source_total(conn: sqlite3.Connection) -> None:
    phone = parsed(hourly(8, 3000, "phone"), hourly(9, 2000, "phone"))
    watch = parsed(hourly(8, 2500, "watch"), hourly(9, 2500, "watch"), hourly(10, 2000, "watch"))
    store.ingest(conn, "Maya", phone, "phone.csv", "p")
    store.ingest(conn, "Maya", watch, "watch.csv", "w")
    assert daily_steps(conn) == {DAY: 7000}
    assert hourly_steps(conn) == {8: 3000, 9: 2500, 10: 2000}


def test_a_sources_daily_and_hourly_buckets_are_alternatives_not_addends(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(whole_day(8000), fmt="csv-daily"), "days.csv", "d")
    store.ingest(conn, "Maya", parsed(hourly(8, 4000), hourly(9, 2000)), "hours.csv", "h")
    assert daily_steps(conn) == {DAY: 8000}
    assert hourly_steps(conn) == {8: 4000, 9: 2000}


def test_a_demo_store_refuses_real_imports(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(hourly(8, 100), fmt="demo"), "demo", "demo")
    store.set_kind(conn, "demo", today=DAY)
    with pytest.raises(store.WrongStore, match="demo store"):
        store.ingest(conn, "Maya", parsed(hourly(9, 100)), "real.csv", "real")
    assert store.data_version(conn) == 1
    assert store.members(conn)[0].name == "Maya"


def test_a_store_with_real_imports_cannot_be_marked_demo(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(hourly(8, 100)), "real.csv", "real")
    with pytest.raises(store.WrongStore, match="real imports"):
        store.set_kind(conn, "synthetic", today=DAY)
    assert store.store_kind(conn) == "real"
    assert store.holds_real_data(conn)


CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta
    from data import store
    from data.model import ParsedImport, StepSample

    STALL_PASS = int(sys.argv[2])

    class Stalling(tuple):
        passes = 0

        def __iter__(self):
            Stalling.passes += 1
            for n, item in enumerate(tuple.__iter__(self)):
                if Stalling.passes == STALL_PASS and n == len(self) // 2:
                    print("stalled", flush=True)
                    time.sleep(60)
                yield item

    hours = [datetime(1990, 1, 1) + timedelta(hours=n) for n in range(300_001)]
    samples = Stalling(StepSample(a, b, 9, "phone") for a, b in zip(hours, hours[1:]))
    conn = store.connect(sys.argv[1])
    store.ingest(conn, "Ivy", ParsedImport("csv-timestamp", samples, len(samples)), "big.csv", "big")
    print("committed", flush=True)
    """
)


@pytest.mark.parametrize("stall_pass", [1, 2], ids=["mid-insert", "before-rollups"])
def test_an_import_killed_midway_leaves_no_trace(tmp_path: Path, stall_pass: int) -> None:
    path = tmp_path / "store.sqlite"
    conn = store.connect(path)
    store.ingest(conn, "Maya", parsed(hourly(8, 1200)), "a.csv", "a")
    before = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
    conn.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(stall_pass)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "stalled"
    wal_bytes = os.path.getsize(f"{path}-wal")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()

    assert child.returncode == -signal.SIGKILL
    assert wal_bytes > 1_000_000, "the killed transaction had written pages"
    conn = store.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [m.name for m in store.members(conn)] == ["Maya"]
    assert conn.execute("SELECT count(*) FROM samples").fetchone()[0] == before
    assert conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1
    assert store.data_version(conn) == 1
    assert store.ingest(conn, "Ivy", parsed(hourly(9, 10)), "small.csv", "s").batch_id is not None
    conn.close()


def test_coverage_runs_through_the_day_before_the_import_or_the_export(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(hourly(8, 100)), "a.csv", "a", today=date(2026, 3, 5))
    dated = ParsedImport("apple-health", (hourly(9, 5),), 1, exported_on=date(2026, 3, 3))
    store.ingest(conn, "Ivy", dated, "export.zip", "b", today=date(2026, 3, 9))
    maya, ivy = (store.member_by_name(conn, name) for name in ("Maya", "Ivy"))
    assert maya and ivy
    assert store.coverage(conn) == {maya.id: date(2026, 3, 4), ivy.id: date(2026, 3, 2)}


def test_coverage_is_the_latest_batch_and_a_reimport_changes_nothing(conn: sqlite3.Connection) -> None:
    store.ingest(conn, "Maya", parsed(hourly(8, 100)), "a.csv", "a", today=date(2026, 3, 9))
    store.ingest(conn, "Maya", parsed(hourly(9, 100)), "b.csv", "b", today=date(2026, 3, 5))
    again = store.ingest(conn, "Maya", parsed(hourly(8, 100)), "a.csv", "a", today=date(2026, 4, 1))
    assert again.batch_id is None
    assert list(store.coverage(conn).values()) == [date(2026, 3, 8)]


def test_members_without_imports_have_no_coverage(conn: sqlite3.Connection) -> None:
    store.add_member(conn, "Nana")
    assert store.coverage(conn) == {}


def test_an_old_store_gains_coverage_from_its_import_dates(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(store.SCHEMA.replace("    covered_through INTEGER NOT NULL DEFAULT 0,\n", ""))
    old.execute("INSERT INTO members(name, created_at) VALUES ('Maya', '2026-01-01')")
    old.execute(
        "INSERT INTO import_batches(member_id, file_name, format, sha256, rows_read, buckets_stored,"
        " duplicates_dropped, imported_at) VALUES (1, 'a.csv', 'csv-daily', 'a', 1, 1, 0,"
        " '2026-02-10T09:00:00+00:00')"
    )
    old.commit()
    old.close()
    migrated = store.connect(path)
    assert store.coverage(migrated) == {1: date(2026, 2, 9)}
    migrated.close()
    assert store.coverage(store.connect(path)) == {1: date(2026, 2, 9)}
