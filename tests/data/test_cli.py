"""`python -m data`: exit 0 on success, 2 on refused input, summaries on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import data.__main__ as cli
from data import store
from data.demo import load_demo
from data.model import ParsedImport, StepSample

REPO = Path(__file__).resolve().parents[2]
DAILY_CSV = "member,date,steps\nMaya,2026-10-01,8000\nMaya,2026-10-02,9100\n"
TIMESTAMP_CSV = (
    "member,timestamp,steps\n"
    "Maya,2026-10-01T08:15:00,300\nMaya,2026-10-01T08:45:00,200\nMaya,2026-10-01T17:05:00,700\n"
)


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_DB": str(db)}
    command = [sys.executable, "-m", "data", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def seeded_store(db: Path) -> None:
    conn = store.connect(db)
    start = datetime(2026, 10, 1, 8)
    sample = StepSample(start, start + timedelta(hours=1), 500, "csv")
    store.ingest(conn, "Maya", ParsedImport("csv-timestamp", (sample,), 1), "seed.csv", "seed")
    conn.close()


def test_import_prints_a_summary_and_daily_prints_the_stored_totals(tmp_path: Path) -> None:
    db = tmp_path / "hearth.sqlite"
    imported = run(
        db, "import", "--new-member", "--member", "Maya", str(write(tmp_path / "steps.txt", DAILY_CSV))
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[:5] == [
        "Imported steps.txt for Maya (csv-daily)",
        "rows read: 2",
        "hourly buckets stored: 0",
        "daily buckets stored: 2",
        "duplicates dropped: 0",
    ]
    daily = run(db, "daily", "--member", "Maya")
    assert (daily.returncode, daily.stdout) == (0, "date,steps\n2026-10-01,8000\n2026-10-02,9100\n")


def test_timestamp_csv_lands_in_hourly_buckets(tmp_path: Path) -> None:
    db = tmp_path / "hearth.sqlite"
    imported = run(
        db, "import", "--new-member", "--member", "Ivy", str(write(tmp_path / "t.csv", TIMESTAMP_CSV))
    )
    assert imported.returncode == 0, imported.stderr
    assert "rows read: 3\nhourly buckets stored: 2\ndaily buckets stored: 0\n" in imported.stdout
    assert run(db, "daily", "--member", "Ivy").stdout == "date,steps\n2026-10-01,1200\n"


def test_importing_the_same_file_again_reports_it_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "hearth.sqlite"
    file = write(tmp_path / "steps.csv", DAILY_CSV)
    assert run(db, "import", "--new-member", "--member", "Maya", str(file)).returncode == 0
    again = run(db, "import", "--member", "Maya", str(file))
    assert again.returncode == 0
    assert again.stdout == "steps.csv was already imported for Maya: nothing changed\n"
    conn = store.connect(db)
    assert store.data_version(conn) == 1
    conn.close()


def test_bad_input_exits_2_naming_file_and_line_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "hearth.sqlite"
    bad = write(tmp_path / "bad.csv", "member,date,steps\nMaya,2026-10-01,100\nMaya,2026-10-02,-5\n")
    result = run(db, "import", "--new-member", "--member", "Maya", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: bad.csv: line 3")
    conn = store.connect(db)
    assert (store.members(conn), store.data_version(conn)) == ((), 0)
    conn.close()


def test_daily_of_an_unknown_member_or_missing_store_exits_2(tmp_path: Path) -> None:
    missing = run(tmp_path / "none.sqlite", "daily", "--member", "Maya")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert "no store at" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()
    db = tmp_path / "hearth.sqlite"
    seeded_store(db)
    unknown = run(db, "daily", "--member", "Bob")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "no member named 'Bob'" in unknown.stderr


def test_demo_loads_the_family_and_daily_lists_the_late_joiner(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    loaded = run(db, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("Loaded the demo family (Maya, Sam, Leo, Ivy, Nana)")
    daily = run(db, "daily", "--member", "Nana")
    lines = daily.stdout.splitlines()
    assert (daily.returncode, lines[0]) == (0, "date,steps")
    days = [date.fromisoformat(line.split(",")[0]) for line in lines[1:]]
    assert days == sorted(days) and days[0] >= date(2025, 7, 1) and days[-1] <= date(2026, 10, 31)


def test_real_and_demo_data_are_kept_in_separate_stores(tmp_path: Path) -> None:
    real = tmp_path / "real.sqlite"
    seeded_store(real)
    refused_demo = run(real, "demo")
    assert (refused_demo.returncode, refused_demo.stdout) == (2, "")
    assert "set HEARTH_DB" in refused_demo.stderr
    demo = tmp_path / "demo.sqlite"
    conn = store.connect(demo)
    load_demo(conn)
    conn.close()
    refused_import = run(demo, "import", "--member", "Maya", str(write(tmp_path / "s.csv", DAILY_CSV)))
    assert refused_import.returncode == 2
    assert "demo store" in refused_import.stderr


@pytest.mark.parametrize("args", [[], ["import", "--member", "", "x.csv"], ["daily"], ["export"]], ids=str)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    assert exited.value.code == 2
    assert "usage: python -m data" in capsys.readouterr().err


def test_progress_bar_is_drawn_on_stderr_for_big_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_DB", str(tmp_path / "hearth.sqlite"))
    monkeypatch.setattr(cli, "BIG_FILE", 0)
    assert (
        cli.main(["import", "--new-member", "--member", "Maya", str(write(tmp_path / "s.csv", DAILY_CSV))])
        == 0
    )
    out, err = capsys.readouterr()
    assert err.endswith("100%\n")
    assert out.startswith("Imported s.csv")


def test_member_names_are_trimmed_and_must_be_printable() -> None:
    assert cli.member_name(" Nana ") == "Nana"
    for bad in ("", "   ", "a" * 65, "Ivy\u202e"):
        with pytest.raises(argparse.ArgumentTypeError, match="printable"):
            cli.member_name(bad)
