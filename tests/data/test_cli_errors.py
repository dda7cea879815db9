"""Every file-system or store failure of `python -m data` is one line naming the file, exit 2."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import data.__main__ as cli
from data import store

REPO = Path(__file__).resolve().parents[2]
DAILY_CSV = "member,date,steps\nMaya,2026-10-01,8000\n"


def one_line_error(err: str, *names: str) -> str:
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith("error: ")
    for name in names:
        assert name in line
    return line


def env(db: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "HEARTH_DB": str(db), **more}


def data_cli(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m data ARGS` in a child process, as a shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "data", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "hearth.sqlite"
    conn = store.connect(db)
    store.add_member(conn, "Maya")
    conn.close()
    return db


def test_a_typo_in_member_adds_no_one(seeded: Path, tmp_path: Path) -> None:
    file = tmp_path / "s.csv"
    file.write_text(DAILY_CSV)
    result = data_cli("import", "--member", "Mayа", str(file), environment=env(seeded))  # Cyrillic a
    assert result.returncode == 2
    one_line_error(result.stderr, "no member named", "--new-member")
    conn = store.connect(seeded)
    assert [m.name for m in store.members(conn)] == ["Maya"]
    conn.close()


def test_an_unknown_family_zone_is_one_line(seeded: Path) -> None:
    result = data_cli("daily", "--member", "Maya", environment=env(seeded, HEARTH_TZ="Mars/Base"))
    assert result.returncode == 2
    one_line_error(result.stderr, "HEARTH_TZ")


def test_a_store_in_an_unwritable_place_is_one_line() -> None:
    db = Path("/proc/hearth/store.sqlite")
    result = data_cli("demo", environment=env(db))
    assert result.returncode == 2
    one_line_error(result.stderr, "/proc/hearth")


def test_a_closed_stdout_pipe_is_one_line(seeded: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "data", "daily", "--member", "Maya"],
        cwd=REPO,
        env=env(seeded),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        err = child.stderr.read()
        assert child.wait(timeout=60) == 2
    one_line_error(err, "stdout")


@pytest.mark.parametrize(
    "failure",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("attempt to write a readonly database"),
        sqlite3.OperationalError("database or disk is full"),
    ],
    ids=["locked", "read-only", "full"],
)
def test_a_store_that_cannot_take_the_import_is_one_line(
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: Exception,
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise failure

    monkeypatch.setenv("HEARTH_DB", str(seeded))
    monkeypatch.setattr(store, "ingest", refuse)
    file = tmp_path / "s.csv"
    file.write_text(DAILY_CSV)
    assert cli.main(["import", "--member", "Maya", str(file)]) == 2
    one_line_error(capsys.readouterr().err, str(seeded), str(failure))


@pytest.mark.parametrize(
    "failure",
    [
        PermissionError(13, "Permission denied"),
        IsADirectoryError(21, "Is a directory"),
        OSError(5, "Input/output error"),
    ],
    ids=["unreadable", "directory", "io-error"],
)
def test_a_file_that_cannot_be_read_is_one_line(
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: OSError,
) -> None:
    file = tmp_path / "s.csv"
    file.write_text(DAILY_CSV)
    failure.filename = str(file)

    def unreadable(*_: object, **__: object) -> None:
        raise failure

    monkeypatch.setenv("HEARTH_DB", str(seeded))
    monkeypatch.setattr(cli, "parse_file", unreadable)
    assert cli.main(["import", "--member", "Maya", str(file)]) == 2
    one_line_error(capsys.readouterr().err, str(file))


def test_a_missing_file_is_one_line(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_DB", str(seeded))
    assert cli.main(["import", "--member", "Maya", str(tmp_path / "gone.csv")]) == 2
    one_line_error(capsys.readouterr().err, "gone.csv")
