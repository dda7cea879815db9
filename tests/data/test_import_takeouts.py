"""Fitbit's UTC times, Fitbit's newer CSV, Google and Fitbit Takeout zips and Health Connect exports."""

import io
import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from data.importers import parse_file
from data.model import BadInput

TODAY = date(2024, 12, 31)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
DAILY_HEADER = "Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,Step count\n"


def make_zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def steps_json(*records):
    return json.dumps([{"dateTime": when, "value": str(value)} for when, value in records])


def by_start(parsed):
    return {(s.start, s.source): s.steps for s in parsed.samples}


def test_fitbit_utc_times_land_in_the_members_local_hour(write):
    content = steps_json(("01/25/23 03:10:00", 40), ("01/25/23 16:00:00", 2))
    parsed = parse_file(write("steps-2023-01-25.json", content), today=TODAY, zone=LOS_ANGELES)
    assert {s.start: s.steps for s in parsed.samples} == {
        datetime(2023, 1, 24, 19): 40,  # 03:10 UTC is the previous evening in California
        datetime(2023, 1, 25, 8): 2,
    }


def test_fitbit_newer_csv_is_read_with_its_utc_times(write):
    content = "timestamp,steps,data source\n2024-03-05T07:15:00Z,120,fitbit\n2024-03-05T07:45:00Z,30,fitbit\n"
    parsed = parse_file(write("steps.csv", content), today=TODAY, zone=ZoneInfo("Europe/Paris"))
    assert parsed.format == "fitbit"
    assert {s.start: s.steps for s in parsed.samples} == {datetime(2024, 3, 5, 8): 150}


def test_a_fitbit_takeout_takes_the_step_files_and_ignores_the_rest(write):
    entries = [
        ("Takeout/Fitbit/Global Export Data/steps-2023-01-25.json", steps_json(("01/25/23 13:00:00", 40))),
        ("Takeout/Fitbit/Global Export Data/steps-2023-02-24.json", steps_json(("02/24/23 13:00:00", 7))),
        ("Takeout/Fitbit/Global Export Data/heart_rate-2023-01-25.json", "[1, 2]"),
        ("Takeout/Fitbit/Global Export Data/sleep-2023-01-25.json", "{}"),
        (
            "Takeout/Fitbit/Physical Activity_GoogleData/steps_2024-03-05.csv",
            "timestamp,steps,data source\n2024-03-05T07:15:00Z,120,fitbit\n",
        ),
        ("Takeout/Fitbit/Profile/Profile.csv", "name,age\nx,3\n"),
        *((f"Takeout/Fitbit/Other/{n}.txt", "x") for n in range(6000)),
    ]
    parsed = parse_file(write("takeout.zip", make_zip(entries)), today=TODAY, zone=UTC)
    assert parsed.format == "fitbit"
    assert {s.start: s.steps for s in parsed.samples} == {
        datetime(2023, 1, 25, 13): 40,
        datetime(2023, 2, 24, 13): 7,
        datetime(2024, 3, 5, 7): 120,
    }


@pytest.mark.parametrize(
    "folder", ["Takeout/Fit/Daily activity metrics", "Takeout/Fit/Tägliche Aktivitätswerte", "Takeout/Fit/x"]
)
def test_a_google_takeout_takes_the_daily_metrics_in_any_folder(write, folder):
    entries = [
        (
            f"{folder}/Daily activity metrics.csv",
            DAILY_HEADER + "2024-03-04,1,1,1,1,6000\n2024-03-05,1,1,1,1,7000\n",
        ),
        (f"{folder}/2024-03-04.csv", "Start time,End time,Step count\n08:00:00.000,08:15:00.000,99\n"),
        ("Takeout/Fit/All Sessions/2024-03-04T08_00_00Z_WALKING.json", "{}"),
        *((f"Takeout/Photos/{n}.json", "{}") for n in range(6000)),
    ]
    parsed = parse_file(write("takeout-2024.zip", make_zip(entries)), today=TODAY)
    assert parsed.format == "google-fit"
    assert [(s.start, s.steps) for s in parsed.samples] == [
        (datetime(2024, 3, 4), 6000),
        (datetime(2024, 3, 5), 7000),
    ]


