from datetime import date, datetime

import pytest

from data.importers import parse_file
from data.model import BadInput, StepSample

TODAY = date(2024, 12, 31)
DAILY_HEADER = "Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,Step count\n"
DAY_HEADER = "Start time,End time,Move Minutes count,Calories (kcal),Step count\n"


def test_daily_activity_metrics_give_daily_buckets_and_blank_is_no_data(write):
    content = DAILY_HEADER + "2024-01-02,30,1800.5,4000.2,12,6543\n2024-01-03,,1700,,,\n"
    parsed = parse_file(write("Daily activity metrics.csv", content), today=TODAY)
    assert parsed.format == "google-fit"
    assert parsed.samples == (StepSample(datetime(2024, 1, 2), datetime(2024, 1, 3), 6543, "google-fit"),)


def test_per_day_file_takes_its_date_from_the_name_and_buckets_by_hour(write):
    content = (
        DAY_HEADER
        + "08:00:00.000+01:00,08:15:00.000+01:00,5,20.1,300\n"
        + "08:45:00.000+01:00,09:15:00.000+01:00,5,20.1,200\n"
        + "23:45:00.000+01:00,00:00:00.000+01:00,1,2,40\n"
        + "10:00:00.000+01:00,10:15:00.000+01:00,,2,\n"
    )
    parsed = parse_file(write("upload.tmp", content), display_name="2024-03-05.csv", today=TODAY)
    expected = {datetime(2024, 3, 5, 8): 400, datetime(2024, 3, 5, 9): 100, datetime(2024, 3, 5, 23): 40}
    assert {s.start: s.steps for s in parsed.samples} == expected
    assert parsed.rows_read == 3


def test_per_day_file_without_its_dated_name_is_refused(write):
    with pytest.raises(BadInput, match=r"upload.csv: file name: .*YYYY-MM-DD.csv"):
        parse_file(write("upload.csv", DAY_HEADER + "08:00:00.000,08:15:00.000,1,1,5\n"), today=TODAY)


def test_a_localised_header_names_the_missing_column(write):
    content = "Date,Minuten in Bewegung,Anzahl der Schritte\n2024-01-02,30,6543\n"
    with pytest.raises(BadInput, match=r"line 1: missing column 'Step count'"):
        parse_file(write("Tägliche Aktivitätsmesswerte.csv", content), today=TODAY)


def test_bad_times_name_the_line_and_field(write):
    content = DAY_HEADER + "08:00:00.000,08:15:00.000,1,1,5\n25:00:00.000,08:15:00.000,1,1,5\n"
    with pytest.raises(BadInput, match=r"line 3, field 'Start time'"):
        parse_file(write("2024-03-05.csv", content), today=TODAY)


def test_a_future_day_file_is_refused(write):
    with pytest.raises(BadInput, match=r"file name: the date is in the future"):
        parse_file(write("2025-03-05.csv", DAY_HEADER + "08:00:00.000,08:15:00.000,1,1,5\n"), today=TODAY)


def test_negative_daily_steps_name_the_line(write):
    with pytest.raises(BadInput, match=r"line 2, field 'Step count': the step count is negative"):
        parse_file(write("Daily activity metrics.csv", DAILY_HEADER + "2024-01-02,1,1,1,1,-3\n"), today=TODAY)
