"""Nothing but noisy numbers crosses from one member's data to another member's screen, or into an error.

Two promises of PRIVACY-TESTS.md, checked through the service (`privacy.service.Hearth`) and the CLI:

- Group keys come from the family roster, never from the data: a member without any data gives a
  release of exactly the same shape, labels, units and wording as when they have data, for every
  catalog query; nothing in a release speaks of data presence or row counts.
- Errors never carry data: a marker planted as a device/source name, as an import's file name and as
  an invalid value never appears in a release, a refusal, the audit log or ledger, or the CLI's output;
  an import error names the file and line but does not echo the offending value.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from cli_support import run_privacy_cli
from hearth_support import NOW, open_hearth

from data import store
from data.importers import parse_file
from data.model import BadInput, ParsedImport, StepSample
from privacy.epsilon import InvalidEpsilon
from privacy.identity import Viewer
from privacy.queries import QueryId, QuerySpec
from privacy.release import BudgetExhausted, NotAllowed, OverCap, Refused
from privacy.releases_json import release_to_json
from privacy.service import Hearth, ImportRefused

ROOT = Path(__file__).resolve().parents[2]
MARKER = "ZZ-MARKER-9137"
NOISY = ("values", "lower", "upper")
"""The only fields of a release allowed to differ between datasets: the noisy numbers."""
DATA_WORDS = re.compile(
    r"no data|missing|absent|empty|\brows?\b|\brecords?\b|samples?|without data|not enough|insufficient"
    r"|too few|has data|data for",
    re.IGNORECASE,
)
"""Wording that would reveal whether a member recorded steps, or how many rows there were."""


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def _open(path: Path) -> Hearth:
    """The default lifetime of 3 per day: a reserve of 0.5, a quota of 0.25 per viewer per day."""
    return open_hearth(path)


def _strings(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# --- Group keys come from the roster -------------------------------------------------------------


@pytest.fixture(scope="module")
def with_and_without(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Hearth, Hearth]:
    """The demo family twice: as is, and with every step row of its third member (Leo) deleted."""
    folder = tmp_path_factory.mktemp("gap")
    full = _copy(demo_template, folder / "full.sqlite")
    gap = _copy(demo_template, folder / "gap.sqlite")
    conn = store.connect(gap)
    leo = store.member_by_name(conn, "Leo")
    assert leo is not None
    with store.transaction(conn):
        for table in ("daily", "hourly", "samples"):
            conn.execute(f"DELETE FROM {table} WHERE member_id = ?", (leo.id,))
    assert conn.execute("SELECT count(*) FROM daily WHERE member_id = ?", (leo.id,)).fetchone() == (0,)
    conn.close()
    services = (_open(full), _open(gap))
    yield services
    for service in services:
        service.close()


@pytest.mark.parametrize("query", list(QueryId))
def test_member_without_data_gets_the_same_release_but_for_the_noise(
    with_and_without: tuple[Hearth, Hearth], query: QueryId
) -> None:
    spec = QuerySpec(query, window_days=30)
    made = []
    for hearth in with_and_without:
        assert [m.name for m in hearth.roster()] == ["Maya", "Sam", "Leo", "Ivy", "Nana"]
        viewer = hearth.demo_sign_in(hearth.roster()[0].id)
        made.append(json.loads(release_to_json(hearth.release(viewer, spec, 0.03))))
    full, gap = made
    # Shape, labels, unit text, mechanism, scale, charge, privacy unit, members, period, time: identical.
    assert {k: v for k, v in gap.items() if k not in NOISY} == {
        k: v for k, v in full.items() if k not in NOISY
    }
    assert (
        {k: len(full[k]) for k in NOISY}
        == {k: len(gap[k]) for k in NOISY}
        == {k: len(full["labels"]) for k in NOISY}
    )
    assert all(math.isfinite(v) for k in NOISY for v in gap[k])
    if query is QueryId.CHAMPION:
        assert "Leo" in gap["labels"]  # the member without data is still a group, labelled from the roster
    for text in _strings(gap):
        assert not DATA_WORDS.search(text), text


def test_member_without_data_gets_the_same_preview(with_and_without: tuple[Hearth, Hearth]) -> None:
    for query in QueryId:
        spec = QuerySpec(query, window_days=30)
        full, gap = (hearth.preview(spec, 0.2) for hearth in with_and_without)
        assert full == gap


# --- Errors never carry data ----------------------------------------------------------------------

DAYS = tuple(NOW.date() - timedelta(days=d) for d in range(60))


def _apple_export(source: str) -> str:
    """An Apple Health export whose hourly step records name `source` as their device."""
    records = "".join(
        f'<Record type="HKQuantityTypeIdentifierStepCount" sourceName="{source}" sourceVersion="9.1"'
        f' unit="count" creationDate="{day} {h + 1:02d}:00:00 +0000" startDate="{day} {h:02d}:00:00 +0000"'
        f' endDate="{day} {h + 1:02d}:00:00 +0000" value="{400 + 37 * h}"/>\n'
        for day in DAYS
        for h in (7, 8, 12, 17, 18)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
        f' <ExportDate value="{NOW:%Y-%m-%d} 09:00:00 +0000"/>\n{records}</HealthData>\n'
    )


def _csv(member: str, base: int) -> str:
    return "member,date,steps\n" + "".join(
        f"{member},{d},{base + 101 * i % 4_000}\n" for i, d in enumerate(DAYS)
    )


@pytest.fixture(scope="module")
def marked_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store: Ann and Cy import CSVs; Bo imports an Apple export from a device named MARKER, in a
    file named after MARKER, and a second stream stored with MARKER as its source (hourly buckets)."""
    folder = tmp_path_factory.mktemp("marked")
    path = folder / "marked.sqlite"
    conn = store.connect(path)
    for name in ("Ann", "Bo", "Cy"):
        store.add_member(conn, name)
    conn.close()
    hearth = _open(path)
    try:
        for name, content, file_name in (
            ("Ann", _csv("Ann", 6_000), "ann.csv"),
            ("Cy", _csv("Cy", 9_000), "cy.csv"),
            ("Bo", _apple_export(MARKER), f"{MARKER}.xml"),
        ):
            file = folder / file_name
            file.write_text(content, encoding="utf-8")
            hearth.import_file(hearth.operator_session(name), name, file, file_name)
    finally:
        hearth.close()
    samples = tuple(
        StepSample(
            datetime.combine(d, datetime.min.time()) + timedelta(hours=h), _hour_after(d, h), 900, MARKER
        )
        for d in DAYS
        for h in (6, 20)
    )
    conn = store.connect(path)
    store.ingest(conn, "Bo", ParsedImport("csv-timestamp", samples, len(samples)), MARKER, "f" * 64)
    conn.close()
    return path