def test_a_takeout_whose_step_files_inflate_past_the_ratio_is_refused(write):
    huge = DAILY_HEADER + "2024-03-04,1,1,1,1,6000\n" + "\n" * (8 << 20)
    with pytest.raises(BadInput, match=r"refused: the step files inflate to more than"):
        parse_file(
            write("takeout.zip", make_zip([("Takeout/Fit/Daily activity metrics.csv", huge)])), today=TODAY
        )


def health_connect_db(path, rows):
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE application_info_table (row_id INTEGER PRIMARY KEY, package_name TEXT);"
        "CREATE TABLE steps_record_table (row_id INTEGER PRIMARY KEY, uuid BLOB, count INTEGER,"
        " start_time INTEGER, start_zone_offset INTEGER, end_time INTEGER, end_zone_offset INTEGER,"
        " app_info_id INTEGER, local_date INTEGER);"
        "INSERT INTO application_info_table VALUES (1, 'com.google.android.apps.fitness'),"
        " (2, 'com.sec.android.app.shealth');"
    )
    conn.executemany(
        "INSERT INTO steps_record_table(count, start_time, start_zone_offset, end_time, app_info_id)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return path.read_bytes()


def millis(moment):
    return int(moment.timestamp() * 1000)


def test_a_health_connect_export_imports_its_steps_once_across_apps(write, tmp_path):
    start = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # 08:00 local at +02:00
    end = datetime(2025, 6, 2, 6, 20, tzinfo=UTC)
    rows = [
        (800, millis(start), 7200, millis(end), 1),
        (800, millis(start), 7200, millis(end), 2),  # the same walk, counted by a second app
        (50, millis(datetime(2031, 1, 1, tzinfo=UTC)), 0, millis(datetime(2031, 1, 1, 0, 5, tzinfo=UTC)), 1),
    ]
    database = health_connect_db(tmp_path / "hc.db", rows)
    content = make_zip([("health_connect_export.db", database), ("other/grant_times.json", "{}")])
    parsed = parse_file(write("Health Connect.zip", content), today=date(2025, 12, 31))
    assert parsed.format == "health-connect"
    assert {s.start: s.steps for s in parsed.samples} == {datetime(2025, 6, 2, 8): 800}
    assert parsed.duplicates_dropped == 800
    assert parsed.skipped == (("dated after the export was made", 1),)
    assert sorted(tmp_path.iterdir()) == sorted([tmp_path / "hc.db", tmp_path / "Health Connect.zip"])


def test_a_database_without_a_steps_table_is_refused(write, tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    content = make_zip([("health_connect_export.db", (tmp_path / "x.db").read_bytes())])
    with pytest.raises(BadInput, match=r"without steps_record_table"):
        parse_file(write("hc.zip", content), today=TODAY)


def test_a_fitbit_takeout_stating_its_owners_zone_uses_it(write):
    entries = [
        ("Takeout/Fitbit/Global Export Data/steps-2023-01-25.json", steps_json(("01/25/23 03:10:00", 40))),
        ("Takeout/Fitbit/Profile/Profile.csv", "id,full_name,timezone\nX1,Ann,Asia/Tokyo\n"),
    ]
    parsed = parse_file(write("takeout.zip", make_zip(entries)), today=TODAY, zone=LOS_ANGELES)
    assert {s.start: s.steps for s in parsed.samples} == {datetime(2023, 1, 25, 12): 40}


def test_health_connect_rows_without_a_valid_count_are_skipped(write, tmp_path):
    start = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
    end = datetime(2025, 6, 2, 6, 20, tzinfo=UTC)
    rows = [(count, millis(start), 0, millis(end), 1) for count in (300, -5, "lots", None)]
    database = health_connect_db(tmp_path / "hc.db", rows)
    content = make_zip([("health_connect_export.db", database)])
    parsed = parse_file(write("hc.zip", content), today=date(2025, 12, 31))
    assert {s.start: s.steps for s in parsed.samples} == {datetime(2025, 6, 2, 6): 300}
    assert parsed.skipped == (("without a valid step count", 3),)