def _hour_after(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour + 1)


@pytest.fixture
def marked(marked_path: Path, tmp_path: Path) -> Hearth:
    service = _open(_copy(marked_path, tmp_path / "marked.sqlite"))
    yield service
    service.close()


def test_the_marker_is_in_the_store(marked: Hearth, tmp_path: Path) -> None:
    """Not vacuous: the marker is stored as a source and a file name, and shapes Bo's data."""
    conn = sqlite3.connect(tmp_path / "marked.sqlite")
    try:
        assert conn.execute("SELECT count(*) FROM samples WHERE source = ?", (MARKER,)).fetchone()[0] > 0
        files = [r[0] for r in conn.execute("SELECT file_name FROM import_batches")]
        assert sum(MARKER in f for f in files) == 2
    finally:
        conn.close()
    bo = marked.operator_session("Bo")
    hours = marked.own_hourly(bo, bo.member_id, DAYS[-1], DAYS[0])
    assert set(hours["hour"].unique()) >= {6, 7, 20}


def _refusals(hearth: Hearth, viewer: Viewer, other: Viewer, tmp_path: Path) -> list[Exception]:
    """Provoke every refusal a viewer can meet; each must be raised, and is returned for inspection."""
    spec = QuerySpec(QueryId.HOUR_OF_DAY, window_days=30)
    caught: list[Exception] = []
    attempts = [
        (OverCap, lambda: hearth.release(viewer, spec, 5)),
        (InvalidEpsilon, lambda: hearth.release(viewer, spec, math.nan)),
        (InvalidEpsilon, lambda: hearth.release(viewer, spec, -1)),
        (InvalidEpsilon, lambda: hearth.release(viewer, spec, "1")),
        (BudgetExhausted, lambda: hearth.release(viewer, QuerySpec(QueryId.TREND, window_days=90), 0.9)),
        (NotAllowed, lambda: hearth.own_daily(viewer, other.member_id, DAYS[-1], DAYS[0])),
        (NotAllowed, lambda: hearth.own_hourly(viewer, other.member_id, DAYS[-1], DAYS[0])),
        (
            NotAllowed,
            lambda: hearth.release(Viewer(other.member_id, "x", True, viewer.session_token), spec, 0.1),
        ),
        (NotAllowed, lambda: hearth.import_file(viewer, other.name, tmp_path / "x.csv", "x.csv")),
    ]
    # A file whose step count is the marker: refused, naming the file and line.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"member,date,steps\n{viewer.name},{DAYS[1]},{MARKER}\n", encoding="utf-8")
    attempts.append((ImportRefused, lambda: hearth.import_file(viewer, viewer.name, bad, "bad.csv")))
    for kind, attempt in attempts:
        with pytest.raises(kind) as refusal:
            attempt()
        caught.append(refusal.value)
    return caught


@pytest.mark.parametrize("viewer_name", ["Ann", "Bo"])
def test_no_release_refusal_or_log_carries_the_marker(
    marked: Hearth, tmp_path: Path, viewer_name: str
) -> None:
    """Another member (Ann) and the marker's owner (Bo) alike: releases, refusals, logs are marker-free."""
    viewer = marked.operator_session(viewer_name)
    other = marked.operator_session("Cy")
    texts = []
    for query in QueryId:
        release = marked.release(viewer, QuerySpec(query, window_days=30), 0.03)
        texts.append(release_to_json(release))
        texts.append(repr(release))
        texts.append(
            release_to_json(marked.release(viewer, QuerySpec(query, window_days=30), 0.03))
        )  # replay
    refusals = _refusals(marked, viewer, other, tmp_path)
    texts += [f"{type(r).__name__}: {r}" for r in refusals]
    texts += [repr(marked.budget(viewer)), repr(marked.board()), repr(marked.roster())]
    for text in texts:
        assert MARKER not in text, text
    assert all(isinstance(r, Refused | InvalidEpsilon) for r in refusals)
    assert "bad.csv" in str(refusals[-1]) and "line 2" in str(refusals[-1])
    # The audit log and every ledger table: the marker lives only in the member's own samples and batches.
    conn = sqlite3.connect(tmp_path / "marked.sqlite")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"audit_log", "board_releases", "budget_charges"} <= set(tables)
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE viewer_id = ?", (viewer.member_id,))
        assert audited.fetchone()[0] >= len(QueryId)
        for table in set(tables) - {"samples", "import_batches"}:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            assert MARKER not in repr(rows), table
    finally:
        conn.close()


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_privacy_cli(db, *args)


WINDOW = ("--window", "30")


def test_cli_output_never_carries_the_marker(marked_path: Path, tmp_path: Path) -> None:
    db = _copy(marked_path, tmp_path / "cli.sqlite")
    runs = {
        "hourly": _cli(
            db, "release", "--viewer", "Ann", "--query", "hour_of_day", *WINDOW, "--epsilon", "0.2"
        ),
        "champion": _cli(db, "release", "--viewer", "Bo", "--query", "champion", *WINDOW, "--epsilon", "0.2"),
        "exhausted": _cli(db, "release", "--viewer", "Ann", "--query", "trend", *WINDOW, "--epsilon", "0.9"),
        "over cap": _cli(db, "release", "--viewer", "Ann", "--query", "trend", *WINDOW, "--epsilon", "5"),
        "budget": _cli(db, "budget", "--viewer", "Bo"),
        "board": _cli(db, "board"),
    }
    assert [r.returncode for r in runs.values()] == [0, 0, 3, 3, 0, 0], {k: r.stderr for k, r in runs.items()}
    assert len(json.loads(runs["hourly"].stdout)["values"]) == 24
    for name, run in runs.items():
        assert MARKER not in run.stdout + run.stderr, name


SAMSUNG_HEAD = "com.samsung.shealth.step_daily_trend,6315002,1\nday_time,count,source_type\n"
BAD_VALUES = {
    "csv-daily steps": (
        "member,date,steps\nAnn,2026-10-29,1200\nAnn,2026-10-30,@\n",
        "line 3, field 'steps'",
    ),
    "csv-daily date": ("member,date,steps\nAnn,2026-10-29,1200\nAnn,@,500\n", "line 3, field 'date'"),
    "csv-timestamp timestamp": (
        "member,timestamp,steps\nAnn,2026-10-29T10:00:00,1200\nAnn,@,500\n",
        "line 3, field 'timestamp'",
    ),
    "google-fit date": ("Date,Step count\n2026-10-29,1200\n@,500\n", "line 3, field 'Date'"),
    "fitbit dateTime": ('[{"dateTime": "@", "value": "5"}]', "record 1, field 'dateTime'"),
    "samsung day_time": (SAMSUNG_HEAD + "@,5,0\n", "line 3, field 'day_time'"),
}
"""Files with one bad value (`@` stands for the marker), and where the error must point."""


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_bad_value_error_names_file_and_line_but_not_the_value(tmp_path: Path, case: str) -> None:
    content, where = BAD_VALUES[case]
    path = tmp_path / "upload.tmp"
    path.write_text(content.replace("@", MARKER), encoding="utf-8")
    with pytest.raises(BadInput) as error:
        parse_file(path, display_name="steps.csv")
    message = str(error.value)
    assert error.value.file == "steps.csv"
    assert message.startswith(f"steps.csv: {where}: "), message
    assert MARKER not in message, message


@pytest.mark.parametrize("case", ["csv-daily steps", "csv-daily date"])
def test_import_refusal_shown_by_the_service_does_not_echo_the_value(
    marked: Hearth, tmp_path: Path, case: str
) -> None:
    content, where = BAD_VALUES[case]
    path = tmp_path / "upload.tmp"
    path.write_text(content.replace("@", MARKER), encoding="utf-8")
    ann = marked.operator_session("Ann")
    with pytest.raises(ImportRefused) as refusal:
        marked.import_file(ann, "Ann", path, "steps.csv")
    assert str(refusal.value).startswith(f"steps.csv: {where}: ")
    assert MARKER not in str(refusal.value), str(refusal.value)
